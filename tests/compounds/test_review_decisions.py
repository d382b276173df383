"""Deciding from the review screen and the preview: an approval may carry a comment,
the buttons are offered only to who may use them, and a decision leads to the next
item in the queue."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compounds import workflow
from compounds.models import Compound, ReviewAction, ReviewEvent, ReviewState
from tests.factories import make_compound, make_user, save_edit

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


def form_fields(html, marker):
    """The hidden and named inputs of the form in html that holds `marker`."""
    import re

    start = html.index(marker)
    form = html[html.rindex("<form", 0, start) : html.index("</form>", start)]
    return dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form))


def test_approving_from_the_review_screen_keeps_the_comment_and_opens_the_next_item(client, people):
    first = submitted("Alpha", people["editor"], days_ago=3)
    second = submitted("Beta", people["editor"], days_ago=1)
    client.force_login(people["advisor"])
    review = client.get(_url("review", first)).content.decode()
    fields = form_fields(review, 'value="Approve"')
    fields["comment"] = "Checked against the label."

    response = client.post(_url("change", first), fields)

    assert response.status_code == 302
    assert response["Location"] == _url("review", second)
    first.refresh_from_db()
    assert first.review_state == ReviewState.APPROVED
    event = ReviewEvent.objects.of(first).get(action=ReviewAction.APPROVE)
    assert event.comment == "Checked against the label."


def test_after_the_last_item_the_advisor_lands_on_the_empty_queue(client, people):
    only = submitted("Alpha", people["editor"])
    client.force_login(people["advisor"])
    fields = form_fields(client.get(_url("review", only)).content.decode(), 'value="Approve"')
    response = client.post(_url("change", only), fields)
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
    preview = client.get(_url("preview", waiting)).content.decode()
    assert f'href="{_url("review", waiting)}">Back to the review</a>' in preview
    fields = form_fields(preview, ">Approve</button>")
    assert fields["_next"] == "queue"
    response = client.post(_url("change", waiting), fields)
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
    review = client.get(_url("review", first)).content.decode()
    asked = client.post(_url("change", first), form_fields(review, 'value="Request changes"'))
    fields = form_fields(asked.content.decode(), 'name="confirmed"')
    fields["comment"] = "Cite the label."

    response = client.post(_url("change", first), fields)

    assert response["Location"] == _url("review", second)
    first.refresh_from_db()
    assert first.review_state == ReviewState.CHANGES_REQUESTED


def test_a_change_request_points_at_parts_and_the_editor_sees_it_beside_them(client, people):
    compound = submitted("Alpha", people["editor"])
    compound = save_edit(compound, people["editor"], safety_profile="New safety text.")
    workflow.submit(compound, people["editor"])
    client.force_login(people["advisor"])
    review = client.get(_url("review", compound)).content.decode()
    asked = client.post(_url("change", compound), form_fields(review, 'value="Request changes"'))
    page = asked.content.decode()
    assert 'name="about" value="Safety profile"' in page
    fields = form_fields(page, 'name="confirmed"')
    fields.update(comment="Name the source of this.", about=["Safety profile", "Not a part"])
    client.post(_url("change", compound), fields)

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
    page = client.get(_url("review", compound)).content.decode()
    asked = form_fields(page, 'value="Request changes"')
    assert asked[f"seen_revision_{compound.pk}"] == "0"
    edited = save_edit(compound, people["editor"], safety_profile="Other text.")
    workflow.submit(edited, people["editor"])
    confirmation = client.post(_url("change", compound), asked).content.decode()
    confirmed = form_fields(confirmation, 'name="confirmed"')
    assert confirmed[f"seen_revision_{compound.pk}"] == "0"
    client.post(_url("change", compound), {**confirmed, "comment": "Fix it."})
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.IN_REVIEW


@pytest.mark.parametrize("view", ["review", "preview", "versions"])
def test_a_page_about_an_object_that_no_longer_exists_is_not_found(client, people, view):
    gone = make_compound(name="Gone", slug="gone")
    url = _url(view, gone)
    gone.delete()
    client.force_login(people["advisor"])
    assert client.get(url).status_code == 404
