"""The sentence matrix: every page type over every combination of a pair's data.

Each combination of evidence level, verdict, direct or extrapolated basis,
condition-specific safety data and documented mechanism relevance (those the
model allows), each with one of the sets of references (none, an official
document only, an animal study, a case report, a cohort study, an RCT, a
meta-analysis with a case report, an expert opinion), its studies of the pair's condition or of
another one (the meta-analysis's case report is of the condition either way, so
that one set mixes them), and with and without mechanisms, safety notes,
monitoring, contraindications and cautions, interactions, condition-specific
safety findings and key takeaways, is rendered as every page type from
in-memory approved objects (no database).
Wherever a sentence of the claim table (pages/claims.py) appears, the data
must support it; no two contradicting claims may stand on one page; and no
page may carry the sentences no data stand behind.
"""

import dataclasses
import datetime
import itertools
import random
import re
import zlib

import pytest
from django.test import RequestFactory

from compounds.evidence import (
    EvidenceBasis,
    EvidenceLevel,
    Severity,
    StudyDesign,
    Verdict,
    grade_is_cited,
)
from compounds.models import Compound, Condition, EvidenceSummary, PublishedSummary
from compounds.review import snapshots
from pages import claims, live, views
from pages.registry import Pair, page_types
from tests.pages.markup import Page

EDITOR_TEXT = {
    "mechanism": "cAMP signalling in neurons",
    "safety_note": "bladder toxicity with chronic use",
    "human_evidence": "Qzhuman efficacy results",
    "monitoring": "blood pressure Qzmonitored",
    "caution": "people with a Qzvascular aneurysm",
    "interaction": "Qzbenzodiazepines",
    "finding": "Qzfinding: no new safety signal in 40 patients.",
    "takeaway": "Qztakeaway: two small trials, no firm answer.",
}
SOURCE = "Qzlabel section 5"
# The data each variant adds, in the order of a case's flags after the references.
VARIANTS = (
    "mechanisms",
    "notes",
    "monitoring",
    "cautions",
    "interactions",
    "findings",
    "takeaways",
)


def valid(level, verdict, basis):
    if level == EvidenceLevel.NONE and basis == EvidenceBasis.DIRECT:
        return False
    return not (verdict.is_positive and not level.is_human)


GRADES = [
    combination
    for combination in itertools.product(
        EvidenceLevel, Verdict, EvidenceBasis, (False, True), (False, True)
    )
    if valid(*combination[:3])
]


def _reference(number, design, participants=None, studied_condition=True):
    """A made-up reference: test data only, found by an address on example.org, no PMID."""
    return {
        "id": number,
        "pmid": "",
        "doi": "",
        "nct_id": "",
        "url": f"https://example.org/test-reference-{number}",
        "title": f"Qz test reference {number}",
        "journal": "Qz test journal",
        "year": 2020,
        "study_design": design,
        "participants": participants,
        "studied_condition": studied_condition,
    }


# What a summary may cite, from nothing to a meta-analysis: the references axis. Each is
# (design, participants, whether it studied the pair's condition): None takes the case's
# studied-condition axis, so that each set is cited as studies of this condition or of
# another one.
REFERENCES = {
    "none": [],
    "document": [(StudyDesign.OFFICIAL_DOCUMENT, None, None)],
    "animal": [(StudyDesign.ANIMAL, None, None)],
    "case-report": [(StudyDesign.CASE_REPORT, 1, None)],
    "cohort": [(StudyDesign.COHORT, 200, None)],
    "rct": [(StudyDesign.RCT, 40, None)],
    "meta-analysis": [(StudyDesign.META_ANALYSIS, None, None), (StudyDesign.CASE_REPORT, 3, True)],
    # Level 5 by design, and no study: a grade it stands behind is cited, by no study.
    "expert-opinion": [(StudyDesign.EXPERT_OPINION, None, None)],
}


def references_of(name, studied_condition):
    return [
        _reference(number, design, participants, studied_condition if here is None else here)
        for number, (design, participants, here) in enumerate(REFERENCES[name], start=1)
    ]


# Each grade with references, whether they studied the pair's condition, and a mix of the
# data variants drawn from a fixed seed, so that every set of references, each cited as
# studies of this condition and of another, and every variant, present and absent, meets
# every value of every grading axis (tests below check it) while the matrix stays one
# case a grade.
_mix = random.Random(5)
CASES = [
    (
        *grade,
        _mix.choice(list(REFERENCES)),
        _mix.random() < 0.5,
        *(_mix.random() < 0.5 for _ in VARIANTS),
    )
    for grade in GRADES
]


