"""The catalogue in the admin: upload, check, import, export, and the batch page where
advisors approve an import object by object; and the whole round trip of the seed site."""

import json
import re

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.urls import reverse

from compounds.catalogue import admin as catalogue_admin
from compounds.catalogue.apply import apply
from compounds.catalogue.issues import Failed
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    ImportBatch,
    PublishedCompound,
    PublishedResearchUpdate,
    PublishedSummary,
    ReviewState,
)
from pages.registry import page_types
from tests.admin_forms import form_data, press, submit
from tests.compounds.catalogue_helpers import (
    export_json,
    import_files,
    rich_catalogue,
    wipe_catalogue,
)
from tests.factories import GRADE_CONFIRMED, approve_seed_content, make_user

pytestmark = pytest.mark.django_db

IMPORT_URL = "/admin/compounds/importbatch/import/"


@pytest.fixture
def editor(db):
    return make_user("importer", "Editor")


@pytest.fixture
def advisor(db):
    return make_user("checker", "Medical Advisor", byline=True)


def upload(client, name, data, **fields):
    """Choose the file on the import page and press its button."""
    file = SimpleUploadedFile(name, data)
    return press(client, IMPORT_URL, "Check the file", file=file, **fields)


def batch_url(batch):
    return reverse("admin:compounds_importbatch_batch", args=[batch.pk])


def decide(client, batch, button, **changes):
    """Open the batch page and press one of its buttons, with the rows chosen."""
    return press(client, batch_url(batch), button, **changes)


def test_the_import_page_is_for_editors_only(client, db):
    viewer = make_user("viewer", "Editor")
    viewer.groups.clear()
    client.force_login(viewer)
    assert client.get(IMPORT_URL).status_code == 403


def test_an_upload_is_checked_and_shown_before_anything_changes(client, editor):
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    client.force_login(editor)
    response = upload(client, "catalogue.json", data)
    assert response.status_code == 200
    assert b"Importing it would create <strong>6</strong>" in response.content
    # Each change names the kind of object it is.
    assert b"<td>compound</td>" in response.content
    assert b"<td>evidence summary</td>" in response.content
    assert not Compound.objects.exists()
    batch = ImportBatch.objects.get()
    assert form_data(response, "Import these changes").action == reverse(
        "admin:compounds_importbatch_confirm", args=[batch.pk]
    )
    response = submit(client, response, "Import these changes")
    assert response.status_code == 302 and response.url == batch_url(batch)
    assert Compound.objects.get().review_state == ReviewState.DRAFT
    batch.refresh_from_db()
    assert (batch.status, batch.payload) == (ImportBatch.Status.IMPORTED, None)


def test_an_upload_with_errors_lists_each_with_file_row_and_field(client, editor):
    rich_catalogue()
    document = json.loads(export_json())
    wipe_catalogue()
    document["conditions"][1]["specialist"] = ""
    client.force_login(editor)
    response = upload(client, "catalogue.json", json.dumps(document).encode())
    content = response.content.decode()
    assert "1 error: nothing was imported" in content
    assert (
        "<td>catalogue.json</td><td>conditions #2</td><td>pain</td><td>specialist</td>" in content
    )
    assert not ImportBatch.objects.exists()


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("c.json", b"\xff\xfe garbage"),
        ("c.zip", b"PK\x03\x04 not a zip"),
        ("c.json", b'{"format": "insightswarm-catalogue", "version": 1, "compounds": [1, "x"]}'),
        ("compounds.csv", b"slug\n\x00\x00"),
        ("c.json", b"[" * 50_000),
    ],
)
def test_garbage_gets_a_clear_answer_never_a_server_error(client, editor, name, data):
    client.force_login(editor)
    response = upload(client, name, data)
    assert response.status_code == 200
    assert b"nothing was imported" in response.content


def test_a_file_above_the_page_limit_is_refused_with_a_clear_message(client, editor, monkeypatch):
    monkeypatch.setattr(catalogue_admin, "ADMIN_MAX_BYTES", 100)
    client.force_login(editor)
    response = upload(client, "c.json", b" " * 200)
    assert b"manage.py import_catalogue" in response.content
    assert not ImportBatch.objects.exists()


