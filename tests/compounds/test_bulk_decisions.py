"""Bulk decisions at the size an advisor selects: the confirmation page posts one token
naming what it showed (compounds/review/shown.py), not two fields an object, so no
selection reaches Django's limit on form fields; an approval larger than a page is
confirmed a page at a time, each on the text it showed; the page's queries do not grow
with its rows."""

import contextlib
import datetime
import math
import re
from unittest import mock

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from compounds.admin_plumbing import CappedPaginator
from compounds.models import EvidenceSummary, ReviewState, ShownDecision
from compounds.review import shown, workflow
from compounds.review.admin import ReviewAdmin
from insightswarm.admin import InsightSwarmAdminSite
from pages.reading import Reading
from tests.admin_forms import form_data, submit
from tests.factories import (
    approve_as,
    make_compound,
    make_condition,
    make_user,
    save_edit,
    shown_by,
    summary_values,
)

pytestmark = pytest.mark.django_db

APPROVE = "Approve and publish"
# The factories' summaries cite no study for their grade: the advisor confirms it.
CONFIRMED = "Grades confirmed by the advisor for this test."


@pytest.fixture
def editor():
    return make_user("erin", "Editor", first_name="Erin", last_name="Tester")


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True)


@contextlib.contextmanager
def text_not_rendered():
    """Without rendering each object's public pages (about 20 ms and the pages' own
    queries a summary, bounded by the page: tests/pages/test_reading.py): what is left
    is the confirmation's and the decision's own work."""
    with mock.patch.object(InsightSwarmAdminSite, "what_patients_read", return_value=Reading([])):
        yield


def in_review(editor, count):
    """`count` summaries of live compounds and conditions (a few of each, so that no
    summary takes a new compound or condition along), each last edited by the editor,
    all in review."""
    approver = make_user(f"approver{count}", "Medical Advisor", byline=True)
    conditions = [approve_as(make_condition(), editor, approver) for _ in range(min(count, 30))]
    compounds = [
        approve_as(make_compound(), editor, approver)
        for _ in range(math.ceil(count / len(conditions)))
    ]
    now = timezone.now()
    summaries = EvidenceSummary.objects.bulk_create(
        EvidenceSummary(
            **summary_values(compound=compound, condition=condition),
            revision=1,
            last_edited_by=editor,
            last_edited_at=now,
            editors_since_approval=[editor.pk],
        )
        for compound in compounds
        for condition in conditions
    )[:count]
    EvidenceSummary.objects.exclude(pk__in=[s.pk for s in summaries]).delete()
    workflow.submit_many(summaries, editor)
    return summaries


def select_all(client, action="approve"):
    """Tick the rows of the list's first page, then "Select all" of the list, choose the
    action and press Run, as the browser does: the confirmation page it answers."""
    page = client.get(reverse("admin:compounds_evidencesummary_changelist"))
    rows = re.findall(r'name="_selected_action" value="([0-9]+)"', page.content.decode())
    return submit(client, page, "Run", action=action, _selected_action=rows, select_across="1")


def approved(summaries):
    return EvidenceSummary.objects.filter(
        pk__in=[s.pk for s in summaries], review_state=ReviewState.APPROVED
    ).count()


def test_approving_1200_selected_summaries_posts_few_fields_a_page_and_publishes_them_all(
    client, editor, advisor, settings, monkeypatch
):
    # The admin lets an advisor select the whole list up to its cap: here past 1,000.
    monkeypatch.setattr(CappedPaginator, "cap", 2000)
    summaries = in_review(editor, 1200)
    client.force_login(advisor)
    with text_not_rendered():
        page = select_all(client)
        pages = 0
        while page.status_code == 200 and APPROVE in page.content.decode():
            data = form_data(page, APPROVE, comment=CONFIRMED)
            # Each confirmation posts a handful of fields, however many it lists.
            assert sum(map(len, data.values())) < 10
            assert sum(map(len, data.values())) < settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
            pages += 1
            page = submit(client, page, APPROVE, comment=CONFIRMED)
    assert page.status_code == 302
    assert pages == math.ceil(1200 / ReviewAdmin.APPROVAL_PAGE)
    assert approved(summaries) == 1200


