"""A pair's change log ("What changed"): each approval of its summary writes an entry, in
plain words worked out from its versions, and an approval that changes the verdict or
the evidence level needs a one-line reason for patients, in the workflow and in the
admin's approval forms (compounds/review/change_log.py)."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse
from django.utils import timezone

from compounds.evidence import EvidenceLevel, Verdict
from compounds.models import EvidenceSummary, PublishedSummary, ReviewState, Version
from compounds.review import change_log, workflow
from tests.admin_forms import form_data, submit
from tests.factories import (
    confirming,
    make_reference,
    make_summary,
    make_user,
    save_edit,
)

pytestmark = pytest.mark.django_db

REASON = "A larger trial found no benefit."


@pytest.fixture
def people(db):
    return (
        make_user("erin", "Editor"),
        make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byron"),
    )


def _today():
    return timezone.localdate().isoformat()


def _approve(summary, advisor, **options):
    return workflow.approve(summary, advisor, comment=confirming(summary), **options)


def _live(people):
    editor, advisor = people
    summary = make_summary()
    make_reference(summary)
    workflow.submit(summary, editor)
    _approve(summary, advisor)
    return EvidenceSummary.objects.get(pk=summary.pk)


def _in_review(people, summary, **fields):
    editor, _ = people
    summary = save_edit(summary, editor, **fields)
    return workflow.submit(summary, editor)


def _log(summary):
    return PublishedSummary.objects.get(pk=summary.pk).change_log


def _versions(summary):
    return Version.objects.of(summary).order_by("number")


# The workflow ------------------------------------------------------------------------------


def test_the_first_approval_reads_first_published_and_needs_no_reason(people):
    summary = _live(people)
    assert _log(summary) == [
        {
            "date": _today(),
            "changes": ["First published."],
            "reason": "",
            "approved_by": "Ada Byron, MD",
        }
    ]


@pytest.mark.parametrize(
    "change, said",
    [
        (
            {"verdict": Verdict.INSUFFICIENT},
            "Verdict changed from “Promising but not proven” to “Insufficient evidence”.",
        ),
        (
            {"evidence_level": EvidenceLevel.LEVEL_4},
            "Evidence level changed from Level 2 to Level 4.",
        ),
    ],
    ids=["verdict", "evidence level"],
)
def test_a_change_of_verdict_or_level_is_refused_without_a_public_reason(people, change, said):
    _, advisor = people
    # Along with a text change, which needs no reason and is not what the refusal names.
    summary = _in_review(people, _live(people), human_evidence="Reworded.", **change)
    with pytest.raises(workflow.ReviewError) as refused:
        _approve(summary, advisor)
    assert str(refused.value) == (
        f"“{summary}”: {said} Approving it needs a one-line reason for patients, which its "
        "pages show with your name under “What changed”."
    )
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW
    assert _versions(summary).count() == 1
    assert _log(summary)[0]["changes"] == ["First published."]


def test_a_verdict_change_approved_with_a_reason_heads_the_log(people):
    _, advisor = people
    summary = _in_review(
        people,
        _live(people),
        verdict=Verdict.INSUFFICIENT,
        evidence_level=EvidenceLevel.LEVEL_4,
    )
    _approve(summary, advisor, public_reason=f"  {REASON}  ")
    newest, first = _log(summary)
    assert newest == {
        "date": _today(),
        "changes": [
            "Verdict changed from “Promising but not proven” to “Insufficient evidence”.",
            "Evidence level changed from Level 2 to Level 4.",
        ],
        "reason": REASON,
        "approved_by": "Ada Byron, MD",
    }
    assert first["changes"] == ["First published."]
    assert _versions(summary).last().public_reason == REASON


@pytest.mark.parametrize(
    "reason, refusal",
    [
        ("First line.\nSecond line.", "remove the line break"),
        ("x" * (change_log.REASON_LENGTH + 1), "at most 200 characters"),
    ],
    ids=["two lines", "too long"],
)
def test_a_public_reason_is_one_line_of_at_most_200_characters(people, reason, refusal):
    _, advisor = people
    summary = _in_review(people, _live(people), verdict=Verdict.INSUFFICIENT)
    with pytest.raises(workflow.ReviewError, match=refusal):
        _approve(summary, advisor, public_reason=reason)
    assert _versions(summary).count() == 1


def test_a_text_change_approves_without_a_reason_and_reads_text_revised(people):
    _, advisor = people
    summary = _in_review(people, _live(people), human_evidence="One trial, since withdrawn.")
    assert workflow.public_reason_to_give(summary) is None
    _approve(summary, advisor)
    assert _log(summary)[0]["changes"] == ["Text revised: human evidence."]
    assert _log(summary)[0]["reason"] == ""


def test_line_breaks_a_form_posts_as_cr_lf_are_no_change():
    before = {"key_takeaways": "It has been studied.\nAsk your doctor.", "references": []}
    after = {"key_takeaways": "It has been studied.\r\nAsk your doctor. ", "references": []}
    assert change_log.what_changed(before, after) == ["Reviewed again; the content did not change."]
    after["key_takeaways"] = "It has been studied.\r\nAsk your specialist."
    assert change_log.what_changed(before, after) == ["Text revised: key takeaways."]


def test_references_added_and_removed_are_counted(people):
    _, advisor = people
    summary = _live(people)
    summary.references.all().delete()
    make_reference(summary, pmid="11111111")
    make_reference(summary, pmid="22222222")
    summary = _in_review(people, summary)
    _approve(summary, advisor)
    assert _log(summary)[0]["changes"] == ["References added: 2.", "References removed: 1."]


def test_approving_many_takes_each_objects_own_reason(people):
    _, advisor = people
    given = _in_review(people, _live(people), verdict=Verdict.INSUFFICIENT)
    missing = _in_review(people, _live(people), verdict=Verdict.CONFLICTING)
    outcomes = workflow.approve_many(
        [given, missing],
        advisor,
        comment=confirming(given) or confirming(missing),
        public_reasons={workflow.revision_key(given): REASON},
    )
    assert [obj.pk for obj in outcomes.done] == [given.pk]
    assert [obj.pk for obj, _ in outcomes.refused] == [missing.pk]
    assert _log(given)[0]["reason"] == REASON


def test_withdrawal_and_reapproval_keep_the_log(people):
    editor, advisor = people
    summary = _in_review(people, _live(people), verdict=Verdict.INSUFFICIENT)
    _approve(summary, advisor, public_reason=REASON)
    workflow.withdraw(summary, advisor, comment="Under re-review.")
    assert not PublishedSummary.objects.filter(pk=summary.pk).exists()

    # Approved again as it was withdrawn: nothing to explain, and every entry kept.
    workflow.submit(summary, editor)
    _approve(summary, advisor)
    assert [entry["changes"][0] for entry in _log(summary)] == [
        "Reviewed again; the content did not change.",
        "Verdict changed from “Promising but not proven” to “Insufficient evidence”.",
        "First published.",
    ]
    # A change of verdict since the withdrawn version still needs its reason.
    summary = _in_review(people, summary, verdict=Verdict.PROMISING)
    workflow.withdraw(summary, advisor, comment="Off while it is looked at.")
    workflow.submit(summary, editor)
    with pytest.raises(workflow.ReviewError, match="reason for patients"):
        _approve(summary, advisor)


def test_the_log_keeps_the_latest_entries(people, monkeypatch):
    monkeypatch.setattr(change_log, "LIMIT", 2)
    _, advisor = people
    summary = _live(people)
    for text in ("Second text.", "Third text."):
        summary = _in_review(people, summary, human_evidence=text)
        _approve(summary, advisor)
    assert len(_log(summary)) == 2
    assert PublishedSummary.objects.get(pk=summary.pk).version_number == 3


def test_the_backfill_writes_each_versions_log_from_the_versions(people):
    """What migration 0014 runs on versions approved before there was a change log."""
    _, advisor = people
    summary = _in_review(people, _live(people), verdict=Verdict.INSUFFICIENT)
    _approve(summary, advisor, public_reason=REASON)
    summary = _in_review(people, summary, regulatory_status="Approved in one country.")
    _approve(summary, advisor)
    written = list(_versions(summary).values_list("change_log", flat=True))
    Version.objects.update(change_log=[])
    PublishedSummary.objects.update(change_log=[])

    content_type = ContentType.objects.get_for_model(EvidenceSummary)
    change_log.backfill_all(Version, PublishedSummary, content_type.pk, batch=1)

    assert list(_versions(summary).values_list("change_log", flat=True)) == written
    assert [entry["changes"] for entry in _log(summary)] == [
        ["Text revised: regulatory status."],
        ["Verdict changed from “Promising but not proven” to “Insufficient evidence”."],
        ["First published."],
    ]
    assert _log(summary)[1]["reason"] == REASON


# The admin's approval forms ----------------------------------------------------------------


def _review_url(summary):
    return reverse("admin:compounds_evidencesummary_review", args=[summary.pk])


def _comment(summary):
    comment = confirming(summary)
    return {"comment": comment} if comment else {}


LABEL = "What changed, for patients (shown on the page's change log)"


def test_the_review_screen_asks_for_the_reason_a_verdict_change_needs(client, people):
    _, advisor = people
    summary = _in_review(people, _live(people), verdict=Verdict.INSUFFICIENT)
    client.force_login(advisor)
    review = client.get(_review_url(summary))
    text = review.content.decode()
    assert f'class="required">{LABEL}</label>' in text.replace("&#x27;", "'")
    field = f"public_reason_{summary.pk}"
    assert form_data(review, "Approve")[field] == [""]

    refused = submit(client, review, "Approve", **_comment(summary))
    assert "A reason for patients is required." in refused.content.decode()
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW

    submit(client, refused, "Approve and publish", **_comment(summary), **{field: REASON})
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.APPROVED
    assert _log(summary)[0]["reason"] == REASON


@pytest.mark.parametrize(
    "typed, said",
    [
        ("x" * (change_log.REASON_LENGTH + 1), "at most 200 characters"),
        ("A trial.\r\nAnother.", "remove the line break"),
    ],
    ids=["too long", "two lines"],
)
def test_a_reason_refused_comes_back_with_what_was_typed(client, people, typed, said):
    _, advisor = people
    summary = _in_review(people, _live(people), evidence_level=EvidenceLevel.LEVEL_5)
    client.force_login(advisor)
    field = f"public_reason_{summary.pk}"
    page = submit(client, client.get(_review_url(summary)), "Approve", **_comment(summary))
    page = submit(client, page, "Approve and publish", **_comment(summary), **{field: typed})
    assert said in page.content.decode()
    assert form_data(page, "Approve and publish")[field] == [typed]
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.IN_REVIEW


def test_a_text_change_is_approved_from_the_review_screen_without_a_reason(client, people):
    _, advisor = people
    summary = _in_review(people, _live(people), preclinical_evidence="Studied in mice.")
    client.force_login(advisor)
    review = client.get(_review_url(summary))
    assert f"{LABEL} (optional)" in review.content.decode().replace("&#x27;", "'")
    submit(client, review, "Approve", **_comment(summary))
    summary.refresh_from_db()
    assert summary.review_state == ReviewState.APPROVED
    assert _log(summary)[0]["changes"] == ["Text revised: preclinical evidence."]


def test_the_confirmation_asks_a_reason_only_of_the_summaries_that_need_one(client, people):
    _, advisor = people
    changed = _in_review(people, _live(people), verdict=Verdict.CONFLICTING)
    reworded = _in_review(people, _live(people), human_evidence="Reworded.")
    client.force_login(advisor)
    changelist = client.get(reverse("admin:compounds_evidencesummary_changelist"))
    page = submit(
        client,
        changelist,
        "Run",
        action="approve",
        _selected_action=[str(changed.pk), str(reworded.pk)],
    )
    posted = form_data(page, "Approve and publish")
    assert f"public_reason_{changed.pk}" in posted
    assert f"public_reason_{reworded.pk}" not in posted
    comment = _comment(changed) or _comment(reworded)

    # Without the reason, neither is approved: the page asks for it.
    again = submit(client, page, "Approve and publish", **comment)
    assert "A reason for patients is required." in again.content.decode()
    assert {s.review_state for s in EvidenceSummary.objects.all()} == {ReviewState.IN_REVIEW}

    submit(
        client, again, "Approve and publish", **comment, **{f"public_reason_{changed.pk}": REASON}
    )
    assert {s.review_state for s in EvidenceSummary.objects.all()} == {ReviewState.APPROVED}
    assert _log(changed)[0]["reason"] == REASON
    assert _log(reworded)[0]["reason"] == ""
