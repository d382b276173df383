"""A catalogue of any size through the command line: read, checked and written in
batches (compounds/catalogue/batches.py), in bounded memory and queries, and a file
with any wrong row, even its last, changes nothing."""

import copy
import csv
import io
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from bench.import_speed import catalogue, write_catalogue
from compounds.catalogue import archives, batches
from compounds.catalogue.issues import Failed
from compounds.catalogue.read import Catalogue
from compounds.models import Compound, EvidenceSummary, ImportBatch, Reference
from tests.compounds.catalogue_helpers import catalogue_of, command, export_json, wipe_catalogue
from tests.factories import make_user

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
# What the command line refused above before it streamed files.
OLD_CAP = 50 * MB


@pytest.fixture
def editor(db):
    return make_user("bulk-importer", "Editor")


def write(path, document):
    path.write_text(json.dumps(document))
    return path


def test_a_file_larger_than_the_old_cap_imports_from_the_command_line(editor, tmp_path):
    document = catalogue(60, 1)
    overview = "Studied in a few small trials; none was blinded. " * 18_000  # 0.9 MB each
    for record in document["compounds"]:
        record["evidence_overview"] = overview
    path = write(tmp_path / "big.json", document)
    assert path.stat().st_size > OLD_CAP
    out, _ = command("import_catalogue", str(path), "--user", editor.username)
    assert "Created 121, updated 0, unchanged 0." in out
    assert Compound.objects.count() == 60
    assert Compound.objects.get(slug="compound-59").evidence_overview == overview
    assert EvidenceSummary.objects.count() == 60


def peak_growth(pairs):
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("measure_import_memory.py")), str(pairs)],
        capture_output=True,
        text=True,
        check=True,
    )
    assert f"Created {pairs + pairs // 100 + 100:,}, updated 0" in result.stdout, result.stdout
    return float(re.search(r"peaked ([\d.]+) MB above", result.stdout).group(1))


def test_memory_does_not_grow_with_the_file_beyond_its_keys():
    """Importing 10,000 pairs (10 MB of JSON) against 1,000: the import before batches
    held the whole file and every checked object, 6.74 KiB a pair (59 MB more here).
    Now only the whole-file index of keys grows with it: under 1 KiB a pair."""
    small, large = peak_growth(1_000), peak_growth(10_000)
    assert large - small < 9_000 * 1024 / MB, (small, large)


def edited(document, compounds, words="Read again."):
    """The summaries of the given compounds, their text changed, at the revision each
    has now (an export's)."""
    revisions = {
        (s.compound.slug, s.condition.slug): s.revision
        for s in EvidenceSummary.objects.select_related("compound", "condition")
    }
    summaries = []
    for record in document["evidence_summaries"]:
        if record["compound"] in compounds:
            record = dict(record, human_evidence=record["human_evidence"] + " " + words)
            record["revision"] = revisions[(record["compound"], record["condition"])]
            summaries.append(record)
    return {
        "format": document["format"],
        "version": document["version"],
        "evidence_summaries": summaries,
    }


def queries_to_update(path, editor):
    checking = Catalogue(archives.sources_at(path))
    with CaptureQueriesContext(connection) as checked_queries:
        checked = batches.check_file(checking)
    assert not checked.issues.total, [str(i) for i in checked.issues.issues]
    with CaptureQueriesContext(connection) as written:
        batches.import_file(checked, editor, path.name, submit=True)
    return checked.counts["updated"], len(checked_queries), len(written)


def test_an_update_takes_the_same_queries_a_batch_whatever_the_number_of_pairs(editor, tmp_path):
    document = catalogue(15, 100)
    command(
        "import_catalogue", str(write(tmp_path / "c.json", document)), "--user", "bulk-importer"
    )
    one_batch = queries_to_update(
        write(tmp_path / "one.json", edited(document, {"compound-0"})), editor
    )
    three_batches = queries_to_update(
        write(
            tmp_path / "all.json",
            edited(document, {f"compound-{c}" for c in range(15)}, "Read once more."),
        ),
        editor,
    )
    assert one_batch[0] == 100 and three_batches[0] == 1_500
    # 1,500 pairs are three batches of 500: at most three times the queries of one.
    assert three_batches[1] <= 3 * one_batch[1], (one_batch, three_batches)
    assert three_batches[2] <= 3 * one_batch[2], (one_batch, three_batches)
    assert three_batches[2] < 1_500 / 10
    assert (
        EvidenceSummary.objects.filter(human_evidence__endswith="Read once more.").count() == 1_500
    )


def everything():
    return (
        Compound.objects.count(),
        EvidenceSummary.objects.count(),
        sorted(EvidenceSummary.objects.values_list("revision", "human_evidence")),
        Reference.objects.count(),
        ImportBatch.objects.count(),
    )


