"""Content checks before sign-off: what in a working copy's text an advisor should look at.

They inform; the advisor decides. The editor sees them on saving, the advisor on the
review screen, and approving an object with open checks needs the advisor's comment,
which the history keeps (compounds/review/workflow.py, `checks_to_confirm`).

`findings(obj)` checks each patient-facing text of a compound, condition, evidence
summary, research update or site page, its inline rows included, for:

- the reading grade (Flesch-Kincaid) of a text of some length: above grade 8, where
  patient information aims for grade 6 to 8;
- words that promise more than evidence can ("safe", "proven", "cure", "hope"...),
  where the summary's cited evidence does not carry them (a compound, condition or
  research update has no grade to carry them: they are always flagged);
- effects stated as fact ("helped", "eased", "rapid and sustained") without a cited
  controlled trial, the only design that shows a treatment caused them;
- figures (percentages, "153 patients", "3 trials") in a text that cites no source;
- fields whose text reads as a broken sentence where a public template embeds it.

A word plainly negated ("not proven", "no cure", "not been shown to be safe" is not
plain enough) is not flagged: a negation is one of NEGATIONS among the three words
before it, within its clause. The rules are kept few, so an editor can tell why each
finding was made.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from django.utils.text import Truncator, capfirst

from compounds.evidence import (
    EvidenceLevel,
    StudyDesign,
    Verdict,
    designs_behind_grade,
    grade_is_cited,
)
from compounds.models import Compound, Condition, EvidenceSummary, ResearchUpdate, SitePage

# Patient information standards aim for grade 6 to 8; above 8 is flagged.
GRADE_AIMED_FOR = 8
# A text is graded from this length on: a heading or a phrase has no reading grade.
GRADED_FROM_SENTENCES = 2
GRADED_FROM_WORDS = 25

# The kinds of finding, each as an editor reads it, one and many.
READING_GRADE = "reading grade"
PROMISE = "promise"
EFFECT = "effect claim"
FIGURE = "figure without a source"
BROKEN_SENTENCE = "broken sentence"
KINDS = {
    READING_GRADE: ("text above reading grade 8", "texts above reading grade 8"),
    PROMISE: (
        "word that promises more than evidence can",
        "words that promise more than evidence can",
    ),
    EFFECT: (
        "effect stated without a cited controlled trial",
        "effects stated without a cited controlled trial",
    ),
    FIGURE: ("figure without a cited source", "figures without a cited source"),
    BROKEN_SENTENCE: (
        "text that reads as a broken sentence on its page",
        "texts that read as broken sentences on their pages",
    ),
}


@dataclass(frozen=True)
class Finding:
    field: str  # the field as the change form labels it: "Human evidence"
    kind: str  # one of KINDS
    message: str  # what to look at, in a sentence for the editor
    excerpt: str  # the words found, with a little of the text around them


def describe(found):
    """Findings counted by kind, as a message names them: "2 words that promise more
    than evidence can, 1 text above reading grade 8"."""
    counts = {}
    for finding in found:
        counts[finding.kind] = counts.get(finding.kind, 0) + 1
    return ", ".join(
        f"{count} {KINDS[kind][0] if count == 1 else KINDS[kind][1]}"
        for kind, count in counts.items()
    )


# Reading grade -----------------------------------------------------------------------------

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")
_WORD_PARTS = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*|[0-9]+")
_SENTENCE_ENDS = re.compile(r"[.!?…]+[\"”’)\]]*(?=\s|$)|\n")


def syllables(word):
    """An English word's syllables, by the usual heuristic: its groups of vowels, less a
    silent final e ("make") and a silent -ed or -es ("eased", "makes"). A figure counts
    as one; so does an acronym without a vowel ("TRD")."""
    w = re.sub(r"[^a-z]", "", word.lower().replace("’s", "").replace("'s", ""))
    if len(w) <= 3:
        return 1
    count = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee", "ye")):
        count -= 1
    elif w.endswith("le") and w[-3] in "aeiouy":
        count -= 1  # "whale", "mile": the e is silent
    elif re.search(r"[^aeiouytd]ed$", w) or re.search(r"[^aeiouysczxgh]es$", w):
        count -= 1
    return max(count, 1)


