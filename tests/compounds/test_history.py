"""History: every approved version with approver, date and comment; any two compared;
an earlier version restored as a draft that goes through review like any edit."""

import pytest
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from compounds.models import Compound, Mechanism, ReviewState
from compounds.review import workflow
from tests.admin_forms import press, submit
from tests.factories import is_live, live_object, make_compound, make_user, save_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    return {
        "editor": make_user("editor", "Editor"),
        "advisor": make_user("advisor", "Medical Advisor", byline=True),
    }


def _url(view, obj, *args):
    return reverse(f"admin:compounds_compound_{view}", args=[obj.pk, *args])


RESTORE_1 = "Restore version 1 as a draft"


def _restore_version_1(client, obj):
    """Open version 1's restore page and press its button; the page the answer leads to."""
    response = press(client, _url("restore", obj, 1), RESTORE_1)
    assert response.status_code == 302
    return client.get(response.url)


@pytest.fixture
def two_versions(people):
    """Ketamine approved twice: version 1 with one mechanism, version 2 edited."""
    compound = make_compound(name="Ketamine", slug="ketamine", safety_profile="Version one text.")
    Mechanism.objects.create(compound=compound, position=1, description="NMDA antagonism")
    compound = save_edit(compound, people["editor"])
    workflow.submit(compound, people["editor"])
    workflow.approve(compound, people["advisor"], comment="First approval.")
    compound = save_edit(compound, people["editor"], safety_profile="Version two text.")
    Mechanism.objects.filter(compound=compound).delete()
    Mechanism.objects.create(compound=compound, position=1, description="AMPA activation")
    workflow.submit(compound, people["editor"])
    workflow.approve(compound, people["advisor"], comment="Second approval.")
    return Compound.objects.get(pk=compound.pk)


def test_the_versions_page_lists_each_approval_with_approver_date_and_comment(
    client, people, two_versions
):
    client.force_login(people["editor"])
    response = client.get(_url("versions", two_versions))
    versions = response.context["versions"]
    assert [v.number for v in versions] == [2, 1]
    assert [v.comment for v in versions] == ["Second approval.", "First approval."]
    assert versions[0].reviewer_byline == "Advisor, MD"
    assert "on the public site" in response.content.decode()


def test_two_versions_compare_word_by_word_and_by_child_row(client, people, two_versions):
    client.force_login(people["advisor"])
    response = client.get(_url("compare", two_versions), {"a": "1", "b": "2"})
    diff = response.context["diff"]
    assert [change.label for change in diff.fields] == ["Safety profile"]
    assert [(row.kind, row.label) for row in diff.children["Mechanisms"]] == [
        ("added", "AMPA activation"),
        ("removed", "NMDA antagonism"),
    ]
    text = response.content.decode()
    assert "Version 1" in text
    assert '<span class="visually-hidden">inserted: </span>two</ins>' in text


def test_a_version_compares_with_the_working_copy_by_default(client, people, two_versions):
    save_edit(two_versions, people["editor"], safety_profile="Draft text.")
    client.force_login(people["advisor"])
    response = client.get(_url("compare", two_versions), {"a": "2"})
    assert response.context["newer"] is None
    (change,) = response.context["diff"].fields
    assert (change.before, change.after) == ("Version two text.", "Draft text.")


@pytest.mark.parametrize("query", [{"a": "9"}, {"a": "x"}, {}, {"a": "1", "b": "99999999999"}])
def test_an_unknown_version_is_not_found(client, people, two_versions, query):
    client.force_login(people["advisor"])
    assert client.get(_url("compare", two_versions), query).status_code == 404


