"""Every id or number in an admin address is written one way: ASCII digits, no sign, no
leading zero. Python's int() also reads "١" (Arabic-Indic), "１" (full width), "+1" and
"01" as 1, so each of those addresses used to open object 1 or version 1."""

from urllib.parse import quote, unquote

import pytest
from django.urls import reverse

from compounds.models import Condition, ImportBatch
from compounds.review import workflow
from tests.admin_forms import form_data
from tests.factories import make_condition, make_user, save_edit

pytestmark = pytest.mark.django_db

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def spellings(number):
    """Other ways of writing `number` that int() reads as it, as they appear in an address."""
    digits = str(number)
    return [
        quote(digits.translate(ARABIC_INDIC)),  # %D9%A1 for 1
        quote(digits.translate(FULL_WIDTH)),  # %EF%BC%91 for 1
        f"0{digits}",
        f"+{digits}",
    ]


@pytest.fixture
def approved():
    """A condition approved once: it has version 1."""
    editor = make_user("editor", "Editor")
    advisor = make_user("advisor", "Medical Advisor", byline=True)
    condition = save_edit(make_condition(name="Depression"), editor)
    workflow.submit(condition, editor)
    workflow.approve(condition, advisor)
    return Condition.objects.get(pk=condition.pk)


BASE = "/admin/compounds/condition/"
PROJECT_PAGES = ["{}/review/", "{}/preview/", "{}/versions/", "{}/versions/compare/?a=1"]


@pytest.mark.parametrize("page", [*PROJECT_PAGES, "{}/versions/1/restore/"])
def test_the_projects_pages_answer_404_for_an_id_written_otherwise(admin_client, approved, page):
    assert admin_client.get(BASE + page.format(approved.pk)).status_code == 200
    for spelling in spellings(approved.pk):
        response = admin_client.get(BASE + page.format(spelling))
        assert response.status_code == 404, spelling


@pytest.mark.parametrize("page", ["{}/change/", "{}/history/", "{}/delete/"])
def test_djangos_pages_take_an_id_written_otherwise_for_an_unknown_one(admin_client, page):
    draft = make_condition(name="Depression")
    assert admin_client.get(BASE + page.format(draft.pk)).status_code == 200
    unknown = admin_client.get(BASE + page.format(999999))
    assert unknown.status_code == 302
    for spelling in spellings(draft.pk):
        response = admin_client.get(BASE + page.format(spelling))
        assert response.status_code == 302, spelling
        assert response["Location"] == unknown["Location"] == reverse("admin:index")


def test_a_save_or_delete_posted_to_an_id_written_otherwise_changes_nothing(admin_client):
    draft = make_condition(name="Depression")
    change = admin_client.get(BASE + f"{draft.pk}/change/")
    saved = form_data(change, "Save", name="Changed")
    delete = admin_client.get(BASE + f"{draft.pk}/delete/")
    confirmed = form_data(delete, "Yes, I’m sure")
    for spelling in spellings(draft.pk):
        admin_client.post(BASE + f"{spelling}/change/", saved)
        admin_client.post(BASE + f"{spelling}/delete/", confirmed)
    assert Condition.objects.get(pk=draft.pk).name == "Depression"


@pytest.mark.parametrize("number", spellings(1))
def test_a_version_number_written_otherwise_is_not_found(admin_client, approved, number):
    restore = BASE + f"{approved.pk}/versions/{number}/restore/"
    assert admin_client.get(restore).status_code == 404
    assert admin_client.post(restore, {"revision": approved.revision}).status_code == 404
    assert Condition.objects.get(pk=approved.pk).revision == approved.revision
    compare = BASE + f"{approved.pk}/versions/compare/"
    assert admin_client.get(compare, {"a": "1"}).status_code == 200
    assert admin_client.get(compare, {"a": unquote(number)}).status_code == 404
    assert admin_client.get(compare, {"a": "1", "b": unquote(number)}).status_code == 404


def test_an_import_batch_id_written_otherwise_is_not_found(admin_client, admin_user):
    batch = ImportBatch.objects.create(
        file_name="catalogue.json", imported_by=admin_user, status=ImportBatch.Status.CHECKED
    )
    page = reverse("admin:compounds_importbatch_batch", args=[batch.pk])
    assert admin_client.get(page).status_code == 200
    for spelling in spellings(batch.pk):
        response = admin_client.get(page.replace(f"/{batch.pk}/", f"/{spelling}/"))
        assert response.status_code == 404, spelling
