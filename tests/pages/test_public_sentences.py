"""An editor's text inside a sentence of a public page reads well however it was typed:
a phrase typed with a final full stop gets no second one, sentences typed without one
get it."""

import pytest

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign, Verdict
from compounds.models import Compound, Condition, EvidenceSummary
from tests.factories import make_reference
from tests.pages.markup import get_page

pytestmark = pytest.mark.django_db

TREATMENT = "Exercise and physiotherapy, weight loss in overweight cases."


@pytest.fixture
def pair(publish):
    """Knee osteoarthritis and a compound reviewed for it, typed with final full stops."""
    condition = publish(
        Condition.objects.create(
            name="Knee Osteoarthritis",
            slug="knee-osteoarthritis",
            specialist="rheumatologist.",
            standard_treatment=TREATMENT,
        )
    )
    compound = publish(
        Compound.objects.create(
            name="Memantine",
            slug="memantine",
            drug_class="NMDA Antagonist.",
            regulatory_status="Not approved for osteoarthritis",
            evidence_overview="Studied in a few small trials",
            safety_profile="Generally tolerated",
        )
    )
    publish(
        EvidenceSummary.objects.create(
            compound=compound,
            condition=condition,
            evidence_level=EvidenceLevel.LEVEL_2,
            verdict=Verdict.PROMISING,
            evidence_basis=EvidenceBasis.DIRECT,
            human_evidence="Two randomized trials.",
            regulatory_status="Not approved for this condition.",
        )
    )
    return compound, condition


def _pair_page(client, kind):
    return get_page(client, f"/compounds/memantine/knee-osteoarthritis/{kind}/").main.text


def test_condition_page_puts_the_standard_treatment_after_a_colon_with_one_full_stop(client, pair):
    text = get_page(client, "/conditions/knee-osteoarthritis/").main.text
    assert (
        "Standard treatment for Knee Osteoarthritis: Exercise and physiotherapy, weight loss "
        "in overweight cases. " in f"{text} "
    )
    assert "Knee Osteoarthritis is usually treated by your rheumatologist. " in text
    assert ".." not in text


def test_interactions_page_reads_the_standard_treatment_as_one_sentence(client, pair):
    text = _pair_page(client, "interactions")
    assert (
        "Standard treatment for Knee Osteoarthritis: Exercise and physiotherapy, weight loss "
        "in overweight cases. Each added medicine" in text
    )
    assert "What should I tell my rheumatologist about Memantine?" in text
    assert ".." not in text


def test_safety_page_ends_the_class_and_the_safety_profile_once(client, pair):
    text = _pair_page(client, "safety")
    assert (
        "Memantine belongs to the class NMDA Antagonist. Its known safety characteristics: "
        "Generally tolerated." in text
    )
    assert "Regulatory status: Not approved for osteoarthritis." in text
    assert ".." not in text


def test_effectiveness_page_keeps_the_overview_of_other_conditions_off_this_ones_evidence(
    client, pair
):
    # The seed's leukemia page printed "Across all conditions: Strong data for
    # treatment-resistant depression..." under "Current evidence ... for Leukemia".
    text = _pair_page(client, "does-it-work")
    assert "Studied in a few small trials" not in text
    assert "What is known of Memantine for other conditions is on its own page" in text
    assert ".." not in text


def test_the_does_it_work_description_says_published_research_only_over_a_cited_study(
    client, pair, publish, edit
):
    # A search result's snippet is what many readers see first: it says no more than
    # the page does.
    url = "/compounds/memantine/knee-osteoarthritis/does-it-work/"
    uncited = get_page(client, url).meta(name="description")
    assert "published research" not in uncited
    assert "not yet cited" in uncited

    summary = EvidenceSummary.objects.get(compound__slug="memantine")
    make_reference(summary, study_design=StudyDesign.RCT)
    publish(edit(summary))
    cited = get_page(client, url).meta(name="description")
    assert cited.startswith("What published research shows about Memantine")
    # "Insufficient evidence" names no study of its own; the cited trial is still cited.
    publish(edit(summary, verdict=Verdict.INSUFFICIENT))
    insufficient = get_page(client, url).meta(name="description")
    assert "verdict insufficient evidence" in insufficient
    assert "not yet cited" not in insufficient
