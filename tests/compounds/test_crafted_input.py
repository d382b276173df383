"""Crafted input in the admin answers with a message, never a server error, and saves nothing.

Each test is one finding of the production-hardening review (issue 9): the input, and
what it used to do.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse
from pytest_django.asserts import assertContains

from compounds.models import EvidenceSummary, ResearchUpdate, ReviewState
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import make_compound, make_condition

pytestmark = pytest.mark.django_db


def _url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


# Autocomplete fields: an id that is not a number (it raised ValueError) -------------------


# Not a number, and a number too long for the database's integers: neither is any row's id.
NOT_AN_ID = ["abc", "99999999999999999999999"]


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_summary_add_form_with_a_compound_id_that_is_not_one_is_a_form_error(admin_client, value):
    condition = make_condition()
    opened = admin_client.get(_url(EvidenceSummary, "add"))
    data = form_data(opened, "Save", compound=value, condition=str(condition.pk))
    response = admin_client.post(_url(EvidenceSummary, "add"), data)
    assertContains(response, "Select a valid choice", status_code=200)
    assert not EvidenceSummary.objects.exists()


@pytest.mark.parametrize("value", NOT_AN_ID)
def test_research_update_with_a_linked_compound_id_that_is_not_one_is_a_form_error(
    admin_client, value
):
    compound = make_compound()
    opened = admin_client.get(_url(ResearchUpdate, "add"))
    data = form_data(
        opened,
        "Save",
        title="A trial",
        slug="a-trial",
        summary="Found.",
        compounds=[value, compound.pk],
    )
    response = admin_client.post(_url(ResearchUpdate, "add"), data)
    assertContains(response, "is not a valid value", status_code=200)
    assert not ResearchUpdate.objects.exists()


# A NUL character in a decision's comment (PostgreSQL's DataError) -------------------------


@pytest.mark.parametrize("action", ["request_changes", "withdraw"])
def test_a_nul_character_in_a_decisions_comment_is_refused_with_a_message(admin_client, action):
    from django.contrib.auth import get_user_model

    from compounds.models import MedicalAdvisor

    author = get_user_model().objects.create_user("author", is_staff=True)
    root = get_user_model().objects.get(username="admin")
    MedicalAdvisor.objects.create(user=root, display_name="Dr Root", slug="root", credentials="MD")
    compound = make_compound()
    compound.editors_since_approval = [author.pk]
    compound.save()
    workflow.submit(compound, root)
    if action == "withdraw":
        workflow.approve(compound, root)
    state = type(compound).objects.get(pk=compound.pk).review_state
    response = admin_client.post(
        _url(type(compound), "changelist"),
        {
            "action": action,
            "_selected_action": [str(compound.pk)],
            f"seen_revision_{compound.pk}": str(compound.revision),
            "confirmed": "yes",
            "comment": "Bad\x00comment",
        },
    )
    assertContains(response, "Null characters are not allowed.", status_code=200)
    assert type(compound).objects.get(pk=compound.pk).review_state == state


def test_the_workflow_refuses_a_nul_character_in_a_comment(admin_user):
    compound = make_compound()
    with pytest.raises(workflow.ReviewError, match="NUL"):
        workflow.request_changes(compound, admin_user, comment="Bad\x00comment")
    assert compound.review_state == ReviewState.DRAFT


# Query strings of admin lists (NUL: PostgreSQL's DataError; a huge year: OverflowError) ---


@pytest.mark.parametrize(
    ("model", "query"),
    [
        ("compound", "drug_class=%00"),
        ("compound", "review_state=%00"),
        ("compound", "q=%00"),
        ("compound", "q=ab%00c"),
        ("evidencesummary", "verdict=%00"),
        ("evidencesummary", "q=%00"),
        ("researchupdate", "date__year=99999999999"),
        ("researchupdate", "date__year=2024&date__month=99999999999"),
        ("researchupdate", "date__year=2024&date__month=2&date__day=31"),
        ("researchupdate", "date__year=%00"),
        ("reviewevent", "at__year=99999999999"),
        ("reviewevent", "comment=%00"),
        ("reference", "year=%00"),
        ("reference", "year=99999999999999999999"),
    ],
)
def test_an_admin_list_answers_a_crafted_query_without_a_server_error(admin_client, model, query):
    response = admin_client.get(reverse(f"admin:compounds_{model}_changelist") + "?" + query)
    assert response.status_code < 500


@pytest.mark.parametrize("term", ["%00", "a%00b"])
def test_autocomplete_answers_a_nul_term_without_a_server_error(admin_client, term):
    query = "app_label=compounds&model_name=evidencesummary&field_name=compound&term=" + term
    response = admin_client.get(reverse("admin:autocomplete") + "?" + query)
    assert response.status_code == 400


def test_a_nul_in_a_list_filter_says_what_was_wrong(admin_client):
    response = admin_client.get(_url(ResearchUpdate, "changelist") + "?q=a%00b", follow=True)
    assertContains(response, "NUL character")


def test_a_refused_input_writes_no_log_entry(admin_client):
    admin_client.get(_url(EvidenceSummary, "changelist") + "?q=%00")
    assert not LogEntry.objects.exists()


@pytest.mark.parametrize(
    "address",
    [
        "/search/?q=%00",
        "/search/?q=a%00b",
        "/search/?q=%FF%FE",
        "/compounds/?page=%00",
        "/compounds/?page=99999999999999999999",
        "/compounds/?letter=%00",
        "/compounds/?letter=%D9%A3",
        "/research/?page=%D9%A3",
    ],
)
def test_a_public_address_answers_a_crafted_parameter_without_a_server_error(client, address):
    assert client.get(address).status_code < 500
