"""The staff preview: a working copy rendered with the public templates, for staff only,
never cached and never indexed."""

import pytest

from compounds.evidence import StudyDesign
from compounds.models import Compound, Condition, EvidenceSummary, Reference, ResearchUpdate
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

UPDATE = "low-dose-ketamine-infusions-for-chronic-pain"
PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]


def leukemia_summary():
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")


def preview_url(obj, page=None):
    url = f"/admin/compounds/{obj._meta.model_name}/{obj.pk}/preview/"
    return f"{url}?page={page}" if page else url


@pytest.fixture
def staff_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def edited_summary(edit):
    return edit(leukemia_summary(), human_evidence="Unapproved human evidence in preview.")


@pytest.mark.parametrize(
    ("kind", "heading"),
    [
        ("does-it-work", "Does Ketamine (IV / Esketamine) work for Leukemia?"),
        ("evidence-level", "Ketamine (IV / Esketamine) for Leukemia: evidence level assessment"),
        ("interactions", "Can I take Ketamine (IV / Esketamine) with Leukemia treatment?"),
        ("safety", "Is Ketamine (IV / Esketamine) safe for Leukemia patients?"),
    ],
)
def test_a_summary_preview_renders_the_chosen_public_page(
    staff_client, edited_summary, kind, heading
):
    page = get_page(staff_client, preview_url(edited_summary, kind))
    assert [h.text for h in page.find_all("h1")] == [heading]
    assert page.find("aside", aria_label="Medical disclaimer") is not None
    assert page.find("section", class_="faq") is not None


def test_a_summary_preview_shows_the_working_copys_unapproved_text(staff_client, edited_summary):
    page = get_page(staff_client, preview_url(edited_summary, "does-it-work"))
    assert "Unapproved human evidence in preview." in page.main.text


def test_the_public_page_keeps_the_approved_text_meanwhile(client, edited_summary):
    page = get_page(client, "/compounds/ketamine/leukemia/does-it-work/")
    assert "Unapproved human evidence in preview." not in page.html
    assert "We found no published study of ketamine as a treatment for leukemia." in page.main.text


def test_a_summary_preview_without_a_page_shows_the_first_page_type(staff_client, edited_summary):
    page = get_page(staff_client, preview_url(edited_summary))
    assert page.find("h1").text == "Does Ketamine (IV / Esketamine) work for Leukemia?"


def test_a_summary_preview_links_its_other_pages_within_the_preview(staff_client, edited_summary):
    other = get_page(staff_client, preview_url(edited_summary, "safety")).find(
        "nav", class_="other-pages"
    )
    hrefs = {href for href, _ in other.links()}
    assert {"?page=does-it-work", "?page=evidence-level", "?page=interactions"} <= hrefs


def test_a_summary_preview_shows_its_unapproved_references(staff_client, edited_summary):
    Reference.objects.create(
        summary=edited_summary,
        pmid="12345678",
        title="An unapproved reference",
        year=2024,
        study_design=StudyDesign.RCT,
    )
    page = get_page(staff_client, preview_url(edited_summary, "safety"))
    assert ("https://pubmed.ncbi.nlm.nih.gov/12345678/", "PubMed 12345678") in page.links()


def test_a_compound_preview_shows_its_unapproved_edit(staff_client, edit):
    compound = edit(Compound.objects.get(slug="ketamine"), evidence_overview="Preview overview.")
    page = get_page(staff_client, preview_url(compound))
    assert page.find("h1").text == "Ketamine (IV / Esketamine)"
    assert "Preview overview." in page.main.text


def test_a_condition_preview_shows_its_unapproved_edit(staff_client, edit):
    condition = edit(Condition.objects.get(slug="leukemia"), specialist="hematologist")
    page = get_page(staff_client, preview_url(condition))
    assert "Leukemia is usually treated by your hematologist." in page.main.text


def test_a_research_update_preview_shows_its_unapproved_edit(staff_client, edit):
    update = edit(ResearchUpdate.objects.get(slug=UPDATE), title="A preview title")
    page = get_page(staff_client, preview_url(update))
    assert page.find("h1").text == "A preview title"


def test_a_never_approved_compound_can_be_previewed(staff_client):
    compound = Compound.objects.create(
        name="Zorbanol",
        slug="zorbanol",
        drug_class="A new class",
        regulatory_status="None.",
        evidence_overview="None.",
        safety_profile="None.",
    )
    page = get_page(staff_client, preview_url(compound))
    assert page.find("h1").text == "Zorbanol"
    assert "A new class" in page.main.text


def test_a_preview_is_marked_as_such_and_not_indexed(staff_client, edited_summary):
    page = get_page(staff_client, preview_url(edited_summary, "safety"))
    assert page.meta(name="robots") == "noindex, nofollow"
    assert "Staff preview of unapproved content" in page.text
    assert page.response["X-Robots-Tag"] == "noindex, nofollow"


def test_a_preview_is_never_cached(staff_client, edited_summary):
    response = staff_client.get(preview_url(edited_summary, "safety"))
    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"no-cache", "no-store", "private"} <= cache_control


def test_a_previews_canonical_url_is_the_public_page(staff_client, edited_summary, settings):
    page = get_page(staff_client, preview_url(edited_summary, "safety"))
    assert page.canonical == f"{settings.SITE_URL}/compounds/ketamine/leukemia/safety/"


def test_public_pages_are_not_marked_noindex(client):
    response = client.get("/compounds/ketamine/leukemia/safety/")
    assert "X-Robots-Tag" not in response
    assert b'name="robots"' not in response.content


@pytest.mark.parametrize("model", [Compound, Condition, EvidenceSummary, ResearchUpdate])
def test_an_anonymous_visitor_is_sent_to_log_in(client, model):
    obj = model.objects.first()
    url = preview_url(obj)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert f"next={url}" in response["Location"]


def test_a_signed_in_non_staff_user_is_sent_to_log_in(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = client.get(preview_url(leukemia_summary()))
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.parametrize("model", [Compound, Condition, EvidenceSummary, ResearchUpdate])
def test_the_preview_of_an_object_that_does_not_exist_is_not_found(staff_client, model):
    missing = model(pk=999_999)
    assert staff_client.get(preview_url(missing)).status_code == 404


def test_a_pair_preview_shows_its_compounds_edit_under_review(staff_client, edit, editor):
    # An interaction changed to "Safe to combine" showed in the compound's diff but in no
    # preview: the pair pages were built from the live compound (issue 19).
    from compounds.models import Interaction
    from compounds.review import workflow

    compound = Compound.objects.get(slug="ketamine")
    row = Interaction.objects.filter(compound=compound).first()
    row.management = "Changed management under review."
    row.save()
    workflow.submit(edit(compound), editor)

    page = get_page(staff_client, preview_url(leukemia_summary(), "interactions"))
    assert "Changed management under review." in page.main.text


def test_a_pair_preview_keeps_the_live_compound_when_its_draft_is_not_in_review(staff_client, edit):
    compound = Compound.objects.get(slug="ketamine")
    edit(compound, drug_class="A draft class nobody submitted")
    page = get_page(staff_client, preview_url(leukemia_summary(), "safety"))
    assert "A draft class nobody submitted" not in page.main.text