def _sentences(text):
    return [part for part in _SENTENCE_ENDS.split(text) if _WORD_PARTS.search(part)]


def _words(text):
    """Words as Flesch counted them, between spaces: "treatment-resistant" is one."""
    return [token for token in text.split() if _WORD_PARTS.search(token)]


def reading_grade(text):
    """The Flesch-Kincaid grade level of an English text, or None for a text without
    words: 0.39 x words a sentence + 11.8 x syllables a word - 15.59. A sentence ends at
    . ! ? or a line break (key takeaways are one a line)."""
    words = _words(text or "")
    if not words:
        return None
    sentences = max(len(_sentences(text)), 1)
    counted = sum(syllables(part) for word in words for part in _WORD_PARTS.findall(word))
    return 0.39 * len(words) / sentences + 11.8 * counted / len(words) - 15.59


# How the review screen names a page's search result description among its passages.
DESCRIPTION_LABEL = "Search result description: "


def page_grade(passages):
    """The reading grade of a page's prose: its passages (pages/reading.py text_of) that
    read as sentences, ending in . ! ? or :. A table row ("Leukemia | Insufficient
    evidence | ...") or a link's label is read, not as a sentence: counted as one, its
    run of names would put any hub page past grade 15. The label the review screen puts
    before the search result description is for the advisor; patients never read it."""
    passages = [p.removeprefix(DESCRIPTION_LABEL) for p in passages]
    prose = [p for p in passages if p.rstrip().endswith((".", "!", "?", ":", ".”", "?”"))]
    return reading_grade("\n".join(prose)) if prose else None


def _is_graded(text):
    return len(_sentences(text)) >= GRADED_FROM_SENTENCES or len(_words(text)) >= GRADED_FROM_WORDS


# What an object's evidence carries ----------------------------------------------------------


@dataclass(frozen=True)
class Backing:
    """What the evidence cited with an object supports: nothing, unless it says so."""

    level_1: bool = False  # a Level 1 grade, cited: "proven", "works better"
    randomized: bool = False  # a Level 1 or 2 grade, cited: "strong data"
    positive: bool = False  # an effective or likely effective verdict, its grade cited
    controlled_trial: bool = False  # a cited controlled trial: effects stated as fact
    source: bool = False  # a cited source at all: figures


def _rows(obj, related_name):
    """obj's inline rows; none for an object not saved yet (a form's, a test's)."""
    if obj.pk is None:
        return []
    return list(getattr(obj, related_name).all())


def _designs(obj):
    return {StudyDesign(reference.study_design) for reference in _rows(obj, "references")}


def backing(obj):
    if isinstance(obj, EvidenceSummary):
        designs = _designs(obj)
        level = EvidenceLevel(obj.evidence_level)
        # As the pages grade it: a direct grade by the references that studied the
        # condition (pages/claims.py).
        behind = designs_behind_grade(obj.evidence_basis, _rows(obj, "references"))
        cited = grade_is_cited(level, behind) and level.is_human
        return Backing(
            level_1=cited and level == EvidenceLevel.LEVEL_1,
            randomized=cited and level in (EvidenceLevel.LEVEL_1, EvidenceLevel.LEVEL_2),
            positive=cited and Verdict(obj.verdict).is_positive,
            controlled_trial=any(design.is_controlled_trial for design in designs),
            source=bool(designs),
        )
    if isinstance(obj, ResearchUpdate):
        designs = _designs(obj)
        return Backing(
            controlled_trial=any(design.is_controlled_trial for design in designs),
            source=bool(designs) or bool(obj.source_url),
        )
    return Backing()


# Promises and effects -----------------------------------------------------------------------

NEGATIONS = {"no", "not", "never", "nor", "cannot", "without", "neither"}
_CLAUSE_BREAK = re.compile(r"[,;:.!?()—–]")


def _negated(text, start):
    """Whether a negation stands among the three words before `start`, in its clause."""
    clause = _CLAUSE_BREAK.split(text[:start])[-1]
    before = re.findall(r"[a-z’']+", clause.lower())[-3:]
    return any(word in NEGATIONS or word.endswith(("n't", "n’t")) for word in before)


