"""A change of verdict in Chromium: the advisor gives patients the reason as they approve
it, and the pair's pages list the change under "What changed"."""

import pytest

from compounds.models import EvidenceSummary
from tests.e2e.test_review_workflow import Browsing
from tests.factories import CHECKS_NOTED, make_user

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PUBLIC_PAGE = "/compounds/ketamine/chronic-pain/does-it-work/"
REASON = "The one study so far had no comparison group"


def test_a_verdict_change_is_approved_with_its_reason_and_listed_on_the_page(site, browser):
    summary = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="chronic-pain")
    make_user("eve", "Editor")
    make_user("amara", "Medical Advisor", byline=True, first_name="Amara", last_name="Okafor")
    errors = []
    reader = Browsing(browser, site, errors)
    assert "First published." in reader.text(PUBLIC_PAGE)

    editor = Browsing(browser, site, errors, "eve")
    editor.open(f"/admin/compounds/evidencesummary/{summary.pk}/change/")
    editor.page.select_option("#id_verdict", "insufficient")
    editor.submit("input[name=_save_submit]")
    assert "was saved and submitted for review" in editor.text()

    advisor = Browsing(browser, site, errors, "amara")
    advisor.open(f"/admin/compounds/evidencesummary/{summary.pk}/review/")
    # What patients will read: the entry the approval adds, its reason still to come.
    assert "Reason: (the reason you give when approving)." in advisor.read()
    reason = advisor.page.locator(f"#id_public_reason_{summary.pk}")
    advisor.page.fill("#approval-comment", CHECKS_NOTED)
    # The browser does not send the approval without the reason.
    advisor.page.click("input[type=submit][value=Approve]")
    assert reason.evaluate("field => field.matches(':invalid')")
    assert "/review/" in advisor.page.url
    reason.fill(REASON)
    advisor.submit("input[type=submit][value=Approve]")
    assert "is live: patients now read this version" in advisor.text()

    page = reader.text(PUBLIC_PAGE)
    assert (
        "Verdict changed from “Promising but not proven” to “Insufficient evidence”. "
        f"Reason: {REASON}. Approved by Amara Okafor, MD." in page
    )
    assert errors == []
