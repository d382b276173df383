"""A one-line field refuses a line break, and a review email never fails a committed step.

A compound name with a line break used to be saved and submitted, then the email about
it raised ValueError (a mail header may not hold one) after the save had committed: the
editor saw a server error and nobody was told.
"""

import datetime

import pytest
from django import forms
from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from compounds.models import (
    Mechanism,
    ResearchUpdate,
    ReviewEvent,
    ReviewState,
)
from tests.admin_forms import form_data, press
from tests.factories import make_compound, make_condition, make_user, save_edit

pytestmark = pytest.mark.django_db

ONE_LINE = "This field is one line: remove the line break."
BREAKS = ["Keta\r\nmine", "Keta\nmine", "Keta\rmine", "Ketamine\nBcc: someone@example.org"]


def _change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def _research_update(**fields):
    return ResearchUpdate.objects.create(
        **{
            "title": "A trial",
            "slug": "a-trial",
            "summary": "Found.",
            "study_design": "rct",
            "date": datetime.date(2025, 1, 2),
            **fields,
        }
    )


KINDS = {
    "compound name": (lambda: make_compound(name="Ketamine"), "name"),
    "condition name": (lambda: make_condition(name="Depression"), "name"),
    "research update title": (_research_update, "title"),
}


@pytest.mark.parametrize("text", BREAKS)
@pytest.mark.parametrize("kind", KINDS)
def test_a_line_break_in_a_name_is_a_field_error_and_nothing_is_saved(admin_client, kind, text):
    make, field = KINDS[kind]
    obj = make()
    before = getattr(obj, field)
    url = _change_url(obj)
    data = form_data(admin_client.get(url), "Save and submit for review", **{field: text})
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert ONE_LINE in response.content.decode()
    assert ONE_LINE in response.context["adminform"].form.errors[field]
    obj.refresh_from_db()
    assert getattr(obj, field) == before
    assert obj.review_state == ReviewState.DRAFT
    assert not ReviewEvent.objects.exists()


def test_a_line_break_in_an_inline_row_is_a_field_error(admin_client):
    compound = make_compound(name="Ketamine")
    Mechanism.objects.create(compound=compound, position=1, description="NMDA antagonism")
    url = _change_url(compound)
    data = form_data(
        admin_client.get(url),
        "Save and submit for review",
        **{"mechanisms-0-description": "NMDA\r\nantagonism"},
    )
    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert ONE_LINE in response.content.decode()
    assert list(compound.mechanisms.values_list("description", flat=True)) == ["NMDA antagonism"]


def test_a_line_break_in_a_text_of_several_lines_is_kept(admin_client):
    compound = make_compound(name="Ketamine")
    response = press(
        admin_client,
        _change_url(compound),
        "Save",
        safety_profile="First line.\r\nSecond line.",
    )
    assert response.status_code == 302
    compound.refresh_from_db()
    assert compound.safety_profile == "First line.\r\nSecond line."


def _one_line_fields(form_class):
    """The fields a form makes from one-line model fields (declared ones are its own)."""
    for name, field in form_class.base_fields.items():
        if name in getattr(form_class, "declared_fields", {}):
            continue
        # A UUID takes its own 36 characters and nothing else: no line break gets in.
        if isinstance(field, forms.UUIDField):
            continue
        if isinstance(field, forms.CharField) and not isinstance(field.widget, forms.Textarea):
            yield name, field


def test_every_one_line_field_of_every_admin_form_and_inline_refuses_a_line_break(admin_user):
    """Walks every registration and every inline: a form added later is held to it too."""
    request = RequestFactory().get("/admin/")
    request.user = admin_user
    checked = []
    for model, model_admin in admin.site._registry.items():
        forms_of = [(model, model_admin.get_form(request))]
        forms_of += [
            (inline.model, formset.form)
            for formset, inline in model_admin.get_formsets_with_inlines(request)
        ]
        for form_model, form_class in forms_of:
            for name, field in _one_line_fields(form_class):
                try:
                    cleaned = field.clean("https://example.org/a\r\nb")
                except forms.ValidationError as refused:
                    assert ONE_LINE in refused.messages, (form_model, name)
                else:
                    # A web address is read as the browser reads it: without line breaks.
                    assert isinstance(field, forms.URLField), (form_model, name)
                    assert cleaned == "https://example.org/ab"
                checked.append((form_model.__name__, name))
    # The walk reached the forms and inlines that matter, not nothing.
    assert {
        ("Compound", "name"),
        ("Mechanism", "description"),
        ("Interaction", "drug"),
        ("ResearchUpdate", "title"),
        ("ResearchReference", "title"),
        ("Condition", "name"),
    } <= set(checked)


# Review emails after a committed step ------------------------------------------------------


@pytest.fixture
def advisor_with_email():
    advisor = make_user("advisor", "Medical Advisor", byline=True)
    advisor.email = "advisor@example.org"
    advisor.save()
    return advisor


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_failing_email_after_a_submission_is_logged_and_the_editor_gets_their_page(
    client, monkeypatch, caplog, advisor_with_email
):
    """The save and the submission commit before the email is sent; a failure to send
    cannot undo them, so it must not answer the editor with a server error either."""

    def broken(*args, **kwargs):
        raise ValueError("Header values can't contain newlines")

    monkeypatch.setattr("compounds.review.notifications.send_mail", broken)
    editor = make_user("editor", "Editor")
    condition = save_edit(make_condition(name="Depression"), editor)
    client.force_login(editor)
    client.raise_request_exception = True

    response = press(client, _change_url(condition), "Save and submit for review")

    assert response.status_code == 302
    condition.refresh_from_db()
    assert condition.review_state == ReviewState.IN_REVIEW
    (record,) = [r for r in caplog.records if r.name == "compounds.review.notifications"]
    assert record.exc_info is not None
    assert "Depression" in record.getMessage()
    assert "advisor@example.org" in record.getMessage()
