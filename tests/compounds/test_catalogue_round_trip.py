"""Export and import: the same catalogue comes back, as drafts, through the workflow."""

import csv
import io
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from compounds.catalogue import export
from compounds.models import (
    Compound,
    Condition,
    EvidenceSummary,
    ImportBatch,
    Mechanism,
    Reference,
    ReviewAction,
    ReviewEvent,
    ReviewState,
)
from compounds.review import workflow
from tests.compounds.catalogue_helpers import (
    catalogue_of,
    command,
    csv_files,
    export_json,
    import_files,
    plan_of,
    rich_catalogue,
    wipe_catalogue,
)
from tests.factories import approve_as, make_user, save_edit

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(db):
    return make_user("importer", "Editor")


@pytest.fixture
def advisor(db):
    return make_user("checker", "Medical Advisor", byline=True)


def test_json_export_then_import_into_an_empty_catalogue_gives_the_same_catalogue(editor):
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    import_files([("catalogue.json", exported.encode())], editor)
    assert catalogue_of(export_json()) == catalogue_of(exported)


def test_csv_export_then_import_into_an_empty_catalogue_gives_the_same_catalogue(editor):
    rich_catalogue()
    exported, files = export_json(), csv_files()
    wipe_catalogue()
    import_files(sorted(files.items()), editor)
    assert catalogue_of(export_json()) == catalogue_of(exported)


def test_every_kind_and_child_is_in_the_export(db):
    rich_catalogue()
    document = json.loads(export_json())
    (compound,) = document["compounds"]
    for key in ("mechanisms", "safety_notes", "monitoring", "cautions", "interactions"):
        assert len(compound[key]) == 1, key
    assert {c["slug"]: c["urgent_help"] for c in document["conditions"]}["depression"]
    summary = next(s for s in document["evidence_summaries"] if s["condition"] == "depression")
    assert (summary["compound"], len(summary["references"])) == ("ketamine", 2)
    assert summary["key_takeaways"] == "It helps.\nIt is fast."
    assert summary["safety_findings"][0]["description"] == "Well tolerated."
    (update,) = document["research_updates"]
    assert (update["compounds"], update["conditions"]) == (["ketamine"], ["depression", "pain"])
    assert update["references"][0]["nct_id"] == "NCT01234567"


def _studied(document):
    """Whether each reference of the file's summaries studied the pair's condition."""
    return {
        reference["title"]: reference["studied_condition"]
        for summary in document["evidence_summaries"]
        for reference in summary["references"]
    }


def _studied_in_catalogue():
    return dict(Reference.objects.values_list("title", "studied_condition"))


@pytest.mark.parametrize("form", ["json", "csv"])
def test_whether_a_reference_studied_the_condition_goes_out_and_comes_back(editor, form):
    rich_catalogue()
    exported = export_json()
    assert _studied(json.loads(exported)) == {"Trial one": True, "Trial two": False}
    files = [("c.json", exported.encode())] if form == "json" else sorted(csv_files().items())
    wipe_catalogue()
    import_files(files, editor)
    assert _studied_in_catalogue() == {"Trial one": True, "Trial two": False}


def _without_studied_condition(files):
    """The CSV files as written before references said whether they studied the condition."""
    name = "summary_references.csv"
    rows = list(csv.reader(io.StringIO(files[name].decode())))
    column = rows[0].index("studied_condition")
    out = io.StringIO()
    csv.writer(out).writerows([row[:column] + row[column + 1 :] for row in rows])
    return {**files, name: out.getvalue().encode()}


@pytest.mark.parametrize("form", ["json", "csv"])
def test_a_file_that_does_not_say_a_study_was_of_the_condition_says_it_was_not(editor, form):
    rich_catalogue()
    if form == "json":
        document = json.loads(export_json())
        for summary in document["evidence_summaries"]:
            for reference in summary["references"]:
                del reference["studied_condition"]
        files = [("c.json", json.dumps(document).encode())]
    else:
        files = sorted(_without_studied_condition(csv_files()).items())
    # Into the catalogue it came from: the ticked reference is updated, unticked.
    plan = plan_of(files)
    assert not plan.issues, [str(issue) for issue in plan.issues]
    assert plan.counts["updated"] == 1
    wipe_catalogue()
    import_files(files, editor)
    assert _studied_in_catalogue() == {"Trial one": False, "Trial two": False}


