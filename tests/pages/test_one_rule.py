"""The one rule: patients only ever see approved content.

Marked text is put where a patient must never see it: into drafts never
approved, into unapproved edits of live content (fields, inline children and
links), and into content that was approved and then withdrawn. Then the whole
public site is walked, as a crawler would from the sitemap, plus the pages
the sitemap leaves out; no marker may appear, and the approved text must.
"""

import pytest
from django.utils.html import escape

from compounds.evidence import SafetyCategory, StudyDesign
from compounds.models import (
    Caution,
    Compound,
    Condition,
    EvidenceSummary,
    Interaction,
    Mechanism,
    Monitoring,
    Reference,
    ResearchReference,
    ResearchUpdate,
    SafetyFinding,
    SafetyNote,
)
from compounds.review import workflow
from tests.pages.markup import body, sitemap_paths, sitemap_section_urls

pytestmark = pytest.mark.usefixtures("live_seed")

DRAFT = "Qzdraftmarker"
EDIT = "Qzeditmarker"
WITHDRAWN = "Qzwithdrawnmarker"
PAGE_TYPES = ["does-it-work", "evidence-level", "interactions", "safety"]


def ketamine_summary(condition):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


def new_compound(slug, marker):
    return Compound.objects.create(
        name=f"{marker} compound",
        slug=slug,
        aliases=f"{marker}alias",
        drug_class=f"{marker} class",
        regulatory_status=f"{marker} status",
        evidence_overview=f"{marker} overview",
        safety_profile=f"{marker} safety",
    )


def new_summary(compound, condition, marker):
    return EvidenceSummary.objects.create(
        compound=compound,
        condition=condition,
        evidence_level="level_2",
        verdict="promising",
        evidence_basis="direct",
        human_evidence=f"{marker} human evidence",
        preclinical_evidence=f"{marker} preclinical",
        regulatory_status=f"{marker} regulatory",
    )


def new_update(slug, marker, compounds=(), conditions=()):
    update = ResearchUpdate.objects.create(
        title=f"{marker} update",
        slug=slug,
        summary=f"{marker} summary of a study.",
        study_design=StudyDesign.RCT,
        source=f"{marker} source",
        date="2026-11-20",
    )
    update.compounds.set(compounds)
    update.conditions.set(conditions)
    return update


@pytest.fixture
def drafts(editor):
    """Content never approved: a draft, and content waiting in review."""
    ketamine = Compound.objects.get(slug="ketamine")
    suicidal = Condition.objects.get(slug="suicidal-ideation")
    compound = new_compound(f"{DRAFT.lower()}-compound", DRAFT)
    new_summary(compound, Condition.objects.get(slug="leukemia"), DRAFT)
    workflow.submit(new_summary(ketamine, suicidal, DRAFT), editor)
    condition = Condition.objects.create(
        name=f"{DRAFT} condition",
        slug=f"{DRAFT.lower()}-condition",
        specialist=f"{DRAFT} specialist",
        standard_treatment=f"{DRAFT} treatment",
    )
    new_summary(ketamine, condition, DRAFT)
    update = new_update(f"{DRAFT.lower()}-update", DRAFT, [ketamine], [suicidal])
    workflow.submit(update, editor)
    return [
        f"/compounds/{compound.slug}/",
        f"/conditions/{condition.slug}/",
        f"/research/{update.slug}/",
        *(f"/compounds/ketamine/suicidal-ideation/{kind}/" for kind in PAGE_TYPES),
        *(f"/compounds/ketamine/{condition.slug}/{kind}/" for kind in PAGE_TYPES),
        *(f"/compounds/{compound.slug}/leukemia/{kind}/" for kind in PAGE_TYPES),
    ]


