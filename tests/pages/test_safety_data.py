"""What patients ask about safety, as rows an advisor approves: entered in the admin,
shown by name on the pages of the pair, and cited where research updates report it."""

import pytest
from django.urls import reverse

from compounds.evidence import StudyDesign
from compounds.models import EvidenceSummary, ResearchReference, ResearchUpdate, SafetyFinding
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

LABEL = "https://example.org/label.pdf"
PAGE = "/compounds/ketamine/{}/{}/"


def _sourced(**fields):
    return {"source": "Test label, section 5", "source_url": LABEL, **fields}


SPRAVATO_LABEL = (
    "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=d81a6a79-a74a-44b7-822c-0dfa3036eaed"
)
KETALAR_LABEL = (
    "https://dailymed.nlm.nih.gov/dailymed/drugInfo.cfm?setid=46dab560-8ecd-4d92-8c92-6baa2310b09b"
)


def _item(page, heading):
    """The list item a row's h3 heads."""
    (item,) = [h3.parent for h3 in page.find_all("h3") if h3.text.strip() == heading]
    return item


def test_the_interactions_page_of_ketamine_names_each_drug_with_severity_and_source(client):
    page = get_page(client, PAGE.format("leukemia", "interactions"))
    item = _item(page, "Theophylline or aminophylline")
    text = " ".join(item.text.split())
    # The grade alone on the row: what to do is the label's, not the grade's.
    assert "Severity Major What happens" in text
    assert "What happens Taken with IV ketamine, they may make a seizure more likely." in text
    assert "What to do The label says not to give them together with IV ketamine." in text
    assert (KETALAR_LABEL, "KETALAR (ketamine) US prescribing information, section 7") in (
        item.links()
    )
    maois = " ".join(_item(page, "Monoamine oxidase inhibitors (MAOIs)").text.split())
    assert "Severity Moderate What happens" in maois
    assert "lists no specific drug interaction" not in page.main.text


def test_the_interactions_page_states_the_severity_scale_with_its_definitions(client):
    page = get_page(client, PAGE.format("leukemia", "interactions"))
    scale = page.find("dl", class_="severity-scale")
    assert [" ".join(d.text.split()) for d in scale.find_all("div")] == [
        "Major Can cause serious or life-threatening harm.",
        "Moderate Can cause effects that need close monitoring or a dose change.",
        "Minor Little effect is expected.",
    ]
    text = " ".join(page.main.text.split())
    assert "Severity is our advisors' grade of the risk, on this scale." in text


def test_sedatives_with_ketamine_read_as_the_labels_monitoring_never_as_avoid(client):
    # Benzodiazepines and opioids are given with ketamine under supervision: the labels
    # warn of sedation and slowed breathing and ask for monitoring (issue 19).
    page = get_page(client, PAGE.format("leukemia", "interactions"))
    text = " ".join(page.main.text.split())
    assert "avoid" not in text.lower()
    with_iv = " ".join(
        _item(
            page,
            "Benzodiazepines, opioid painkillers and other nervous-system depressants "
            "(with IV ketamine)",
        ).text.split()
    )
    assert "slowed breathing (respiratory depression)" in with_iv
    assert "vital signs be watched the whole time IV ketamine is given" in with_iv
    with_spray = " ".join(_item(page, "Nervous-system depressants (with esketamine)").text.split())
    assert "The label asks that sedation be watched closely" in with_spray


def test_the_interactions_pages_say_nothing_in_them_is_specific_to_the_condition(client):
    # Leukemia and stage IV cancer read alike but for their names where the data say
    # nothing of either: each says so, and each describes its own standard treatment.
    texts = {
        condition: " ".join(
            get_page(client, PAGE.format(condition, "interactions")).main.text.split()
        )
        for condition in ("leukemia", "stage-iv-cancer")
    }
    for condition, name in (("leukemia", "Leukemia"), ("stage-iv-cancer", "Stage IV Cancer")):
        assert (
            f"This review has no information on interactions with {name} treatment in particular."
            in texts[condition]
        )
    assert "depends on the type of leukemia" in texts["leukemia"]
    assert "depends on the type of cancer and where it has spread" in texts["stage-iv-cancer"]


def test_the_safety_page_lists_monitoring_contraindications_and_cautions(client):
    page = get_page(client, PAGE.format("leukemia", "safety"))
    text = " ".join(page.main.text.split())
    monitoring = " ".join(_item(page, "Blood pressure (esketamine)").text.split())
    assert "When After each treatment session" in monitoring
    assert "For how long Until any rise in blood pressure has resolved" in monitoring
    assert "Contraindications: when Ketamine (IV / Esketamine) must not be used" in text
    assert "if you have ever had bleeding in the brain (intracerebral hemorrhage)" in text
    assert "Cautions in the approved information on Ketamine (IV / Esketamine)" in text
    assert "The approved information on Ketamine (IV / Esketamine) sets out this monitoring" in text
    # The FAQ answer gives each row a sentence of its own.
    assert "Blood pressure (esketamine): After each treatment session." in text
    assert "has no monitoring information" not in text
    assert (SPRAVATO_LABEL, "SPRAVATO (esketamine) US prescribing information, boxed warning") in (
        page.main.links()
    )


def test_a_compound_without_the_rows_says_so_in_one_honest_sentence(client, make_live_compound):
    make_live_compound(
        "zorbanol", "Zorbanol", conditions=[("leukemia", "preclinical", "insufficient", "direct")]
    )
    safety = " ".join(get_page(client, "/compounds/zorbanol/leukemia/safety/").main.text.split())
    assert "This review has no monitoring information for Zorbanol yet" in safety
    assert "lists no contraindication or caution of Zorbanol yet" in safety
    interactions = get_page(client, "/compounds/zorbanol/leukemia/interactions/").main.text
    assert "lists no specific drug interaction of Zorbanol yet" in interactions


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