def test_imported_objects_are_drafts_booked_to_the_importer_and_nothing_is_live(editor):
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    batch = import_files([("c.json", exported.encode())], editor)
    for obj in [*Compound.objects.all(), *Condition.objects.all(), *EvidenceSummary.objects.all()]:
        assert (obj.review_state, obj.live_version, obj.revision) == (ReviewState.DRAFT, None, 1)
        assert (obj.last_edited_by, obj.editors_since_approval) == (editor, [editor.pk])
    assert batch.items.count() == 6
    assert batch.created_count == 6


def test_submit_puts_every_change_in_review_with_its_audit_step(editor):
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    import_files([("c.json", exported.encode())], editor, submit=True)
    assert set(Compound.objects.values_list("review_state", flat=True)) == {ReviewState.IN_REVIEW}
    assert ReviewEvent.objects.filter(action=ReviewAction.SUBMIT, user=editor).count() == 6


def test_an_update_changes_the_working_copy_and_keeps_the_live_version(editor, advisor):
    compound = rich_catalogue()
    approve_as(compound, editor, advisor)
    live = Compound.objects.get().live_version
    mechanism_id = Mechanism.objects.get().pk
    document = json.loads(export_json())
    document["compounds"][0]["drug_class"] = "Anesthetic"
    document["compounds"][0]["mechanisms"][0]["position"] = 2
    plan = plan_of([("c.json", json.dumps(document).encode())])
    assert plan.counts == {"created": 0, "updated": 1, "unchanged": 5}
    import_files([("c.json", json.dumps(document).encode())], editor)
    compound = Compound.objects.get()
    assert (compound.drug_class, compound.review_state) == ("Anesthetic", ReviewState.DRAFT)
    assert compound.live_version == live
    # Matched in place: the review screen shows the row as changed, not removed and added.
    assert Mechanism.objects.get().pk == mechanism_id
    assert Mechanism.objects.get().position == 2


def test_a_child_left_out_of_the_file_is_removed_and_a_new_one_added(editor):
    rich_catalogue()
    document = json.loads(export_json())
    summary = next(s for s in document["evidence_summaries"] if s["references"])
    summary["references"] = summary["references"][:1] + [
        {**summary["references"][0], "pmid": "12345", "title": "Trial three"}
    ]
    import_files([("c.json", json.dumps(document).encode())], editor)
    assert sorted(Reference.objects.values_list("title", flat=True)) == ["Trial one", "Trial three"]


def test_importing_the_same_file_again_changes_nothing(editor):
    rich_catalogue()
    exported = export_json().encode()
    import_files([("c.json", exported)], editor)
    plan = plan_of([("c.json", exported)])
    assert plan.counts == {"created": 0, "updated": 0, "unchanged": 6}


def test_an_object_changed_since_the_export_is_refused_not_overwritten(editor):
    compound = rich_catalogue()
    document = json.loads(export_json())
    save_edit(compound, editor, drug_class="Changed in the admin")
    document["compounds"][0]["drug_class"] = "From the file"
    plan = plan_of([("c.json", json.dumps(document).encode())])
    (issue,) = plan.issues
    assert (issue.field, issue.object) == ("revision", "ketamine")
    assert "Changed since this file was exported" in issue.message
    assert "importer" in issue.message
    assert Compound.objects.get().drug_class == "Changed in the admin"


def test_an_update_without_a_revision_is_refused(editor):
    rich_catalogue()
    document = json.loads(export_json())
    document["conditions"][0]["name"] = "Renamed"
    document["conditions"][0]["revision"] = None
    (issue,) = plan_of([("c.json", json.dumps(document).encode())]).issues
    assert issue.field == "revision"