def byline():
    return PublishedSummary(
        reviewer_name="Ada Lovelace",
        reviewer_credentials="MD",
        approved_at=datetime.datetime(2026, 3, 1, tzinfo=datetime.UTC),
        next_review_due=datetime.date(2027, 3, 1),
        version_number=1,
    )


def _sourced(**fields):
    return {"id": 1, "position": 1, "source": SOURCE, "source_url": "", **fields}


def pair_of(level, verdict, basis, safety_data, relevance, references, studied, *flags):
    has = dict(zip(VARIANTS, flags, strict=True))
    compound = snapshots.restore(
        Compound,
        1,
        {
            "name": "Ketamine (IV / Esketamine)",
            "slug": "ketamine",
            "aliases": "esketamine",
            "drug_class": "NMDA Antagonist / Anesthetic",
            "regulatory_status": "Approved as an anesthetic.",
            "evidence_overview": "Studied in depression.",
            "safety_profile": "Dissociation is common.",
            "mechanisms": (
                [{"id": 1, "position": 1, "description": EDITOR_TEXT["mechanism"]}]
                if has["mechanisms"]
                else []
            ),
            "safety_notes": (
                [
                    {
                        "id": 1,
                        "position": 1,
                        "category": "organ_toxicity",
                        "description": EDITOR_TEXT["safety_note"],
                    }
                ]
                if has["notes"]
                else []
            ),
            "monitoring": (
                [_sourced(what=EDITOR_TEXT["monitoring"], when="before each dose", how_long="")]
                if has["monitoring"]
                else []
            ),
            "cautions": (
                [
                    _sourced(kind="contraindication", description=EDITOR_TEXT["caution"]),
                    _sourced(id=2, kind="caution", description="people with liver disease"),
                ]
                if has["cautions"]
                else []
            ),
            "interactions": (
                [
                    _sourced(
                        drug=EDITOR_TEXT["interaction"],
                        severity="major",
                        effect="more sedation",
                        management="avoid",
                    )
                ]
                if has["interactions"]
                else []
            ),
        },
    )
    condition = snapshots.restore(
        Condition,
        2,
        {
            "name": "Major Depression",
            "slug": "major-depression",
            "specialist": "psychiatrist",
            "standard_treatment": "typically involves psychotherapy and medicines",
        },
    )
    summary = snapshots.restore(
        EvidenceSummary,
        3,
        {
            "compound_id": 1,
            "condition_id": 2,
            "evidence_level": level.value,
            "verdict": verdict.value,
            "evidence_basis": basis.value,
            "preclinical_evidence": "",
            "human_evidence": EDITOR_TEXT["human_evidence"],
            "regulatory_status": "Not approved for depression.",
            "has_condition_safety_data": safety_data,
            "mechanism_relevance_documented": relevance,
            "references": references_of(references, studied),
            "safety_findings": (
                [_sourced(kind="finding", description=EDITOR_TEXT["finding"])]
                if has["findings"]
                else []
            ),
            "key_takeaways": (
                f"{EDITOR_TEXT['takeaway']}\nAsk your doctor." if has["takeaways"] else ""
            ),
        },
    )
    for obj in (compound, condition, summary):
        obj.version = byline()
    summary.version.study_notices = notices_of(summary)
    summary.compound, summary.condition = compound, condition
    return Pair.of(summary)


def _notice(kind, checking):
    """A notice on the first reference, as the retraction watch writes it: test data."""
    label = {"retraction": "Retracted", "correction": "Corrected"}.get(
        kind, "Expression of concern"
    )
    return {
        "field": "doi",
        "identifier": "10.5555/qz-test-reference",
        "kind": kind,
        "label": label,
        "link": "https://doi.org/10.5555/qz-test-notice",
        "date": "",
        "checking": checking,
    }


# The notices a pair citing a study may carry (compounds/models/notices.py): none, each kind
# being checked, and one decided.
NOTICES = [
    [],
    [_notice("retraction", True)],
    [_notice("expression_of_concern", True), _notice("correction", False)],
    [_notice("correction", True)],
    [_notice("retraction", False)],
]


