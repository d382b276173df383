"""What patients ask about safety, as rows an advisor approves: entered in the admin,
shown by name on the pages of the pair, and cited where research updates report it."""

import pytest
from django.urls import reverse

from compounds.evidence import StudyDesign
from compounds.models import (
    Caution,
    Compound,
    EvidenceSummary,
    Interaction,
    Monitoring,
    ResearchReference,
    ResearchUpdate,
    SafetyFinding,
)
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

LABEL = "https://example.org/label.pdf"
PAGE = "/compounds/ketamine/{}/{}/"


def _sourced(**fields):
    return {"source": "Test label, section 5", "source_url": LABEL, **fields}


@pytest.fixture
def ketamine_safety(edit, publish):
    """Monitoring, a contraindication, a caution and an interaction of ketamine, approved."""
    ketamine = Compound.objects.get(slug="ketamine")
    Monitoring.objects.create(
        compound=ketamine,
        what="Blood pressure",
        when="Before each dose and after it",
        how_long="Until it is back to normal",
        **_sourced(),
    )
    Caution.objects.create(
        compound=ketamine,
        kind="contraindication",
        description="people with an aneurysm",
        **_sourced(),
    )
    Caution.objects.create(
        compound=ketamine, kind="caution", description="people with liver disease", **_sourced()
    )
    Interaction.objects.create(
        compound=ketamine,
        drug="Benzodiazepines",
        severity="major",
        effect="More sedation",
        management="Watch closely for sedation",
        **_sourced(),
    )
    edit(ketamine)
    publish(ketamine)
    return ketamine


def test_the_interactions_page_names_each_drug_with_its_severity_and_source(
    client, ketamine_safety
):
    page = get_page(client, PAGE.format("leukemia", "interactions"))
    (item,) = [h3.parent for h3 in page.find_all("h3") if h3.text.strip() == "Benzodiazepines"]
    text = " ".join(item.text.split())
    assert "Severity Major: avoid the combination" in text
    assert "What happens More sedation" in text
    assert "What to do Watch closely for sedation" in text
    assert ("https://example.org/label.pdf", "Test label, section 5") in item.links()
    assert "lists no specific drug interaction" not in page.main.text


def test_the_safety_page_lists_monitoring_contraindications_and_cautions(client, ketamine_safety):
    page = get_page(client, PAGE.format("leukemia", "safety"))
    text = " ".join(page.main.text.split())
    assert "Blood pressure When Before each dose and after it" in text
    assert "For how long Until it is back to normal" in text
    assert "must not be used by: people with an aneurysm" in text
    assert "with care in: people with liver disease" in text
    assert "lists this monitoring for everyone who takes Ketamine (IV / Esketamine): " in text
    assert "has no monitoring information" not in text


def test_a_page_without_the_rows_says_so_in_one_honest_sentence(client):
    safety = " ".join(get_page(client, PAGE.format("leukemia", "safety")).main.text.split())
    assert "This review has no monitoring information for Ketamine (IV / Esketamine) yet" in safety
    assert "lists no contraindication or caution of Ketamine (IV / Esketamine) yet" in safety
    interactions = get_page(client, PAGE.format("leukemia", "interactions")).main.text
    assert "lists no specific drug interaction" in interactions


def test_safety_findings_and_takeaways_head_the_pages_of_their_pair_once_approved(
    client, edit, publish
):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    SafetyFinding.objects.create(
        summary=summary, kind="caution", description="Blood counts were watched.", **_sourced()
    )
    edit(summary, key_takeaways="No trial in leukemia.\nAsk your hematologist.")
    safety_url = PAGE.format("leukemia", "safety")
    assert "Blood counts were watched." not in get_page(client, safety_url).main.text
    publish(summary)

    safety = " ".join(get_page(client, safety_url).main.text.split())
    assert "found about its safety" in safety
    assert "Caution: Blood counts were watched." in safety
    # Findings are condition-specific safety data: the page no longer says there is none.
    assert "has no safety data specific to" not in safety
    works = get_page(client, PAGE.format("leukemia", "does-it-work"))
    takeaways = works.find("h2", id="takeaways").parent
    assert [item.text for item in takeaways.find_all("li")] == [
        "No trial in leukemia.",
        "Ask your hematologist.",
    ]


def test_a_research_update_cites_its_sources_visibly_and_in_its_structured_data(
    client, edit, publish
):
    update = ResearchUpdate.objects.get(slug="low-dose-ketamine-infusions-for-chronic-pain")
    url = reverse("pages:research", args=[update.slug])
    assert "No published study or official document" in get_page(client, url).main.text
    ResearchReference.objects.create(
        update=update,
        pmid="31578302",
        authors="Doe J, Roe R",
        title="A recorded test study",
        journal="Test Journal",
        year=2024,
        study_design=StudyDesign.OBSERVATIONAL,
        participants=1034,
    )
    edit(update)
    publish(update)

    page = get_page(client, url)
    sources = page.find("h2", id="sources").parent
    text = " ".join(sources.text.split())
    assert "Doe J, Roe R A recorded test study" in text
    assert "Test Journal, 2024. Observational study, 1034 participants." in text
    assert ("https://pubmed.ncbi.nlm.nih.gov/31578302/", "PubMed 31578302") in sources.links()
    (data,) = page.json_ld_of_type("MedicalWebPage")
    assert data["citation"][0]["name"] == "A recorded test study"
    assert data["citation"][0]["author"] == "Doe J, Roe R"