@dataclass(frozen=True)
class WordRule:
    kind: str
    pattern: str  # a regular expression, matched whole words, case ignored
    supported: str | None  # the Backing attribute that carries it; None: nothing does
    message: str  # {words}: the words found, quoted
    # All its words in a field make one finding (effects: a summary states several).
    together: bool = False

    def matches(self, text):
        regex = re.compile(rf"(?<![\w-])(?:{self.pattern})(?![\w-])", re.IGNORECASE)
        return [m for m in regex.finditer(text) if not _negated(text, m.start())]


WORD_RULES = [
    WordRule(
        PROMISE,
        r"safe|safer|safest|safely",
        None,
        "{words} is a claim to confirm: say what is known of its safety, for whom, and "
        "from which source.",
    ),
    WordRule(
        PROMISE,
        r"proven|proved|proves",
        "level_1",
        "{words} needs a cited Level 1 grade (systematic reviews of randomized trials).",
    ),
    WordRule(
        PROMISE,
        r"works? better|worked better|better than|faster than|more effective than|"
        r"superior to|outperform(?:s|ed)?",
        "level_1",
        "{words} compares treatments, which needs a cited Level 1 grade.",
    ),
    WordRule(
        PROMISE,
        r"strong (?:data|evidence)",
        "randomized",
        "{words} needs a cited grade of randomized trials (Level 1 or 2) for this pair.",
    ),
    WordRule(
        PROMISE,
        r"effective",
        "positive",
        "{words} needs an effective or likely effective verdict whose grade is cited.",
    ),
    WordRule(
        PROMISE,
        r"cures?|cured|miracles?|miraculous|breakthroughs?|guarantee[sd]?|"
        r"hope|hopes|hopeful|valuable|pave[sd]? the way|paving the way",
        None,
        "{words} promises more than evidence can: say what the studies found.",
    ),
    WordRule(
        EFFECT,
        r"help(?:ed|s)|eas(?:ed|es)|improv(?:ed|es)|reduc(?:ed|es)|reliev(?:ed|es)|"
        r"lower(?:ed|s)|decreas(?:ed|es)|restor(?:ed|es)|rapid(?:ly)?(?: and sustained)?|"
        r"sustained|long-lasting",
        "controlled_trial",
        "an effect stated as fact ({words}) with no cited controlled trial, the only design "
        "that shows a treatment caused it: say what was observed, and in which study.",
        together=True,
    ),
]

# Figures: percentages, counts of people or studies, "n = 120", "3-fold".
_FIGURES = re.compile(
    r"\d+(?:[.,]\d+)?\s?(?:%|percent\b|per cent\b)"
    r"|\b\d[\d,]*\s+(?:patients|people|participants|adults|children|subjects|volunteers|"
    r"women|men|trials|studies|cases)\b"
    r"|\bn\s?=\s?\d+"
    r"|\b\d+(?:\.\d+)?-fold\b",
    re.IGNORECASE,
)


def _excerpt(text, start, end, around=50):
    """The words found with some of the text around them, cut at spaces."""
    left = text.rfind(" ", 0, max(start - around, 0)) + 1 if start > around else 0
    right = text.find(" ", end + around)
    right = len(text) if right == -1 else right
    return f"{'…' if left else ''}{text[left:right].strip()}{'…' if right < len(text) else ''}"


# Broken sentences ---------------------------------------------------------------------------


@dataclass(frozen=True)
class TemplateRule:
    """A field a public page embeds in a sentence of its own, and how its text breaks it."""

    field: str  # "condition.specialist"
    template: str  # where the sentence is
    broken: Callable[[str], str | None]  # what reads wrong, in words, or None

    def check(self, text):
        return self.broken(text.strip()) if text.strip() else None


_ENDS_SENTENCE = re.compile(r"[.!?…]$")
_SENTENCES_INSIDE = re.compile(r"[.!?;]\s+\S")


def _inside_your(text):
    first = text.split()[0]
    if first.lower() in {"a", "an", "the", "your", "my"}:
        return f"it reads “your {first} …”: start with the specialist, as “oncologist”."
    if first[0].isupper() and not first.isupper():
        return f"it reads “your {first}” mid-sentence: write it in lower case."
    if _SENTENCES_INSIDE.search(text.rstrip(".")):
        return "it is sentences where a phrase is expected (“your ___”): one phrase."
    return None


