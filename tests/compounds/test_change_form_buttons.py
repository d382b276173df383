"""Every button of a change form does what it says, posted as the browser posts it.

Django 6.1 puts the action box inside the change form, so each press sends the action
box's choice (empty, unless one was picked) with the button pressed. The data below are
read from the rendered page (tests/admin_forms.py), never built by hand.
"""

import datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    ResearchUpdate,
    ReviewState,
)
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import (
    confirming,
    is_live,
    live_object,
    make_compound,
    make_condition,
    make_summary,
    make_user,
)

pytestmark = pytest.mark.django_db

SAVE_BUTTONS = ["Save", "Save and continue editing", "Save and add another"]


@pytest.fixture
def editor():
    return make_user("erin", "Editor")


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True)


def _update():
    return ResearchUpdate.objects.create(
        title="A trial reported",
        slug="a-trial-reported",
        summary="Forty adults were studied.",
        study_design="rct",
        date=datetime.date(2026, 1, 5),
    )


# What each kind of content is, and a field of it an editor types into.
KINDS = {
    "compound": (make_compound, "safety_profile"),
    "condition": (make_condition, "standard_treatment"),
    "evidence summary": (make_summary, "human_evidence"),
    "research update": (_update, "summary"),
}


def _change_url(obj):
    return reverse(f"admin:compounds_{obj._meta.model_name}_change", args=[obj.pk])


def _messages(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("button", SAVE_BUTTONS)
@pytest.mark.parametrize("kind", KINDS)
def test_each_save_button_stores_the_edit_of_an_existing_object(client, editor, kind, button):
    make, field = KINDS[kind]
    obj = make()
    client.force_login(editor)
    url = _change_url(obj)
    page = client.get(url)
    data = form_data(page, button, **{field: "Typed by the editor."})
    assert "CHANGE_FORM-action" in data  # the action box travels with every press

    response = client.post(url, data)

    assert response.status_code == 302, response.content.decode()[:2000]
    saved = type(obj).objects.get(pk=obj.pk)
    assert getattr(saved, field) == "Typed by the editor."
    assert saved.revision == obj.revision + 1
    assert saved.review_state == ReviewState.DRAFT


def test_save_and_continue_comes_back_to_the_form_saying_the_draft_is_not_public(client, editor):
    compound = make_compound()
    client.force_login(editor)
    url = _change_url(compound)
    data = form_data(client.get(url), "Save and continue editing", safety_profile="New text.")
    response = client.post(url, data, follow=True)
    assert response.redirect_chain[-1][0] == url
    said = " ".join(_messages(response))
    assert f"“{compound}” is a draft. Patients do not see it until it is submitted" in said


def test_saving_a_live_object_says_patients_keep_the_approved_version(client, editor, advisor):
    compound = make_compound()
    workflow.submit(compound, editor)
    workflow.approve(compound, advisor)
    client.force_login(editor)
    url = _change_url(compound)
    response = client.post(url, form_data(client.get(url), "Save", safety_profile="Edited."))
    assert "Patients keep reading the approved version" in " ".join(_messages(response))
    # ... and they do: the public copy is the approved one.
    assert live_object(Compound, compound.pk).safety_profile == "Generally tolerated."


def test_enter_in_a_field_presses_run_with_no_action_and_saves(client, editor):
    """Enter in a text field presses the form's first button, the action box's Run."""
    compound = make_compound()
    client.force_login(editor)
    url = _change_url(compound)
    data = form_data(client.get(url), "Run", safety_profile="Typed, then Enter.")
    assert data["CHANGE_FORM-action"] == [""]
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == url
    assert Compound.objects.get(pk=compound.pk).safety_profile == "Typed, then Enter."


def test_run_with_an_action_over_unsaved_edits_keeps_them_and_runs_nothing(client, editor):
    compound = make_compound()
    client.force_login(editor)
    url = _change_url(compound)
    data = form_data(
        client.get(url),
        "Run",
        **{"CHANGE_FORM-action": "submit_for_review", "safety_profile": "Typed, unsaved."},
    )
    response = client.post(url, data)
    assert response.status_code == 200
    assert "“Submit for review” was not run" in response.content.decode()
    assert "Typed, unsaved." in response.content.decode()
    saved = Compound.objects.get(pk=compound.pk)
    assert (saved.review_state, saved.safety_profile) == (ReviewState.DRAFT, "Generally tolerated.")


def test_run_with_an_action_and_no_edits_runs_it(client, editor):
    compound = make_compound()
    client.force_login(editor)
    url = _change_url(compound)
    data = form_data(client.get(url), "Run", **{"CHANGE_FORM-action": "submit_for_review"})
    response = client.post(url, data)
    assert response.status_code == 302
    assert Compound.objects.get(pk=compound.pk).review_state == ReviewState.IN_REVIEW


@pytest.mark.parametrize("kind", KINDS)
def test_save_and_submit_saves_then_submits(client, editor, kind):
    make, field = KINDS[kind]
    obj = make()
    client.force_login(editor)
    url = _change_url(obj)
    data = form_data(client.get(url), "Save and submit for review", **{field: "Submitted text."})
    response = client.post(url, data)
    assert response.status_code == 302
    saved = type(obj).objects.get(pk=obj.pk)
    assert (saved.review_state, getattr(saved, field)) == (ReviewState.IN_REVIEW, "Submitted text.")


def test_the_add_form_has_save_and_submit_for_review(client, editor):
    client.force_login(editor)
    url = reverse("admin:compounds_condition_add")
    data = form_data(
        client.get(url),
        "Save and submit for review",
        name="Migraine",
        slug="migraine",
        specialist="neurologist",
        standard_treatment="Triptans and preventive medicines.",
    )
    response = client.post(url, data)
    assert response.status_code == 302
    condition = Condition.objects.get(slug="migraine")
    assert condition.review_state == ReviewState.IN_REVIEW
    assert response["Location"] == _change_url(condition)
    assert not is_live(Condition, condition.pk)


def test_an_edit_saved_with_save_does_not_reach_the_public_page(client, editor, advisor):
    summary = make_summary()
    for obj in (summary.compound, summary.condition, summary):
        workflow.submit(obj, editor)
        workflow.approve(obj, advisor, comment=confirming(obj))
    client.force_login(editor)
    url = _change_url(summary)
    response = client.post(
        url, form_data(client.get(url), "Save", human_evidence="Not yet approved.")
    )
    assert response.status_code == 302
    assert EvidenceSummary.objects.get(pk=summary.pk).human_evidence == "Not yet approved."
    assert live_object(EvidenceSummary, summary.pk).human_evidence == "Two randomized trials."