def test_live_export_holds_the_approved_text_not_the_draft(editor, advisor):
    compound = rich_catalogue()
    approve_as(compound, editor, advisor)
    save_edit(compound, editor, drug_class="Unapproved draft text")
    live = json.loads("".join(export.json_chunks("live")))
    assert live["compounds"][0]["drug_class"] == "Test class"
    # The working copy changed since its approval: an import of this file may not overwrite it.
    assert live["compounds"][0]["revision"] is None
    assert live["conditions"] == [] and live["evidence_summaries"] == []


def test_live_export_says_whether_each_approved_reference_studied_the_condition(editor, advisor):
    rich_catalogue()
    summary = EvidenceSummary.objects.get(condition__slug="depression")
    approve_as(summary, editor, advisor)
    Reference.objects.update(studied_condition=False)  # a draft, not approved
    live = json.loads("".join(export.json_chunks("live")))
    assert _studied(live) == {"Trial one": True, "Trial two": False}


def test_export_reads_in_chunks(db, django_assert_max_num_queries, monkeypatch):
    monkeypatch.setattr(export, "CHUNK", 2)
    rich_catalogue()
    records = list(export.records(export.SUMMARIES))
    assert len(records) == 2


def test_commands_export_and_import_with_dry_run_first(editor, tmp_path):
    rich_catalogue()
    path = tmp_path / "catalogue.json"
    command("export_catalogue", str(path))
    wipe_catalogue()
    out, err = command("import_catalogue", str(path), "--user", "importer", "--dry-run")
    assert "Would create 6, would update 0, unchanged 0." in out
    assert "Checked 6 of 6 objects (100%)" in err
    assert not Compound.objects.exists()
    out, _ = command("import_catalogue", str(path), "--user", "importer", "--submit")
    assert "submitted for review" in out
    assert ImportBatch.objects.get().items.count() == 6


def test_commands_take_csv_as_a_directory_and_as_a_zip(editor, tmp_path):
    rich_catalogue()
    command("export_catalogue", "--format", "csv", str(tmp_path / "csv"))
    command("export_catalogue", "--format", "csv", str(tmp_path / "c.zip"))
    assert (tmp_path / "csv" / "summary_references.csv").exists()
    wipe_catalogue()
    out, _ = command("import_catalogue", str(tmp_path / "csv"), "--user", "importer")
    assert "Created 6" in out
    out, _ = command("import_catalogue", str(tmp_path / "c.zip"), "--user", "importer")
    assert "Nothing to import" in out


def test_import_command_fails_naming_the_row_and_changes_nothing(editor, tmp_path):
    rich_catalogue()
    command("export_catalogue", "--format", "csv", str(tmp_path))
    wipe_catalogue()
    path = tmp_path / "evidence_summaries.csv"
    path.write_text(path.read_text().replace("ketamine,pain,level_2,", "ketamine,pain,level_9,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_catalogue", str(tmp_path), "--user", "importer", stderr=err)
    assert "evidence_summaries.csv, row 3 (ketamine for pain), field “evidence_level”" in (
        err.getvalue()
    )
    assert not Compound.objects.exists() and not Condition.objects.exists()


def test_the_workflow_rules_still_hold_after_an_import(editor, advisor):
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    import_files([("c.json", exported.encode())], advisor, submit=True)
    compound = Compound.objects.get()
    with pytest.raises(workflow.ReviewError, match="four-eyes"):
        workflow.approve(compound, advisor)


def test_a_submitted_import_is_mailed_once_to_the_advisors_not_to_the_importer(
    editor, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    editor.email, advisor.email = "importer@example.org", "checker@example.org"
    editor.save()
    advisor.save()
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_files([("c.json", exported.encode())], editor, submit=True)

    (mail,) = mailoutbox
    assert mail.to == ["checker@example.org"]
    assert mail.subject == "[Insight Swarm] Waiting for your review: an import of 6 objects"
    assert f"/admin/compounds/importbatch/{batch.pk}/" in mail.body


def test_an_import_left_as_drafts_is_mailed_to_nobody(
    editor, advisor, mailoutbox, django_capture_on_commit_callbacks
):
    advisor.email = "checker@example.org"
    advisor.save()
    rich_catalogue()
    exported = export_json()
    wipe_catalogue()
    with django_capture_on_commit_callbacks(execute=True):
        import_files([("c.json", exported.encode())], editor)
    assert mailoutbox == []
