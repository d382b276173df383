"""A bulk approval in Chromium, as an advisor clicks through it: the whole list selected,
the confirmation a page at a time with the text patients will read, each page approved
on what it showed, and the public pages changed."""

import pytest

from compounds.models import EvidenceSummary, ReviewState
from compounds.review import workflow
from compounds.review.admin import ReviewAdmin
from tests.e2e.test_review_workflow import Browsing
from tests.factories import CHECKS_NOTED, make_user, save_edit

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

EDIT = "Rewritten for the bulk approval: two randomized trials, both small."


def test_an_advisor_approves_the_whole_list_a_page_at_a_time(site, browser, monkeypatch):
    # Pages of two, so that five summaries take three pages.
    monkeypatch.setattr(ReviewAdmin, "APPROVAL_PAGE", 2)
    editor = make_user("eve", "Editor")
    chosen = list(EvidenceSummary.objects.order_by("pk")[:5])
    for summary in chosen:
        workflow.submit(save_edit(summary, editor, human_evidence=EDIT), editor)
    errors = []
    advisor = Browsing(browser, site, errors, "seed-advisor")
    advisor.open("/admin/compounds/evidencesummary/?review_state__exact=in_review")
    advisor.page.check("#action-toggle")
    advisor.page.select_option("select[name=action]", "approve")
    advisor.submit("button[name=index]")

    pages = 0
    while advisor.page.locator("input[type=submit][value='Approve and publish']").count():
        text = advisor.read()
        shown = advisor.page.locator("ul.decision-objects > li").count()
        assert shown == (2 if pages < 2 else 1)
        if pages < 2:
            assert f"The other {3 - 2 * pages} you selected are shown next" in text
        # What patients will read of each is on the page, folded.
        assert advisor.page.locator("details.decision-reading").count() == shown
        comment = advisor.page.locator("textarea[name=comment]")
        if comment.count() and not comment.input_value():
            comment.fill(CHECKS_NOTED)
        advisor.submit("input[type=submit][value='Approve and publish']")
        pages += 1

    assert pages == 3
    assert "approved" in advisor.read().lower()
    states = EvidenceSummary.objects.filter(pk__in=[s.pk for s in chosen])
    assert set(states.values_list("review_state", flat=True)) == {ReviewState.APPROVED}
    reader = Browsing(browser, site, errors)
    first = chosen[0]
    public = reader.read(f"/compounds/{first.compound.slug}/{first.condition.slug}/does-it-work/")
    assert EDIT in public
    assert errors == []