def test_a_selection_larger_than_a_page_is_approved_a_page_at_a_time_on_the_text_shown(
    client, editor, advisor, monkeypatch
):
    monkeypatch.setattr(ReviewAdmin, "APPROVAL_PAGE", 3)
    summaries = in_review(editor, 5)
    client.force_login(advisor)
    first = select_all(client)
    text = first.content.decode()
    # The text patients will read of each shown: three of them, and the two to follow.
    assert text.count('<details class="decision-reading">') == 3
    assert "The other 2 you selected are shown next" in text
    seen = shown_by(first, APPROVE, advisor, EvidenceSummary)
    assert len(seen.texts) == 3 and len(seen.rest) == 2

    second = submit(client, first, APPROVE, comment=CONFIRMED)
    assert approved(summaries) == 3
    assert second.content.decode().count('<details class="decision-reading">') == 2
    # The comment typed is kept for the next page.
    assert form_data(second, APPROVE)["comment"] == [CONFIRMED]
    done = submit(client, second, APPROVE)
    assert done.status_code == 302
    assert approved(summaries) == 5


def test_a_summary_edited_after_its_page_was_shown_is_refused_and_shown_again(
    client, editor, advisor
):
    summaries = in_review(editor, 4)
    client.force_login(advisor)
    confirmation = select_all(client)
    edited = save_edit(summaries[1], editor, human_evidence="Three randomized trials.")
    workflow.submit(edited, editor)

    again = submit(client, confirmation, APPROVE, comment=CONFIRMED)

    assert approved(summaries) == 3
    assert EvidenceSummary.objects.get(pk=edited.pk).review_state == ReviewState.IN_REVIEW
    assert "Erin Tester changed" in again.content.decode()
    seen = shown_by(again, APPROVE, advisor, EvidenceSummary)
    assert seen.revisions == {("evidencesummary", edited.pk): edited.revision}


def test_a_summary_whose_text_moved_after_its_page_was_shown_is_refused(client, editor, advisor):
    """The text patients read of a summary changes with its compound's live name: a
    compound approved again under another name after the page was shown moves it."""
    (summary,) = in_review(editor, 1)
    client.force_login(advisor)
    confirmation = select_all(client)
    compound = save_edit(summary.compound, editor, name="Renamed compound")
    approve_as(compound, editor, make_user("other", "Medical Advisor", byline=True))

    again = submit(client, confirmation, APPROVE, comment=CONFIRMED)

    assert EvidenceSummary.objects.get(pk=summary.pk).review_state == ReviewState.IN_REVIEW
    assert "what patients would read changed after you were shown it" in again.content.decode()


def test_a_confirmation_is_refused_to_another_advisor_and_once_it_expired(
    client, editor, advisor, monkeypatch
):
    summaries = in_review(editor, 2)
    client.force_login(advisor)
    confirmation = select_all(client)
    other = make_user("bea", "Medical Advisor", byline=True)

    client.force_login(other)
    refused = submit(client, confirmation, APPROVE, comment=CONFIRMED)
    assert refused.status_code == 302
    assert approved(summaries) == 0

    client.force_login(advisor)
    with monkeypatch.context() as later:
        later.setattr(shown, "KEPT", datetime.timedelta(0))
        expired = submit(client, confirmation, APPROVE, comment=CONFIRMED)
    assert expired.status_code == 302
    assert approved(summaries) == 0
    messages = [str(m) for m in expired.wsgi_request._messages]
    assert any("Select the evidence summaries again" in m for m in messages)

    assert submit(client, confirmation, APPROVE, comment=CONFIRMED).status_code == 302
    assert approved(summaries) == 2


def test_old_confirmation_records_are_deleted_as_new_ones_are_written(client, editor, advisor):
    in_review(editor, 1)
    client.force_login(advisor)
    select_all(client)
    ShownDecision.objects.update(created_at=timezone.now() - shown.KEPT - datetime.timedelta(1))
    select_all(client)
    assert ShownDecision.objects.count() == 1


def confirmation_queries(client, editor, advisor, count, action):
    summaries = in_review(editor, count)
    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries, text_not_rendered():
        page = select_all(client, action)
    assert page.status_code == 200
    button = APPROVE if action == "approve" else "Request changes"
    seen = shown_by(page, button, advisor, EvidenceSummary)
    # An approval shows a page of them, and names the rest to show next.
    assert sorted(seen.ids + seen.rest) == sorted(s.pk for s in summaries)
    EvidenceSummary.objects.all().delete()
    return len(queries)


@pytest.mark.parametrize("action", ["approve", "request_changes"])
def test_the_confirmation_pages_queries_do_not_grow_with_its_rows(client, editor, advisor, action):
    few = confirmation_queries(client, editor, advisor, 10, action)
    assert confirmation_queries(client, editor, advisor, 100, action) == few