def _after_colon_before_full_stop(text):
    if text[-1] in "?!":
        return f"the page adds a full stop after its “{text[-1]}”."
    if re.match(r"(?:the\s+)?standard treatment\b|it\b", text, re.IGNORECASE):
        return (
            "the page already says “Standard treatment for …:”; "
            "go on from there, as “typically involves …”."
        )
    return None


def _class_name(text):
    first = text.split()[0]
    if first.lower() in {"a", "an", "the"}:
        return f"it reads “belongs to the class {first} …”: give the class's name alone."
    if _SENTENCES_INSIDE.search(text.rstrip(".")) or text[-1] in "?!":
        return "it is a sentence where a class's name is expected."
    return None


def _ended(text):
    if not _ENDS_SENTENCE.search(text.rstrip('"”’)')):
        return "it is printed as typed and ends without a full stop: end the sentence."
    return None


def _no_full_stop(text):
    if text.endswith("."):
        return "the page goes on after it in the same sentence: remove the final full stop."
    return None


def _name(text):
    if text[-1] in ".!?,;:":
        return f"headings go on after the name (“Does … work for …?”): remove the “{text[-1]}”."
    return None


_QUESTIONS = "pages/jinja2/pages/effectiveness.html and every page's heading (pages/page_types.py)"
TEMPLATE_RULES = [
    TemplateRule(
        "condition.specialist",
        "pages/jinja2/pages/condition_detail.html (“is usually treated by your ___.”), and "
        "the pair pages' “your ___”",
        _inside_your,
    ),
    TemplateRule(
        "condition.standard_treatment",
        "pages/jinja2/pages/condition_detail.html and interactions.html "
        "(“Standard treatment for …: ___.”)",
        _after_colon_before_full_stop,
    ),
    TemplateRule(
        "compound.drug_class",
        "pages/jinja2/pages/safety.html (“… belongs to the class ___.”)",
        _class_name,
    ),
    TemplateRule(
        "condition.urgent_help",
        "pages/jinja2/pages/includes/urgent_help.html (“Urgent help: ___”)",
        _ended,
    ),
    # A help line reads “Country: service. contact” under the notice.
    TemplateRule(
        "helpline.service",
        "pages/jinja2/pages/includes/urgent_help.html (“Country: ___. How to reach it”)",
        _no_full_stop,
    ),
    TemplateRule(
        "helpline.contact",
        "pages/jinja2/pages/includes/urgent_help.html (“Country: service. ___”)",
        _ended,
    ),
    # The row's "when" ends its sentence ("what: ___."): the page drops a full stop it
    # ends with, so only "what" can break it.
    TemplateRule(
        "monitoring.what",
        "pages/page_types.py, the safety page's monitoring answer (“___: when.”)",
        _no_full_stop,
    ),
    TemplateRule("compound.name", _QUESTIONS, _name),
    TemplateRule("condition.name", _QUESTIONS, _name),
]
_TEMPLATE_RULES = {rule.field: rule for rule in TEMPLATE_RULES}


# The texts of an object ---------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    label: str  # as the editor knows the field
    value: str
    field: str  # "model.field", as TEMPLATE_RULES name it
    sourced: bool  # the row names its own source (a label, a study)


# Each kind's patient-facing text fields, and its inline rows' (related name: fields).
TEXT_FIELDS = {
    Compound: ["name", "drug_class", "regulatory_status", "evidence_overview", "safety_profile"],
    Condition: ["name", "specialist", "urgent_help", "standard_treatment"],
    EvidenceSummary: [
        "preclinical_evidence",
        "human_evidence",
        "regulatory_status",
        "key_takeaways",
    ],
    ResearchUpdate: ["title", "summary"],
    SitePage: ["title", "body"],
}
# Fields read as readers read them, not as typed: a site page's body without its markup
# (compounds/site_text.py), so a link's address is not read as words.
READ_AS = {SitePage: {"body": "body_text"}}
ROW_FIELDS = {
    Compound: {
        "mechanisms": ["description"],
        "safety_notes": ["description"],
        "monitoring": ["what", "when", "how_long"],
        "cautions": ["description"],
        "interactions": ["effect", "management"],
    },
    Condition: {"help_lines": ["service", "contact"]},
    EvidenceSummary: {"safety_findings": ["description"]},
}


