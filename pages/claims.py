"""The claim table: every sentence a page may state about a pair, and the data it needs.

A claim is shown only when `holds` is true of the pair's approved data. Templates
read the claims of their pair as `claims.<name>` (see `of`), page types ask
`claims_of(pair)` for the FAQ, and the sentence matrix test
(tests/pages/test_claims.py) renders every page over every combination of the
data and, wherever one of a claim's `phrases` appears in a page, checks that
the claim holds for that page's data; `CONTRADICTS` lists the claims that may
never stand on one page. A sentence that states or implies a clinical or
evidential fact belongs to a claim here, with phrases that identify it.
"""

import re
from collections.abc import Callable
from dataclasses import dataclass

from compounds.evidence import EvidenceLevel, StudyDesign, Verdict


@dataclass(frozen=True)
class Claim:
    holds: Callable  # (pair) -> bool, on approved data only
    phrases: tuple[str, ...]  # regular expressions that find the claim in a page's text
    meaning: str


def _level(pair):
    return EvidenceLevel(pair.summary.evidence_level)


def _verdict(pair):
    return Verdict(pair.summary.verdict)


TRIAL_LEVELS = {EvidenceLevel.LEVEL_1, EvidenceLevel.LEVEL_2, EvidenceLevel.LEVEL_3}
WEAK_LEVELS = {EvidenceLevel.LEVEL_5, EvidenceLevel.PRECLINICAL, EvidenceLevel.NONE}
# Verdicts that say what studies in people found.
HUMAN_VERDICTS = {
    Verdict.EFFECTIVE,
    Verdict.LIKELY_EFFECTIVE,
    Verdict.CONFLICTING,
    Verdict.NO_BENEFIT,
    Verdict.HARM,
}

# What the references show, on approved data: every sentence that says studies exist
# rests on one of these, never on a tick box or the grade alone. A sentence about people
# (or models) with the condition rests on a reference that studied it (its "studied this
# condition" box); the grade and the verdict on the studies that can stand behind them:
# of this condition when the grade is direct, any when it is extrapolated from other uses.


def _cited(p):
    """A study of the grade's design, or a stronger one, is cited: of this condition when
    the grade is direct."""
    return p.summary.grade_is_cited


def _cites_study(p):
    return p.summary.cites_study


def _behind_grade(p, test):
    """Whether a study that can stand behind the grade passes `test` (a StudyDesign
    property): of this condition when the grade is direct, any when extrapolated."""
    return any(getattr(StudyDesign(design), test) for design in p.summary.grade_designs)


def _grade_cites_people(p):
    return _behind_grade(p, "is_human_study")


def _grade_cites_trial(p):
    return _behind_grade(p, "is_controlled_trial")


def _notice_being_checked(p):
    """The kind of the gravest notice on a cited study that advisors are still checking,
    from the pair's published row; None when there is none (or no published row, as on
    the staff preview of a working copy)."""
    notice = getattr(getattr(p.summary, "version", None), "notice_being_checked", None)
    return notice["kind"] if notice else None


def _studied_condition(p):
    """A study of people, animals or cells with the condition is cited."""
    return p.summary.cites_study_of_condition


def _studied_people_with_condition(p):
    return p.summary.cites_human_study_of_condition


def _trial_in_condition(p):
    return p.summary.cites_controlled_trial_of_condition


def _verdict_cited(p):
    """The verdict's sentence names studies: the grade is cited, by studies in people
    when the verdict says what such studies found."""
    if _verdict(p) == Verdict.INSUFFICIENT:
        return False
    if not (_cited(p) and _behind_grade(p, "is_study")):
        return False
    return _grade_cites_people(p) or _verdict(p) not in HUMAN_VERDICTS


def _safety_sourced(p):
    """Safety findings (each with its source) or a cited study of people with the
    condition."""
    return bool(p.summary.safety_findings.all()) or (
        p.summary.has_condition_safety_data and _studied_people_with_condition(p)
    )


