"""The review workflow's rules: who may move content between states, and what each step does."""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from compounds.evidence import EvidenceBasis, EvidenceLevel, StudyDesign
from compounds.models import (
    Compound,
    EvidenceSummary,
    Mechanism,
    MedicalAdvisor,
    ResearchUpdate,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    Version,
)
from compounds.review import workflow
from compounds.review.workflow import ReviewError
from tests.factories import (
    confirming,
    is_live,
    live_object,
    live_objects,
    make_compound,
    make_condition,
    make_reference,
    make_summary,
)

pytestmark = pytest.mark.django_db

User = get_user_model()


# People ------------------------------------------------------------------------------------


def _user(username, group=None, *, byline=False):
    user = User.objects.create_user(
        username, password="x", is_staff=True, first_name=username.title(), last_name="Tester"
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    if byline:
        MedicalAdvisor.objects.create(
            user=user, display_name=f"Dr {username.title()}", slug=username, credentials="MD, PhD"
        )
    return user


@pytest.fixture
def editor():
    return _user("erin", "Editor")


@pytest.fixture
def advisor():
    return _user("ada", "Medical Advisor", byline=True)


@pytest.fixture
def second_advisor():
    return _user("bea", "Medical Advisor", byline=True)


# Content in a given state ------------------------------------------------------------------


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _in_review(obj, editor):
    return workflow.submit(obj, editor)


def _live(obj, editor, advisor):
    workflow.submit(obj, editor)
    return workflow.approve(obj, advisor, comment=confirming(obj))


def _edit(obj, user, **fields):
    """An edit of the working copy, booked as the admin books it."""
    obj = _fresh(obj)
    for name, value in fields.items():
        setattr(obj, name, value)
    workflow.record_edit(obj, user)
    obj.save()
    return obj


def _events(obj):
    """The object's audit trail, oldest first."""
    content_type = ContentType.objects.get_for_model(obj)
    return ReviewEvent.objects.filter(content_type=content_type, object_id=obj.pk).order_by("id")


def _versions(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return Version.objects.filter(content_type=content_type, object_id=obj.pk)


def _live_compound(compound):
    return live_object(Compound, compound.pk)


# Submit ------------------------------------------------------------------------------------


def test_submit_moves_a_draft_into_review(editor):
    compound = make_compound()
    workflow.submit(compound, editor)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_submit_moves_changes_requested_back_into_review(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.request_changes(compound, advisor, comment="Cite the trial.")
    workflow.submit(compound, editor)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_submit_moves_a_withdrawn_object_back_into_review(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    workflow.withdraw(compound, advisor, comment="Outdated.")
    workflow.submit(compound, editor)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_submit_refuses_an_object_already_in_review(editor):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="already in review"):
        workflow.submit(compound, editor)
    assert _events(compound).count() == 1


def test_submit_refuses_an_approved_unchanged_object(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    with pytest.raises(ReviewError, match="nothing to review"):
        workflow.submit(compound, editor)
    assert _fresh(compound).review_state == ReviewState.APPROVED


def test_submit_refuses_a_user_without_change_permission():
    staff = _user("intern")
    compound = make_compound()
    with pytest.raises(ReviewError, match="may not submit"):
        workflow.submit(compound, staff)
    assert _fresh(compound).review_state == ReviewState.DRAFT
    assert not _events(compound).exists()


# Approve -----------------------------------------------------------------------------------


def test_approve_stores_the_working_copy_as_the_live_version(editor, advisor):
    compound = _in_review(make_compound(name="Psilocybin"), editor)
    workflow.approve(compound, advisor)

    compound = _fresh(compound)
    version = compound.live_version
    assert compound.review_state == ReviewState.APPROVED
    assert version.number == 1
    assert version.data["name"] == "Psilocybin"
    assert version.approved_by == advisor
    assert version.reviewer_byline == "Dr Ada, MD, PhD"


def test_approve_stores_the_inline_children_in_the_version(editor, advisor):
    compound = make_compound()
    Mechanism.objects.create(compound=compound, position=1, description="5-HT2A agonism")
    workflow.approve(_in_review(compound, editor), advisor)
    mechanisms = _fresh(compound).live_version.data["mechanisms"]
    assert [row["description"] for row in mechanisms] == ["5-HT2A agonism"]


@pytest.mark.parametrize(
    "state",
    [
        ReviewState.DRAFT,
        ReviewState.CHANGES_REQUESTED,
        ReviewState.WITHDRAWN,
        ReviewState.APPROVED,
    ],
)
def test_approve_refuses_an_object_not_in_review(advisor, state):
    compound = make_compound()
    Compound.objects.filter(pk=compound.pk).update(review_state=state)
    with pytest.raises(ReviewError, match="not in review"):
        workflow.approve(compound, advisor)
    assert _fresh(compound).review_state == state
    assert not _versions(compound).exists()


def test_approve_refuses_an_editor(editor):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="Only medical advisors"):
        workflow.approve(compound, editor)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assert not _versions(compound).exists()


def test_approve_refuses_an_advisor_without_a_byline(editor):
    no_byline = _user("nobyline", "Medical Advisor")
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="byline"):
        workflow.approve(compound, no_byline)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assert not _versions(compound).exists()


def test_approve_refuses_a_superuser_without_a_byline(editor):
    superuser = User.objects.create_superuser("root", password="x")
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="byline"):
        workflow.approve(compound, superuser)
    assert not _versions(compound).exists()


def test_approving_twice_approves_once(editor, advisor, second_advisor):
    compound = _in_review(make_compound(), editor)
    workflow.approve(compound, advisor)
    # The second advisor pressed the button on the page they had open.
    with pytest.raises(ReviewError, match="not in review"):
        workflow.approve(compound, second_advisor)
    assert _versions(compound).count() == 1
    assert _fresh(compound).live_version.approved_by == advisor
    assert _events(compound).filter(action=ReviewAction.APPROVE).count() == 1


def test_re_approval_stores_the_next_version_number(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    _edit(compound, editor, drug_class="Edited class")
    _live(compound, editor, advisor)
    compound = _fresh(compound)
    assert compound.live_version.number == 2
    assert sorted(_versions(compound).values_list("number", flat=True)) == [1, 2]


# Four eyes ---------------------------------------------------------------------------------


def test_four_eyes_refuses_approval_by_the_advisor_who_edited_it(editor, advisor):
    compound = _edit(make_compound(), advisor, drug_class="Edited by the advisor")
    workflow.submit(compound, advisor)
    with pytest.raises(ReviewError, match="four-eyes"):
        workflow.approve(compound, advisor)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assert not _versions(compound).exists()


def test_four_eyes_allows_approval_by_another_advisor(advisor, second_advisor):
    compound = _edit(make_compound(), advisor, drug_class="Edited by the advisor")
    workflow.submit(compound, advisor)
    workflow.approve(compound, second_advisor)
    compound = _fresh(compound)
    assert compound.review_state == ReviewState.APPROVED
    assert compound.live_version.data["drug_class"] == "Edited by the advisor"


def test_four_eyes_refuses_an_advisor_whose_edit_another_editor_followed(editor, advisor):
    compound = _edit(make_compound(), advisor, drug_class="Edited by the advisor")
    compound = _edit(compound, editor, aliases="then by the editor")
    workflow.submit(compound, editor)
    with pytest.raises(ReviewError, match="four-eyes"):
        workflow.approve(compound, advisor)


def test_four_eyes_turned_off_allows_approving_your_own_edit(settings, advisor):
    settings.REVIEW_FOUR_EYES = False
    compound = _edit(make_compound(), advisor, drug_class="Edited by the advisor")
    workflow.submit(compound, advisor)
    workflow.approve(compound, advisor)
    assert _fresh(compound).review_state == ReviewState.APPROVED


def test_approval_forgets_the_editors_it_published(editor, advisor, second_advisor):
    compound = _edit(make_compound(), advisor, drug_class="Edited by the advisor")
    _live(compound, advisor, second_advisor)
    assert _fresh(compound).editors_since_approval == []
    # The next edit is someone else's: the first advisor may approve it.
    _edit(compound, editor, drug_class="Edited by the editor")
    _live(compound, editor, advisor)
    assert _fresh(compound).live_version.approved_by == advisor


# Editing the working copy ------------------------------------------------------------------


def test_record_edit_returns_the_object_to_draft_one_revision_on(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    revision = compound.revision
    compound = _edit(compound, editor, drug_class="Edited class")
    compound = _fresh(compound)
    assert compound.review_state == ReviewState.DRAFT
    assert compound.revision == revision + 1
    assert compound.last_edited_by == editor
    assert compound.last_edited_at is not None
    assert compound.editors_since_approval == [editor.pk]


def test_record_edit_notes_each_editor_once(editor, advisor):
    compound = _edit(make_compound(), editor, aliases="one")
    compound = _edit(compound, advisor, aliases="two")
    compound = _edit(compound, editor, aliases="three")
    assert _fresh(compound).editors_since_approval == [editor.pk, advisor.pk]


def test_live_version_is_unchanged_by_a_later_edit_until_it_is_approved(editor, advisor):
    compound = make_compound(safety_profile="Old safety text.")
    mechanism = Mechanism.objects.create(compound=compound, position=1, description="Old route")
    _live(compound, editor, advisor)

    mechanism.description = "New route"
    mechanism.save()
    Mechanism.objects.create(compound=compound, position=2, description="Added route")
    compound = _edit(compound, editor, safety_profile="New safety text.")

    live = _live_compound(compound)
    assert live.safety_profile == "Old safety text."
    assert [m.description for m in live.mechanisms.all()] == ["Old route"]

    workflow.submit(compound, editor)
    live = _live_compound(compound)
    assert live.safety_profile == "Old safety text."

    workflow.approve(compound, advisor)
    live = _live_compound(compound)
    assert live.safety_profile == "New safety text."
    assert [m.description for m in live.mechanisms.all()] == ["New route", "Added route"]


def test_live_object_carries_its_versions_byline(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    version = _fresh(compound).live_version
    shown = _live_compound(compound).version
    assert (shown.number, shown.approved_at, shown.reviewer_byline) == (
        version.number,
        version.approved_at,
        version.reviewer_byline,
    )


def test_a_never_approved_object_is_not_live(editor):
    compound = _in_review(make_compound(), editor)
    assert not is_live(Compound, compound.pk)


def test_a_deleted_mechanism_stays_live_until_the_edit_is_approved(editor, advisor):
    compound = make_compound()
    Mechanism.objects.create(compound=compound, position=1, description="Kept route")
    gone = Mechanism.objects.create(compound=compound, position=2, description="Gone route")
    _live(compound, editor, advisor)
    gone.delete()
    _edit(compound, editor)
    assert [m.description for m in _live_compound(compound).mechanisms.all()] == [
        "Kept route",
        "Gone route",
    ]


def test_live_research_update_keeps_its_approved_compound_links(editor, advisor):
    approved_link, later_link = make_compound(), make_compound()
    for compound in (approved_link, later_link):
        _live(compound, editor, advisor)
    update = ResearchUpdate.objects.create(
        title="A trial",
        slug="a-trial",
        summary="Something was found.",
        study_design=StudyDesign.RCT,
        date=datetime.date(2025, 1, 15),
    )
    update.compounds.set([approved_link])
    _live(update, editor, advisor)

    update.compounds.set([later_link])
    _edit(update, editor)

    live = live_object(ResearchUpdate, update.pk)
    assert list(live.compounds.all()) == [approved_link]


def test_live_research_update_links_only_to_live_compounds(editor, advisor):
    live_compound, draft_compound = make_compound(), make_compound()
    _live(live_compound, editor, advisor)
    update = ResearchUpdate.objects.create(
        title="A trial",
        slug="a-trial",
        summary="Something was found.",
        study_design=StudyDesign.RCT,
        date=datetime.date(2025, 1, 15),
    )
    update.compounds.set([live_compound, draft_compound])
    _live(update, editor, advisor)

    live = live_object(ResearchUpdate, update.pk)
    assert list(live.compounds.all()) == [live_compound]
    assert live.compounds.all()[0].name == live_compound.name


# Request changes ---------------------------------------------------------------------------


def test_request_changes_returns_the_object_to_its_author(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.request_changes(compound, advisor, comment="Cite the 2019 trial.")
    assert _fresh(compound).review_state == ReviewState.CHANGES_REQUESTED
    assert workflow.latest_changes_requested(_fresh(compound)).comment == "Cite the 2019 trial."


@pytest.mark.parametrize("state", [ReviewState.DRAFT, ReviewState.APPROVED])
def test_request_changes_refuses_an_object_not_in_review(advisor, state):
    compound = make_compound()
    Compound.objects.filter(pk=compound.pk).update(review_state=state)
    with pytest.raises(ReviewError, match="not in review"):
        workflow.request_changes(compound, advisor, comment="Cite the trial.")
    assert _fresh(compound).review_state == state


def test_request_changes_refuses_an_editor(editor):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="Only medical advisors"):
        workflow.request_changes(compound, editor, comment="Cite the trial.")
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


@pytest.mark.parametrize("comment", ["", "   \n\t"], ids=["empty", "blank"])
def test_request_changes_refuses_an_empty_comment(editor, advisor, comment):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="Say what needs to change"):
        workflow.request_changes(compound, advisor, comment=comment)
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


# Withdraw ----------------------------------------------------------------------------------


def test_withdraw_takes_the_object_off_the_public_site(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    workflow.withdraw(compound, advisor, comment="Safety signal under investigation.")
    compound = _fresh(compound)
    assert compound.review_state == ReviewState.WITHDRAWN
    assert compound.live_version is None
    assert not is_live(Compound, compound.pk)


def test_withdraw_keeps_the_withdrawn_version(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    workflow.withdraw(compound, advisor, comment="Outdated.")
    assert _versions(compound).count() == 1


def test_withdraw_refuses_an_object_that_is_not_live(editor, advisor):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError, match="not on the public site"):
        workflow.withdraw(compound, advisor, comment="Outdated.")
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_withdraw_refuses_an_editor(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    with pytest.raises(ReviewError, match="Only medical advisors"):
        workflow.withdraw(compound, editor, comment="Outdated.")
    assert is_live(Compound, compound.pk)


@pytest.mark.parametrize("comment", ["", "  "], ids=["empty", "blank"])
def test_withdraw_refuses_an_empty_comment(editor, advisor, comment):
    compound = _live(make_compound(), editor, advisor)
    with pytest.raises(ReviewError, match="Say why it is withdrawn"):
        workflow.withdraw(compound, advisor, comment=comment)
    assert is_live(Compound, compound.pk)


# Next review due ---------------------------------------------------------------------------


def _approve_at(obj, editor, advisor, monkeypatch, when):
    monkeypatch.setattr(timezone, "now", lambda: when)
    return _live(obj, editor, advisor)


def test_next_review_due_is_twelve_months_after_approval(editor, advisor, monkeypatch):
    when = datetime.datetime(2025, 3, 15, 10, 30, tzinfo=datetime.UTC)
    compound = _approve_at(make_compound(), editor, advisor, monkeypatch, when)
    version = _fresh(compound).live_version
    assert version.approved_at == when
    assert version.next_review_due == datetime.date(2026, 3, 15)


def test_next_review_due_of_an_approval_on_29_february_is_28_february(editor, advisor, monkeypatch):
    when = datetime.datetime(2024, 2, 29, 9, 0, tzinfo=datetime.UTC)
    compound = _approve_at(make_compound(), editor, advisor, monkeypatch, when)
    assert _fresh(compound).live_version.next_review_due == datetime.date(2025, 2, 28)


def test_next_review_due_follows_the_review_interval_setting(
    settings, editor, advisor, monkeypatch
):
    settings.REVIEW_INTERVAL_MONTHS = 6
    when = datetime.datetime(2025, 8, 31, 9, 0, tzinfo=datetime.UTC)
    compound = _approve_at(make_compound(), editor, advisor, monkeypatch, when)
    assert _fresh(compound).live_version.next_review_due == datetime.date(2026, 2, 28)


@pytest.mark.parametrize(
    ("months", "day", "due"),
    [
        (12, datetime.date(2024, 2, 29), datetime.date(2025, 2, 28)),
        (12, datetime.date(2027, 2, 28), datetime.date(2028, 2, 28)),
        (12, datetime.date(2025, 12, 31), datetime.date(2026, 12, 31)),
        (48, datetime.date(2024, 2, 29), datetime.date(2028, 2, 29)),
        (1, datetime.date(2025, 1, 31), datetime.date(2025, 2, 28)),
        (1, datetime.date(2025, 12, 15), datetime.date(2026, 1, 15)),
    ],
)
def test_review_due_after_adds_the_interval_in_calendar_months(settings, months, day, due):
    settings.REVIEW_INTERVAL_MONTHS = months
    assert workflow.review_due_after(day) == due


# Evidence summaries need their compound and condition live ---------------------------------


def _live_summaries():
    return live_objects(EvidenceSummary)


def test_summary_is_not_live_while_its_compound_is_not(editor, advisor):
    # A compound once approved, then withdrawn: it is no longer reviewed with the summary.
    summary = make_summary()
    _live(summary.compound, editor, advisor)
    workflow.withdraw(summary.compound, advisor, comment="Being checked.")
    _live(summary.condition, editor, advisor)
    _live(summary, editor, advisor)
    assert _live_summaries() == []

    _live(summary.compound, editor, advisor)
    assert [s.pk for s in _live_summaries()] == [summary.pk]


def test_summary_is_not_live_while_its_condition_is_not(editor, advisor):
    summary = make_summary()
    _live(summary.condition, editor, advisor)
    workflow.withdraw(summary.condition, advisor, comment="Being checked.")
    _live(summary.compound, editor, advisor)
    _live(summary, editor, advisor)
    assert _live_summaries() == []


def test_summary_leaves_the_public_site_with_its_compound(editor, advisor):
    summary = make_summary()
    for obj in (summary.compound, summary.condition, summary):
        _live(obj, editor, advisor)
    workflow.withdraw(summary.compound, advisor, comment="Under investigation.")
    assert _live_summaries() == []


def test_live_summary_shows_its_compounds_approved_version(editor, advisor):
    compound = make_compound(name="Approved name")
    summary = make_summary(compound=compound, condition=make_condition())
    for obj in (summary.compound, summary.condition, summary):
        _live(obj, editor, advisor)
    _edit(compound, editor, name="Unapproved name")
    (live,) = _live_summaries()
    assert live.compound.name == "Approved name"


# Audit trail -------------------------------------------------------------------------------


def test_submit_writes_a_review_event(editor):
    compound = make_compound()
    workflow.submit(compound, editor, comment="Ready.")
    (event,) = _events(compound)
    assert (event.action, event.user, event.from_state, event.to_state, event.comment) == (
        ReviewAction.SUBMIT,
        editor,
        ReviewState.DRAFT,
        ReviewState.IN_REVIEW,
        "Ready.",
    )
    assert event.version is None
    assert event.content_object == compound


def test_approve_writes_a_review_event_with_the_version(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.approve(compound, advisor, comment="Checked against the sources.")
    event = _events(compound).last()
    assert (event.action, event.user, event.from_state, event.to_state, event.comment) == (
        ReviewAction.APPROVE,
        advisor,
        ReviewState.IN_REVIEW,
        ReviewState.APPROVED,
        "Checked against the sources.",
    )
    assert event.version == _fresh(compound).live_version


def test_request_changes_writes_a_review_event_with_the_comment(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.request_changes(compound, advisor, comment="Cite the trial.")
    event = _events(compound).last()
    assert (event.action, event.user, event.from_state, event.to_state, event.comment) == (
        ReviewAction.REQUEST_CHANGES,
        advisor,
        ReviewState.IN_REVIEW,
        ReviewState.CHANGES_REQUESTED,
        "Cite the trial.",
    )
    assert event.version is None


def test_withdraw_writes_a_review_event_with_the_reason(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    workflow.withdraw(compound, advisor, comment="Outdated.")
    event = _events(compound).last()
    assert (event.action, event.user, event.from_state, event.to_state, event.comment) == (
        ReviewAction.WITHDRAW,
        advisor,
        ReviewState.APPROVED,
        ReviewState.WITHDRAWN,
        "Outdated.",
    )
    assert event.version is None


def test_the_full_round_writes_one_event_per_step_in_order(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.request_changes(compound, advisor, comment="Cite the trial.")
    workflow.submit(compound, editor)
    workflow.approve(compound, advisor)
    workflow.withdraw(compound, advisor, comment="Outdated.")
    assert list(_events(compound).values_list("action", "from_state", "to_state")) == [
        (ReviewAction.SUBMIT, ReviewState.DRAFT, ReviewState.IN_REVIEW),
        (ReviewAction.REQUEST_CHANGES, ReviewState.IN_REVIEW, ReviewState.CHANGES_REQUESTED),
        (ReviewAction.SUBMIT, ReviewState.CHANGES_REQUESTED, ReviewState.IN_REVIEW),
        (ReviewAction.APPROVE, ReviewState.IN_REVIEW, ReviewState.APPROVED),
        (ReviewAction.WITHDRAW, ReviewState.APPROVED, ReviewState.WITHDRAWN),
    ]


def test_a_refused_step_writes_no_review_event(editor):
    compound = _in_review(make_compound(), editor)
    with pytest.raises(ReviewError):
        workflow.approve(compound, editor)
    assert list(_events(compound).values_list("action", flat=True)) == [ReviewAction.SUBMIT]


def test_review_events_are_newest_first_by_default(editor, advisor):
    compound = _live(make_compound(), editor, advisor)
    content_type = ContentType.objects.get_for_model(compound)
    latest = ReviewEvent.objects.filter(content_type=content_type, object_id=compound.pk).first()
    assert latest.action == ReviewAction.APPROVE


# A decision names the revision it was taken on ---------------------------------------------


@pytest.mark.parametrize("step", ["approve", "request_changes", "withdraw"])
def test_a_decision_on_an_older_revision_is_refused_naming_who_changed_it(
    editor, advisor, second_advisor, step
):
    compound = make_compound()
    if step == "withdraw":
        _live(compound, editor, second_advisor)
    seen = _fresh(compound).revision
    _in_review(_edit(compound, editor, safety_profile="Unseen."), editor)
    before = _fresh(compound)

    with pytest.raises(workflow.StaleDecision) as refused:
        getattr(workflow, step)(compound, advisor, comment="Why.", seen_revision=seen)

    assert f"Erin Tester changed “{compound.name}”" in str(refused.value)
    assert f"after you opened revision {seen}" in str(refused.value)
    after = _fresh(compound)
    assert (after.review_state, after.live_version_id) == (
        before.review_state,
        before.live_version_id,
    )


def test_a_decision_on_the_current_revision_is_taken(editor, advisor):
    compound = _in_review(make_compound(), editor)
    workflow.approve(compound, advisor, seen_revision=_fresh(compound).revision)
    assert _fresh(compound).review_state == ReviewState.APPROVED


# Many objects at once: one service per step, outcomes returned --------------------------------


def test_submit_many_submits_each_with_its_own_step_and_says_why_it_refused_the_rest(
    editor, advisor
):
    drafts = [make_compound(name=f"Compound {i}", slug=f"compound-{i}") for i in range(3)]
    already = _in_review(make_compound(name="Waiting", slug="waiting"), editor)
    live = _live(make_compound(name="Live", slug="live"), editor, advisor)

    outcomes = workflow.submit_many([*drafts, already, live], editor, comment="A batch.")

    assert sorted(obj.pk for obj in outcomes.done) == sorted(obj.pk for obj in drafts)
    assert all(_fresh(obj).review_state == ReviewState.IN_REVIEW for obj in drafts)
    assert [list(_events(obj).values_list("action", "comment")) for obj in drafts] == [
        [(ReviewAction.SUBMIT, "A batch.")]
    ] * 3
    assert [(obj.pk, str(error)) for obj, error in outcomes.refused] == [
        (already.pk, "“Waiting” is already in review."),
        (live.pk, "“Live” is approved and unchanged: there is nothing to review."),
    ]


def test_submit_many_refuses_all_to_a_user_who_may_not_edit(advisor):
    reader = _user("rita")
    outcomes = workflow.submit_many([make_compound()], reader)
    assert outcomes.done == []
    assert [str(error) for _, error in outcomes.refused] == [
        "You may not submit content for review."
    ]


def test_submitting_many_takes_no_more_queries_for_more_objects(
    editor, django_assert_max_num_queries
):
    # Summaries of new pairs: each is named by its compound and condition, and takes
    # them along into review.
    few = [make_summary() for _ in range(2)]
    many = [make_summary() for _ in range(40)]

    with CaptureQueriesContext(connection) as for_few:
        workflow.submit_many(few, editor)
    with django_assert_max_num_queries(len(for_few.captured_queries)):
        outcomes = workflow.submit_many(many, editor)

    assert len(outcomes.done) == 40
    assert all(_fresh(s.compound).review_state == ReviewState.IN_REVIEW for s in many)


def test_a_decision_on_many_decides_each_and_refuses_the_stale_one_alone(
    editor, advisor, second_advisor
):
    first, second = (
        _in_review(make_compound(name=name, slug=name.lower()), editor)
        for name in ("First", "Second")
    )
    seen = {workflow.revision_key(obj): obj.revision for obj in (first, second)}
    # Edited and submitted again after the advisor opened it.
    second = _in_review(_edit(second, editor, name="Second, renamed"), editor)

    outcomes = workflow.approve_many([first, second], advisor, seen=seen)

    assert [obj.pk for obj in outcomes.done] == [first.pk]
    assert _live_compound(first) is not None
    assert [error.current.pk for error in outcomes.stale] == [second.pk]
    assert _fresh(second).review_state == ReviewState.IN_REVIEW


def test_a_decision_on_many_refuses_an_object_whose_revision_was_not_seen(editor, advisor):
    compound = _in_review(make_compound(), editor)
    outcomes = workflow.withdraw_many([compound], advisor, comment="Outdated.", seen={})
    assert outcomes.done == []
    assert "was not on your screen" in str(outcomes.refused[0][1])


def test_every_step_is_announced_once_with_the_event_that_books_it(editor, advisor):
    announced = []

    def listen(sender, event, **kwargs):
        announced.append((event.action, event.object_id))

    workflow.step_taken.connect(listen)
    try:
        compound = make_compound()
        workflow.submit(compound, editor)
        workflow.approve(compound, advisor)
        workflow.withdraw(compound, advisor, comment="Outdated.")
        quiet = make_compound(name="Quiet", slug="quiet")
        workflow.submit_many([quiet], editor, announce=False)
    finally:
        workflow.step_taken.disconnect(listen)
    assert announced == [
        (ReviewAction.SUBMIT, compound.pk),
        (ReviewAction.APPROVE, compound.pk),
        (ReviewAction.WITHDRAW, compound.pk),
    ]
    assert _fresh(quiet).review_state == ReviewState.IN_REVIEW


# Due for review ------------------------------------------------------------------------------


def test_due_for_review_lists_the_live_objects_due_between_two_days(editor, advisor):
    due_soon, due_later = (
        _live(make_compound(name=name, slug=name.lower()), editor, advisor)
        for name in ("Soon", "Later")
    )
    make_compound(name="Draft", slug="draft")
    soon = datetime.date(2027, 1, 10)
    Version.objects.filter(pk=_fresh(due_soon).live_version_id).update(next_review_due=soon)
    Version.objects.filter(pk=_fresh(due_later).live_version_id).update(
        next_review_due=datetime.date(2027, 6, 1)
    )

    def due(**days):
        return sorted(Compound.objects.due_for_review(**days).values_list("slug", flat=True))

    assert due(on_or_before=soon) == ["soon"]
    assert due(on_or_after=soon + datetime.timedelta(days=1)) == ["later"]
    assert due() == ["later", "soon"]


# A grade its references do not support ----------------------------------------------------

# An advisor's confirmation of a grade no cited study supports: test data.
CONFIRMED = "Grade confirmed from the trials I read; their references will be added."


def _summary_in_review(editor, level=EvidenceLevel.LEVEL_2, designs=()):
    summary = make_summary(evidence_level=level)
    for number, design in enumerate(designs, start=1):
        make_reference(
            summary, pmid="", url=f"https://example.org/test-{number}", study_design=design
        )
    return _in_review(summary, editor)


@pytest.mark.parametrize(
    ("level", "designs"),
    [
        (EvidenceLevel.LEVEL_2, ()),
        (EvidenceLevel.LEVEL_2, (StudyDesign.CASE_REPORT,)),
        (EvidenceLevel.LEVEL_2, (StudyDesign.OFFICIAL_DOCUMENT, StudyDesign.COHORT)),
        (EvidenceLevel.LEVEL_1, (StudyDesign.RCT,)),
        (EvidenceLevel.LEVEL_3, (StudyDesign.ANIMAL,)),
        (EvidenceLevel.LEVEL_4, (StudyDesign.CASE_REPORT,)),
    ],
)
def test_approving_a_grade_no_cited_study_supports_needs_the_advisors_comment(
    editor, advisor, level, designs
):
    summary = _summary_in_review(editor, level, designs)
    with pytest.raises(ReviewError, match="no cited study of that design or a stronger one"):
        workflow.approve(summary, advisor)
    with pytest.raises(ReviewError, match="confirm the grade in a comment"):
        workflow.approve(summary, advisor, comment="   ")
    assert _fresh(summary).review_state == ReviewState.IN_REVIEW
    assert not _fresh(summary).live_version


def test_the_comment_confirming_an_unsupported_grade_is_kept_in_the_history(editor, advisor):
    summary = _summary_in_review(editor)
    workflow.approve(summary, advisor, comment=CONFIRMED)
    assert _fresh(summary).review_state == ReviewState.APPROVED
    approval = _events(summary).get(action=ReviewAction.APPROVE)
    assert approval.comment == CONFIRMED


@pytest.mark.parametrize(
    ("level", "designs"),
    [
        (EvidenceLevel.LEVEL_2, (StudyDesign.RCT,)),
        (EvidenceLevel.LEVEL_2, (StudyDesign.META_ANALYSIS,)),
        (EvidenceLevel.LEVEL_3, (StudyDesign.RCT,)),
        (EvidenceLevel.LEVEL_4, (StudyDesign.COHORT,)),
        (EvidenceLevel.LEVEL_1, (StudyDesign.META_ANALYSIS, StudyDesign.CASE_REPORT)),
        # Level 5, preclinical and none claim no controlled or observational study.
        (EvidenceLevel.LEVEL_5, ()),
        (EvidenceLevel.PRECLINICAL, ()),
    ],
)
def test_a_grade_its_cited_studies_support_is_approved_without_a_comment(
    editor, advisor, level, designs
):
    summary = _summary_in_review(editor, level, designs)
    workflow.approve(summary, advisor)
    assert _fresh(summary).review_state == ReviewState.APPROVED


@pytest.mark.parametrize(
    ("basis", "to_confirm"), [(EvidenceBasis.DIRECT, True), (EvidenceBasis.EXTRAPOLATED, False)]
)
def test_a_trial_of_another_condition_supports_an_extrapolated_grade_not_a_direct_one(
    editor, basis, to_confirm
):
    summary = make_summary(evidence_basis=basis)
    make_reference(summary, studied_condition=False)
    reason = workflow.grade_to_confirm(_in_review(summary, editor))
    assert bool(reason) is to_confirm
    if to_confirm:
        assert (
            f"no cited study of that design or a stronger one that studied {summary.condition}:"
            in reason
        )


def test_the_grade_to_confirm_is_said_before_approving_and_only_of_summaries(editor):
    summary = _summary_in_review(editor)
    reason = workflow.grade_to_confirm(summary)
    assert "Level 2" in reason
    assert "confirm the grade in a comment" in reason
    assert workflow.grade_to_confirm(_in_review(make_compound(), editor)) is None
    supported = _summary_in_review(editor, designs=(StudyDesign.RCT,))
    assert workflow.grade_to_confirm(supported) is None
