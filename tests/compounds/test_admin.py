"""The admin is the CMS: editors browse, search, filter and write evidence reviews in it."""

import datetime
import io

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertRedirects

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    Feedback,
    ImportBatch,
    InboxItem,
    Mechanism,
    MedicalAdvisor,
    NoticeReview,
    OfficialLabel,
    PromotedResult,
    Reference,
    ResearchUpdate,
    ReviewEvent,
    SafetyNote,
    SearchSynonym,
    SitePage,
)
from tests.admin_forms import form_data, press
from tests.factories import make_site_page

pytestmark = pytest.mark.django_db

ADMIN_MODELS = [
    Compound,
    Condition,
    MedicalAdvisor,
    EvidenceSummary,
    Reference,
    ResearchUpdate,
    SitePage,
]

UNIQUE_PAIR_MESSAGE = "already has an evidence summary"
NO_IDENTIFIER_MESSAGE = (
    "Give at least one of PMID, DOI or NCT id, or the address of an official document, so "
    "readers can find the source."
)
BAD_NCT_MESSAGE = 'A ClinicalTrials.gov id is "NCT" followed by eight digits, such as NCT01234567.'


# Rows with valid data ------------------------------------------------------------------------


def _compound(**fields):
    values = {
        "name": "Ketamine (IV / Esketamine)",
        "slug": "ketamine",
        "aliases": "esketamine, Spravato",
        "drug_class": "NMDA Antagonist / Anesthetic",
        "regulatory_status": "FDA-approved as anesthetic",
        "evidence_overview": "Strong data for treatment-resistant depression",
        "safety_profile": "Dissociation; abuse potential",
    }
    return Compound.objects.create(**{**values, **fields})


def _psilocybin():
    return _compound(
        name="Psilocybin",
        slug="psilocybin",
        aliases="magic mushrooms",
        drug_class="Serotonergic Psychedelic",
    )


def _condition(**fields):
    values = {
        "name": "Leukemia",
        "slug": "leukemia",
        "specialist": "hematologist or oncologist",
        "standard_treatment": "typically involves multiple agents",
    }
    return Condition.objects.create(**{**values, **fields})


def _stage_iv_cancer():
    return _condition(name="Stage IV Cancer", slug="stage-iv-cancer", specialist="oncologist")


def _summary(compound=None, condition=None, **fields):
    values = {
        "evidence_level": "level_2",
        "verdict": "effective",
        "evidence_basis": "direct",
        "human_evidence": "Randomized trials in people with this condition.",
        "regulatory_status": "Not approved for this condition",
    }
    return EvidenceSummary.objects.create(
        compound=compound or _compound(),
        condition=condition or _condition(),
        **{**values, **fields},
    )


def _reference(summary=None, **fields):
    values = {
        "pmid": "31578302",
        "title": "Esketamine nasal spray for treatment-resistant depression",
        "journal": "Am J Psychiatry",
        "year": 2019,
        "study_design": "rct",
        "participants": 227,
    }
    return Reference.objects.create(summary=summary or _summary(), **{**values, **fields})


def _advisor(**fields):
    values = {"display_name": "Nikhil Joshi", "slug": "nikhil-joshi", "credentials": "MD, FRCPC"}
    return MedicalAdvisor.objects.create(**{**values, **fields})


def _research_update(**fields):
    values = {
        "title": "Ketamine eases depression in a trial of 100 adults",
        "slug": "ketamine-eases-depression",
        "summary": "A randomized trial found a rapid effect.",
        "study_design": "rct",
        "participants": 100,
        "date": datetime.date(2025, 1, 15),
    }
    return ResearchUpdate.objects.create(**{**values, **fields})


_MAKERS = {
    Compound: _compound,
    Condition: _condition,
    MedicalAdvisor: _advisor,
    EvidenceSummary: _summary,
    Reference: _reference,
    ResearchUpdate: _research_update,
    SitePage: make_site_page,
}


# Admin addresses and form data ---------------------------------------------------------------


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _listed(response):
    """The objects a changelist response shows, in its order."""
    return list(response.context["cl"].result_list)


def _add(client, model, fields, inlines):
    """Open the model's add page, type `fields`, add each inline's rows with its "Add
    another" link and fill them in, and press Save: the answer to that post."""
    inlines = {prefix: rows for prefix, rows in inlines.items() if rows}
    changes = dict(fields)
    for prefix, rows in inlines.items():
        for index, row in enumerate(rows):
            changes.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    added = {prefix: len(rows) for prefix, rows in inlines.items()}
    return press(client, _url(model, "add"), "Save", add_rows=added, **changes)


