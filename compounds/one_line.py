"""A text field of one line holds one line.

A name or a title is a page's <title>, a heading, a link's text and the subject of the
review emails: a line break in one broke the email's header after the edit had
committed. The admin's forms (compounds/review/admin.py, CraftedInputAdmin) and the
catalogue import refuse it, in the same words. The check is kept out of the model
fields, whose validators would be recorded in a migration.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.db import models

MESSAGE = "This field is one line: remove the line break."


def has_line_break(value):
    return isinstance(value, str) and ("\r" in value or "\n" in value)


def refuse_line_breaks(value):
    if has_line_break(value):
        raise ValidationError(MESSAGE, code="line_break")


def hold_to_one_line(formfield):
    """formfield, refusing a line break if it is text typed into a one-line input."""
    if (
        isinstance(formfield, forms.CharField)
        and not isinstance(formfield.widget, forms.Textarea)
        and refuse_line_breaks not in formfield.validators
    ):
        formfield.validators.append(refuse_line_breaks)
    return formfield


def hold_form_to_one_line(form_class):
    """Hold the fields a model form class made from its model's fields to one line."""
    declared = getattr(form_class, "declared_fields", {})
    for name, formfield in form_class.base_fields.items():
        if name not in declared:
            hold_to_one_line(formfield)
    return form_class


def is_one_line(model_field):
    """Whether a model field is entered as one line (a TextField has several)."""
    return isinstance(model_field, models.CharField)