def notices_of(summary):
    """A notice case drawn from the pair's data, the same on every run; none where the
    pair cites no study a notice could be about."""
    if not summary.cites_study:
        return []
    key = f"{summary.evidence_level}{summary.verdict}{summary.evidence_basis}"
    return NOTICES[zlib.crc32(key.encode()) % len(NOTICES)]


def render(pair, kind):
    request = RequestFactory().get(pair.url(kind))
    # Rendered without a database: no site page is live, so the footer links none.
    request.site_links = live.SiteLinks([])
    return Page(views.render_review(request, pair, kind))


def problems(pair, kind, page=None):
    """What is wrong with one rendered page (rendered here unless given), in words."""
    page = page or render(pair, kind)
    text = " ".join(page.main.text.split())
    found = claims.found_in(text)
    wrong = [
        f"claims {name} ({claims.CLAIMS[name].meaning})"
        for name in sorted(found)
        if not claims.CLAIMS[name].holds(pair)
    ]
    wrong += [f"contradicts itself: {a} and {b}" for a, b in claims.CONTRADICTS if {a, b} <= found]
    wrong += [f"says {what}" for what, pattern in claims.NEVER.items() if re.search(pattern, text)]
    shows_mechanisms = kind.slug in ("does-it-work", "evidence-level")
    if shows_mechanisms and pair.compound.mechanisms.all() and EDITOR_TEXT["mechanism"] not in text:
        wrong.append("changes the mechanism as typed")
    shows_notes = kind.slug in ("safety", "interactions")
    if shows_notes and pair.compound.safety_notes.all() and EDITOR_TEXT["safety_note"] not in text:
        wrong.append("changes the safety note as typed")
    if kind.slug == "safety" and EDITOR_TEXT["human_evidence"] in text:
        wrong.append("quotes efficacy results on the safety page")
    wrong += _missing_rows(pair, kind, page, text)
    return wrong


# Where each kind of row must appear, as typed: (page type, rows of the pair, text).
SHOWN_ON = {
    "safety": [
        (lambda p: p.compound.monitoring.all(), EDITOR_TEXT["monitoring"]),
        (lambda p: p.compound.cautions.all(), EDITOR_TEXT["caution"]),
        (lambda p: p.summary.safety_findings.all(), EDITOR_TEXT["finding"]),
    ],
    "interactions": [(lambda p: p.compound.interactions.all(), EDITOR_TEXT["interaction"])],
    "does-it-work": [(lambda p: p.summary.key_takeaways, EDITOR_TEXT["takeaway"])],
    "evidence-level": [(lambda p: p.summary.key_takeaways, EDITOR_TEXT["takeaway"])],
}


def _missing_rows(pair, kind, page, text):
    wrong = [
        f"leaves out {typed!r}"
        for rows, typed in SHOWN_ON.get(kind.slug, [])
        if rows(pair) and typed not in text
    ]
    if kind.slug == "interactions" and pair.compound.interactions.all():
        # Each interaction is named with its severity, whose scale the page defines, and
        # its source.
        for needed in ("Severity Major", Severity.MAJOR.definition, SOURCE):
            if needed not in text:
                wrong.append(f"names an interaction without {needed!r}")
    return wrong


def label(case):
    level, verdict, basis, safety, relevance, references, studied, *flags = case
    return (
        f"{level.value}-{verdict.value}-{basis.value}"
        f"{'-safety' if safety else ''}{'-relevant' if relevance else ''}-cites-{references}"
        f"{'' if studied else '-elsewhere'}"
        + "".join(f"-{name}" for name, on in zip(VARIANTS, flags, strict=True) if on)
    )


@pytest.mark.parametrize("case", CASES, ids=label)
def test_no_page_claims_what_its_data_lack(case):
    pair = pair_of(*case)
    wrong = {kind.slug: problems(pair, kind) for kind in page_types()}
    assert {slug: found for slug, found in wrong.items() if found} == {}


def test_the_matrix_covers_every_value_of_every_axis():
    axes = [
        EvidenceLevel,
        Verdict,
        EvidenceBasis,
        (False, True),
        (False, True),
        REFERENCES,
        (False, True),
        *[(False, True)] * len(VARIANTS),
    ]
    for axis, values in enumerate(axes):
        assert {case[axis] for case in CASES} == set(values)
    assert len(CASES) > 250