CLAIMS = {
    "direct_research": Claim(
        lambda p: p.summary.is_direct and _studied_condition(p),
        (r"rests on research on .+ in (people|people or models) with",),
        "Graded as direct, and a cited reference studied people, animals or cells with "
        "the condition.",
    ),
    "direct_research_not_yet_cited": Claim(
        lambda p: p.summary.is_direct and not _studied_condition(p),
        (r"graded this evidence as direct",),
        "Graded as direct, and no cited reference studied the condition yet.",
    ),
    "no_direct_research": Claim(
        lambda p: not p.summary.is_direct,
        (r"No research on .+ as a treatment for .+ was found",),
        "Nothing was studied in this condition; the grade is extrapolated.",
    ),
    "human_research_in_condition": Claim(
        lambda p: p.summary.is_direct and _studied_people_with_condition(p) and _cited(p),
        (r"Research on .+ in people with .+ has been published",),
        "Graded as direct, a cited reference studied people with the condition, and the "
        "grade is cited.",
    ),
    "human_research_not_yet_cited": Claim(
        lambda p: (
            p.summary.is_direct and _level(p).is_human and not _studied_people_with_condition(p)
        ),
        (r"no study of .+ in people with .+ has been added",),
        "Graded as direct from studies in people, and no cited reference studied people "
        "with the condition yet.",
    ),
    "no_human_research_in_condition": Claim(
        lambda p: (
            not (p.summary.is_direct and (_level(p).is_human or _studied_people_with_condition(p)))
        ),
        (r"We found no published (clinical )?stud(y|ies) of .+ as a treatment for",),
        "Extrapolated; or direct with no study in people graded and no cited reference "
        "that studied people with the condition.",
    ),
    "trials_in_condition": Claim(
        lambda p: (
            p.summary.is_direct
            and _level(p) in TRIAL_LEVELS
            and _trial_in_condition(p)
            and _cited(p)
        ),
        (r"controlled trials of .+ in people with .+ have been published",),
        "Graded as direct from controlled trials, and a cited reference is a controlled "
        "trial (RCT, non-randomized or meta-analysis) in people with the condition.",
    ),
    "no_controlled_trial": Claim(
        lambda p: not _trial_in_condition(p) and _level(p) not in TRIAL_LEVELS,
        (r"but no controlled trial",),
        "No cited reference is a controlled trial in people with the condition, and none "
        "is graded.",
    ),
    "grade_cited": Claim(
        _cited,
        (
            r"best evidence (so far )?is",
            r"The best evidence on .+ is",
            r"Best evidence:",
            r"reflects the published literature",
        ),
        "A cited reference of the grade's design, or a stronger one, that studied the "
        "condition when the grade is direct (any, when it is extrapolated).",
    ),
    "grade_not_yet_cited": Claim(
        lambda p: not _cited(p),
        (
            r"studies behind this grade have not been added",
            r"studies behind this verdict and this grade have not been added",
        ),
        "The advisors' grade, with no cited reference of its design that can stand behind it yet.",
    ),
    "verdict_cited": Claim(
        _verdict_cited,
        (
            r"Published evidence (shows|suggests)",
            r"Early evidence for .+ is promising",
            r"Studies of .+ disagree",
            r"Studies found evidence",
        ),
        "The grade is cited and the references behind it (of the condition, when direct) "
        "include a study, in people when the verdict says what such studies found.",
    ),
    "verdict_not_yet_cited": Claim(
        lambda p: _verdict(p) != Verdict.INSUFFICIENT and not _verdict_cited(p),
        (
            r"studies behind this verdict have not been added",
            r"studies behind this verdict and this grade have not been added",
        ),
        "The advisors' verdict, with the studies behind it not cited yet.",
    ),
    "people_report_benefit": Claim(
        lambda p: (
            _level(p).is_human
            and _studied_people_with_condition(p)
            and _verdict(p) not in (Verdict.NO_BENEFIT, Verdict.HARM)
        ),
        (r"(report|reports) that .+ helped",),
        "People with the condition have reported benefit: a cited reference studied "
        "people with the condition.",
    ),
    "no_human_data_yet": Claim(
        lambda p: not _level(p).is_human and not _studied_people_with_condition(p),
        (r"we do not have the data yet", r"no study in people has"),
        "No study in people is graded, and no cited reference studied people with the condition.",
    ),
    "too_little_evidence": Claim(
        lambda p: _verdict(p) == Verdict.INSUFFICIENT,
        (r"too little evidence to say",),
        "The verdict is insufficient evidence.",
    ),
    "evidence_is_weak": Claim(
        lambda p: _level(p) in WEAK_LEVELS,
        (r"\bweak evidence\b", r"evidence is weak"),
        "The best evidence is Level 5, preclinical or none.",
    ),
    "controlled_studies_support_benefit": Claim(
        lambda p: (
            _verdict(p).is_positive
            and _level(p) in TRIAL_LEVELS
            and _grade_cites_trial(p)
            and _cited(p)
        ),
        (r"Controlled studies support a benefit",),
        "A positive verdict resting on a cited controlled trial (of the condition, when "
        "the grade is direct).",
    ),
    "uncontrolled_studies_suggest_benefit": Claim(
        lambda p: (
            _verdict(p).is_positive
            and _cited(p)
            and _grade_cites_people(p)
            and not _grade_cites_trial(p)
        ),
        (r"Studies without a control group suggest a benefit",),
        "A positive verdict resting on cited studies in people (of the condition, when the "
        "grade is direct), none of them controlled.",
    ),
    "studies_found_no_benefit": Claim(
        lambda p: _verdict(p) in (Verdict.NO_BENEFIT, Verdict.HARM) and _verdict_cited(p),
        (
            r"did not find (one|a benefit)",
            r"found that it does not help",
            r"Studies found evidence",
        ),
        "Cited studies in people looked for a benefit and found none, or found harm.",
    ),
    "mechanism_relevance_documented": Claim(
        lambda p: p.summary.mechanism_relevance_documented,
        (r"Published work (links|documents) this mechanism",),
        "Published work links the mechanism to the condition.",
    ),
    "mechanism_relevance_undocumented": Claim(
        lambda p: (
            not p.summary.mechanism_relevance_documented and bool(p.compound.mechanisms.all())
        ),
        (r"relevance (of this mechanism )?to .+ has not been documented",),
        "The compound has documented mechanisms whose relevance here is not documented.",
    ),
    "condition_safety_research": Claim(
        _safety_sourced,
        (
            r"Published research has examined the safety of",
            r"summarizes what published research says about the safety of",
            r"provides some condition-specific safety data",
        ),
        "Safety findings with their sources, or safety data ticked and a cited reference "
        "that studied people with the condition.",
    ),
    "safety_studies_listed": Claim(
        lambda p: _safety_sourced(p) and _studied_people_with_condition(p),
        (r"in people with .+; the studies are listed under References",),
        "The safety research in the condition points to References: a cited reference "
        "studied people with the condition.",
    ),
    "condition_safety_not_yet_cited": Claim(
        lambda p: p.summary.has_condition_safety_data and not _safety_sourced(p),
        (r"safety studies our advisors recorded",),
        "Safety data in the condition are ticked, but no safety finding and no cited "
        "reference that studied people with the condition stand behind them yet.",
    ),
    "no_condition_safety_research": Claim(
        lambda p: not p.summary.has_safety_research,
        (r"has no safety data specific to", r"no published research on the safety of"),
        "No study reports safety in people with the condition.",
    ),
    "safety_findings_listed": Claim(
        lambda p: bool(p.summary.safety_findings.all()),
        (r"in people with .+ found about its safety",),
        "The review lists what studies in the condition found about safety.",
    ),
    "monitoring_listed": Claim(
        lambda p: bool(p.compound.monitoring.all()),
        (r"sets out this monitoring",),
        "The compound's approved information sets out monitoring.",
    ),
    "no_monitoring": Claim(
        lambda p: not p.compound.monitoring.all(),
        (r"has no monitoring information for",),
        "The review records no monitoring for the compound.",
    ),
    "contraindications_listed": Claim(
        lambda p: bool(p.compound.contraindications),
        (r"must not be used",),
        "The compound has contraindications on record.",
    ),
    "cautions_listed": Claim(
        lambda p: bool(p.compound.general_cautions),
        (r"Cautions in the approved information",),
        "The compound has cautions on record.",
    ),
    "no_contraindications": Claim(
        lambda p: not p.compound.cautions.all(),
        (r"lists no contraindication",),
        "The review records no contraindication or caution.",
    ),
    "interactions_listed": Claim(
        lambda p: bool(p.compound.interactions.all()),
        (r"is known to interact with", r"lists the known interactions of"),
        "The compound has drug interactions on record.",
    ),
    "no_interactions": Claim(
        lambda p: not p.compound.interactions.all(),
        (r"lists no specific drug interaction",),
        "The review records no drug interaction.",
    ),
    "references_listed": Claim(
        _cites_study,
        (
            r"studies this review rests on are listed",
            r"the studies are listed under References",
            r"drawn from the published research",
            r"studies cited below",
        ),
        "The review cites a study: the sentence points to References.",
    ),
    "no_references": Claim(
        lambda p: not _cites_study(p),
        (r"has been added to this review('s references)? yet",),
        "The review cites no study yet.",
    ),
    # A notice on a cited study that advisors are still checking (compounds/models/notices.py):
    # the page names the gravest; the reference list links each notice.
    "cited_study_retracted": Claim(
        lambda p: _notice_being_checked(p) == "retraction",
        (r"cites has been retracted",),
        "A cited study was retracted and the review is being checked.",
    ),
    "cited_study_under_concern": Claim(
        lambda p: _notice_being_checked(p) == "expression_of_concern",
        (r"cites is under an expression of concern",),
        "A cited study is under an expression of concern and the review is being checked.",
    ),
    "cited_study_corrected": Claim(
        lambda p: _notice_being_checked(p) == "correction",
        (r"cites has been corrected",),
        "A cited study was corrected and the review is being checked.",
    ),
}