@pytest.fixture
def pending_edits(edit, editor):
    """Unapproved edits of live content: fields, inline children and many-to-many links."""
    ketamine = Compound.objects.get(slug="ketamine")
    Mechanism.objects.create(compound=ketamine, position=0, description=f"{EDIT} mechanism")
    Mechanism.objects.filter(compound=ketamine, description="BDNF release").update(
        description=f"BDNF {EDIT}"
    )
    SafetyNote.objects.create(
        compound=ketamine,
        position=9,
        category=SafetyCategory.INTERACTIONS,
        description=f"{EDIT} safety note",
    )
    sourced = {"source": f"{EDIT} source", "source_url": "https://example.org/qz"}
    Monitoring.objects.create(compound=ketamine, what=f"{EDIT} what", when=f"{EDIT}", **sourced)
    Caution.objects.create(
        compound=ketamine, kind="contraindication", description=f"{EDIT} caution", **sourced
    )
    Interaction.objects.create(
        compound=ketamine,
        drug=f"{EDIT}drug",
        severity="major",
        effect=f"{EDIT} effect",
        management=f"{EDIT} management",
        **sourced,
    )
    edit(
        ketamine,
        name=f"Ketamine {EDIT}",
        aliases=f"esketamine, Spravato, {EDIT}alias",
        drug_class=f"{EDIT} class",
        evidence_overview=f"{EDIT} overview",
        safety_profile=f"{EDIT} safety profile",
    )
    edit(
        Condition.objects.get(slug="leukemia"),
        name=f"Leukemia {EDIT}",
        specialist=f"{EDIT} specialist",
        standard_treatment=f"{EDIT} treatment",
    )
    leukemia = ketamine_summary("leukemia")
    Reference.objects.create(
        summary=leukemia,
        pmid="12345678",
        title=f"{EDIT} reference",
        journal=f"{EDIT} journal",
        year=2024,
        study_design=StudyDesign.RCT,
    )
    Reference.objects.filter(summary=ketamine_summary("neuropathic-pain")).update(
        title=f"{EDIT} retitled reference"
    )
    SafetyFinding.objects.create(
        summary=leukemia, kind="finding", description=f"{EDIT} finding", **sourced
    )
    edit(
        leukemia,
        key_takeaways=f"{EDIT} takeaway one\n{EDIT} takeaway two",
        human_evidence=f"{EDIT} human evidence",
        preclinical_evidence=f"{EDIT} preclinical",
        regulatory_status=f"{EDIT} regulatory",
        verdict="effective",
        evidence_level="level_1",
        evidence_basis="direct",
    )
    workflow.submit(ketamine_summary("leukemia"), editor)
    update = ResearchUpdate.objects.get(slug="low-dose-ketamine-infusions-for-chronic-pain")
    update.conditions.add(Condition.objects.get(slug="stage-iv-cancer"))
    ResearchReference.objects.create(
        update=update,
        url="https://example.org/qz-label.pdf",
        title=f"{EDIT} label",
        year=2024,
        study_design=StudyDesign.OFFICIAL_DOCUMENT,
    )
    edit(update, title=f"{EDIT} title", summary=f"{EDIT} summary", source=f"{EDIT} source")


@pytest.fixture
def withdrawn(publish, withdraw):
    """Content approved with marked text, then withdrawn."""
    leukemia = Condition.objects.get(slug="leukemia")
    compound = publish(new_compound(f"{WITHDRAWN.lower()}-compound", WITHDRAWN))
    publish(new_summary(compound, leukemia, WITHDRAWN))
    withdraw(compound)
    condition = publish(
        Condition.objects.create(
            name=f"{WITHDRAWN} condition",
            slug=f"{WITHDRAWN.lower()}-condition",
            specialist=f"{WITHDRAWN} specialist",
            standard_treatment=f"{WITHDRAWN} treatment",
        )
    )
    ketamine = Compound.objects.get(slug="ketamine")
    summary = publish(new_summary(ketamine, condition, WITHDRAWN))
    withdraw(summary)
    withdraw(condition)
    update = publish(new_update(f"{WITHDRAWN.lower()}-update", WITHDRAWN, [ketamine], [leukemia]))
    withdraw(update)
    return [
        f"/compounds/{compound.slug}/",
        f"/conditions/{condition.slug}/",
        f"/research/{update.slug}/",
        *(f"/compounds/{compound.slug}/leukemia/{kind}/" for kind in PAGE_TYPES),
        *(f"/compounds/ketamine/{condition.slug}/{kind}/" for kind in PAGE_TYPES),
    ]


def public_site(client, extra=()):
    """Every public response a reader or crawler can reach, by URL."""
    urls = [
        *sitemap_paths(client),
        "/",
        "/compounds/",
        "/conditions/",
        "/research/",
        "/research/?page=2",
        "/sitemap.xml",
        *sitemap_section_urls(client),
        "/robots.txt",
        "/search/?q=ketamine",
        "/search/?q=leukemia",
        "/search/?q=esketamine",
        *extra,
    ]
    responses = {}
    for url in urls:
        response = client.get(url)
        assert response.status_code in {200, 404}, (url, response.status_code)
        responses[url] = without_own_address(body(response).decode(), url)
    return responses