# Where each axis stands in a case.
GRADING_AXES = range(5)
REFERENCES_AXIS, STUDIED_AXIS, BASIS_AXIS = 5, 6, 2
VARIANT_AXES = range(7, 7 + len(VARIANTS))


def test_every_data_variant_meets_every_value_of_every_grading_axis():
    for grading_axis in GRADING_AXES:
        for variant in [STUDIED_AXIS, *VARIANT_AXES]:
            met = {(case[grading_axis], case[variant]) for case in CASES}
            values = {case[grading_axis] for case in CASES}
            assert met == {(value, flag) for value in values for flag in (False, True)}


def test_every_set_of_references_meets_every_value_of_every_grading_axis():
    for grading_axis in GRADING_AXES:
        met = {(case[grading_axis], case[REFERENCES_AXIS]) for case in CASES}
        values = {case[grading_axis] for case in CASES}
        assert met == {(value, cited) for value in values for cited in REFERENCES}


def test_every_set_of_references_is_cited_of_the_condition_and_of_another_on_either_basis():
    """Whether the references studied the pair's condition decides the sentences about
    people with it, and whether they can stand behind a direct grade."""
    met = {(case[BASIS_AXIS], case[REFERENCES_AXIS], case[STUDIED_AXIS]) for case in CASES}
    assert met == set(itertools.product(EvidenceBasis, REFERENCES, (False, True)))


def test_every_claim_is_shown_somewhere_in_the_matrix():
    """A claim no page ever shows is a rule nobody checks: the table keeps none."""
    shown = set()
    for case in CASES[::3]:
        pair = pair_of(*case)
        for kind in page_types():
            shown |= claims.found_in(" ".join(render(pair, kind).main.text.split()))
    assert set(claims.CLAIMS) - shown == set()


# The seed's pages, as the client's issue found them ----------------------------------------

NOTHING_ELSE = (False,) * len(VARIANTS)


def text_of(pair, slug):
    kind = next(kind for kind in page_types() if kind.slug == slug)
    return " ".join(render(pair, kind).main.text.split())


def seed_like(level, verdict, references, safety_data=False, studied=True):
    return pair_of(
        level,
        verdict,
        EvidenceBasis.DIRECT,
        safety_data,
        False,
        references,
        studied,
        *NOTHING_ELSE,
    )


UNCITED = "the studies behind this grade have not been added to this review yet"


@pytest.mark.parametrize("slug", ["does-it-work", "evidence-level"])
def test_an_effective_level_2_summary_citing_nothing_is_the_advisors_grade_not_published_evidence(
    slug,
):
    text = text_of(seed_like(EvidenceLevel.LEVEL_2, Verdict.EFFECTIVE, "none"), slug)
    assert (
        f"Our advisors graded the evidence as randomized controlled trials (Level 2); {UNCITED}"
        in text
    )
    assert "Published evidence shows" not in text
    assert "Controlled studies support a benefit" not in text
    assert "This grade rests on research" not in text
    assert "Our advisors graded this evidence as direct" in text


def test_a_level_2_grade_citing_only_a_case_report_is_not_shown_as_resting_on_trials():
    text = text_of(
        seed_like(EvidenceLevel.LEVEL_2, Verdict.EFFECTIVE, "case-report"), "evidence-level"
    )
    assert UNCITED in text
    assert "Published evidence shows" not in text
    assert "Controlled studies support a benefit" not in text


@pytest.mark.parametrize("slug", ["does-it-work", "evidence-level"])
def test_an_effective_level_2_summary_citing_an_rct_says_published_evidence_shows_it(slug):
    text = text_of(seed_like(EvidenceLevel.LEVEL_2, Verdict.EFFECTIVE, "rct"), slug)
    assert "Published evidence shows that Ketamine (IV / Esketamine) is effective" in text
    assert UNCITED not in text
    if slug == "evidence-level":
        assert "Controlled studies support a benefit" in text


def test_the_trials_faq_says_no_controlled_trials_were_published_without_a_cited_trial():
    # Neuropathic pain in the seed: Level 2, promising, and nothing cited.
    text = text_of(seed_like(EvidenceLevel.LEVEL_2, Verdict.PROMISING, "none"), "does-it-work")
    assert not re.search(r"controlled trials of .+ have been published", text)
    assert (
        f"Our advisors graded the evidence as randomized controlled trials (Level 2); {UNCITED}."
        in text
    )