def test_a_bad_row_at_the_end_of_a_large_file_changes_nothing(editor, tmp_path):
    path = tmp_path / "c.json"
    write_catalogue(path, 12, 100, last_summary={"evidence_level": "level_9"})
    with pytest.raises(CommandError, match="1 error"):
        call_command("import_catalogue", str(path), "--user", "bulk-importer", stderr=io.StringIO())
    assert not Compound.objects.exists() and not EvidenceSummary.objects.exists()
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_catalogue", str(path), "--user", "bulk-importer", stderr=err)
    last = err.getvalue().splitlines()[-1]
    assert last.startswith("c.json, evidence_summaries #1200 (compound-11 for condition-99)")
    assert "field “evidence_level”: Value 'level_9' is not a valid choice." in last


def test_an_update_with_a_bad_last_row_changes_nothing(editor, tmp_path):
    document = catalogue(12, 100)
    command(
        "import_catalogue", str(write(tmp_path / "c.json", document)), "--user", "bulk-importer"
    )
    before = everything()
    update = edited(document, {f"compound-{c}" for c in range(12)})
    update["evidence_summaries"][-1]["verdict"] = "splendid"
    with pytest.raises(CommandError):
        command(
            "import_catalogue", str(write(tmp_path / "u.json", update)), "--user", "bulk-importer"
        )
    assert everything() == before


def test_a_pair_changed_between_the_check_and_the_write_rolls_back_every_batch(editor, tmp_path):
    document = catalogue(12, 100)
    command(
        "import_catalogue", str(write(tmp_path / "c.json", document)), "--user", "bulk-importer"
    )
    path = write(tmp_path / "u.json", edited(document, {f"compound-{c}" for c in range(12)}))
    checked = batches.check_file(Catalogue(archives.sources_at(path)))
    assert checked.counts["updated"] == 1_200 and not checked.issues.total
    # Someone saves the last pair meanwhile.
    EvidenceSummary.objects.filter(
        compound__slug="compound-11", condition__slug="condition-99"
    ).update(revision=99)
    before = everything()
    with pytest.raises(Failed) as failed:
        batches.import_file(checked, editor, "u.json")
    (issue,) = [str(issue) for issue in failed.value.issues]
    assert issue.startswith("u.json, evidence_summaries #1200 (compound-11 for condition-99)")
    assert "Changed since this file was exported" in issue
    assert everything() == before


def test_lists_in_any_order_are_written_compounds_first(editor, tmp_path):
    document = catalogue(3, 4)
    backwards = {
        "research_updates": [],
        "evidence_summaries": document["evidence_summaries"],
        "conditions": document["conditions"],
        "format": document["format"],
        "version": document["version"],
        "compounds": document["compounds"],
    }
    backwards = {"format": document["format"], "version": document["version"], **backwards}
    out, _ = command(
        "import_catalogue", str(write(tmp_path / "b.json", backwards)), "--user", "bulk-importer"
    )
    assert "Created 19," in out
    assert EvidenceSummary.objects.count() == 12


def test_csv_child_rows_out_of_their_parents_order_still_find_them(editor, tmp_path):
    document = catalogue(3, 4)
    command(
        "import_catalogue", str(write(tmp_path / "c.json", document)), "--user", "bulk-importer"
    )
    exported = export_json()
    archive = tmp_path / "c.zip"
    call_command("export_catalogue", "--format", "csv", str(archive), stderr=io.StringIO())
    with zipfile.ZipFile(archive) as source:
        files = {name: source.read(name) for name in source.namelist()}
    rows = list(csv.reader(io.StringIO(files["summary_references.csv"].decode())))
    shuffled = io.StringIO()
    csv.writer(shuffled).writerows([rows[0], *reversed(rows[1:])])
    files["summary_references.csv"] = shuffled.getvalue().encode()
    with zipfile.ZipFile(archive, "w") as target:
        for name, data in files.items():
            target.writestr(name, data)
    wipe_catalogue()
    command("import_catalogue", str(archive), "--user", "bulk-importer")
    expected = catalogue_of(exported)
    imported = catalogue_of(export_json())
    for record in expected["evidence_summaries"]:
        record["references"].sort(key=lambda r: r["pmid"])
    for record in imported["evidence_summaries"]:
        record["references"].sort(key=lambda r: r["pmid"])
    assert imported == copy.deepcopy(expected)


def test_an_update_leaves_rows_given_as_they_are_untouched_and_changes_the_rest(editor, tmp_path):
    document = catalogue(2, 3)
    command(
        "import_catalogue", str(write(tmp_path / "c.json", document)), "--user", "bulk-importer"
    )
    ids = dict(Reference.objects.values_list("pmid", "pk"))
    update = edited(document, {"compound-0", "compound-1"})
    changed = update["evidence_summaries"][0]["references"][0]
    changed["title"] = "A randomized trial, its title corrected"
    command("import_catalogue", str(write(tmp_path / "u.json", update)), "--user", "bulk-importer")
    assert EvidenceSummary.objects.filter(human_evidence__endswith="Read again.").count() == 6
    assert dict(Reference.objects.values_list("pmid", "pk")) == ids
    assert Reference.objects.get(pk=ids[changed["pmid"]]).title == changed["title"]
    assert Reference.objects.filter(title__startswith="A randomized trial ").count() == 11
