"""The reference lookup in Chromium: an editor fills a new reference from its PMID.

The sources answer from recordings (tests/sources.py): the live server runs in this
process, so the recorded urlopen serves its lookups too.
"""

import pytest

from tests.factories import make_summary, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUTTON = "Fill in from PubMed / Crossref / ClinicalTrials.gov"


@pytest.fixture
def summary_form(live_server, browser):
    """The change form of an evidence summary, open in Chromium as an editor, with the
    console's errors (a refused script or style is one) collected."""
    summary = make_summary()
    editor = make_user("erin", "Editor")
    editor.set_password("pw-for-the-browser")
    editor.save()
    page = browser.new_page()
    page.errors = []
    # The admin asks for a /favicon.ico the site does not have: that 404 is not ours.
    page.on(
        "console",
        lambda message: (
            message.type == "error"
            and "404" not in message.text
            and page.errors.append(message.text)
        ),
    )
    page.goto(f"{live_server.url}/admin/login/")
    page.fill("#id_username", "erin")
    page.fill("#id_password", "pw-for-the-browser")
    page.click("input[type=submit]")
    page.goto(f"{live_server.url}/admin/compounds/evidencesummary/{summary.pk}/change/")
    return page


def test_editor_fills_empty_fields_from_pubmed_after_confirming(summary_form, sources):
    page = summary_form
    page.get_by_role("button", name="Add another Reference").click()
    form = page.locator("#references-0")
    form.locator("[name=references-0-pmid]").fill("999999901")
    form.locator("[name=references-0-journal]").fill("Typed by the editor")
    sources.answer("pubmed_esummary.json")

    form.get_by_role("button", name=BUTTON).click()

    proposal = form.locator(".reference-lookup-proposal")
    proposal.get_by_text("Recorded test record: a randomized trial of a test compound").wait_for()
    assert "Rec Test J (kept as you typed it)" in proposal.inner_text()
    assert form.locator("[name=references-0-title]").input_value() == ""
    proposal.get_by_role("button", name="Fill in 4 empty fields").click()

    assert form.locator("[name=references-0-title]").input_value() == (
        "Recorded test record: a randomized trial of a test compound"
    )
    assert form.locator("[name=references-0-journal]").input_value() == "Typed by the editor"
    assert form.locator("[name=references-0-authors]").input_value() == "Example A, Sample B"
    assert form.locator("[name=references-0-year]").input_value() == "2019"
    assert form.locator("[name=references-0-study_design]").input_value() == "rct"
    # No record says whether the study was of this pair's condition: the editor says so.
    assert not form.locator("[name=references-0-studied_condition]").is_checked()
    assert form.get_by_role("status").inner_text() == (
        "Filled in from PubMed: authors, title, year, study design. Check them before you save."
    )
    assert page.errors == []


def test_a_failed_lookup_says_why_and_leaves_the_fields(summary_form, sources):
    page = summary_form
    page.get_by_role("button", name="Add another Reference").click()
    form = page.locator("#references-0")
    form.locator("[name=references-0-pmid]").fill("999999902")
    sources.answer("pubmed_esummary_missing.json")

    form.get_by_role("button", name=BUTTON).click()

    status = form.get_by_role("status")
    status.get_by_text("No PubMed record for PMID 999999902.").wait_for()
    assert form.locator("[name=references-0-title]").input_value() == ""
    assert form.locator(".reference-lookup-proposal").count() == 0
    assert page.errors == []
