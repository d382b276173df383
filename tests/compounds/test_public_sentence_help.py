"""A field the public pages put inside a sentence shows that sentence as its help text,
with the object's name, so the editor writes what reads well there."""

import re
from html import unescape

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from tests.factories import make_compound, make_condition

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = get_user_model().objects.create_user("erin", password="x", is_staff=True)
    user.groups.add(Group.objects.get(name="Editor"))
    client.force_login(user)
    return user


def _help(page, field):
    """The text of a field's help on a rendered change form, tags left out."""
    html = page.content.decode()
    found = re.search(
        rf'<div class="help"[^>]*id="id_{field}_helptext"[^>]*>(.*?)</div>\s*</div>',
        html,
        re.DOTALL,
    )
    assert found, f"no help text for {field}"
    return " ".join(unescape(re.sub(r"<[^>]+>", "", found.group(1))).split())


def test_standard_treatment_help_shows_the_sentence_it_is_used_in(client, editor):
    condition = make_condition(name="Knee Osteoarthritis")
    page = client.get(reverse("admin:compounds_condition_change", args=[condition.pk]))
    assert _help(page, "standard_treatment") == (
        "Shown to readers as: “Standard treatment for Knee Osteoarthritis: your text.” on the "
        "condition's page and on its interactions pages. Write a phrase, without a final full "
        "stop."
    )


def test_specialist_help_shows_both_sentences(client, editor):
    condition = make_condition(name="Migraine")
    page = client.get(reverse("admin:compounds_condition_change", args=[condition.pk]))
    help_text = _help(page, "specialist")
    assert "“Migraine is usually treated by your specialist.”" in help_text
    assert "“Questions to ask your specialist”" in help_text
    assert "without “your” or a final full stop" in help_text


def test_drug_class_help_shows_the_safety_page_sentence(client, editor):
    compound = make_compound(name="Memantine")
    page = client.get(reverse("admin:compounds_compound_change", args=[compound.pk]))
    assert "“Memantine belongs to the class your text.”" in _help(page, "drug_class")


def test_the_add_form_names_the_condition_in_general(client, editor):
    page = client.get(reverse("admin:compounds_condition_add"))
    assert "“Standard treatment for the condition: your text.”" in _help(page, "standard_treatment")


def test_a_name_with_markup_is_shown_as_text_in_the_help(client, editor):
    condition = make_condition(name="<b>Gout</b>", slug="gout")
    page = client.get(reverse("admin:compounds_condition_change", args=[condition.pk]))
    assert "Standard treatment for &lt;b&gt;Gout&lt;/b&gt;:" in page.content.decode()
