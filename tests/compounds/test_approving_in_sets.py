"""Approving many evidence summaries is set-based (workflow.approve_many): the summaries
that take nothing along are approved together, in a number of queries that does not
grow with their count, and the result is exactly what approving them one at a time
wrote: versions, history, published rows, citations, notices, publication changes,
emails and the public pages. A summary refused leaves the others approved; an error in
writing leaves the whole batch as it was."""

import pytest
from django.core import mail
from django.db import connection, transaction
from django.db.models import Max
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from compounds.evidence import Verdict
from compounds.models import (
    EvidenceSummary,
    PublicationChange,
    PublishedCitation,
    PublishedSummary,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    Version,
)
from compounds.models.notices import NoticeReview, StudyNotice
from compounds.review import publishing, workflow
from pages.reading import text_of
from pages.registry import page_types
from tests.admin_forms import submit
from tests.compounds.test_bulk_decisions import (
    APPROVE,
    CONFIRMED,
    approved,
    in_review,
    select_all,
    text_not_rendered,
)
from tests.factories import (
    PUBLIC_REASON,
    approve_as,
    make_compound,
    make_condition,
    make_reference,
    make_summary,
    make_user,
    save_edit,
    shown_by,
)

pytestmark = pytest.mark.django_db

# Crossref's test prefix: not a real study.
NOTICED_DOI = "10.5555/approved-in-sets-notice"


@pytest.fixture
def editor():
    return make_user(
        "erin", "Editor", first_name="Erin", last_name="Tester", email="erin@example.org"
    )


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True)


def varied(editor, advisor):
    """Summaries in review of every kind a bulk approval meets: new ones citing studies
    (one a study with a notice an advisor is checking), one approved before whose verdict
    changes (a public reason, a change log of two entries), one whose compound was
    withdrawn (approved, not published), and one taking its new compound along (approved
    alone, as before)."""
    other = make_user("bea", "Medical Advisor", byline=True)
    conditions = [approve_as(make_condition(), editor, other) for _ in range(2)]
    compounds = [approve_as(make_compound(), editor, other) for _ in range(3)]
    summaries = [
        make_summary(compound=compound, condition=condition)
        for compound in compounds
        for condition in conditions
    ]
    for summary in summaries[:3]:
        make_reference(summary)
    make_reference(summaries[1], pmid="", doi=NOTICED_DOI, title="A trial with a notice")
    notice = StudyNotice.objects.create(
        identifier_kind="doi",
        identifier=NOTICED_DOI,
        kind=StudyNotice.Kind.CORRECTION,
        link=f"https://doi.org/{NOTICED_DOI}",
        source="Crossref",
    )
    NoticeReview.objects.create(notice=notice, summary=summaries[1])
    changed = approve_as(summaries[3], editor, other)
    changed = save_edit(changed, editor, verdict=Verdict.INSUFFICIENT)
    withdrawn = compounds[2]
    workflow.withdraw(withdrawn, other, comment="Withdrawn for this test.")
    summaries.append(make_summary(condition=conditions[0]))
    for summary in summaries:
        save_edit(summary, editor)
        workflow.submit(summary, editor)
    return list(EvidenceSummary.objects.filter(pk__in=[s.pk for s in summaries]).order_by("pk"))