def _add_compound(client, **inlines):
    """Add Psilocybin with the rows given for its inlines (mechanisms=[{...}], ...)."""
    fields = {
        "name": "Psilocybin",
        "slug": "psilocybin",
        "aliases": "magic mushrooms",
        "drug_class": "Serotonergic Psychedelic",
        "regulatory_status": "FDA breakthrough therapy designation for depression",
        "evidence_overview": "Phase II data for cancer-related distress",
        "safety_profile": "Perceptual effects; raised blood pressure",
    }
    return _add(client, Compound, fields, inlines)


def _reference_row(**fields):
    return {
        "pmid": "",
        "doi": "",
        "nct_id": "",
        "title": "Esketamine nasal spray for treatment-resistant depression",
        "journal": "Am J Psychiatry",
        "year": "2019",
        "study_design": "rct",
        "participants": "227",
        **fields,
    }


def _add_summary(client, compound, condition, references=(), findings=(), **fields):
    """Add the evidence summary of the pair, with its references and safety findings."""
    fields = {
        # Chosen in the autocomplete lists, which the page fills as one types.
        "compound": str(compound.pk),
        "condition": str(condition.pk),
        "evidence_level": "level_2",
        "verdict": "likely_effective",
        "evidence_basis": "direct",
        "preclinical_evidence": "",
        "human_evidence": "Two randomized trials.",
        "regulatory_status": "Not approved for this condition",
        **fields,
    }
    inlines = {"references": references, "safety_findings": findings}
    return _add(client, EvidenceSummary, fields, inlines)


def _reference_form_errors(response):
    return response.context["inline_admin_formsets"][0].formset.forms[0].errors


# Every page answers ------------------------------------------------------------------------


def test_every_compounds_model_registered_in_the_admin_is_covered_here():
    registered = {model for model in admin.site._registry if model._meta.app_label == "compounds"}
    # The audit trail is read only; tests/compounds/test_review_admin.py covers its admin.
    # Import batches are made by imports; tests/compounds/test_catalogue_admin.py covers them.
    # Readers' reports are sent from public pages; tests/compounds/test_feedback_admin.py
    # covers their queue. What search reads besides the content:
    # tests/pages/test_search_admin.py. Notices on cited studies are found by the retraction
    # watch; tests/compounds/test_watch_retractions.py covers their admin. The evidence
    # inbox and compounds' official labels: tests/compounds/test_watch_inbox.py and
    # test_watch_labels.py.
    assert registered == {
        *ADMIN_MODELS,
        ReviewEvent,
        ImportBatch,
        Feedback,
        NoticeReview,
        InboxItem,
        OfficialLabel,
        SearchSynonym,
        PromotedResult,
    }


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.model_name)
def test_changelist_answers_200_for_superuser(admin_client, model):
    _MAKERS[model]()
    response = admin_client.get(_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


EDITABLE_MODELS = [model for model in ADMIN_MODELS if model is not Reference]


@pytest.mark.parametrize("model", EDITABLE_MODELS, ids=lambda model: model._meta.model_name)
def test_add_page_answers_200_for_superuser(admin_client, model):
    assert admin_client.get(_url(model, "add")).status_code == 200


def test_references_are_added_and_changed_only_on_their_summary(admin_client):
    reference = _reference()
    assert admin_client.get(_url(Reference, "add")).status_code == 403
    with pytest.raises(AssertionError, match="No button “Save”"):
        form_data(admin_client.get(_url(Reference, "change", reference.pk)), "Save")
    # The reference's page has no Save button: a post of an edit is crafted.
    response = admin_client.post(_url(Reference, "change", reference.pk), {"title": "Retitled"})
    assert response.status_code == 403
    reference.refresh_from_db()
    assert reference.title != "Retitled"


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.model_name)
def test_change_page_answers_200_for_superuser(admin_client, model):
    obj = _MAKERS[model]()
    response = admin_client.get(_url(model, "change", obj.pk))
    assert response.status_code == 200
    assert response.context["original"] == obj


# Search and filters ----------------------------------------------------------------------


def test_compound_search_finds_by_alias_and_leaves_out_others(admin_client):
    ketamine = _compound()
    _psilocybin()
    response = admin_client.get(_url(Compound, "changelist"), {"q": "Spravato"})
    assert _listed(response) == [ketamine]


