"""Pages name an object's state in people's terms: its approved version, who approved it
and when, who last edited it. The revision counter that binds a decision to what was on
the screen is internal: it rides in hidden fields and is never shown as the state."""

import re

import pytest
from django.urls import reverse

from compounds.models import Compound
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import make_compound, make_summary, make_user, save_edit, shown_by

pytestmark = pytest.mark.django_db

REVISION = re.compile(r"\brevision\s+\d", re.IGNORECASE)


@pytest.fixture
def editor():
    return make_user("erin", "Editor", first_name="Erin", last_name="Walsh")


@pytest.fixture
def advisor():
    return make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byrne")


def _url(obj, view):
    return reverse(f"admin:compounds_{obj._meta.model_name}_{view}", args=[obj.pk])


def _visible_text(page):
    """The page's text as a reader sees it: no tags, so no hidden field's value."""
    html = page.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.DOTALL)
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _approved_as_seeded(editor, advisor):
    """Approved without an edit in the admin, as the demo seed approves: revision 0."""
    compound = make_compound(name="Memantine")
    workflow.submit(compound, editor)
    compound = workflow.approve(compound, advisor)
    assert compound.revision == 0
    return compound


def test_review_screen_of_an_approved_item_names_its_version_not_revision_0(
    client, editor, advisor
):
    compound = _approved_as_seeded(editor, advisor)
    client.force_login(advisor)
    text = _visible_text(client.get(_url(compound, "review")))
    assert not REVISION.search(text), REVISION.search(text)
    assert "On the public site: version 1, approved by Ada Byrne, MD on" in text


def test_review_screen_of_an_edit_says_who_last_edited_the_working_copy(client, editor, advisor):
    compound = _approved_as_seeded(editor, advisor)
    save_edit(compound, editor, safety_profile="Edited.")
    client.force_login(advisor)
    text = _visible_text(client.get(_url(compound, "review")))
    assert not REVISION.search(text)
    assert "Working copy last edited by Erin Walsh on" in text


def test_withdrawal_page_of_an_approved_item_names_its_live_version(client, editor, advisor):
    compound = _approved_as_seeded(editor, advisor)
    client.force_login(advisor)
    page = client.get(_url(compound, "change"))
    data = form_data(page, "Run", **{"CHANGE_FORM-action": "withdraw"})
    asked = client.post(_url(compound, "change"), data)
    text = _visible_text(asked)
    assert not REVISION.search(text), REVISION.search(text)
    assert "on the public site as version 1, approved by Ada Byrne, MD on" in text
    # The revision seen still binds the decision, named by the page's token.
    seen = shown_by(asked, "Withdraw from the public site", advisor, Compound)
    assert seen.revisions == {("compound", compound.pk): 0}


def test_bulk_approval_page_says_what_will_be_published_without_revision_numbers(
    client, editor, advisor
):
    compound = make_compound(name="Memantine")
    compound = save_edit(compound, editor, safety_profile="Edited.")
    workflow.submit(compound, editor)
    client.force_login(advisor)
    page = client.get(reverse("admin:compounds_compound_changelist"))
    data = form_data(page, "Run", action="approve", _selected_action=[compound.pk])
    text = _visible_text(client.post(reverse("admin:compounds_compound_changelist"), data))
    assert not REVISION.search(text), REVISION.search(text)
    assert "last edited by Erin Walsh on" in text


def test_a_new_pair_reviewed_together_shows_no_revision_numbers(client, editor, advisor):
    summary = make_summary()
    save_edit(summary.compound, editor, safety_profile="Typed.")
    save_edit(summary.condition, editor, specialist="rheumatologist")
    workflow.submit(summary, editor)
    client.force_login(advisor)
    review = client.get(_url(summary, "review"))
    text = _visible_text(review)
    assert "Reviewed together" in text
    assert not REVISION.search(text), REVISION.search(text)
    assert "Last edited by Erin Walsh on" in text
    asked = client.post(_url(summary, "change"), form_data(review, "Request changes"))
    text = _visible_text(asked)
    assert "never approved before" in text
    assert not REVISION.search(text), REVISION.search(text)