def outcome(summaries, approve):
    """Everything an approval of summaries wrote and sent, in words that do not depend on
    row ids or the moment: run inside a transaction rolled back after, so that each way of
    approving starts from the same data."""
    ids = [s.pk for s in summaries]
    last_change = PublicationChange.objects.aggregate(last=Max("pk"))["last"] or 0
    mail.outbox.clear()
    numbers = {}
    with transaction.atomic():
        from django.test import TestCase

        with TestCase.captureOnCommitCallbacks(execute=True):
            outcomes = approve()
        versions = Version.objects.of_model(EvidenceSummary).filter(object_id__in=ids)
        numbers = dict(versions.values_list("pk", "number"))
        found = {
            "outcomes": (
                [s.pk for s in outcomes.done],
                [(o.pk, str(e)) for o, e in outcomes.refused],
            ),
            "summaries": list(
                EvidenceSummary.objects.filter(pk__in=ids)
                .order_by("pk")
                .values_list("pk", "review_state", "live_version__number", "editors_since_approval")
            ),
            "versions": [
                (*row[:-1], row[-1].date())
                for row in versions.order_by("object_id", "number").values_list(
                    "object_id",
                    "number",
                    "data",
                    "approved_by",
                    "reviewer_name",
                    "reviewer_credentials",
                    "reviewer",
                    "next_review_due",
                    "public_reason",
                    "change_log",
                    "approved_at",
                )
            ],
            "events": [
                (*row[:-1], numbers.get(row[-1]))
                for row in ReviewEvent.objects.of_model(EvidenceSummary)
                .filter(object_id__in=ids, action=ReviewAction.APPROVE)
                .order_by("object_id", "pk")
                .values_list(
                    "object_id",
                    "object_repr",
                    "from_state",
                    "to_state",
                    "user",
                    "comment",
                    "version",
                )
            ],
            "published": [
                {k: v for k, v in row.items() if k != "approved_at"}
                for row in PublishedSummary.objects.filter(pk__in=ids).order_by("pk").values()
            ],
            "citations": sorted(
                PublishedCitation.objects.filter(summary_id__in=ids).values_list(
                    "summary_id", "identifier_kind", "identifier"
                )
            ),
            "notice_reviews": [
                (*row[:-2], numbers.get(row[-2]), row[-1] is not None)
                for row in NoticeReview.objects.filter(summary_id__in=ids).values_list(
                    "summary_id", "decision", "decided_by", "version", "decided_at"
                )
            ],
            "changes": list(
                PublicationChange.objects.filter(pk__gt=last_change)
                .order_by("pk")
                .values_list("model", "object_id", "before", "after")
            ),
            "emails": [(m.subject, m.to, m.body) for m in mail.outbox],
            "pages": pages_of(summaries),
        }
        transaction.set_rollback(True)
    return found


def pages_of(summaries):
    from django.test import Client

    client, texts = Client(), {}
    for summary in summaries:
        for kind in page_types():
            address = reverse(
                "pages:review",
                args=[summary.compound.slug, summary.condition.slug, kind.slug],
            )
            response = client.get(address)
            texts[address] = (response.status_code, text_of(response.content.decode()))
    return texts


def one_at_a_time(summaries, advisor, comment, reasons):
    """How approve_many approved before it was set-based: approve() each in turn."""
    outcomes = workflow.Outcomes()
    for summary in summaries:
        try:
            outcomes.done.append(
                workflow.approve(
                    summary,
                    advisor,
                    comment=comment,
                    public_reason=reasons.get(workflow.revision_key(summary), ""),
                    seen_revision=summary.revision,
                    companions_seen={
                        workflow.revision_key(part): part.revision
                        for part in workflow.companions(summary)
                    },
                )
            )
        except workflow.ReviewError as error:
            outcomes.refused.append((getattr(error, "current", summary), error))
    return outcomes


def test_approving_in_sets_writes_exactly_what_approving_one_at_a_time_wrote(editor, advisor):
    summaries = varied(editor, advisor)
    reasons = {workflow.revision_key(summaries[3]): PUBLIC_REASON}
    seen = {workflow.revision_key(s): s.revision for s in summaries}
    companions = {
        workflow.revision_key(part): part.revision
        for s in summaries
        for part in workflow.companions(s)
    }

    before = outcome(summaries, lambda: one_at_a_time(summaries, advisor, CONFIRMED, reasons))
    after = outcome(
        summaries,
        lambda: workflow.approve_many(
            summaries,
            advisor,
            comment=CONFIRMED,
            public_reasons=reasons,
            seen=seen,
            companions_seen=companions,
        ),
    )

    # What is compared is there: all approved, a change log with the reason, a notice
    # decided, a summary approved but not published, pages and emails.
    assert len(before["outcomes"][0]) == len(summaries)
    assert any(entry[9][0]["reason"] == PUBLIC_REASON for entry in before["versions"])
    assert before["notice_reviews"][0][1] == NoticeReview.Decision.NEW_VERSION
    assert len(before["published"]) == len(summaries) - 2
    assert before["emails"] and before["pages"] and before["citations"]
    for part in before:
        assert after[part] == before[part], part


