"""Deciding from the review screen and the preview: an approval may carry a comment,
the buttons are offered only to who may use them, and a decision leads to the next
item in the queue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compounds.models import Compound, ReviewAction, ReviewEvent, ReviewState
from compounds.review import workflow
from tests.admin_forms import address, form_data, submit
from tests.factories import make_compound, make_user, save_edit, shown_by

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "editor": make_user("editor", "Editor"),
        "advisor": make_user("advisor", "Medical Advisor", byline=True),
    }


def submitted(name, by, days_ago=0):
    compound = save_edit(make_compound(name=name, slug=name.lower()), by)
    workflow.submit(compound, by)
    Compound.objects.filter(pk=compound.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=days_ago)
    )
    return Compound.objects.get(pk=compound.pk)


def _url(view, obj):
    return reverse(f"admin:compounds_compound_{view}", args=[obj.pk])


def test_approving_from_the_review_screen_keeps_the_comment_and_opens_the_next_item(client, people):
    first = submitted("Alpha", people["editor"], days_ago=3)
    second = submitted("Beta", people["editor"], days_ago=1)
    client.force_login(people["advisor"])
    review = client.get(_url("review", first))

    response = submit(client, review, "Approve", comment="Checked against the label.")

    assert response.status_code == 302
    assert response["Location"] == _url("review", second)
    first.refresh_from_db()
    assert first.review_state == ReviewState.APPROVED
    event = ReviewEvent.objects.of(first).get(action=ReviewAction.APPROVE)
    assert event.comment == "Checked against the label."


def test_after_the_last_item_the_advisor_lands_on_the_empty_queue(client, people):
    only = submitted("Alpha", people["editor"])
    client.force_login(people["advisor"])
    response = submit(client, client.get(_url("review", only)), "Approve")
    assert response["Location"] == reverse("admin:review_queue")


def test_an_advisor_is_not_offered_approval_of_their_own_edit(client, people):
    own = submitted("Alpha", people["advisor"])
    client.force_login(people["advisor"])
    review = client.get(_url("review", own)).content.decode()
    assert 'value="Approve"' not in review
    assert "another medical advisor must approve it" in review
    assert "Edited since the last approval by advisor." in review


def test_the_preview_offers_the_way_back_and_the_decisions(client, people):
    waiting = submitted("Alpha", people["editor"])
    client.force_login(people["advisor"])
    preview = client.get(_url("preview", waiting))
    assert f'href="{_url("review", waiting)}">Back to the review</a>' in preview.content.decode()
    approve = form_data(preview, "Approve…")
    assert approve["_next"] == ["queue"]
    assert approve.action == _url("change", waiting)
    # The preview shows one of the pages: the approval is confirmed beside all of them.
    confirmation = submit(client, preview, "Approve…")
    assert "What patients will read" in confirmation.content.decode()
    waiting.refresh_from_db()
    assert waiting.review_state == ReviewState.IN_REVIEW
    response = submit(client, confirmation, "Approve and publish")
    assert response.status_code == 302
    waiting.refresh_from_db()
    assert waiting.review_state == ReviewState.APPROVED


def test_an_editor_previewing_gets_the_way_back_but_no_decision(client, people):
    waiting = submitted("Alpha", people["editor"])
    client.force_login(people["editor"])
    preview = client.get(_url("preview", waiting)).content.decode()
    assert "Back to the review" in preview
    assert ">Approve</button>" not in preview
    assert ">Request changes</button>" not in preview


def test_a_change_request_from_the_review_screen_asks_its_comment_then_opens_the_next(
    client, people
):
    first = submitted("Alpha", people["editor"], days_ago=2)
    second = submitted("Beta", people["editor"], days_ago=1)
    client.force_login(people["advisor"])
    review = client.get(_url("review", first))
    asked = submit(client, review, "Request changes")
    assert "What needs to change?" in asked.content.decode()

    response = submit(client, asked, "Request changes", comment="Cite the label.")

    assert response["Location"] == _url("review", second)
    first.refresh_from_db()
    assert first.review_state == ReviewState.CHANGES_REQUESTED


def test_a_change_request_points_at_parts_and_the_editor_sees_it_beside_them(client, people):
    compound = submitted("Alpha", people["editor"])
    compound = save_edit(compound, people["editor"], safety_profile="New safety text.")
    workflow.submit(compound, people["editor"])
    client.force_login(people["advisor"])
    asked = submit(client, client.get(_url("review", compound)), "Request changes")
    assert 'name="about" value="Safety profile"' in asked.content.decode()
    data = form_data(
        asked, "Request changes", comment="Name the source of this.", about=["Safety profile"]
    )
    # Crafted input on top: a part the page does not offer, which the server drops.
    data["about"].append("Not a part")
    client.post(address(asked), data)

    event = ReviewEvent.objects.of(compound).get(action=ReviewAction.REQUEST_CHANGES)
    assert event.about == ["Safety profile"]
    client.force_login(people["editor"])
    form = client.get(_url("change", compound)).content.decode()
    assert "about Safety profile: Name the source of this." in form
    beside = form.index("Changes requested: Name the source of this.")
    assert form.index('id="id_safety_profile"') > beside > form.index("field-safety_profile")


def test_a_change_request_on_a_first_revision_is_refused_once_the_editor_saves_again(
    client, people
):
    """Revision 0 is a revision seen like any other: the confirmation page must keep it."""
    compound = make_compound(name="Alpha", slug="alpha")
    assert compound.revision == 0
    workflow.submit(compound, people["editor"])
    client.force_login(people["advisor"])
    review = client.get(_url("review", compound))
    assert form_data(review, "Request changes")[f"seen_revision_{compound.pk}"] == ["0"]
    edited = save_edit(compound, people["editor"], safety_profile="Other text.")
    workflow.submit(edited, people["editor"])
    # The review screen was opened before the edit: it asks about what it showed.
    confirmation = submit(client, review, "Request changes")
    seen = shown_by(confirmation, "Request changes", people["advisor"], Compound)
    assert seen.revisions == {("compound", compound.pk): 0}
    submit(client, confirmation, "Request changes", comment="Fix it.")
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.IN_REVIEW


@pytest.mark.parametrize("view", ["review", "preview", "versions"])
def test_a_page_about_an_object_that_no_longer_exists_is_not_found(client, people, view):
    gone = make_compound(name="Gone", slug="gone")
    url = _url(view, gone)
    gone.delete()
    client.force_login(people["advisor"])
    assert client.get(url).status_code == 404