def test_evidence_summary_search_finds_by_condition_name_and_leaves_out_others(admin_client):
    ketamine = _compound()
    leukemia = _summary(ketamine, _condition())
    _summary(ketamine, _stage_iv_cancer())
    response = admin_client.get(_url(EvidenceSummary, "changelist"), {"q": "leukemia"})
    assert _listed(response) == [leukemia]


def test_evidence_summary_search_finds_by_compound_alias(admin_client):
    leukemia = _condition()
    ketamine_summary = _summary(_compound(), leukemia)
    _summary(_psilocybin(), leukemia, verdict="promising")
    response = admin_client.get(_url(EvidenceSummary, "changelist"), {"q": "esketamine"})
    assert _listed(response) == [ketamine_summary]


def test_reference_search_finds_by_pmid(admin_client):
    summary = _summary()
    cited = _reference(summary)
    _reference(summary, pmid="12345678", title="Another trial")
    response = admin_client.get(_url(Reference, "changelist"), {"q": "31578302"})
    assert _listed(response) == [cited]


def test_evidence_summary_verdict_filter_narrows_the_list(admin_client):
    ketamine = _compound()
    effective = _summary(ketamine, _condition(), verdict="effective")
    _summary(
        ketamine,
        _stage_iv_cancer(),
        evidence_level="preclinical",
        verdict="insufficient",
        evidence_basis="extrapolated",
    )
    response = admin_client.get(
        _url(EvidenceSummary, "changelist"), {"verdict__exact": "effective"}
    )
    assert _listed(response) == [effective]


def test_evidence_summary_condition_filter_narrows_the_list(admin_client):
    ketamine = _compound()
    stage_iv = _stage_iv_cancer()
    _summary(ketamine, _condition())
    stage_iv_summary = _summary(ketamine, stage_iv)
    response = admin_client.get(
        _url(EvidenceSummary, "changelist"), {"condition__id__exact": str(stage_iv.pk)}
    )
    assert _listed(response) == [stage_iv_summary]


# Adding a compound with its inlines ------------------------------------------------------


def test_adding_compound_creates_it_with_its_mechanisms_and_safety_notes_in_order(admin_client):
    response = _add_compound(
        admin_client,
        mechanisms=[
            {"position": "1", "description": "5-HT2A receptor agonism"},
            {"position": "2", "description": "Increased neuroplasticity"},
        ],
        safety_notes=[
            {"position": "1", "category": "side_effects", "description": "Perceptual effects"},
            {"position": "2", "category": "monitoring", "description": "Blood pressure checks"},
        ],
    )

    assertRedirects(response, _url(Compound, "changelist"))
    compound = Compound.objects.get(slug="psilocybin")
    assert compound.name == "Psilocybin"
    assert list(compound.mechanisms.values_list("position", "description")) == [
        (1, "5-HT2A receptor agonism"),
        (2, "Increased neuroplasticity"),
    ]
    assert list(compound.safety_notes.values_list("position", "category", "description")) == [
        (1, "side_effects", "Perceptual effects"),
        (2, "monitoring", "Blood pressure checks"),
    ]


def test_adding_compound_with_a_repeated_mechanism_saves_nothing(admin_client):
    repeated = {"position": "1", "description": "5-HT2A receptor agonism"}
    response = _add_compound(admin_client, mechanisms=[repeated, {**repeated, "position": "2"}])
    assertContains(response, "Please correct the duplicate data for description.")
    assert not Compound.objects.exists()
    assert not Mechanism.objects.exists()
    assert not SafetyNote.objects.exists()


# Adding an evidence summary with references ----------------------------------------------


def test_reference_inline_stores_the_bare_pmid_of_a_pasted_pubmed_address(admin_client):
    compound, condition = _compound(), _condition()
    response = _add_summary(
        admin_client,
        compound,
        condition,
        references=[_reference_row(pmid="https://pubmed.ncbi.nlm.nih.gov/31578302/")],
    )

    assertRedirects(response, _url(EvidenceSummary, "changelist"))
    summary = EvidenceSummary.objects.get(compound=compound, condition=condition)
    assert list(summary.references.values_list("pmid", flat=True)) == ["31578302"]


def test_reference_inline_stores_whether_each_study_was_of_the_pairs_condition(admin_client):
    compound, condition = _compound(), _condition()
    references = [
        _reference_row(pmid="31578302", studied_condition=True),
        _reference_row(doi="10.1176/appi.ajp.2018.18020138", title="Another condition's trial"),
    ]
    response = _add_summary(admin_client, compound, condition, references=references)

    assertRedirects(response, _url(EvidenceSummary, "changelist"))
    summary = EvidenceSummary.objects.get(compound=compound, condition=condition)
    marks = dict(summary.references.values_list("title", "studied_condition"))
    assert marks == {_reference_row()["title"]: True, "Another condition's trial": False}


