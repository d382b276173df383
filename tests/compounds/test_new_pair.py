"""A new pair in one review: a summary whose compound or condition has never been approved
is submitted, reviewed and approved together with them, each bound to what the advisor saw.
Admin steps press the buttons of the rendered pages (tests/admin_forms.py)."""

import pytest
from django.urls import reverse

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    ReviewAction,
    ReviewEvent,
    ReviewState,
)
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import (
    GRADE_CONFIRMED,
    approve_as,
    is_live,
    make_summary,
    make_user,
    save_edit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_user("erin", "Editor", first_name="Erin", last_name="Tester")


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Tester")


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _states(summary):
    return [_fresh(obj).review_state for obj in (summary.compound, summary.condition, summary)]


def _url(obj, view):
    return reverse(f"admin:compounds_{obj._meta.model_name}_{view}", args=[obj.pk])


def _public_page(client, summary):
    return client.get(f"/compounds/{summary.compound.slug}/{summary.condition.slug}/does-it-work/")


# The workflow ------------------------------------------------------------------------------


def test_submitting_a_new_pairs_summary_submits_its_compound_and_condition(editor):
    summary = make_summary()
    workflow.submit(summary, editor)
    assert _states(summary) == [ReviewState.IN_REVIEW] * 3
    submitted = ReviewEvent.objects.filter(action=ReviewAction.SUBMIT)
    assert submitted.count() == 3


def test_a_compound_approved_before_is_not_taken_along(editor, advisor):
    summary = make_summary()
    approve_as(summary.compound, editor, advisor)
    save_edit(summary.compound, editor, safety_profile="An edit of a live compound.")
    workflow.submit(summary, editor)
    assert _fresh(summary.compound).review_state == ReviewState.DRAFT
    assert _fresh(summary.condition).review_state == ReviewState.IN_REVIEW


def test_approving_the_summary_publishes_all_three(editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    workflow.approve(summary, advisor, comment=GRADE_CONFIRMED)
    assert _states(summary) == [ReviewState.APPROVED] * 3
    assert all(is_live(type(o), o.pk) for o in (summary.compound, summary.condition, summary))


def test_a_companion_the_advisor_may_not_approve_stops_the_whole_decision(editor, advisor):
    summary = make_summary()
    save_edit(summary.condition, advisor, standard_treatment="Edited by the advisor.")
    workflow.submit(summary, editor)
    with pytest.raises(workflow.ReviewError, match="four-eyes"):
        workflow.approve(summary, advisor)
    assert _states(summary) == [ReviewState.IN_REVIEW] * 3
    assert not is_live(Compound, summary.compound.pk)


def test_a_companion_changed_after_the_advisor_saw_it_stops_the_whole_decision(editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    seen = {
        workflow.revision_key(o): _fresh(o).revision for o in (summary.compound, summary.condition)
    }
    save_edit(summary.compound, editor, safety_profile="Changed after the advisor looked.")
    workflow.submit(summary.compound, editor)
    with pytest.raises(workflow.StaleDecision):
        workflow.approve(
            summary, advisor, seen_revision=_fresh(summary).revision, companions_seen=seen
        )
    assert not is_live(EvidenceSummary, summary.pk)
    assert not is_live(Condition, summary.condition.pk)


def test_a_companion_missing_from_the_advisors_screen_is_not_approved_unseen(editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    with pytest.raises(workflow.ReviewError, match="was not on your screen"):
        workflow.approve(
            summary, advisor, seen_revision=_fresh(summary).revision, companions_seen={}
        )
    assert not is_live(EvidenceSummary, summary.pk)


def test_a_change_request_returns_all_three_to_the_author(editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    workflow.request_changes(summary, advisor, comment="Cite the trial.")
    assert _states(summary) == [ReviewState.CHANGES_REQUESTED] * 3
    asked = workflow.latest_changes_requested(_fresh(summary.compound))
    assert "Cite the trial." in asked.comment


# The admin, as the advisor's browser posts it ---------------------------------------------


def test_the_review_screen_shows_all_three_and_one_approval_publishes_them(client, editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_url(summary, "review"))
    text = review.content.decode()
    assert "Reviewed together: never approved before" in text
    assert f'Compound: <a href="{_url(summary.compound, "review")}">{summary.compound}</a>' in text
    assert summary.compound.safety_profile in text  # the compound's own content is shown

    response = client.post(
        _url(summary, "change"), form_data(review, "Approve all 3", comment=GRADE_CONFIRMED)
    )

    assert response.status_code == 302
    assert _states(summary) == [ReviewState.APPROVED] * 3
    assert "Two randomized trials." in _public_page(client, summary).content.decode()


def test_request_changes_from_the_review_screen_returns_all_three(client, editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_url(summary, "review"))
    confirm = client.post(_url(summary, "change"), form_data(review, "Request changes"))
    assert "with its compound" in confirm.content.decode()
    response = client.post(
        _url(summary, "change"),
        form_data(confirm, "Request changes", comment="Name the trial's dose."),
    )
    assert response.status_code == 302
    assert _states(summary) == [ReviewState.CHANGES_REQUESTED] * 3


def test_approval_is_refused_when_the_compound_changed_since_the_review_screen(
    client, editor, advisor
):
    summary = make_summary()
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_url(summary, "review"))
    save_edit(summary.compound, editor, safety_profile="Unseen by the advisor.")
    workflow.submit(summary.compound, editor)

    response = client.post(
        _url(summary, "change"), form_data(review, "Approve all 3", comment=GRADE_CONFIRMED)
    )

    assert response.status_code == 200
    assert "Erin Tester changed" in response.content.decode()
    assert not any(is_live(type(o), o.pk) for o in (summary.compound, summary.condition, summary))


def test_bulk_approval_lists_the_companions_and_publishes_them(client, editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    client.force_login(advisor)
    listing = client.get(reverse("admin:compounds_evidencesummary_changelist"))
    confirm = client.post(
        reverse("admin:compounds_evidencesummary_changelist"),
        form_data(listing, "Run", action="approve", _selected_action=[summary.pk]),
    )
    text = confirm.content.decode()
    assert f'with its compound <a href="{_url(summary.compound, "review")}">' in text
    assert f'with its condition <a href="{_url(summary.condition, "review")}">' in text
    response = client.post(
        reverse("admin:compounds_evidencesummary_changelist"),
        form_data(confirm, "Approve and publish", comment=GRADE_CONFIRMED),
    )
    assert response.status_code == 302
    assert _states(summary) == [ReviewState.APPROVED] * 3


def test_approving_from_the_change_form_first_shows_what_else_is_published(client, editor, advisor):
    summary = make_summary()
    workflow.submit(summary, editor)
    client.force_login(advisor)
    page = client.get(_url(summary, "change"))
    confirm = client.post(
        _url(summary, "change"), form_data(page, "Run", **{"CHANGE_FORM-action": "approve"})
    )
    assert confirm.status_code == 200
    assert not is_live(EvidenceSummary, summary.pk)
    response = client.post(
        _url(summary, "change"), form_data(confirm, "Approve and publish", comment=GRADE_CONFIRMED)
    )
    assert response.status_code == 302
    assert _states(summary) == [ReviewState.APPROVED] * 3


def test_a_new_pair_is_one_submission_from_the_summarys_add_form(client, editor):
    summary = make_summary()  # the compound and condition, never approved
    EvidenceSummary.objects.filter(pk=summary.pk).delete()
    client.force_login(editor)
    add = reverse("admin:compounds_evidencesummary_add")
    data = form_data(
        client.get(add),
        "Save and submit for review",
        compound=summary.compound.pk,
        condition=summary.condition.pk,
        evidence_level="level_2",
        verdict="promising",
        evidence_basis="direct",
        human_evidence="Two randomized trials.",
        regulatory_status="Not approved for this condition.",
    )
    response = client.post(add, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    created = EvidenceSummary.objects.get(compound=summary.compound, condition=summary.condition)
    assert _states(created) == [ReviewState.IN_REVIEW] * 3


def test_an_advisor_who_edited_a_companion_may_still_ask_for_changes(client, editor, advisor):
    """Four-eyes binds approvals only: the advisor's own edit is no reason not to send it back."""
    summary = make_summary()
    save_edit(summary.condition, advisor, standard_treatment="Edited by the advisor.")
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_url(summary, "review"))
    assert "four-eyes" in review.content.decode()
    confirm = client.post(_url(summary, "change"), form_data(review, "Request changes"))
    response = client.post(
        _url(summary, "change"), form_data(confirm, "Request changes", comment="Fix the dose.")
    )
    assert response.status_code == 302
    assert _states(summary) == [ReviewState.CHANGES_REQUESTED] * 3


def test_a_corrected_summary_imported_again_takes_its_returned_pair_back_to_review(editor, advisor):
    """The advisor returned a new pair; the editor corrects only the summary in a file."""
    import json

    from tests.compounds.catalogue_helpers import export_json, import_files

    summary = make_summary(human_evidence="Two trials.")
    workflow.submit(summary, editor)
    workflow.request_changes(summary, advisor, comment="Name the trials.")
    document = json.loads(export_json())
    (record,) = document["evidence_summaries"]
    record["human_evidence"] = "Two randomized trials of 40 and 60 adults."
    document["compounds"], document["conditions"] = [], []

    import_files([("correction.json", json.dumps(document).encode())], editor, submit=True)

    assert _states(summary) == [ReviewState.IN_REVIEW] * 3