def _label(model, name):
    return capfirst(str(model._meta.get_field(name).verbose_name))


def texts(obj):
    """The patient-facing texts of obj and of its inline rows, in the form's order."""
    model = type(obj)
    read_as = READ_AS.get(model, {})
    found = [
        Text(
            _label(model, name),
            getattr(obj, read_as.get(name, name)) or "",
            f"{model._meta.model_name}.{name}",
            False,
        )
        for name in TEXT_FIELDS[model]
    ]
    for related_name, names in ROW_FIELDS.get(model, {}).items():
        for number, row in enumerate(_rows(obj, related_name), start=1):
            row_model = type(row)
            kind = capfirst(str(row_model._meta.verbose_name))
            # The field that tells the rows apart (a safety finding's is its description).
            natural = getattr(row_model, "natural_field", "description")
            for name in names:
                if names == [natural]:
                    # A row of one text is named by its place: its text is the finding's.
                    label = f"{kind} {number}"
                else:
                    which = Truncator(getattr(row, natural)).chars(60)
                    label = f"{kind} “{which}”: {_label(row_model, name).lower()}"
                sourced = bool(getattr(row, "source", ""))
                value = getattr(row, name) or ""
                found.append(Text(label, value, f"{row_model._meta.model_name}.{name}", sourced))
    return [text for text in found if text.value.strip()]


# The checks ---------------------------------------------------------------------------------


def _reading(text):
    if not _is_graded(text.value):
        return []
    grade = reading_grade(text.value)
    if grade is None or grade <= GRADE_AIMED_FOR:
        return []
    first = _sentences(text.value)[0].strip()
    return [
        Finding(
            text.label,
            READING_GRADE,
            f"reads at grade {grade:.1f} (Flesch-Kincaid); patient information aims for "
            "grade 6 to 8: shorter sentences and everyday words bring it down.",
            _excerpt(first, 0, 0, around=100),
        )
    ]


def _words_found(text, backed):
    found = []
    for rule in WORD_RULES:
        if rule.supported and getattr(backed, rule.supported):
            continue
        # A row that names its source states what the source says: its effects are the
        # source's (a label's), not the site's claim.
        if rule.kind == EFFECT and text.sourced:
            continue
        first = {}  # each word found (in lower case), at its first match
        for match in rule.matches(text.value):
            first.setdefault(match.group(0).lower(), match)
        groups = (
            [list(first.values())] if rule.together and first else [[m] for m in first.values()]
        )
        for matches in groups:
            words = ", ".join(f"“{m.group(0)}”" for m in matches)
            found.append(
                Finding(
                    text.label,
                    rule.kind,
                    rule.message.format(words=words),
                    _excerpt(text.value, matches[0].start(), matches[0].end()),
                )
            )
    return found


def _figures(text, backed):
    if text.sourced or backed.source:
        return []
    figures = list(_FIGURES.finditer(text.value))
    if not figures:
        return []
    named = ", ".join(f"“{m.group(0)}”" for m in figures[:4])
    return [
        Finding(
            text.label,
            FIGURE,
            f"{named}{' …' if len(figures) > 4 else ''}: "
            + (
                "no source is cited for these figures; cite the study they come from."
                if len(figures) > 1
                else "no source is cited for this figure; cite the study it comes from."
            ),
            _excerpt(text.value, figures[0].start(), figures[0].end()),
        )
    ]


def _template(text):
    rule = _TEMPLATE_RULES.get(text.field)
    broken = rule.check(text.value) if rule else None
    if not broken:
        return []
    return [Finding(text.label, BROKEN_SENTENCE, f"in {rule.template}, {broken}", text.value[:120])]


def findings(obj):
    """What the content checks find in obj's working copy (a compound, condition,
    evidence summary, research update or site page): a list of Finding, field by field."""
    backed = backing(obj)
    found = []
    for text in texts(obj):
        found += _reading(text)
        found += _words_found(text, backed)
        found += _figures(text, backed)
        found += _template(text)
    return found