def test_the_trials_faq_names_the_controlled_trials_once_one_is_cited():
    text = text_of(seed_like(EvidenceLevel.LEVEL_2, Verdict.PROMISING, "rct"), "does-it-work")
    assert re.search(r"Yes: controlled trials of .+ in people with .+ have been published", text)
    assert "The studies this review rests on are listed under References" in text


@pytest.mark.parametrize("references", ["none", "document", "animal"])
def test_safety_research_ticked_but_not_cited_is_not_said_to_be_listed_under_references(
    references,
):
    pair = seed_like(EvidenceLevel.LEVEL_4, Verdict.PROMISING, references, safety_data=True)
    text = text_of(pair, "safety")
    assert "Published research has examined the safety" not in text
    assert "the studies are listed under References" not in text
    assert "The safety studies our advisors recorded in people with Major Depression" in text


def test_safety_research_ticked_and_cited_points_to_references():
    pair = seed_like(EvidenceLevel.LEVEL_4, Verdict.PROMISING, "cohort", safety_data=True)
    text = text_of(pair, "safety")
    assert (
        "Published research has examined the safety of Ketamine (IV / Esketamine) in people "
        "with Major Depression; the studies are listed under References." in text
    )


@pytest.mark.parametrize(
    ("references", "drawn"), [("none", False), ("document", False), ("rct", True)]
)
def test_the_answer_is_said_to_be_drawn_from_published_research_only_when_a_study_is_cited(
    references, drawn
):
    text = text_of(seed_like(EvidenceLevel.LEVEL_4, Verdict.PROMISING, references), "does-it-work")
    assert ("drawn from the published research" in text) is drawn
    if not drawn:
        assert "no study has been added to this review's references yet" in text


# References of the pair's condition, or of another ------------------------------------------


def test_a_trial_of_another_condition_is_not_said_to_be_a_trial_in_people_with_this_one():
    pair = seed_like(EvidenceLevel.LEVEL_2, Verdict.PROMISING, "rct", studied=False)
    text = text_of(pair, "does-it-work")
    assert not re.search(r"controlled trials of .+ have been published", text)
    assert "This grade rests on research" not in text
    # A direct grade rests on studies of its condition: this one's are not cited yet.
    assert (
        f"Our advisors graded the evidence as randomized controlled trials (Level 2); {UNCITED}."
        in text
    )
    assert (
        "Our advisors graded this evidence as direct: it comes from research on Ketamine (IV / "
        "Esketamine) in people or models with Major Depression. That research has not been "
        "added to this review's references yet." in text
    )
    # The trial is still a study the review cites and lists.
    assert "drawn from the published research" in text


def test_a_trial_of_another_condition_supports_an_extrapolated_grade_not_a_sentence_on_this_one():
    pair = pair_of(
        EvidenceLevel.LEVEL_2,
        Verdict.PROMISING,
        EvidenceBasis.EXTRAPOLATED,
        False,
        False,
        "rct",
        False,
        *NOTHING_ELSE,
    )
    text = text_of(pair, "does-it-work")
    assert "Best evidence: Level 2: Randomized controlled trials (RCTs)." in text
    assert UNCITED not in text
    assert (
        "We found no published clinical study of Ketamine (IV / Esketamine) as a treatment "
        "for Major Depression." in text
    )
    assert not re.search(r"in people with Major Depression has been published", text)


@pytest.mark.parametrize(
    ("level", "cited"), [(EvidenceLevel.LEVEL_1, False), (EvidenceLevel.LEVEL_5, True)]
)
def test_a_direct_grade_rests_only_on_the_references_that_studied_the_condition(level, cited):
    # A meta-analysis of another condition, and a case report of this one.
    pair = seed_like(level, Verdict.PROMISING, "meta-analysis", studied=False)
    assert pair.summary.grade_is_cited is cited
    text = text_of(pair, "does-it-work")
    assert (UNCITED in text) is not cited
    if cited:
        assert (
            "Research on Ketamine (IV / Esketamine) in people with Major Depression has been "
            "published, but no controlled trial: the best evidence is case reports and "
            "expert opinion (Level 5)." in text
        )


def test_safety_data_ticked_over_a_study_of_another_condition_are_not_cited_safety_research():
    pair = seed_like(
        EvidenceLevel.LEVEL_4, Verdict.PROMISING, "cohort", safety_data=True, studied=False
    )
    text = text_of(pair, "safety")
    assert "Published research has examined the safety" not in text
    assert "The safety studies our advisors recorded in people with Major Depression" in text


