"""The sentence matrix: every page type over every combination of a pair's data.

Each combination of evidence level, verdict, direct or extrapolated basis,
condition-specific safety data and documented mechanism relevance (those the
model allows), each with one of the sets of references (none, an official
document only, an animal study, a case report, a cohort study, an RCT, a
meta-analysis with a case report), and with and without mechanisms, safety
notes, monitoring, contraindications and cautions, interactions,
condition-specific safety findings and key takeaways, is rendered as every page
type from in-memory approved objects (no database).
Wherever a sentence of the claim table (pages/claims.py) appears, the data
must support it; no two contradicting claims may stand on one page; and no
page may carry the sentences no data stand behind.
"""

import datetime
import itertools
import random
import re

import pytest
from django.test import RequestFactory

from compounds.evidence import EvidenceBasis, EvidenceLevel, Severity, StudyDesign, Verdict
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


def _reference(number, design, participants=None):
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
    }


# What a summary may cite, from nothing to a meta-analysis: the references axis.
REFERENCES = {
    "none": [],
    "document": [_reference(1, StudyDesign.OFFICIAL_DOCUMENT)],
    "animal": [_reference(1, StudyDesign.ANIMAL)],
    "case-report": [_reference(1, StudyDesign.CASE_REPORT, 1)],
    "cohort": [_reference(1, StudyDesign.COHORT, 200)],
    "rct": [_reference(1, StudyDesign.RCT, 40)],
    "meta-analysis": [
        _reference(1, StudyDesign.META_ANALYSIS),
        _reference(2, StudyDesign.CASE_REPORT, 3),
    ],
}

# Each grade with references and a mix of the data variants drawn from a fixed seed, so
# that every set of references and every variant, present and absent, meets every value
# of every grading axis (tests below check it) while the matrix stays one case a grade.
_mix = random.Random(8)
CASES = [
    (*grade, _mix.choice(list(REFERENCES)), *(_mix.random() < 0.5 for _ in VARIANTS))
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


def pair_of(level, verdict, basis, safety_data, relevance, references, *flags):
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
            "references": REFERENCES[references],
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
    summary.compound, summary.condition = compound, condition
    return Pair.of(summary)


def render(pair, kind):
    request = RequestFactory().get(pair.url(kind))
    # Rendered without a database: no site page is live, so the footer links none.
    request.site_links = live.SiteLinks([])
    return Page(views.render_review(request, pair, kind))


def problems(pair, kind):
    """What is wrong with one rendered page, in words."""
    page = render(pair, kind)
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
    level, verdict, basis, safety, relevance, references, *flags = case
    return (
        f"{level.value}-{verdict.value}-{basis.value}"
        f"{'-safety' if safety else ''}{'-relevant' if relevance else ''}-cites-{references}"
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
        *[(False, True)] * len(VARIANTS),
    ]
    for axis, values in enumerate(axes):
        assert {case[axis] for case in CASES} == set(values)
    assert len(CASES) > 250


def test_every_data_variant_meets_every_value_of_every_grading_axis():
    for grading_axis in range(5):
        for variant in range(6, 6 + len(VARIANTS)):
            met = {(case[grading_axis], case[variant]) for case in CASES}
            values = {case[grading_axis] for case in CASES}
            assert met == {(value, flag) for value in values for flag in (False, True)}


def test_every_set_of_references_meets_every_value_of_every_grading_axis():
    for grading_axis in range(5):
        met = {(case[grading_axis], case[5]) for case in CASES}
        values = {case[grading_axis] for case in CASES}
        assert met == {(value, cited) for value in values for cited in REFERENCES}


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


def seed_like(level, verdict, references, safety_data=False):
    return pair_of(
        level, verdict, EvidenceBasis.DIRECT, safety_data, False, references, *NOTHING_ELSE
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
