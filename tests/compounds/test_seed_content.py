"""The seed fixture holds the client's pages as data, and loads any number of times."""

import pytest
from django.apps import apps
from django.core.management import call_command

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign, Verdict
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    MedicalAdvisor,
    ResearchUpdate,
)

pytestmark = pytest.mark.django_db


def _row_counts():
    return {
        model.__name__: model.objects.count()
        for model in apps.get_app_config("compounds").get_models()
    }


def test_loading_the_seed_content_twice_creates_no_duplicates(seed_content):
    before = _row_counts()
    call_command("loaddata", "seed_content", verbosity=0)
    assert _row_counts() == before


def test_loading_restores_an_edited_seed_row_in_place(seed_content):
    Compound.objects.filter(slug="ketamine").update(drug_class="edited")
    call_command("loaddata", "seed_content", verbosity=0)
    assert Compound.objects.get(slug="ketamine").drug_class == "NMDA Antagonist / Anesthetic"
    assert Compound.objects.count() == 1


def test_seed_compound_is_ketamine_as_the_pages_describe_it(seed_content):
    ketamine = Compound.objects.get(slug="ketamine")
    assert ketamine.name == "Ketamine (IV / Esketamine)"
    assert ketamine.alias_list == ["esketamine", "Spravato"]
    assert ketamine.drug_class == "NMDA Antagonist / Anesthetic"
    assert (
        "Esketamine nasal spray (Spravato) is FDA-approved for treatment-resistant depression"
        in (ketamine.regulatory_status)
    )
    assert "IV ketamine for depression is off-label" in ketamine.regulatory_status
    assert [m.description for m in ketamine.mechanisms.all()] == [
        "NMDA receptor antagonism",
        "rapid antidepressant via AMPA activation",
        "opioid receptor modulation",
        "BDNF release",
    ]
    assert [n.description for n in ketamine.safety_notes.all()] == [
        "Feeling detached (dissociation) and changes in how things look, sound or feel",
        "Can be misused or abused",
        "Bladder damage with long-term use",
        "Needs medical monitoring",
    ]


def test_seed_conditions_name_their_specialists_in_sentence_case(seed_content):
    specialists = dict(Condition.objects.values_list("slug", "specialist"))
    assert specialists["leukemia"] == "hematologist or oncologist"
    assert specialists["stage-iv-cancer"] == "oncologist"
    assert specialists["neuropathic-pain"] == "neurologist or pain specialist"
    assert all(s == s.lower() for s in specialists.values())


def test_seed_has_the_pages_pairs_and_the_pairs_the_research_updates_support(seed_content):
    pairs = set(EvidenceSummary.objects.values_list("compound__slug", "condition__slug"))
    assert pairs == {
        ("ketamine", "leukemia"),
        ("ketamine", "stage-iv-cancer"),
        ("ketamine", "neuropathic-pain"),
        ("ketamine", "treatment-resistant-depression"),
        ("ketamine", "chronic-pain"),
    }


def test_seed_leukemia_pair_claims_no_direct_evidence(seed_content):
    leukemia = EvidenceSummary.objects.get(condition__slug="leukemia")
    assert leukemia.evidence_level == EvidenceLevel.NONE
    assert leukemia.verdict == Verdict.INSUFFICIENT
    assert leukemia.evidence_basis == EvidenceBasis.EXTRAPOLATED
    assert not leukemia.has_condition_safety_data
    assert not leukemia.mechanism_relevance_documented


def test_seed_neuropathic_pain_pair_has_condition_specific_safety_data(seed_content):
    summary = EvidenceSummary.objects.get(condition__slug="neuropathic-pain")
    assert summary.evidence_basis == EvidenceBasis.DIRECT
    assert summary.has_condition_safety_data
    assert "Phase II" in summary.human_evidence


def test_seed_summaries_keep_grade_and_verdict_apart_from_the_overview_text(seed_content):
    overview = Compound.objects.get(slug="ketamine").evidence_overview
    for summary in EvidenceSummary.objects.all():
        assert summary.human_evidence != overview
        summary.full_clean()


def test_seed_research_updates_are_the_four_studies_of_the_updates_page(seed_content):
    updates = {u.slug: u for u in ResearchUpdate.objects.prefetch_related("conditions")}
    assert len(updates) == 4
    cleveland = updates["low-dose-ketamine-infusions-for-chronic-pain"]
    assert (cleveland.participants, cleveland.source) == (1034, "Cleveland Clinic")
    retrospective = updates[
        "iv-ketamine-versus-intranasal-esketamine-for-treatment-resistant-depression"
    ]
    assert retrospective.participants == 153
    assert "49.8%" in retrospective.summary
    linked = {slug: {c.slug for c in u.conditions.all()} for slug, u in updates.items()}
    assert linked["ketamine-for-suicidal-ideation-in-major-depression"] == {"suicidal-ideation"}
    assert all(u.compounds.filter(slug="ketamine").exists() for u in updates.values())


def test_seed_advisor_byline_is_the_pages_byline(seed_content):
    assert MedicalAdvisor.objects.get(slug="nikhil-joshi").byline == "Nikhil Joshi, MD, FRCPC"


def test_every_seed_row_passes_model_validation(seed_content):
    for model in apps.get_app_config("compounds").get_models():
        for row in model.objects.all():
            row.full_clean()


LABELS = (
    "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=d81a6a79-a74a-44b7-822c-0dfa3036eaed",
    "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=46dab560-8ecd-4d92-8c92-6baa2310b09b",
)


def test_ketamine_safety_rows_come_only_from_its_us_labels_cited_by_address(seed_content):
    ketamine = Compound.objects.get(slug="ketamine")
    rows = [*ketamine.monitoring.all(), *ketamine.cautions.all(), *ketamine.interactions.all()]
    assert len(rows) > 10
    for row in rows:
        assert row.source_url in LABELS, row
        assert row.source.startswith(("SPRAVATO", "KETALAR")), row
    assert {i.drug: i.severity for i in ketamine.interactions.all()}[
        "Theophylline or aminophylline"
    ] == "major"


def test_the_cleveland_clinic_study_is_called_a_case_series_without_a_comparison_group(
    seed_content,
):
    # A look-back study of treated patients only: a case series (Level 5), not a cohort
    # study (Level 4), on the site's scale; the pair's grade says the same.
    update = ResearchUpdate.objects.get(slug="low-dose-ketamine-infusions-for-chronic-pain")
    assert update.study_design == StudyDesign.CASE_REPORT
    assert "looked back at 1,034 patients" in update.summary
    assert "no comparison group" in update.summary
    assert "was safe" not in update.summary
    chronic_pain = EvidenceSummary.objects.get(condition__slug="chronic-pain")
    assert chronic_pain.evidence_level == EvidenceLevel.LEVEL_5
    assert "case series (Level 5)" in chronic_pain.human_evidence