def test_markup_in_a_file_is_escaped_on_the_result_page(client, editor):
    rich_catalogue()
    document = json.loads(export_json())
    wipe_catalogue()
    document["conditions"][0]["slug"] = "<b>bold</b>"
    client.force_login(editor)
    response = upload(client, "c.json", json.dumps(document).encode())
    assert b"<b>bold</b>" not in response.content
    assert b"&lt;b&gt;bold&lt;/b&gt;" in response.content


def test_export_is_a_streaming_download(client, editor):
    rich_catalogue()
    client.force_login(editor)
    url = reverse("admin:compounds_importbatch_export")
    response = client.get(url, {"source": "working", "format": "json"})
    assert response.streaming and "attachment" in response["Content-Disposition"]
    document = json.loads(b"".join(response.streaming_content))
    assert document["compounds"][0]["slug"] == "ketamine"
    response = client.get(url, {"source": "live", "format": "csv"})
    assert response["Content-Type"] == "application/zip"
    assert b"".join(response.streaming_content).startswith(b"PK")


def test_the_importer_may_not_approve_their_own_batch(client, db):
    importer = make_user("advisor-importer", "Medical Advisor", byline=True)
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], importer, submit=True)
    client.force_login(importer)
    page = client.get(batch_url(batch))
    assert b'value="approve"' not in page.content
    with pytest.raises(AssertionError, match="No button “Approve”"):
        form_data(page, "Approve")
    # The page offers the importer no Approve button: the post is crafted.
    client.post(batch_url(batch), {"step": "approve", "scope": "page"})
    assert not PublishedCompound.objects.exists()
    assert set(Compound.objects.values_list("review_state", flat=True)) == {ReviewState.IN_REVIEW}


def test_an_advisor_approves_part_of_a_batch_and_returns_the_rest(client, editor, advisor):
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], editor, submit=True)
    client.force_login(advisor)
    page = client.get(batch_url(batch)).content.decode()
    compound = Compound.objects.get()
    assert reverse("admin:compounds_compound_review", args=[compound.pk]) in page
    items = list(batch.items.order_by("id"))
    chosen = [item.pk for item in items if item.content_type.model in ("compound", "condition")]
    decide(client, batch, "Approve", item=chosen)
    assert PublishedCompound.objects.count() == 1
    rest = [item.pk for item in items if item.pk not in chosen]
    decide(client, batch, "Request changes", item=rest, comment="Cite more.")
    assert set(EvidenceSummary.objects.values_list("review_state", flat=True)) == {
        ReviewState.CHANGES_REQUESTED
    }


def test_an_object_edited_after_the_import_is_not_approved_from_the_batch(client, editor, advisor):
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], editor, submit=True)
    Condition.objects.filter(slug="pain").update(revision=5)
    client.force_login(advisor)
    decide(client, batch, "Approve", scope="page")
    assert Condition.objects.get(slug="pain").review_state == ReviewState.IN_REVIEW
    assert Condition.objects.get(slug="depression").review_state == ReviewState.APPROVED


def test_an_edit_racing_the_batch_approval_is_not_published(client, editor, advisor, monkeypatch):
    """The batch page compared revisions, then someone saved: the approval, bound to the
    imported revision, is refused under the object's lock."""
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], editor, submit=True)
    read_rows = catalogue_admin.ImportBatchAdmin._rows

    def rows_then_an_edit(self, items):
        rows = read_rows(self, items)
        Condition.objects.filter(slug="pain").update(revision=models.F("revision") + 1)
        return rows

    client.force_login(advisor)
    page = client.get(batch_url(batch))
    monkeypatch.setattr(catalogue_admin.ImportBatchAdmin, "_rows", rows_then_an_edit)
    response = submit(client, page, "Approve", scope="page")
    assert Condition.objects.get(slug="pain").review_state == ReviewState.IN_REVIEW
    assert "Nothing was approved" in client.get(response.url).content.decode()


@pytest.mark.parametrize("item", ["²", "99999999999999999999999", "-1", "1e3"])
def test_a_crafted_item_id_approves_nothing_and_fails_nothing(client, editor, advisor, item):
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], editor, submit=True)
    client.force_login(advisor)
    # Crafted input: an item id no row of the page holds.
    response = client.post(
        batch_url(batch), {"step": "approve", "scope": "selected", "item": [item]}
    )
    assert response.status_code == 302
    assert not PublishedCompound.objects.exists()