def test_safety_findings_point_to_references_only_over_a_study_of_people_with_the_condition():
    flags = dict.fromkeys(VARIANTS, False) | {"findings": True}
    texts = {
        studied: text_of(
            pair_of(
                EvidenceLevel.LEVEL_4,
                Verdict.PROMISING,
                EvidenceBasis.DIRECT,
                False,
                False,
                "cohort",
                studied,
                *flags.values(),
            ),
            "safety",
        )
        for studied in (False, True)
    }
    for text in texts.values():
        assert "Published research has examined the safety" in text
    assert "the studies are listed under References" not in texts[False]
    assert "the studies are listed under References" in texts[True]


# The rules as they were before a reference said whether it studied the pair's condition:
# each holds over a study of another condition. A page whose sentence stood on one of them
# must fail the matrix.
def _any_design(p, test):
    return any(getattr(StudyDesign(d), test) for d in p.summary.cited_designs)


def _grade_of_any_study(p):
    return grade_is_cited(p.summary.evidence_level, p.summary.cited_designs)


LOOSE_RULES = {
    "direct_research": lambda p: p.summary.is_direct and _any_design(p, "is_study"),
    "human_research_in_condition": lambda p: (
        p.summary.is_direct and _any_design(p, "is_human_study") and _grade_of_any_study(p)
    ),
    "trials_in_condition": lambda p: (
        p.summary.is_direct
        and EvidenceLevel(p.summary.evidence_level) in claims.TRIAL_LEVELS
        and _any_design(p, "is_controlled_trial")
        and _grade_of_any_study(p)
    ),
    "condition_safety_research": lambda p: (
        p.summary.has_condition_safety_data and _any_design(p, "is_human_study")
    ),
    "grade_cited": _grade_of_any_study,
    "people_report_benefit": lambda p: (
        EvidenceLevel(p.summary.evidence_level).is_human
        and _any_design(p, "is_human_study")
        and p.summary.verdict not in (Verdict.NO_BENEFIT, Verdict.HARM)
    ),
}
# A pair each loose rule holds for, and the strict rule does not: an RCT of another
# condition behind a direct Level 2 grade, with safety data ticked.
OVER_ANOTHER_CONDITION = (EvidenceLevel.LEVEL_2, Verdict.PROMISING, "rct")


# Each claim, with the loose rules it is shown under (the FAQ names trials only over a
# cited grade).
@pytest.mark.parametrize(
    "loosened",
    [
        ("direct_research",),
        ("grade_cited",),
        ("condition_safety_research",),
        ("people_report_benefit",),
        ("human_research_in_condition", "grade_cited"),
        ("trials_in_condition", "grade_cited"),
    ],
    ids=lambda loosened: loosened[0],
)
def test_the_matrix_fails_a_sentence_about_the_condition_over_a_study_of_another(
    loosened, monkeypatch
):
    pair = seed_like(*OVER_ANOTHER_CONDITION, safety_data=True, studied=False)
    name = loosened[0]
    assert LOOSE_RULES[name](pair) and not claims.CLAIMS[name].holds(pair)
    with monkeypatch.context() as loose:
        for each in loosened:
            rule = dataclasses.replace(claims.CLAIMS[each], holds=LOOSE_RULES[each])
            loose.setitem(claims.CLAIMS, each, rule)
        pages = {kind: render(pair, kind) for kind in page_types()}
    wrong = [
        problem
        for kind, page in pages.items()
        for problem in problems(pair, kind, page)
        if problem.startswith(f"claims {name} ")
    ]
    assert wrong


def test_a_direct_level_5_grade_resting_on_expert_opinion_names_no_study_in_people():
    pair = seed_like(EvidenceLevel.LEVEL_5, Verdict.LIKELY_EFFECTIVE, "expert-opinion")
    text = text_of(pair, "does-it-work")
    assert (
        "Our advisors graded the evidence as case reports and expert opinion (Level 5); no "
        "study of Ketamine (IV / Esketamine) in people with Major Depression has been added "
        "to this review's references yet." in text
    )
    assert "We found no published clinical study" not in text
    text = text_of(pair, "evidence-level")
    assert (
        "Our advisors judged that it helps from the sources cited below; no study has been "
        "added to this review's references yet." in text
    )
    assert "studies cited below" not in text
