"""After each review step the admin says what happened and what comes next.

Every step is taken as a person takes it: the buttons of the rendered pages are pressed
(tests/admin_forms.py), and the message is read on the page the browser lands on.
"""

import pytest
from django.urls import reverse
from django.utils import dateformat, timezone

from compounds.models import Compound, ReviewState
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import make_compound, make_user, save_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor():
    return make_user("erin", "Editor", first_name="Erin", last_name="Walsh")


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byrne")


def _url(obj, view):
    return reverse(f"admin:compounds_{obj._meta.model_name}_{view}", args=[obj.pk])


def _list_url(model):
    return reverse(f"admin:compounds_{model._meta.model_name}_changelist")


def _messages(page):
    """The text of the messages the admin shows on a page."""
    html = page.content.decode()
    start = html.index('<ul class="messagelist">')
    return " ".join(html[start : html.index("</ul>", start)].split())


def _press(client, page, button, **changes):
    data = form_data(page, button, **changes)
    return client.post(data.action or page.wsgi_request.path, data, follow=True)


def _due_a_year_on():
    due = workflow.review_due_after(timezone.localdate())
    return dateformat.format(due, "j F Y")


def _in_review(editor, **fields):
    compound = make_compound(**fields)
    compound = save_edit(compound, editor)
    workflow.submit(compound, editor)
    return compound


def _live(editor, advisor, **fields):
    compound = _in_review(editor, **fields)
    return workflow.approve(compound, advisor)


def test_submitting_a_new_compound_says_patients_see_it_once_an_advisor_approves(client, editor):
    compound = make_compound(name="Memantine")
    client.force_login(editor)
    page = client.get(_url(compound, "change"))
    landed = _press(client, page, "Run", **{"CHANGE_FORM-action": "submit_for_review"})
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.IN_REVIEW
    assert (
        "“Memantine” is waiting for a medical advisor; patients see it once one approves it."
        in _messages(landed)
    )


def test_submitting_an_edit_of_a_live_compound_says_the_public_site_keeps_the_approved_one(
    client, editor, advisor
):
    compound = _live(editor, advisor, name="Memantine")
    save_edit(compound, editor, safety_profile="Edited.")
    client.force_login(editor)
    page = client.get(_url(compound, "change"))
    landed = _press(client, page, "Run", **{"CHANGE_FORM-action": "submit_for_review"})
    assert (
        "“Memantine” is waiting for a medical advisor; the public site keeps the approved "
        "version until then." in _messages(landed)
    )


def test_submitting_several_from_the_list_says_so_for_each_kind_of_state(client, editor, advisor):
    live = _live(editor, advisor, name="Memantine")
    save_edit(live, editor, safety_profile="Edited.")
    new = make_compound(name="Lidocaine")
    client.force_login(editor)
    page = client.get(_list_url(Compound))
    landed = _press(
        client, page, "Run", action="submit_for_review", _selected_action=[live.pk, new.pk]
    )
    assert (
        "2 compounds are waiting for a medical advisor; the public site keeps the approved "
        "versions of those it shows until then, and patients see the others once one "
        "approves them." in _messages(landed)
    )


def test_approving_on_the_review_screen_says_what_patients_read_and_when_it_is_due(
    client, editor, advisor
):
    compound = _in_review(editor, name="Memantine")
    client.force_login(advisor)
    page = client.get(_url(compound, "review"))
    landed = _press(client, page, "Approve")
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.APPROVED
    assert (
        "“Memantine” is live: patients now read this version, version 1; next review due "
        f"{_due_a_year_on()}." in _messages(landed)
    )


def test_approving_several_from_the_list_says_they_are_live(client, editor, advisor):
    first = _in_review(editor, name="Memantine")
    second = _in_review(editor, name="Lidocaine")
    client.force_login(advisor)
    page = client.get(_list_url(Compound))
    confirm = _press(client, page, "Run", action="approve", _selected_action=[first.pk, second.pk])
    landed = _press(client, confirm, "Approve and publish")
    assert (
        "2 compounds are live: patients now read these versions; next review due "
        f"{_due_a_year_on()}." in _messages(landed)
    )


def test_requesting_changes_names_the_author_who_sees_the_comment_on_the_form(
    client, editor, advisor
):
    compound = _in_review(editor, name="Memantine")
    client.force_login(advisor)
    page = client.get(_url(compound, "review"))
    ask = _press(client, page, "Request changes")
    landed = _press(client, ask, "Request changes", comment="Cite the 2019 trial.")
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.CHANGES_REQUESTED
    assert (
        "“Memantine” was returned to Erin Walsh, who sees your comment on the form."
        in _messages(landed)
    )
    # ... and she does.
    client.force_login(editor)
    assert "Cite the 2019 trial." in client.get(_url(compound, "change")).content.decode()


def test_withdrawing_says_it_is_off_the_public_site_and_its_history_keeps_every_version(
    client, editor, advisor
):
    compound = _live(editor, advisor, name="Memantine")
    client.force_login(advisor)
    page = client.get(_url(compound, "change"))
    ask = _press(client, page, "Run", **{"CHANGE_FORM-action": "withdraw"})
    landed = _press(client, ask, "Withdraw from the public site", comment="Under re-review.")
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.WITHDRAWN
    assert "“Memantine” is off the public site; its history keeps every version." in _messages(
        landed
    )