def public_pages(client):
    urls = ["/", "/compounds/", "/conditions/", "/research/", "/how-we-grade-evidence/"]
    for summary in PublishedSummary.objects.select_related("compound", "condition"):
        urls.append(f"/compounds/{summary.compound.slug}/")
        urls.append(f"/conditions/{summary.condition.slug}/")
        for page_type in page_types():
            urls.append(
                f"/compounds/{summary.compound.slug}/{summary.condition.slug}/{page_type.slug}/"
            )
    urls += [f"/research/{u.slug}/" for u in PublishedResearchUpdate.objects.all()]
    pages = {}
    for url in sorted(set(urls)):
        response = client.get(url)
        assert response.status_code == 200, url
        pages[url] = same_day(response.content.decode())
    return pages


def same_day(html):
    """A page without what differs between two approvals on one day: the time of the
    approval, and so the order of the home page's list of recently reviewed conditions."""
    html = re.sub(r"(\d{4}-\d\d-\d\d)T[\d:.]+\+00:00", r"\1", html)
    return re.sub(
        r"(<h3>Recently reviewed</h3>\s*<ul>)(.*?)(</ul>)",
        lambda m: m[1] + "".join(sorted(re.findall(r"<li>.*?</li>", m[2]))) + m[3],
        html,
        flags=re.S,
    )


def test_the_seed_site_exported_imported_and_approved_as_a_batch_is_the_same_site(client, db):
    approve_seed_content()
    before = public_pages(client)
    exported = export_json("live").encode()
    wipe_catalogue()
    assert client.get("/compounds/ketamine/").status_code == 404
    editor = Group.objects.get(name="Editor").user_set.get()
    # The seed's advisor (the second one approved only the first one's page).
    advisor = Group.objects.get(name="Medical Advisor").user_set.get(username="seed-advisor")
    batch = import_files([("seed.json", exported)], editor, submit=True)
    assert not PublishedCompound.objects.exists()
    assert batch.items.count() == 16
    client.force_login(advisor)
    # The seed's summaries cite no study: the advisor confirms their grades in a comment.
    response = decide(client, batch, "Approve", scope="page", comment=GRADE_CONFIRMED)
    assert response.status_code == 302
    client.logout()
    assert public_pages(client) == before


def test_the_list_of_batches_links_to_import_and_export_for_an_editor(client, editor):
    rich_catalogue()
    import_files([("c.json", export_json().encode())], editor)
    client.force_login(editor)
    response = client.get(reverse("admin:compounds_importbatch_changelist"))
    assert response.status_code == 200
    assert reverse("admin:compounds_importbatch_import").encode() in response.content
    assert reverse("admin:compounds_importbatch_export").encode() in response.content
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_checked_file_confirmed_twice_at_once_is_imported_once(client, editor):
    """Two confirmations racing (a double click): the second, which read the batch before
    the first finished, finds it imported and changes nothing."""
    rich_catalogue()
    data = export_json().encode()
    wipe_catalogue()
    client.force_login(editor)
    upload(client, "catalogue.json", data)
    batch = ImportBatch.objects.get()
    first, second = ImportBatch.objects.get(pk=batch.pk), ImportBatch.objects.get(pk=batch.pk)
    plan = catalogue_admin._check_upload(batch.file_name, bytes(batch.payload))[0]
    apply(plan, editor, batch.file_name, batch=first)
    with pytest.raises(Failed, match="imported already"):
        apply(plan, editor, batch.file_name, batch=second)
    assert Compound.objects.count() == 1


def _batch_page_queries(client, advisor, editor, summaries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.factories import make_summary

    wipe_catalogue()
    for _ in range(summaries):
        make_summary()
    data = export_json().encode()
    wipe_catalogue()
    batch = import_files([("c.json", data)], editor, submit=True)
    client.force_login(advisor)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(batch_url(batch)).status_code == 200
    return len(queries)


def test_the_batch_page_reads_the_summaries_references_in_one_query_whatever_their_number(
    client, editor, advisor
):
    # Each row says whether approving it needs a comment confirming its grade, which
    # reads the summary's references: once for the page, not once a row.
    assert _batch_page_queries(client, advisor, editor, 6) == _batch_page_queries(
        client, advisor, editor, 2
    )
