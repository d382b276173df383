"""The review queue: what waits for the signed-in advisor, with who submitted it, when,
and what changed; their own edits set apart; filters, order and pages."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from compounds.models import Compound
from compounds.review import workflow
from tests.factories import confirming, make_compound, make_summary, make_user, save_edit

pytestmark = pytest.mark.django_db

HOME = reverse("admin:index")
QUEUE = reverse("admin:review_queue")


@pytest.fixture
def people():
    editor = make_user("editor", "Editor")
    editor.first_name, editor.last_name = "Erin", "Editor"
    editor.save()
    return {
        "editor": editor,
        "advisor": make_user("advisor", "Medical Advisor", byline=True),
        "advisor2": make_user("advisor2", "Medical Advisor", byline=True),
    }


def submitted(obj, by, **fields):
    obj = save_edit(obj, by, **fields)
    workflow.submit(obj, by)
    return obj


def approved(obj, people):
    workflow.submit(save_edit(obj, people["editor"]), people["editor"])
    return workflow.approve(obj, people["advisor2"], comment=confirming(obj))


def test_the_home_page_lists_each_item_with_submitter_age_and_what_changed(client, people):
    compound = approved(make_compound(name="Ketamine", slug="ketamine"), people)
    submitted(compound, people["editor"], safety_profile="Dissociation is common.")
    Compound.objects.filter(pk=compound.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=2)
    )
    client.force_login(people["advisor"])
    (item,) = client.get(HOME).context["review_dashboard"]["queue"]
    assert item.label == "Ketamine"
    assert item.submitted_by == "Erin Editor"
    assert item.changed == "Safety profile"
    assert item.review_url == reverse("admin:compounds_compound_review", args=[compound.pk])
    assert not item.needs_another_advisor


def test_a_new_object_is_summarised_as_never_approved(client, people):
    submitted(make_compound(), people["editor"])
    client.force_login(people["advisor"])
    (item,) = client.get(HOME).context["review_dashboard"]["queue"]
    assert item.changed == "New: never approved"


def test_child_rows_are_counted_in_what_changed(client, people):
    summary = approved(make_summary(), people)
    summary.references.create(pmid="31578302", title="A trial", year=2020, study_design="rct")
    submitted(summary, people["editor"], human_evidence="Two trials now.")
    client.force_login(people["advisor"])
    (item,) = client.get(HOME).context["review_dashboard"]["queue"]
    assert item.changed == "Human evidence; References: 1 added"


def test_an_advisors_own_edit_is_set_apart_as_needing_another_advisor(client, people):
    submitted(make_compound(name="Mine", slug="mine"), people["advisor"])
    submitted(make_compound(name="Theirs", slug="theirs"), people["editor"])
    client.force_login(people["advisor"])
    response = client.get(HOME)
    dashboard = response.context["review_dashboard"]
    assert [item.label for item in dashboard["queue"]] == ["Theirs"]
    assert [item.label for item in dashboard["own_edits"]] == ["Mine"]
    assert "Your edits, waiting for another advisor" in response.content.decode()
    assert "needs another advisor" in response.content.decode()


def test_the_queue_page_filters_by_kind_and_by_whose_edits(client, people):
    submitted(make_compound(name="Mine", slug="mine"), people["advisor"])
    submitted(make_compound(name="Theirs", slug="theirs"), people["editor"])
    summary = submitted(make_summary(), people["editor"])
    client.force_login(people["advisor"])

    def listed(**query):
        return [item.label for item in client.get(QUEUE, query).context["queue"]]

    # The new pair's compound and condition were submitted with its summary.
    pair = [str(summary), str(summary.compound), str(summary.condition)]
    assert sorted(listed()) == sorted(["Mine", "Theirs", *pair])
    assert listed(kind="evidencesummary") == [str(summary)]
    assert sorted(listed(whose="others")) == sorted(["Theirs", *pair])
    assert listed(whose="mine") == ["Mine"]
    assert listed(kind="nonsense") == []


def test_the_queue_page_orders_longest_waiting_first_or_newest_first(client, people):
    old = submitted(make_compound(name="Old", slug="old"), people["editor"])
    submitted(make_compound(name="New", slug="new"), people["editor"])
    Compound.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - datetime.timedelta(days=5)
    )
    client.force_login(people["advisor"])
    oldest = [item.label for item in client.get(QUEUE).context["queue"]]
    newest = [item.label for item in client.get(QUEUE, {"order": "newest"}).context["queue"]]
    assert oldest == ["Old", "New"]
    assert newest == ["New", "Old"]


def test_the_queue_page_pages_and_answers_any_page_number(client, people, monkeypatch):
    monkeypatch.setattr("compounds.review.queue.PER_PAGE", 2)
    for n in range(5):
        submitted(make_compound(name=f"C{n}", slug=f"c{n}"), people["editor"])
    client.force_login(people["advisor"])
    assert len(client.get(QUEUE, {"page": "3"}).context["queue"]) == 1
    for page in ("0", "-1", "abc", "99999999999999999999"):
        assert client.get(QUEUE, {"page": page}).status_code == 200


def test_the_queue_needs_a_staff_sign_in(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_an_editor_sees_their_submission_awaiting_an_advisor(client, people):
    submitted(make_compound(name="Theirs", slug="theirs"), people["editor"])
    client.force_login(people["editor"])
    response = client.get(HOME)
    assert "Awaiting an advisor" in response.content.decode()
    dashboard = response.context["review_dashboard"]
    assert [item.label for item in dashboard["queue"]] == ["Theirs"]
    assert dashboard["own_edits"] == []


def test_the_next_item_is_found_behind_any_number_the_advisor_may_not_decide_on(people):
    from django.test import RequestFactory

    from compounds.models import ReviewState
    from compounds.review.queue import next_in_queue

    advisor = people["advisor"]
    for n in range(60):
        make_compound(name=f"Own {n:02d}", slug=f"own-{n:02d}")
    Compound.objects.update(review_state=ReviewState.IN_REVIEW, editors_since_approval=[advisor.pk])
    other = make_compound(name="Someone else's", slug="someone-elses")
    Compound.objects.filter(pk=other.pk).update(
        review_state=ReviewState.IN_REVIEW,
        editors_since_approval=[people["editor"].pk],
        updated_at=timezone.now() + datetime.timedelta(days=1),
    )
    request = RequestFactory().get("/")
    request.user = advisor
    assert next_in_queue(request) == reverse("admin:compounds_compound_review", args=[other.pk])


def test_the_head_of_the_queue_works_out_what_changed_for_the_items_it_shows_only(
    people, monkeypatch
):
    from django.test import RequestFactory

    from compounds.models import Condition, ReviewState
    from compounds.review import queue as review_queue
    from compounds.review import snapshots
    from tests.factories import make_condition

    for n in range(3):
        make_compound(name=f"Compound {n}", slug=f"compound-{n}")
        make_condition(name=f"Condition {n}", slug=f"condition-{n}")
    now = timezone.now()
    for n, pk in enumerate(Compound.objects.order_by("pk").values_list("pk", flat=True)):
        Compound.objects.filter(pk=pk).update(
            review_state=ReviewState.IN_REVIEW, updated_at=now - datetime.timedelta(days=10 - n)
        )
    Condition.objects.update(review_state=ReviewState.IN_REVIEW, updated_at=now)
    compared = []
    compare = snapshots.compare
    monkeypatch.setattr(snapshots, "compare", lambda *args: compared.append(args) or compare(*args))
    request = RequestFactory().get("/")
    request.user = people["advisor"]
    shown = review_queue.head(request, 2)
    assert [item.obj.slug for item in shown] == ["compound-0", "compound-1"]
    assert len(compared) == 2
