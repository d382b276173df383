"""The review workflow in the admin: who sees and does what, the review and preview pages,
stale saves, the audit trail, and an editor's change from edit to the public site."""

import contextlib
from unittest import mock

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from pytest_django.asserts import assertContains, assertNotContains, assertTemplateUsed

from compounds.models import (
    Compound,
    EvidenceSummary,
    Mechanism,
    MedicalAdvisor,
    ReviewAction,
    ReviewEvent,
    ReviewState,
    Version,
)
from compounds.review import shown, workflow
from insightswarm.admin import InsightSwarmAdminSite
from pages.reading import Reading
from tests.admin_forms import form_data, press, submit
from tests.factories import (
    confirming,
    is_live,
    live_object,
    live_objects,
    make_compound,
    make_reference,
    make_summary,
    shown_by,
)

pytestmark = pytest.mark.django_db

User = get_user_model()

ROLES = ["anonymous", "editor", "advisor", "superuser"]
STAFF_ROLES = ["editor", "advisor", "superuser"]
REVIEWER_ACTIONS = ["approve", "request_changes", "withdraw"]


# People ------------------------------------------------------------------------------------


def _user(username, group=None, *, byline=False, **fields):
    fields = {"is_staff": True, "first_name": username.title(), "last_name": "Tester", **fields}
    user = User.objects.create_user(username, password="x", **fields)
    if group:
        user.groups.add(Group.objects.get(name=group))
    if byline:
        MedicalAdvisor.objects.create(
            user=user, display_name=f"Dr {username.title()}", slug=username, credentials="MD, PhD"
        )
    return user


def _role(role):
    """A user in one of ROLES, or None for anonymous."""
    match role:
        case "editor":
            return _user("erin", "Editor")
        case "advisor":
            return _user("ada", "Medical Advisor", byline=True)
        case "superuser":
            return _user("root", byline=True, is_superuser=True)
    return None


def _client_as(client, role):
    user = _role(role)
    if user is not None:
        client.force_login(user)
    return user


@pytest.fixture
def author():
    """An editor who prepares content before a test begins."""
    return _user("author", "Editor")


@pytest.fixture
def approver():
    """An advisor who approved content before a test begins."""
    return _user("approver", "Medical Advisor", byline=True)


@pytest.fixture
def editor():
    return _user("erin", "Editor")


@pytest.fixture
def advisor():
    return _user("ada", "Medical Advisor", byline=True)