def test_a_reference_is_marked_as_a_study_of_the_condition_on_its_summarys_page(admin_client):
    reference = _reference(studied_condition=False)
    change = _url(EvidenceSummary, "change", reference.summary_id)
    page = admin_client.get(change)
    assertContains(page, "Studied this condition")
    assertContains(page, "A study of another condition can support an extrapolated grade")

    response = press(admin_client, change, "Save", **{"references-0-studied_condition": True})
    assertRedirects(response, _url(EvidenceSummary, "changelist"))
    reference.refresh_from_db()
    assert reference.studied_condition is True

    press(admin_client, change, "Save", **{"references-0-studied_condition": False})
    reference.refresh_from_db()
    assert reference.studied_condition is False


def test_reference_inline_without_any_identifier_is_refused_and_saves_nothing(admin_client):
    response = _add_summary(admin_client, _compound(), _condition(), references=[_reference_row()])

    assertContains(response, escape(NO_IDENTIFIER_MESSAGE), status_code=200)
    assert not EvidenceSummary.objects.exists()
    assert not Reference.objects.exists()


def test_one_pmid_cited_twice_in_one_save_is_refused_and_saves_nothing(admin_client):
    references = [
        _reference_row(pmid="31578302"),
        _reference_row(pmid="https://pubmed.ncbi.nlm.nih.gov/31578302/", title="The same paper"),
    ]
    response = _add_summary(admin_client, _compound(), _condition(), references=references)

    assertContains(response, "This PMID is already cited here.", status_code=200)
    assert not EvidenceSummary.objects.exists()
    assert not Reference.objects.exists()


def test_one_doi_cited_twice_in_different_case_is_refused(admin_client):
    references = [
        _reference_row(doi="10.1000/ABC"),
        _reference_row(doi="https://doi.org/10.1000/abc", title="The same paper"),
    ]
    response = _add_summary(admin_client, _compound(), _condition(), references=references)

    assertContains(response, "This DOI is already cited here.", status_code=200)
    assert not Reference.objects.exists()


def test_reference_inline_with_a_bad_nct_id_shows_the_nct_id_message(admin_client):
    references = [_reference_row(nct_id="NCT123")]
    response = _add_summary(admin_client, _compound(), _condition(), references=references)

    assertContains(response, escape(BAD_NCT_MESSAGE), status_code=200)
    assert _reference_form_errors(response)["nct_id"] == [BAD_NCT_MESSAGE]
    assert not EvidenceSummary.objects.exists()


def test_second_evidence_summary_for_the_same_pair_is_refused_and_saves_nothing(admin_client):
    existing = _summary()
    response = _add_summary(admin_client, existing.compound, existing.condition)

    assertContains(response, UNIQUE_PAIR_MESSAGE, status_code=200)
    assert list(EvidenceSummary.objects.all()) == [existing]


# Autocomplete ----------------------------------------------------------------------------


def _compound_autocomplete(client, term):
    return client.get(
        reverse("admin:autocomplete"),
        {
            "app_label": "compounds",
            "model_name": "evidencesummary",
            "field_name": "compound",
            "term": term,
        },
    )


def test_autocomplete_returns_the_matching_compound_to_a_superuser(admin_client):
    ketamine = _compound()
    _psilocybin()
    response = _compound_autocomplete(admin_client, "keta")
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(ketamine.pk), "text": ketamine.name}]


def test_autocomplete_refuses_a_staff_user_without_permissions(client, django_user_model):
    _compound()
    staff = django_user_model.objects.create_user("intern", password="x", is_staff=True)
    client.force_login(staff)
    assert _compound_autocomplete(client, "keta").status_code == 403


# Permissions and the demo accounts -------------------------------------------------------


@pytest.mark.parametrize("model", ADMIN_MODELS, ids=lambda model: model._meta.model_name)
def test_staff_user_without_permissions_gets_403_on_changelist(client, django_user_model, model):
    staff = django_user_model.objects.create_user("intern", password="x", is_staff=True)
    client.force_login(staff)
    assert client.get(_url(model, "changelist")).status_code == 403


DEMO_PASSWORD = "a-demo-password-for-tests"


@pytest.fixture
def demo_accounts(settings, monkeypatch):
    settings.DEBUG = True
    monkeypatch.setenv("DEMO_PASSWORD", DEMO_PASSWORD)
    call_command("seed_demo", stdout=io.StringIO())


