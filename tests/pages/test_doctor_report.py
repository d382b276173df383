"""The report to take to the doctor (pages/doctor_report.py): the reader's choice in the
address, the content only what advisors approved, nothing kept, nothing indexed."""

import pytest
import weasyprint

from compounds.models import EvidenceSummary
from tests.factories import make_compound
from tests.pages.markup import get_page

pytestmark = pytest.mark.usefixtures("live_seed")

REPORT = "/report-for-your-doctor/"
LEUKEMIA_AND_TRD = (
    f"{REPORT}?compound=ketamine&condition=leukemia&condition=treatment-resistant-depression"
)


def _text(page):
    return " ".join(page.main.text.split())


def test_the_report_holds_each_chosen_pairs_approved_verdict_grade_and_takeaways(client):
    page = get_page(client, LEUKEMIA_AND_TRD)
    text = _text(page)
    for condition in ("leukemia", "treatment-resistant-depression"):
        summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)
        live = summary.live_version.data
        assert f"Ketamine (IV / Esketamine) for {summary.condition.name}" in text
        assert summary.get_verdict_display() in text
        for line in [line for line in live["key_takeaways"].splitlines() if line.strip()]:
            assert line.strip() in text
    assert "Questions to ask" in text
    assert "Reviewed by Nikhil Joshi, MD, FRCPC" in text


def test_the_report_says_an_uncited_grade_is_the_advisors(client):
    text = _text(get_page(client, LEUKEMIA_AND_TRD))
    assert "as our advisors graded it; the studies behind this grade are not yet cited" in text


def test_a_draft_edit_never_reaches_the_report(client, edit):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    edit(summary, key_takeaways="An unapproved takeaway.\nAnother one.")
    assert "An unapproved takeaway" not in _text(get_page(client, LEUKEMIA_AND_TRD))


def test_a_compound_never_approved_cannot_be_chosen(client):
    make_compound(name="Unreviewed compound", slug="unreviewed")
    text = _text(get_page(client, f"{REPORT}?compound=unreviewed&add_compound=Unreviewed compound"))
    assert "We have no published review of a compound named “Unreviewed compound”" in text
    assert "Your choice" not in text


def test_compounds_and_conditions_are_added_by_name_or_alias_and_removed_by_link(client):
    page = get_page(client, f"{REPORT}?add_compound=esketamine&add_condition=Leukemia")
    assert "Ketamine (IV / Esketamine) for Leukemia" in _text(page)
    removals = [href for href, label in page.main.links() if label.startswith("Remove")]
    assert removals == ["?condition=leukemia", "?compound=ketamine"]


def test_interactions_naming_another_chosen_compound_come_first(client):
    # Seed interactions name drugs and classes; a chosen compound is found by its name.
    from tests.factories import approve_as, make_summary, make_user

    editor, advisor = (
        make_user("erin2", "Editor"),
        make_user("ada2", "Medical Advisor", byline=True),
    )
    other = make_compound(name="Aminophylline", slug="aminophylline")
    approve_as(make_summary(compound=other), editor, advisor)
    text = _text(get_page(client, f"{REPORT}?compound=ketamine&compound=aminophylline"))
    among = text.split("With another medicine in this report:")[1]
    assert among.lstrip().startswith("Theophylline or aminophylline")


def test_the_report_is_not_indexed_and_not_cached(client):
    response = client.get(LEUKEMIA_AND_TRD)
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] or "max-age=0" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex, nofollow">' in response.content.decode()


def test_the_pdf_is_the_same_report(client):
    response = client.get(f"{LEUKEMIA_AND_TRD}&format=pdf")
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")
    assert response["X-Robots-Tag"] == "noindex, nofollow"


def test_the_pdf_fetches_nothing_a_page_links_to(client, monkeypatch):
    fetched = []
    real = weasyprint.urls.URLFetcher.fetch

    def spy(self, url, *args, **kwargs):
        fetched.append(url)
        return real(self, url, *args, **kwargs)

    monkeypatch.setattr(weasyprint.urls.URLFetcher, "fetch", spy)
    assert client.get(f"{LEUKEMIA_AND_TRD}&format=pdf").status_code == 200
    assert fetched == []


def test_an_empty_choice_asks_for_one_of_each(client):
    text = _text(get_page(client, REPORT))
    assert "Add a compound to see its monitoring and interactions" in text


@pytest.mark.parametrize(
    "query",
    [
        "?compound=%00",
        "?add_compound=%00ketamine",
        "?add_condition=a%00",
        "?compound=" + "x" * 5000,
    ],
)
def test_an_address_no_name_can_hold_gets_a_page_not_an_error(client, query):
    # A NUL character reached PostgreSQL and answered 500.
    response = client.get(REPORT + query)
    assert response.status_code == 200
    assert "Add a compound" in response.content.decode()