def test_restoring_makes_a_draft_and_leaves_the_public_site_alone(client, people, two_versions):
    client.force_login(people["editor"])
    confirm = client.get(_url("restore", two_versions, 1))
    assert RESTORE_1 in confirm.content.decode()
    response = submit(client, confirm, RESTORE_1)

    assert response.status_code == 302
    restored = Compound.objects.get(pk=two_versions.pk)
    assert restored.safety_profile == "Version one text."
    assert [m.description for m in restored.mechanisms.all()] == ["NMDA antagonism"]
    assert restored.review_state == ReviewState.DRAFT
    assert restored.revision == two_versions.revision + 1
    assert LogEntry.objects.filter(change_message="Restored version 1 as a draft.").exists()
    # Patients still see version 2 until the draft is approved.
    assert live_object(Compound, restored.pk).safety_profile == "Version two text."
    assert is_live(Compound, restored.pk)


def test_a_restore_after_someone_else_saved_is_refused_and_keeps_their_edit(
    client, people, two_versions
):
    client.force_login(people["editor"])
    page = client.get(_url("restore", two_versions, 1))
    assert f'name="revision" value="{two_versions.revision}"' in page.content.decode()
    save_edit(two_versions, people["advisor"], safety_profile="Saved meanwhile.")
    # The page was opened before the save: it posts the revision it showed.
    response = submit(client, page, RESTORE_1)
    assert response.status_code == 302
    assert "Nothing was restored" in client.get(response.url).content.decode()
    assert Compound.objects.get(pk=two_versions.pk).safety_profile == "Saved meanwhile."


@pytest.mark.parametrize("revision", ["١", "abc", "", None, "+1", "1.0", "-1", "9999999999"])
def test_a_restore_that_does_not_say_which_revision_it_showed_is_refused(
    client, people, two_versions, revision
):
    """Like every decision, a restore is bound to the revision its page showed: without
    one it cannot tell that the working copy changed since, and would overwrite it."""
    client.force_login(people["editor"])
    save_edit(two_versions, people["advisor"], safety_profile="Saved meanwhile.")
    posted = {} if revision is None else {"revision": revision}
    response = client.post(_url("restore", two_versions, 1), posted, follow=True)

    assert response.redirect_chain == [(_url("restore", two_versions, 1), 302)]
    said = [str(m) for m in response.context["messages"]]
    assert said == [
        "Nothing was restored: this page did not say which revision of the working copy "
        "it showed. Look at the changes below again, then restore."
    ]
    current = Compound.objects.get(pk=two_versions.pk)
    assert current.safety_profile == "Saved meanwhile."
    assert current.revision == two_versions.revision + 1


def test_a_restored_draft_is_reviewed_like_any_edit(client, people, two_versions):
    client.force_login(people["editor"])
    _restore_version_1(client, two_versions)
    restored = Compound.objects.get(pk=two_versions.pk)
    with pytest.raises(workflow.ReviewError):
        workflow.approve(restored, people["advisor"])  # not submitted yet
    workflow.submit(restored, people["editor"])
    workflow.approve(restored, people["advisor"])
    assert live_object(Compound, restored.pk).safety_profile == "Version one text."


def test_restoring_needs_change_permission(client, two_versions, django_user_model):
    viewer = django_user_model.objects.create_user("viewer", password="pw", is_staff=True)
    from django.contrib.auth.models import Permission

    viewer.user_permissions.add(Permission.objects.get(codename="view_compound"))
    client.force_login(viewer)
    versions = client.get(_url("versions", two_versions))
    assert versions.status_code == 200
    assert "Restore as a draft" not in versions.content.decode()
    assert client.get(_url("restore", two_versions, 1)).status_code == 403
    # With no page to press Restore on, the post is crafted.
    assert client.post(_url("restore", two_versions, 1)).status_code == 403
    assert Compound.objects.get(pk=two_versions.pk).safety_profile == "Version two text."


def test_a_version_whose_address_another_object_took_is_refused_with_a_message(
    client, people, two_versions
):
    save_edit(two_versions, people["editor"], slug="ketamine-renamed")
    make_compound(name="Other", slug="ketamine")
    client.force_login(people["editor"])
    response = _restore_version_1(client, two_versions)
    assert "Version 1 cannot be restored" in response.content.decode()
    assert Compound.objects.get(pk=two_versions.pk).slug == "ketamine-renamed"