def _sign_in(client, username):
    """Open the sign-in page the admin sends a visitor to, type the name and password."""
    login = f"{reverse('admin:login')}?next={reverse('admin:index')}"
    return press(client, login, "Log in", username=username, password=DEMO_PASSWORD)


@pytest.mark.parametrize("username", ["admin", "editor", "advisor"])
def test_demo_account_can_log_in_to_the_admin(client, demo_accounts, username):
    response = _sign_in(client, username)
    assertRedirects(response, reverse("admin:index"))
    assert client.get(reverse("admin:index")).status_code == 200


def test_demo_editor_sees_the_evidence_summary_changelist(client, demo_accounts):
    _sign_in(client, "editor")
    response = client.get(_url(EvidenceSummary, "changelist"))
    assert response.status_code == 200
    assert EvidenceSummary.objects.exists()
    assert response.context["cl"].result_count == EvidenceSummary.objects.count()


# Monitoring, cautions, interactions, findings and takeaways ------------------------------


def _sourced_row(**fields):
    return {"position": "1", "source": "Test label, section 5", "source_url": "", **fields}


def test_adding_compound_saves_its_monitoring_cautions_and_interactions(admin_client):
    response = _add_compound(
        admin_client,
        monitoring=[_sourced_row(what="Blood pressure", when="Before each dose", how_long="")],
        cautions=[_sourced_row(kind="contraindication", description="people with an aneurysm")],
        interactions=[
            _sourced_row(
                drug="Benzodiazepines",
                severity="major",
                effect="More sedation",
                management="Watch closely",
            )
        ],
    )

    assertRedirects(response, _url(Compound, "changelist"))
    compound = Compound.objects.get(slug="psilocybin")
    assert list(compound.monitoring.values_list("what", "when")) == [
        ("Blood pressure", "Before each dose")
    ]
    assert list(compound.cautions.values_list("kind", "description")) == [
        ("contraindication", "people with an aneurysm")
    ]
    assert list(compound.interactions.values_list("drug", "severity", "source")) == [
        ("Benzodiazepines", "major", "Test label, section 5")
    ]


def test_an_interaction_without_severity_or_source_is_refused_and_nothing_is_saved(
    admin_client,
):
    response = _add_compound(
        admin_client,
        interactions=[
            _sourced_row(drug="Benzodiazepines", severity="", effect="x", management="y", source="")
        ],
    )

    assert response.status_code == 200
    errors = response.context["inline_admin_formsets"][4].formset.forms[0].errors
    assert set(errors) == {"severity", "source"}
    assert not Compound.objects.filter(slug="psilocybin").exists()


@pytest.mark.parametrize("lines", [1, 5])
def test_key_takeaways_must_be_two_to_four_lines(admin_client, lines):
    takeaways = "\n".join(f"Takeaway {n}." for n in range(lines))
    response = _add_summary(admin_client, _compound(), _condition(), key_takeaways=takeaways)

    assertContains(response, f"Give two to four takeaways, one per line; this has {lines}.")
    assert not EvidenceSummary.objects.exists()


def test_a_summary_saves_its_takeaways_and_condition_specific_safety_findings(admin_client):
    response = _add_summary(
        admin_client,
        _compound(),
        _condition(),
        key_takeaways="One small trial.\n\nAsk your oncologist.",
        findings=[_sourced_row(kind="finding", description="No new safety signal.")],
    )

    assertRedirects(response, _url(EvidenceSummary, "changelist"))
    summary = EvidenceSummary.objects.get()
    assert summary.takeaway_list == ["One small trial.", "Ask your oncologist."]
    assert list(summary.safety_findings.values_list("kind", "description")) == [
        ("finding", "No new safety signal.")
    ]


def test_a_research_update_cites_an_official_document_by_its_address(admin_client):
    fields = {
        "title": "A label update",
        "slug": "a-label-update",
        "summary": "The label changed.",
        "study_design": "official_document",
        "date": "2025-01-15",
    }
    label = {
        "url": "https://www.accessdata.fda.gov/label.pdf",
        "title": "Prescribing information",
        "journal": "US Food and Drug Administration",
        "year": "2023",
        "study_design": "official_document",
    }
    response = _add(admin_client, ResearchUpdate, fields, {"references": [label]})

    assertRedirects(response, _url(ResearchUpdate, "changelist"))
    (reference,) = ResearchUpdate.objects.get(slug="a-label-update").references.all()
    assert reference.links == [("Document", "https://www.accessdata.fda.gov/label.pdf")]