def test_a_summary_without_a_reason_for_its_change_is_refused_in_a_set_as_alone(editor, advisor):
    summaries = varied(editor, advisor)
    seen = {workflow.revision_key(s): s.revision for s in summaries}
    companions = {
        workflow.revision_key(part): part.revision
        for s in summaries
        for part in workflow.companions(s)
    }
    before = outcome(summaries, lambda: one_at_a_time(summaries, advisor, "", {}))
    after = outcome(
        summaries,
        lambda: workflow.approve_many(summaries, advisor, seen=seen, companions_seen=companions),
    )
    # Without a comment the ungraded ones are refused too; without a reason, the change.
    assert before["outcomes"][1]
    assert after == before


def decision_queries(client, editor, advisor, count):
    summaries = in_review(editor, count)
    client.force_login(advisor)
    with text_not_rendered():
        confirmation = select_all(client)
        with CaptureQueriesContext(connection) as queries:
            done = submit(client, confirmation, APPROVE, comment=CONFIRMED)
    assert done.status_code == 302
    assert approved(summaries) == count
    EvidenceSummary.objects.all().delete()
    return len(queries)


def test_approving_50_summaries_asks_as_many_queries_as_approving_5(client, editor, advisor):
    few = decision_queries(client, editor, advisor, 5)
    assert decision_queries(client, editor, advisor, 50) == few


def test_a_summary_edited_since_shown_is_shown_again_and_the_others_in_its_set_approved(
    client, editor, advisor
):
    summaries = in_review(editor, 6)
    client.force_login(advisor)
    confirmation = select_all(client)
    edited = save_edit(summaries[3], editor, human_evidence="Three randomized trials.")
    workflow.submit(edited, editor)

    again = submit(client, confirmation, APPROVE, comment=CONFIRMED)

    assert approved(summaries) == 5
    assert EvidenceSummary.objects.get(pk=edited.pk).review_state == ReviewState.IN_REVIEW
    assert not Version.objects.of(edited).exists()
    assert not PublishedSummary.objects.filter(pk=edited.pk).exists()
    assert "Erin Tester changed" in again.content.decode()
    seen = shown_by(again, APPROVE, advisor, EvidenceSummary)
    assert seen.revisions == {("evidencesummary", edited.pk): edited.revision}


def test_a_failure_in_writing_the_published_rows_changes_nothing_for_the_set(
    client, editor, advisor, monkeypatch
):
    summaries = in_review(editor, 5)
    client.force_login(advisor)
    confirmation = select_all(client)
    events = ReviewEvent.objects.count()

    made = publishing._summary_row

    def third_fails(*args, **kwargs):
        # The third summary's published row cannot be written.
        third_fails.calls += 1
        if third_fails.calls == 3:
            raise RuntimeError("the published row could not be written")
        return made(*args, **kwargs)

    third_fails.calls = 0
    monkeypatch.setattr(publishing, "_summary_row", third_fails)
    client.raise_request_exception = True
    with pytest.raises(RuntimeError):
        submit(client, confirmation, APPROVE, comment=CONFIRMED)

    assert approved(summaries) == 0
    assert EvidenceSummary.objects.filter(review_state=ReviewState.IN_REVIEW).count() == 5
    assert not Version.objects.of_model(EvidenceSummary).exists()
    assert ReviewEvent.objects.count() == events
    assert not PublishedSummary.objects.exists()


def test_a_summary_named_twice_is_approved_once_and_then_refused_as_alone(editor, advisor):
    summaries = in_review(editor, 2)
    twice = [summaries[0], summaries[1], summaries[0]]
    seen = {workflow.revision_key(s): s.revision for s in summaries}
    before = outcome(summaries, lambda: one_at_a_time(twice, advisor, CONFIRMED, {}))
    after = outcome(
        summaries,
        lambda: workflow.approve_many(
            twice, advisor, comment=CONFIRMED, seen=seen, companions_seen={}
        ),
    )
    assert before["outcomes"][1][0][0] == summaries[0].pk
    assert "not in review" in before["outcomes"][1][0][1]
    assert after == before