# Claims that may never stand on the same page: each pair says the opposite.
CONTRADICTS = [
    ("direct_research", "no_direct_research"),
    ("human_research_in_condition", "no_human_research_in_condition"),
    ("human_research_in_condition", "human_research_not_yet_cited"),
    ("human_research_not_yet_cited", "no_human_research_in_condition"),
    ("condition_safety_research", "no_condition_safety_research"),
    ("references_listed", "no_references"),
    ("cited_study_retracted", "no_references"),
    ("cited_study_under_concern", "no_references"),
    ("cited_study_corrected", "no_references"),
    ("grade_cited", "grade_not_yet_cited"),
    ("verdict_cited", "verdict_not_yet_cited"),
    ("direct_research", "direct_research_not_yet_cited"),
    ("condition_safety_research", "condition_safety_not_yet_cited"),
    ("controlled_studies_support_benefit", "uncontrolled_studies_suggest_benefit"),
    ("no_controlled_trial", "trials_in_condition"),
    ("safety_findings_listed", "no_condition_safety_research"),
    ("monitoring_listed", "no_monitoring"),
    ("contraindications_listed", "no_contraindications"),
    ("cautions_listed", "no_contraindications"),
    ("interactions_listed", "no_interactions"),
    ("mechanism_relevance_documented", "mechanism_relevance_undocumented"),
    ("controlled_studies_support_benefit", "studies_found_no_benefit"),
    ("no_human_data_yet", "trials_in_condition"),
    ("no_human_data_yet", "human_research_in_condition"),
    ("evidence_is_weak", "trials_in_condition"),
]