def without_own_address(page, url):
    """The page less the one place it names its own address: the form to report a problem
    with it. That is the address asked for, not content: a 404 for a draft's slug
    echoes the slug the crawler already had."""
    return page.replace(f'<input type="hidden" name="page" value="{escape(url)}">', "")


def assert_never_shown(responses, marker):
    shown = [url for url, body in responses.items() if marker.lower() in body.lower()]
    assert shown == []


def assert_never_found(client, marker):
    """Searching for the marker, which the page echoes back, finds nothing."""
    for query in (marker, f"{marker}alias", f"{marker} class"):
        body = client.get("/search/", {"q": query}).content.decode()
        assert "Nothing matches" in body, query
        assert 'id="found-' not in body, query


def test_drafts_and_content_in_review_never_reach_a_public_page(client, drafts):
    assert_never_shown(public_site(client, drafts), DRAFT)
    assert_never_found(client, DRAFT)


def test_pages_of_never_approved_content_are_not_found(client, drafts):
    assert [url for url in drafts if client.get(url).status_code != 404] == []


def test_unapproved_edits_of_live_content_never_reach_a_public_page(client, pending_edits):
    assert_never_shown(public_site(client), EDIT)
    assert_never_found(client, EDIT)


def test_withdrawn_content_never_reaches_a_public_page(client, withdrawn):
    assert_never_shown(public_site(client, withdrawn), WITHDRAWN)
    assert_never_found(client, WITHDRAWN)


def test_pages_of_withdrawn_content_are_not_found(client, withdrawn):
    assert [url for url in withdrawn if client.get(url).status_code != 404] == []


APPROVED_TEXT = {
    "/compounds/ketamine/": [
        "Ketamine (IV / Esketamine)",
        "NMDA Antagonist / Anesthetic",
        "Phase II trials for neuropathic pain",
        "BDNF release",
        "Bladder damage with long-term use",
    ],
    "/compounds/ketamine/leukemia/does-it-work/": [
        "Does Ketamine (IV / Esketamine) work for Leukemia?",
        "We found no published study of ketamine as a treatment for leukemia.",
        "Limited, and none of it designed to study leukemia.",
        "No research on Ketamine (IV / Esketamine) as a treatment for Leukemia was found",
        "hematologist or oncologist",
        "Insufficient evidence",
    ],
    "/compounds/ketamine/neuropathic-pain/safety/": [
        "Ketamine infusions for refractory neuropathic pain: a randomized trial",
    ],
    "/conditions/leukemia/": ["hematologist or oncologist", "depends on the type of leukemia"],
    "/research/low-dose-ketamine-infusions-for-chronic-pain/": [
        "Chronic pain improved for some patients after ketamine infusions, "
        "in a study with no comparison group",
        "Cleveland Clinic",
        "A four-year Cleveland Clinic study looked back at 1,034 patients",
    ],
}


@pytest.mark.parametrize("url", APPROVED_TEXT)
def test_the_approved_text_stays_on_the_site_while_an_edit_waits(client, pending_edits, url):
    response = client.get(url)
    assert response.status_code == 200
    text = response.content.decode().replace("&#x27;", "'")
    assert [wanted for wanted in APPROVED_TEXT[url] if wanted not in text] == []


def test_an_unapproved_link_adds_no_update_to_a_condition_page(client, pending_edits):
    response = client.get("/conditions/stage-iv-cancer/")
    assert b"/research/low-dose-ketamine-infusions-for-chronic-pain/" not in response.content


def test_the_approved_aliases_still_find_the_compound_while_an_edit_waits(client, pending_edits):
    response = client.get("/search/", {"q": "Spravato"})
    assert b'href="/compounds/ketamine/"' in response.content


def test_approving_the_edit_publishes_it(client, pending_edits, publish):
    publish(Compound.objects.get(slug="ketamine"))
    body = client.get("/compounds/ketamine/").content.decode()
    assert f"{EDIT} overview" in body
    assert f"{EDIT} mechanism" in body