# Content in a given state ------------------------------------------------------------------


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def _versions(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return Version.objects.filter(content_type=content_type, object_id=obj.pk)


def _events(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return ReviewEvent.objects.filter(content_type=content_type, object_id=obj.pk).order_by("id")


def _live(obj, author, approver):
    workflow.submit(obj, author)
    return workflow.approve(obj, approver, comment=confirming(obj))


def _ready_for(action, author, approver):
    """A compound in the state the action applies to."""
    compound = make_compound()
    if action in ("approve", "request_changes"):
        workflow.submit(compound, author)
    elif action == "withdraw":
        _live(compound, author, approver)
    return _fresh(compound)


def _live_summary(author, approver, **fields):
    summary = make_summary(**fields)
    for obj in (summary.compound, summary.condition, summary):
        _live(obj, author, approver)
    return _fresh(summary)


# Admin addresses and posts -----------------------------------------------------------------


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def _page_url(page, obj):
    if page in ("changelist", "add"):
        return _url(type(obj), page)
    return _url(type(obj), page, obj.pk)


REASON = "Reason given by the advisor."
# The button of each decision's confirmation page (admin/compounds/review_comment.html).
CONFIRM = {
    "approve": "Approve and publish",
    "request_changes": "Request changes",
    "withdraw": "Withdraw from the public site",
}


def _comment(action, comment=REASON):
    return {"comment": comment} if action in ("request_changes", "withdraw") else {}


def _run_on_changelist(client, objs, action):
    """Tick the objects in their list, choose the action in the action box, press Run."""
    page = client.get(_url(type(objs[0]), "changelist"))
    return submit(client, page, "Run", action=action, _selected_action=[obj.pk for obj in objs])


def _run_on_change_form(client, obj, action):
    """Choose the action in the change form's action box and press Run."""
    page = client.get(_url(type(obj), "change", obj.pk))
    return submit(client, page, "Run", **{"CHANGE_FORM-action": action})


def _confirm(client, page, action, **changes):
    """Press the decision's button on the confirmation page it showed."""
    assertTemplateUsed(page, "admin/compounds/review_comment.html")
    return submit(client, page, CONFIRM[action], **changes)


def _decide_on_changelist(client, objs, action, comment=REASON):
    """An action run from the list; a decision is confirmed on the page that follows."""
    response = _run_on_changelist(client, objs, action)
    if action == "submit_for_review":
        return response
    return _confirm(client, response, action, **_comment(action, comment))


def _decide_on_change_form(client, obj, action, comment=REASON):
    """An action run from the change form, which carries the revision shown: a decision
    is confirmed on the page that follows, which for an approval shows what patients will
    read (a submission is taken at once)."""
    response = _run_on_change_form(client, obj, action)
    if action in ("request_changes", "withdraw") or (
        action == "approve" and "decision-objects" in response.content.decode()
    ):
        return _confirm(client, response, action, **_comment(action, comment))
    return response


def _refuses_the_choice(page, field, action):
    """The action box of the page does not offer `action`."""
    with pytest.raises(AssertionError, match="offers no|No button “Run”"):
        form_data(page, "Run", **{field: action})
    return True


# Crafted input: what a page cannot send (an action it does not offer, a post without a
# page, as from someone signed out), built by hand to show the server refuses it.


def _seen(objs, action):
    seen = {f"seen_revision_{obj.pk}": str(_fresh(obj).revision) for obj in objs}
    return {**seen, "confirmed": "yes"} if action == "approve" else seen


def _crafted_comment(action):
    return {"confirmed": "yes", **_comment(action)}


def _crafted_changelist_action(client, objs, action, **extra):
    data = {"action": action, "_selected_action": [str(obj.pk) for obj in objs], "index": "0"}
    data.update(_seen(objs, action))
    return client.post(_url(type(objs[0]), "changelist"), {**data, **extra})


def _crafted_change_form_action(client, obj, action, **extra):
    data = {"CHANGE_FORM-action": action, "_selected_action": str(obj.pk), **_seen([obj], action)}
    return client.post(_url(type(obj), "change", obj.pk), {**data, **extra})


def _messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def _is_login_redirect(response):
    return response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


# Permission matrix: pages ------------------------------------------------------------------


PAGES = ["changelist", "add", "change", "review", "preview"]


@pytest.mark.parametrize("page", PAGES)
def test_anonymous_is_sent_to_the_login_page(client, author, approver, page):
    compound = _ready_for("withdraw", author, approver)
    assert _is_login_redirect(client.get(_page_url(page, compound)))


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("role", STAFF_ROLES)
def test_staff_role_can_open_the_page(client, author, approver, role, page):
    compound = _ready_for("withdraw", author, approver)
    _client_as(client, role)
    assert client.get(_page_url(page, compound)).status_code == 200


@pytest.mark.parametrize("page", ["review", "preview"])
def test_review_and_preview_send_a_non_staff_user_to_login(client, author, page):
    compound = make_compound()
    client.force_login(_user("reader", is_staff=False))
    assert _is_login_redirect(client.get(_page_url(page, compound)))


@pytest.mark.parametrize("page", ["review", "preview"])
def test_review_and_preview_refuse_staff_without_permissions(client, page):
    compound = make_compound()
    client.force_login(_user("intern"))
    assert client.get(_page_url(page, compound)).status_code == 403


@pytest.mark.parametrize("page", ["review", "preview"])
def test_review_and_preview_are_never_cached(admin_client, page):
    response = admin_client.get(_page_url(page, make_compound()))
    assert response.status_code == 200
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control
    assert "no-store" in cache_control
    assert "private" in cache_control


def test_preview_asks_search_engines_not_to_index_it(admin_client):
    response = admin_client.get(_page_url("preview", make_compound()))
    assert "noindex" in response["X-Robots-Tag"]


def test_preview_shows_the_working_copy_not_the_live_version(admin_client, author, approver):
    compound = _ready_for("withdraw", author, approver)
    Compound.objects.filter(pk=compound.pk).update(safety_profile="Unapproved safety text.")
    response = admin_client.get(_page_url("preview", compound))
    assertContains(response, "Unapproved safety text.")
    assertNotContains(response, "Generally tolerated.")


# Permission matrix: actions ----------------------------------------------------------------


EXPECTED_STATE = {
    ("editor", "submit_for_review"): ReviewState.IN_REVIEW,
    ("editor", "approve"): ReviewState.IN_REVIEW,
    ("editor", "request_changes"): ReviewState.IN_REVIEW,
    ("editor", "withdraw"): ReviewState.APPROVED,
    ("advisor", "submit_for_review"): ReviewState.IN_REVIEW,
    ("advisor", "approve"): ReviewState.APPROVED,
    ("advisor", "request_changes"): ReviewState.CHANGES_REQUESTED,
    ("advisor", "withdraw"): ReviewState.WITHDRAWN,
    ("superuser", "submit_for_review"): ReviewState.IN_REVIEW,
    ("superuser", "approve"): ReviewState.APPROVED,
    ("superuser", "request_changes"): ReviewState.CHANGES_REQUESTED,
    ("superuser", "withdraw"): ReviewState.WITHDRAWN,
}
ACTIONS = ["submit_for_review", *REVIEWER_ACTIONS]


def _may_run(role, action):
    """Whether the role's pages offer the action."""
    return action == "submit_for_review" or role != "editor"


@pytest.mark.parametrize("where", ["changelist", "change_form"])
@pytest.mark.parametrize("action", ACTIONS)
def test_anonymous_action_is_sent_to_login_and_changes_nothing(
    client, author, approver, action, where
):
    compound = _ready_for(action, author, approver)
    # Signed out, there is no page to read: the post is crafted.
    post = _crafted_changelist_action if where == "changelist" else _crafted_change_form_action
    response = post(client, [compound] if where == "changelist" else compound, action)
    assert _is_login_redirect(response)
    assert _fresh(compound).review_state == compound.review_state


@pytest.mark.parametrize(("role", "action"), list(EXPECTED_STATE))
def test_action_on_the_changelist_leaves_the_state_each_role_may_reach(
    client, author, approver, role, action
):
    compound = _ready_for(action, author, approver)
    _client_as(client, role)
    if _may_run(role, action):
        response = _decide_on_changelist(client, [compound], action)
    else:
        assert _refuses_the_choice(client.get(_url(Compound, "changelist")), "action", action)
        response = _crafted_changelist_action(
            client, [compound], action, **_crafted_comment(action)
        )
    assert response.status_code == 302
    assert _fresh(compound).review_state == EXPECTED_STATE[role, action]


@pytest.mark.parametrize(("role", "action"), list(EXPECTED_STATE))
def test_action_on_the_change_form_leaves_the_state_each_role_may_reach(
    client, author, approver, role, action
):
    compound = _ready_for(action, author, approver)
    _client_as(client, role)
    if _may_run(role, action):
        response = _decide_on_change_form(client, compound, action)
    else:
        page = client.get(_url(Compound, "change", compound.pk))
        assert _refuses_the_choice(page, "CHANGE_FORM-action", action)
        response = _crafted_change_form_action(client, compound, action, **_crafted_comment(action))
    assert response.status_code == 302
    assert _fresh(compound).review_state == EXPECTED_STATE[role, action]


@pytest.mark.parametrize("role", ["advisor", "superuser"])
def test_approve_by_an_advisor_role_stores_a_version_with_their_byline(
    client, author, approver, role
):
    compound = _ready_for("approve", author, approver)
    user = _client_as(client, role)
    _decide_on_changelist(client, [compound], "approve")
    version = _fresh(compound).live_version
    assert version.approved_by == user
    assert version.reviewer_byline == user.medical_advisor.byline


def test_editor_is_offered_only_submit_on_the_changelist(client, author):
    make_compound()
    _client_as(client, "editor")
    response = client.get(_url(Compound, "changelist"))
    offered = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert offered == ["", "submit_for_review"]


def test_advisor_is_offered_every_review_action_on_the_change_form(client, author):
    compound = make_compound()
    _client_as(client, "advisor")
    response = client.get(_url(Compound, "change", compound.pk))
    offered = [name for name, _ in response.context["action_form"].fields["action"].choices]
    assert offered == ["", "submit_for_review", *REVIEWER_ACTIONS]


@pytest.mark.parametrize("action", REVIEWER_ACTIONS)
def test_editor_posting_a_reviewer_action_on_the_changelist_is_refused(
    client, author, approver, action
):
    compound = _ready_for(action, author, approver)
    versions = _versions(compound).count()
    _client_as(client, "editor")
    assert _refuses_the_choice(client.get(_url(Compound, "changelist")), "action", action)
    response = _crafted_changelist_action(client, [compound], action, **_crafted_comment(action))
    assert "No action selected." in _messages(response)
    assert _fresh(compound).review_state == compound.review_state
    assert _versions(compound).count() == versions


@pytest.mark.parametrize("action", REVIEWER_ACTIONS)
def test_editor_posting_a_reviewer_action_on_the_change_form_is_refused(
    client, author, approver, action
):
    compound = _ready_for(action, author, approver)
    versions = _versions(compound).count()
    _client_as(client, "editor")
    page = client.get(_url(Compound, "change", compound.pk))
    assert _refuses_the_choice(page, "CHANGE_FORM-action", action)
    response = _crafted_change_form_action(client, compound, action, **_crafted_comment(action))
    assert "No action selected." in _messages(response)
    assert _fresh(compound).review_state == compound.review_state
    assert _versions(compound).count() == versions


def test_editor_without_the_reviewer_action_gets_no_comment_page(client, author):
    compound = _ready_for("request_changes", author, None)
    _client_as(client, "editor")
    changelist = client.get(_url(Compound, "changelist"))
    assert _refuses_the_choice(changelist, "action", "request_changes")
    response = _crafted_changelist_action(client, [compound], "request_changes")
    assert response.status_code == 302
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


# Actions on the changelist and the change form ---------------------------------------------


def test_bulk_approve_applies_four_eyes_to_each_object(client, author, advisor):
    own_edit = make_compound(name="Edited by the advisor")
    workflow.record_edit(own_edit, advisor)
    own_edit.save()
    workflow.submit(own_edit, advisor)
    others = _ready_for("approve", author, None)

    client.force_login(advisor)
    confirmation = _run_on_changelist(client, [own_edit, others], "approve")
    # The confirmation page leaves out the advisor's own edit, saying why.
    refused = confirmation.content.decode().split('class="decision-refused"')[1]
    assert "Edited by the advisor" in refused and "four-eyes" in refused
    assert form_data(confirmation, "Approve and publish")["_selected_action"] == [str(others.pk)]
    response = _confirm(client, confirmation, "approve")

    assert _fresh(own_edit).review_state == ReviewState.IN_REVIEW
    assert not _versions(own_edit).exists()
    assert _fresh(others).review_state == ReviewState.APPROVED
    # The own edit was never posted (the confirmation page listed it as refused).
    (message,) = _messages(response)
    assert message.startswith(f"“{others}” is live: patients now read")


def test_change_form_submit_action_reports_success_and_returns_to_the_form(client, author):
    compound = make_compound()
    client.force_login(author)
    response = _decide_on_change_form(client, compound, "submit_for_review")
    assert response["Location"] == _url(Compound, "change", compound.pk)
    assert f"“{compound}” is waiting for a medical advisor" in " ".join(_messages(response))
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_change_form_action_refused_by_the_workflow_shows_the_reason(client, advisor):
    compound = make_compound()
    client.force_login(advisor)
    response = _run_on_change_form(client, compound, "approve")
    assertContains(response, "not in review")
    assert not _versions(compound).exists()


def test_change_form_action_for_another_object_is_a_bad_request(client, author, advisor):
    compound, other = _ready_for("approve", author, None), _ready_for("approve", author, None)
    client.force_login(advisor)
    # Crafted input: a forged id in the change form's selection.
    response = client.post(
        _url(Compound, "change", compound.pk),
        {"CHANGE_FORM-action": "approve", "_selected_action": str(other.pk)},
    )
    assert response.status_code == 400
    assert not _versions(other).exists()


def test_request_changes_on_the_changelist_asks_for_a_comment_first(client, author, advisor):
    compound = _ready_for("request_changes", author, None)
    client.force_login(advisor)
    response = _run_on_changelist(client, [compound], "request_changes")
    assert response.status_code == 200
    assertTemplateUsed(response, "admin/compounds/review_comment.html")
    assertContains(response, "What needs to change?")
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_comment_page_posts_back_the_action_and_the_selection(client, author, advisor):
    compound = _ready_for("request_changes", author, None)
    client.force_login(advisor)
    response = _run_on_change_form(client, compound, "request_changes")
    data = form_data(response, "Request changes")
    assert data["CHANGE_FORM-action"] == ["request_changes"]
    assert data["_selected_action"] == [str(compound.pk)]
    # The revision shown is held on the server, named by the one token the page posts.
    (token,) = data["shown"]
    seen = shown.recall(advisor, Compound, "request_changes", token)
    assert seen.revisions == {("compound", compound.pk): compound.revision}


def test_request_changes_without_a_comment_asks_again(client, author, advisor):
    compound = _ready_for("request_changes", author, None)
    client.force_login(advisor)
    # Spaces pass the browser's check of a required field; the server's check sees them.
    response = _decide_on_changelist(client, [compound], "request_changes", comment="  ")
    assertContains(response, "A comment is required.")
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assert not _events(compound).filter(action=ReviewAction.REQUEST_CHANGES).exists()


def test_requested_changes_comment_is_stored_and_shown_to_the_author(client, author, advisor):
    compound = _ready_for("request_changes", author, None)
    client.force_login(advisor)
    asked = _run_on_change_form(client, compound, "request_changes")
    _confirm(client, asked, "request_changes", comment="Cite the 2019 trial & its dose.")

    assert _fresh(compound).review_state == ReviewState.CHANGES_REQUESTED
    event = _events(compound).last()
    assert (event.action, event.user, event.comment) == (
        ReviewAction.REQUEST_CHANGES,
        advisor,
        "Cite the 2019 trial & its dose.",
    )
    client.force_login(author)
    response = client.get(_url(Compound, "change", compound.pk))
    assertContains(response, "Changes requested by Ada Tester")
    assertContains(response, escape("Cite the 2019 trial & its dose."))


def test_withdraw_on_the_change_form_asks_for_a_reason_then_withdraws(
    client, author, approver, advisor
):
    compound = _ready_for("withdraw", author, approver)
    client.force_login(advisor)
    asked = _run_on_change_form(client, compound, "withdraw")
    assertContains(asked, "Why is it withdrawn?")
    assert is_live(Compound, compound.pk)

    _confirm(client, asked, "withdraw", comment="Outdated.")
    assert not is_live(Compound, compound.pk)
    assert _events(compound).last().comment == "Outdated."


def test_live_object_cannot_be_deleted_even_by_an_advisor(client, author, approver, advisor):
    compound = _ready_for("withdraw", author, approver)
    client.force_login(advisor)
    delete_url = _url(Compound, "delete", compound.pk)
    assertNotContains(client.get(_url(Compound, "change", compound.pk)), delete_url)
    assert client.get(delete_url).status_code == 403
    # With no page to press Delete on, the post is crafted.
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Compound.objects.filter(pk=compound.pk).exists()


def test_advisor_may_delete_content_that_is_not_live(client, author, advisor):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    assertContains(client.get(_url(Compound, "change", compound.pk)), "Delete")
    response = press(client, _url(Compound, "delete", compound.pk), "Yes, I’m sure")
    assert response.status_code == 302
    assert not Compound.objects.filter(pk=compound.pk).exists()


def test_editor_may_not_delete_content(client, author, editor):
    compound = make_compound()
    client.force_login(editor)
    delete_url = _url(Compound, "delete", compound.pk)
    assertNotContains(client.get(_url(Compound, "change", compound.pk)), delete_url)
    assert client.get(delete_url).status_code == 403
    # With no page to press Delete on, the post is crafted.
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert Compound.objects.filter(pk=compound.pk).exists()


# Saving in the admin -----------------------------------------------------------------------


def test_admin_edit_of_a_live_object_returns_it_to_draft_and_notes_the_editor(
    client, author, approver, editor
):
    compound = _ready_for("withdraw", author, approver)
    client.force_login(editor)
    form = client.get(_url(Compound, "change", compound.pk))
    response = client.post(
        _url(Compound, "change", compound.pk),
        form_data(form, "Save", safety_profile="New safety text."),
    )
    assert response.status_code == 302
    saved = _fresh(compound)
    assert saved.review_state == ReviewState.DRAFT
    assert saved.revision == compound.revision + 1
    assert saved.editors_since_approval == [editor.pk]
    assert live_object(Compound, compound.pk).safety_profile == "Generally tolerated."


def test_admin_edit_of_a_mechanism_alone_is_an_edit_of_the_compound(
    client, author, approver, editor
):
    compound = make_compound()
    mechanism = Mechanism.objects.create(compound=compound, position=1, description="Old route")
    _live(compound, author, approver)
    client.force_login(editor)
    form = client.get(_url(Compound, "change", compound.pk))
    client.post(
        _url(Compound, "change", compound.pk),
        form_data(form, "Save", **{"mechanisms-0-description": "New route"}),
    )
    assert Mechanism.objects.get(pk=mechanism.pk).description == "New route"
    assert _fresh(compound).review_state == ReviewState.DRAFT
    live = live_object(Compound, compound.pk)
    assert [m.description for m in live.mechanisms.all()] == ["Old route"]


def test_admin_save_without_changes_leaves_an_approved_object_approved(
    client, author, approver, editor
):
    compound = _ready_for("withdraw", author, approver)
    client.force_login(editor)
    form = client.get(_url(Compound, "change", compound.pk))
    client.post(_url(Compound, "change", compound.pk), form_data(form, "Save"))
    saved = _fresh(compound)
    assert saved.review_state == ReviewState.APPROVED
    assert saved.revision == compound.revision


def test_adding_in_the_admin_books_the_first_edit(client, editor):
    client.force_login(editor)
    form = client.get(_url(Compound, "add"))
    submit(
        client,
        form,
        "Save",
        name="Psilocybin",
        slug="psilocybin",
        drug_class="Psychedelic",
        regulatory_status="Not approved.",
        evidence_overview="Phase II data.",
        safety_profile="Perceptual effects.",
    )
    compound = Compound.objects.get(slug="psilocybin")
    assert (compound.review_state, compound.revision, compound.last_edited_by) == (
        ReviewState.DRAFT,
        1,
        editor,
    )


def test_stale_save_is_refused_naming_who_changed_it_and_keeps_their_text(client, author):
    compound = make_compound(safety_profile="Original text.")
    first = _user("fay", "Editor")
    second = _user("gus", "Editor")

    client.force_login(second)
    opened_by_second = client.get(_url(Compound, "change", compound.pk))
    client.force_login(first)
    opened_by_first = client.get(_url(Compound, "change", compound.pk))
    assert opened_by_first.context["adminform"].form["revision"].value() == 0

    saved = client.post(
        _url(Compound, "change", compound.pk),
        form_data(opened_by_first, "Save", safety_profile="First editor's text."),
    )
    assert saved.status_code == 302

    client.force_login(second)
    refused = client.post(
        _url(Compound, "change", compound.pk),
        form_data(opened_by_second, "Save", safety_profile="Second editor's text."),
    )
    assert refused.status_code == 200
    assertContains(refused, "Fay Tester changed this compound at")
    assert _fresh(compound).safety_profile == "First editor's text."
    assert _fresh(compound).revision == 1
    assert _fresh(compound).last_edited_by == first


def test_save_with_the_current_revision_after_a_stale_refusal_succeeds(client):
    compound = make_compound()
    editor = _user("fay", "Editor")
    client.force_login(editor)
    opened = client.get(_url(Compound, "change", compound.pk))
    client.post(_url(Compound, "change", compound.pk), form_data(opened, "Save", aliases="one"))
    reopened = client.get(_url(Compound, "change", compound.pk))
    response = client.post(
        _url(Compound, "change", compound.pk), form_data(reopened, "Save", aliases="two")
    )
    assert response.status_code == 302
    assert _fresh(compound).aliases == "two"


def test_an_edit_saved_while_an_advisor_withdraws_keeps_the_withdrawal(
    client, author, approver, advisor, editor, monkeypatch
):
    compound = _ready_for("withdraw", author, approver)
    client.force_login(editor)
    form = client.get(_url(Compound, "change", compound.pk))

    real_lock = workflow.lock
    raced = []

    def lock_after_a_withdrawal(obj):
        # The advisor's withdrawal commits after the admin read the row, before the lock.
        if not raced:
            raced.append(True)
            workflow.withdraw(obj, advisor, comment="Safety signal.")
        return real_lock(obj)

    monkeypatch.setattr(workflow, "lock", lock_after_a_withdrawal)
    response = client.post(
        _url(Compound, "change", compound.pk),
        form_data(form, "Save", aliases="edited meanwhile"),
    )
    assert raced and response.status_code == 302
    assert not is_live(Compound, compound.pk)


def test_advisor_cannot_publish_a_reference_they_edited_in_the_reference_admin(
    client, author, approver, advisor
):
    summary = _live_summary(author, approver)
    reference = make_reference(summary)
    workflow.record_edit(summary, author)
    summary.save()
    workflow.submit(summary, author)

    client.force_login(advisor)
    form = client.get(_url(type(reference), "change", reference.pk))
    # The reference admin shows no Save button; a hand-made post of an edit is crafted input.
    with pytest.raises(AssertionError, match="No button “Save”"):
        form_data(form, "Save")
    crafted = {"title": "A trial the advisor retitled", "_save": "Save"}
    client.post(_url(type(reference), "change", reference.pk), crafted)
    _decide_on_changelist(client, [summary], "approve")

    # Either the reference admin refuses the edit, or the edit counts as the advisor's.
    version = _fresh(summary).live_version
    published = [row["title"] for row in version.data["references"]]
    assert not (version.approved_by == advisor and "A trial the advisor retitled" in published)


# Audit trail -------------------------------------------------------------------------------


def test_change_page_shows_the_review_history(client, author, approver):
    compound = _ready_for("withdraw", author, approver)
    workflow.withdraw(compound, approver, comment="A reason for the history.")
    client.force_login(author)
    response = client.get(_url(Compound, "change", compound.pk))
    history = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is ReviewEvent
    )
    assert [form.instance.action for form in history.formset.forms] == [
        ReviewAction.WITHDRAW,
        ReviewAction.APPROVE,
        ReviewAction.SUBMIT,
    ]
    assertContains(response, "A reason for the history.")
    assertContains(response, "Review history")


def test_review_history_on_the_change_page_cannot_be_edited(admin_client, author):
    compound = make_compound()
    workflow.submit(compound, author)
    response = admin_client.get(_url(Compound, "change", compound.pk))
    history = next(
        inline
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is ReviewEvent
    )
    assert not history.has_add_permission
    assert not history.has_change_permission
    assert not history.has_delete_permission


def test_review_event_admin_lists_the_trail(client, author):
    compound = make_compound()
    workflow.submit(compound, author)
    client.force_login(author)
    response = client.get(_url(ReviewEvent, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_review_event_admin_refuses_add(admin_client):
    assert admin_client.get(_url(ReviewEvent, "add")).status_code == 403
    # With no page to add on, the post is crafted.
    assert admin_client.post(_url(ReviewEvent, "add"), {"comment": "x"}).status_code == 403


def test_review_event_admin_refuses_change(admin_client, author):
    compound = make_compound()
    workflow.submit(compound, author)
    event = _events(compound).get()
    page = admin_client.get(_url(ReviewEvent, "change", event.pk))
    with pytest.raises(AssertionError, match="No button “Save”"):
        form_data(page, "Save")
    # The page shows the event with no Save button: a post of an edit is crafted.
    response = admin_client.post(
        _url(ReviewEvent, "change", event.pk), {"comment": "Rewritten history."}
    )
    assert response.status_code == 403
    assert ReviewEvent.objects.get(pk=event.pk).comment == ""


def test_review_event_admin_refuses_delete(admin_client, author):
    compound = make_compound()
    workflow.submit(compound, author)
    event = _events(compound).get()
    delete_url = _url(ReviewEvent, "delete", event.pk)
    assert admin_client.get(delete_url).status_code == 403
    # With no page to confirm the deletion on, the post is crafted.
    assert admin_client.post(delete_url, {"post": "yes"}).status_code == 403
    assert ReviewEvent.objects.filter(pk=event.pk).exists()


def test_review_event_admin_offers_no_bulk_delete(admin_client, author):
    compound = make_compound()
    workflow.submit(compound, author)
    event = _events(compound).get()
    response = admin_client.get(_url(ReviewEvent, "changelist"))
    assert _refuses_the_choice(response, "action", "delete_selected")
    # The list does not offer it: a post of the bulk delete is crafted.
    admin_client.post(
        _url(ReviewEvent, "changelist"),
        {"action": "delete_selected", "_selected_action": [str(event.pk)], "post": "yes"},
    )
    assert ReviewEvent.objects.filter(pk=event.pk).exists()


# Review screen -----------------------------------------------------------------------------


def test_review_page_shows_the_approved_and_the_working_text(client, author, approver):
    compound = _ready_for("withdraw", author, approver)
    Compound.objects.filter(pk=compound.pk).update(safety_profile="Unapproved safety text.")
    client.force_login(approver)
    response = client.get(_page_url("review", compound))
    assertContains(response, _deleted("Generally tolerated."), html=True)
    assertContains(response, _inserted("Unapproved safety text."), html=True)
    assertContains(response, "Changes since version 1")


def _deleted(text):
    return f'<del><span class="visually-hidden">deleted: </span>{text}</del>'


def _inserted(text):
    return f'<ins><span class="visually-hidden">inserted: </span>{text}</ins>'


def test_review_page_marks_the_one_word_that_changed(client, author, approver):
    compound = _ready_for("withdraw", author, approver)
    Compound.objects.filter(pk=compound.pk).update(safety_profile="Generally well tolerated.")
    client.force_login(approver)
    response = client.get(_page_url("review", compound))
    assertContains(response, f"<td>Generally {_inserted('well')} tolerated.</td>", html=True)
    assertContains(response, "<td>Generally tolerated.</td>", html=True)


def test_review_page_leaves_out_the_empty_fields_of_an_added_reference(client, author, approver):
    summary = make_summary()
    make_reference(summary, pmid="31578302", doi="", nct_id="")
    client.force_login(approver)
    text = client.get(_page_url("review", summary)).content.decode()
    # The identifier links to its source.
    assert (
        'PMID: <a href="https://pubmed.ncbi.nlm.nih.gov/31578302/" rel="external noopener" '
        'target="_blank">31578302</a>'
    ) in text
    assert "DOI:" not in text
    assert "NCT id:" not in text


def test_review_page_shows_a_reference_marked_as_a_study_of_another_condition(
    client, author, approver
):
    summary = make_summary()
    reference = make_reference(summary)
    for obj in (summary.compound, summary.condition, summary):
        _live(obj, author, approver)
    type(reference).objects.filter(pk=reference.pk).update(studied_condition=False)
    client.force_login(approver)
    response = client.get(_page_url("review", summary))
    assertContains(
        response, f"<li>Studied this condition: {_deleted('Yes')} &rarr; {_inserted('No')}</li>"
    )
    # And what it does to the pages: the direct grade no longer rests on a cited study.
    assertContains(
        response,
        'Once approved: <ins><span class="visually-hidden">inserted: </span>Our advisors '
        "graded the</ins> evidence",
    )


def test_review_page_of_a_never_approved_object_says_everything_is_new(client, author):
    compound = make_compound()
    client.force_login(author)
    assertContains(client.get(_page_url("review", compound)), "Never approved")


def test_review_page_offers_the_approve_form_to_an_advisor_only_in_review(client, author, advisor):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    assertContains(client.get(_page_url("review", compound)), 'value="Approve"')
    client.force_login(author)
    assertNotContains(client.get(_page_url("review", compound)), 'value="Approve"')


# An editor's change, from the admin to the public site -------------------------------------


def test_editor_walkthrough_from_edit_to_approved_with_the_advisors_byline(
    client, author, approver, editor, advisor
):
    summary = _live_summary(author, approver, human_evidence="Two small open-label trials.")
    change_url = _url(EvidenceSummary, "change", summary.pk)

    # The editor edits the approved summary.
    client.force_login(editor)
    opened = client.get(change_url)
    saved = client.post(
        change_url,
        form_data(opened, "Save", human_evidence="A randomized trial of 227 adults."),
    )
    assert saved.status_code == 302
    (live,) = live_objects(EvidenceSummary)
    assert live.human_evidence == "Two small open-label trials."

    # ... and submits it for review.
    _decide_on_change_form(client, summary, "submit_for_review")
    assert _fresh(summary).review_state == ReviewState.IN_REVIEW
    (live,) = live_objects(EvidenceSummary)
    assert live.human_evidence == "Two small open-label trials."

    # The advisor compares the two texts and approves from the review page.
    client.force_login(advisor)
    review = client.get(_url(EvidenceSummary, "review", summary.pk))
    assertContains(review, _deleted("Two small open-label trials."), html=True)
    assertContains(review, _inserted("A randomized trial of 227 adults."), html=True)
    # The factory's Level 2 grade cites no study: the advisor confirms it in a comment.
    approved = submit(client, review, "Approve", comment=CONFIRMED)
    assert approved.status_code == 302

    (live,) = live_objects(EvidenceSummary)
    assert live.human_evidence == "A randomized trial of 227 adults."
    assert live.version.reviewer_byline == "Dr Ada, MD, PhD"
    assert _fresh(summary).live_version.approved_by == advisor
    assert timezone.localdate(live.version.approved_at) == timezone.localdate()
    assert live.version.number == 2


# A decision binds to the revision the advisor saw -----------------------------------------


def _edit_and_resubmit(client, editor, obj, **changes):
    """The editor changes the object in its change form, saves, and submits it again."""
    client.force_login(editor)
    change_url = _url(type(obj), "change", obj.pk)
    saved = client.post(change_url, form_data(client.get(change_url), "Save", **changes))
    assert saved.status_code == 302
    _decide_on_change_form(client, obj, "submit_for_review")
    assert _fresh(obj).review_state == ReviewState.IN_REVIEW


def test_approval_from_a_review_screen_opened_before_an_edit_is_refused_and_shows_it(
    client, author, editor, advisor
):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    opened = _fresh(compound).revision
    review = client.get(_page_url("review", compound))

    _edit_and_resubmit(client, editor, compound, safety_profile="Text the advisor never saw.")

    client.force_login(advisor)
    response = submit(client, review, "Approve")

    assert not _versions(compound).exists()
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assert response.status_code == 200
    page = response.content.decode()
    assert f"Erin Tester changed “{compound}”" in page
    assert f"after you opened revision {opened}" in page
    assert "Changed Safety profile" in page
    assertContains(response, _inserted("Text the advisor never saw."), html=True)
    # The page shown is a confirmation at the new revision: approving it now publishes.
    again = form_data(response, "Approve and publish")
    seen = shown_by(response, "Approve and publish", advisor, Compound)
    assert seen.revisions == {("compound", compound.pk): _fresh(compound).revision}
    # It posts back to the address it was shown at, the change form's.
    assert not again.action
    assert response.wsgi_request.path == _url(Compound, "change", compound.pk)
    submit(client, response, "Approve and publish")
    assert live_object(Compound, compound.pk).safety_profile == "Text the advisor never saw."


def test_approval_from_a_change_form_opened_before_an_edit_is_refused(
    client, author, editor, advisor
):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    opened = client.get(_url(Compound, "change", compound.pk))
    _edit_and_resubmit(client, editor, compound, safety_profile="Unseen.")

    client.force_login(advisor)
    data = form_data(opened, "Run", **{"CHANGE_FORM-action": "approve"})
    response = client.post(_url(Compound, "change", compound.pk), data)

    assert not _versions(compound).exists()
    assertContains(response, "Erin Tester changed")
    assertContains(response, _inserted("Unseen."), html=True)


def test_approval_of_the_revision_on_the_change_form_publishes_it_once_its_text_is_read(
    client, author, advisor
):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    opened = client.get(_url(Compound, "change", compound.pk))
    data = form_data(opened, "Run", **{"CHANGE_FORM-action": "approve"})
    response = client.post(_url(Compound, "change", compound.pk), data)
    # Not yet: first what patients will read of it, on the confirmation page.
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW
    assertContains(response, "What patients will read")
    response = _confirm(client, response, "approve")
    assert response.status_code == 302
    assert _fresh(compound).review_state == ReviewState.APPROVED


def test_an_edit_of_an_inline_child_alone_makes_an_open_review_stale(
    client, author, editor, advisor
):
    compound = make_compound()
    Mechanism.objects.create(compound=compound, position=1, description="Old route")
    workflow.submit(compound, author)
    client.force_login(advisor)
    review = client.get(_page_url("review", compound))

    _edit_and_resubmit(client, editor, compound, **{"mechanisms-0-description": "New route"})

    client.force_login(advisor)
    response = submit(client, review, "Approve")
    assert not _versions(compound).exists()
    assertContains(response, "Changed Description for mechanism")
    assertContains(response, "New route")


@pytest.mark.parametrize("action", ["request_changes", "withdraw"])
def test_comment_decision_on_an_older_revision_is_refused(
    client, author, approver, editor, advisor, action
):
    compound = _ready_for(action, author, approver)
    client.force_login(advisor)
    asked = _run_on_change_form(client, compound, action)
    if action == "withdraw":
        _edit_and_resubmit(client, editor, compound, safety_profile="Changed meanwhile.")
    else:
        # Sent back by someone else, changed and submitted again in the meantime.
        workflow.request_changes(compound, approver, comment="First round.")
        _edit_and_resubmit(client, editor, compound, safety_profile="Changed meanwhile.")
    state = _fresh(compound).review_state

    client.force_login(advisor)
    response = _confirm(client, asked, action, comment="Decided on what I saw.")

    assert _fresh(compound).review_state == state
    assertContains(response, "Erin Tester changed")
    assertContains(response, "Decided on what I saw.")


def test_bulk_approval_asks_for_confirmation_listing_what_will_be_published(
    client, author, advisor
):
    ready = [_ready_for("approve", author, None) for _ in range(2)]
    draft = make_compound(name="Still a draft")
    client.force_login(advisor)
    response = _run_on_changelist(client, [*ready, draft], "approve")

    assert response.status_code == 200
    assert not any(_versions(obj).exists() for obj in ready)
    seen = shown_by(response, "Approve and publish", advisor, Compound)
    assert seen.revisions == {("compound", obj.pk): obj.revision for obj in ready}
    assert set(seen.texts) == {obj.pk for obj in ready}
    assertContains(response, "Still a draft")
    assertContains(response, "not in review")

    _confirm(client, response, "approve")
    assert all(_fresh(obj).review_state == ReviewState.APPROVED for obj in ready)
    assert _fresh(draft).review_state == ReviewState.DRAFT


def test_bulk_approval_confirmed_after_an_edit_publishes_only_what_was_not_changed(
    client, author, editor, advisor
):
    unchanged, changed = (_ready_for("approve", author, None) for _ in range(2))
    client.force_login(advisor)
    confirmation = _run_on_changelist(client, [unchanged, changed], "approve")
    seen = shown_by(confirmation, "Approve and publish", advisor, Compound)
    assert seen.revisions[("compound", changed.pk)] == changed.revision

    _edit_and_resubmit(client, editor, changed, safety_profile="Edited after the list.")
    client.force_login(advisor)
    response = _confirm(client, confirmation, "approve")

    assert _fresh(unchanged).review_state == ReviewState.APPROVED
    assert not _versions(changed).exists()
    assertContains(response, _inserted("Edited after the list."), html=True)


def test_a_decision_without_the_revision_seen_decides_nothing(client, author, advisor):
    compound = _ready_for("approve", author, None)
    client.force_login(advisor)
    # Crafted input: every page that decides carries the revision it showed.
    response = client.post(
        _url(Compound, "change", compound.pk),
        {"CHANGE_FORM-action": "approve", "_selected_action": str(compound.pk), "confirmed": "yes"},
    )
    assert response.status_code == 200
    assert not _versions(compound).exists()


# An action run from a change form never loses what was typed on it -------------------------


def _form_action_post(opened, obj, action, **changes):
    """The change form as a browser posts it when its action box is run."""
    return form_data(opened, "Run", **{"CHANGE_FORM-action": action, **changes})


def test_action_on_a_change_form_with_unsaved_edits_keeps_them_and_runs_nothing(client, editor):
    compound = make_compound()
    client.force_login(editor)
    change_url = _url(Compound, "change", compound.pk)
    opened = client.get(change_url)
    response = client.post(
        change_url,
        _form_action_post(opened, compound, "submit_for_review", safety_profile="Typed, unsaved."),
    )
    assert response.status_code == 200
    assertContains(response, "“Submit for review” was not run")
    assertContains(response, "Typed, unsaved.")
    saved = _fresh(compound)
    assert (saved.review_state, saved.safety_profile) == (ReviewState.DRAFT, "Generally tolerated.")


def test_unsaved_inline_edit_also_stops_the_action(client, editor):
    compound = make_compound()
    Mechanism.objects.create(compound=compound, position=1, description="Old route")
    client.force_login(editor)
    change_url = _url(Compound, "change", compound.pk)
    opened = client.get(change_url)
    data = _form_action_post(
        opened, compound, "submit_for_review", **{"mechanisms-0-description": "New route"}
    )
    response = client.post(change_url, data)
    assertContains(response, "was not run")
    assert _fresh(compound).review_state == ReviewState.DRAFT


def test_save_and_submit_for_review_saves_the_edit_then_submits_it(client, editor):
    compound = make_compound()
    client.force_login(editor)
    change_url = _url(Compound, "change", compound.pk)
    opened = client.get(change_url)
    assertContains(opened, 'name="_save_submit"')
    # The browser sends the action box's empty choice along with the button pressed.
    data = form_data(opened, "Save and submit for review", safety_profile="Saved and submitted.")
    assert data["CHANGE_FORM-action"] == [""]
    response = client.post(change_url, data)
    assert response.status_code == 302
    saved = _fresh(compound)
    assert (saved.review_state, saved.safety_profile) == (
        ReviewState.IN_REVIEW,
        "Saved and submitted.",
    )
    assert _messages(response) == [
        f"“{saved}” was saved and submitted for review. Patients see it once a medical "
        "advisor approves it."
    ]


def test_action_on_a_change_form_without_edits_runs(client, editor):
    compound = make_compound()
    client.force_login(editor)
    change_url = _url(Compound, "change", compound.pk)
    response = client.post(
        change_url, _form_action_post(client.get(change_url), compound, "submit_for_review")
    )
    assert response.status_code == 302
    assert _fresh(compound).review_state == ReviewState.IN_REVIEW


def test_submit_from_a_stale_change_form_with_edits_keeps_them_and_names_who_changed_it(
    client, editor, author
):
    compound = make_compound()
    client.force_login(editor)
    change_url = _url(Compound, "change", compound.pk)
    opened = client.get(change_url)
    client.force_login(author)
    client.post(change_url, form_data(client.get(change_url), "Save", name="Renamed by author"))

    client.force_login(editor)
    response = client.post(
        change_url,
        _form_action_post(opened, compound, "submit_for_review", safety_profile="Mine, unsaved."),
    )
    assertContains(response, "Author Tester changed this compound")
    assertContains(response, "Mine, unsaved.")
    assert _fresh(compound).review_state == ReviewState.DRAFT


# A grade its references do not support ----------------------------------------------------

# What the advisor types to confirm a grade no cited study supports: test data.
CONFIRMED = "Grade confirmed from the trials I read; their references will be added."
GRADE_NOTE = "confirm the grade in a comment, which the history keeps"


def _uncited_summary_in_review(author, approver):
    """A Level 2 summary (the factory's) citing no study, its compound and condition live."""
    summary = make_summary()
    for obj in (summary.compound, summary.condition):
        _live(obj, author, approver)
    workflow.submit(summary, author)
    return _fresh(summary)


def _approval_comment(summary):
    return _events(summary).get(action=ReviewAction.APPROVE).comment


def test_the_review_screen_asks_the_advisor_to_confirm_an_unsupported_grade(
    client, author, approver, advisor
):
    summary = _uncited_summary_in_review(author, approver)
    client.force_login(advisor)
    review = client.get(_page_url("review", summary))
    assertContains(review, GRADE_NOTE)
    assertContains(review, "Comment confirming the grade (required, kept in the history)")

    # Pressed without the comment (as a page without its `required` check would post it).
    submit(client, review, "Approve")
    assert _fresh(summary).review_state == ReviewState.IN_REVIEW

    submit(client, client.get(_page_url("review", summary)), "Approve", comment=CONFIRMED)
    assert _fresh(summary).review_state == ReviewState.APPROVED
    assert _approval_comment(summary) == CONFIRMED


def test_the_review_screen_of_a_supported_grade_keeps_the_comment_optional(
    client, author, approver, advisor
):
    summary = _uncited_summary_in_review(author, approver)
    make_reference(summary, pmid="", url="https://example.org/test-rct")
    client.force_login(advisor)
    review = client.get(_page_url("review", _fresh(summary)))
    assertNotContains(review, GRADE_NOTE)
    submit(client, review, "Approve")
    assert _fresh(summary).review_state == ReviewState.APPROVED


@pytest.mark.parametrize("where", ["changelist", "change_form"])
def test_the_decision_page_asks_for_the_comment_before_approving_an_unsupported_grade(
    client, author, approver, advisor, where
):
    summary = _uncited_summary_in_review(author, approver)
    client.force_login(advisor)
    run = _run_on_changelist if where == "changelist" else _run_on_change_form
    page = run(client, [summary] if where == "changelist" else summary, "approve")
    assertTemplateUsed(page, "admin/compounds/review_comment.html")
    assertContains(page, GRADE_NOTE)
    assert _fresh(summary).review_state == ReviewState.IN_REVIEW

    again = _confirm(client, page, "approve")
    assertContains(again, "A comment is required.")
    assert _fresh(summary).review_state == ReviewState.IN_REVIEW

    _confirm(client, again, "approve", comment=CONFIRMED)
    assert _fresh(summary).review_state == ReviewState.APPROVED
    assert _approval_comment(summary) == CONFIRMED


@contextlib.contextmanager
def _text_not_rendered():
    """The confirmation page without rendering each object's public pages, whose queries
    are each page's own (tests/pages/test_reading.py): what is left is the page's."""
    with mock.patch.object(InsightSwarmAdminSite, "what_patients_read", return_value=Reading([])):
        yield


def _confirmation_page_queries(client, editor, advisor, count):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    summaries = [workflow.submit(make_summary(), editor) for _ in range(count)]
    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries, _text_not_rendered():
        response = _run_on_changelist(client, summaries, "approve")
    assert response.status_code == 200
    return len(queries)


def test_the_approval_confirmation_reads_the_summaries_names_and_references_once(
    client, editor, advisor
):
    # Each row names its summary (its compound and condition) and says whether its grade
    # needs a confirming comment (its references): read for the list, not for each row.
    few = _confirmation_page_queries(client, editor, advisor, 2)
    EvidenceSummary.objects.all().delete()
    assert _confirmation_page_queries(client, editor, advisor, 6) == few