# Sentences no page may carry whatever the data: generic clinical advice that no
# approved data stand behind, and the nudges the client's old pages gave.
NEVER = {
    "generic monitoring advice": r"baseline tests|full blood count|liver and kidney function",
    "generic enzyme claim": r"compete for the same liver enzymes|CYP450",
    "stage of the disease for every condition": r"stage of the disease",
    "a nudge to off-label use": r"[Oo]ff-label or compassionate use",
    "a presumed nuance": r"evidence is nuanced",
    "a nudge to trials": r"trial might suit you|taking part in a (clinical )?trial",
    "monitoring presumed for every compound": r"monitoring for [^?]+\?\s*Yes",
    "a bracket after a bracketed name": r"\) \(",
    "a grade label capitalised mid-sentence": (
        r"\b(is|was) (No published evidence|Level \d|Preclinical)"
    ),
}


class PairClaims:
    """The claims of one pair, read by templates as claims.<name>: true when shown."""

    def __init__(self, pair):
        self._pair = pair
        self._known = {}

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        if name not in CLAIMS:
            raise AttributeError(f"No claim named {name!r} in pages/claims.py")
        if name not in self._known:
            self._known[name] = bool(CLAIMS[name].holds(self._pair))
        return self._known[name]

    def __getitem__(self, name):
        return getattr(self, name)


def of(pair):
    return PairClaims(pair)


def found_in(text):
    """The names of the claims whose phrases appear in a page's text."""
    return {
        name
        for name, claim in CLAIMS.items()
        if any(re.search(phrase, text, re.IGNORECASE) for phrase in claim.phrases)
    }
