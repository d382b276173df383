"""CSV exports are safe to open in a spreadsheet, and import back to the same text.

A cell that begins with = + - @, a tab or a carriage return is run by Excel,
LibreOffice and Google Sheets (OWASP "CSV injection"): the export puts a single quote
before it, and the import takes exactly that quote off again (docs/catalogue-format.md).
"""

import csv
import io
import json
import zipfile

import pytest
from hypothesis import given
from hypothesis import strategies as st

from compounds.catalogue import file_format
from compounds.models import Compound, Mechanism, ResearchReference, ResearchUpdate
from tests.compounds.catalogue_helpers import (
    catalogue_of,
    command,
    csv_files,
    export_json,
    export_zip,
    import_files,
    plan_of,
    rich_catalogue,
    wipe_catalogue,
)
from tests.factories import make_compound, make_user

pytestmark = pytest.mark.django_db

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# What an editor may type that a spreadsheet would run, or that looks like the escape.
HOSTILE = [
    '=HYPERLINK("http://x","click")',
    "+1",
    "-2",
    "@SUM(A1)",
    "'=already",
    "'plain",
    "''=twice",
    "'",
    "''",
    "\tTabbed",
    "=1+1",
    "-",
]


@pytest.fixture
def editor(db):
    return make_user("importer", "Editor")


def hostile_catalogue():
    """The rich catalogue, and a compound per hostile text with it in each text field;
    one compound's slug begins with a hyphen, so the slugs in child files and in a
    research update's list of compounds begin with one too."""
    rich_catalogue()
    for n, text in enumerate(HOSTILE):
        shifted = HOSTILE[(n + 1) % len(HOSTILE)]
        compound = make_compound(
            slug=f"-hostile-{n}" if n == 0 else f"hostile-{n}",
            name=text,
            aliases=shifted,
            drug_class=text,
            regulatory_status=shifted,
            evidence_overview="\r" + text,
            safety_profile=text + "\n" + shifted,
        )
        Mechanism.objects.create(compound=compound, position=1, description=text)
    update = ResearchUpdate.objects.get()
    update.title = '=HYPERLINK("http://x","click")'
    update.summary = "-2 patients improved"
    update.save()
    update.compounds.add(Compound.objects.get(slug="-hostile-0"))
    ResearchReference.objects.filter(update=update).update(authors="@Smith J", title="+ trial")


def cells(data):
    return [cell for row in csv.reader(io.StringIO(data.decode(), newline="")) for cell in row]


def rows(data):
    return list(csv.DictReader(io.StringIO(data.decode(), newline="")))


def test_no_exported_csv_cell_begins_with_what_a_spreadsheet_runs(db):
    hostile_catalogue()
    for name, data in csv_files().items():
        for cell in cells(data):
            assert not cell.startswith(FORMULA_START), (name, cell)


def test_a_formula_is_exported_behind_a_single_quote_and_the_escape_itself_escaped(db):
    hostile_catalogue()
    files = csv_files()
    names = [row["name"] for row in rows(files["compounds.csv"])]
    for expected in [
        '\'=HYPERLINK("http://x","click")',
        "'+1",
        "'-2",
        "'@SUM(A1)",
        "''=already",
        "'plain",
        "'''=twice",
        "'",
        "'''",
        "'\tTabbed",
        "'=1+1",
        "'-",
    ]:
        assert expected in names
    (update,) = rows(files["research_updates.csv"])
    assert update["title"] == '\'=HYPERLINK("http://x","click")'
    assert update["compounds"].startswith("'-hostile-0 ")
    assert {row["compound"] for row in rows(files["mechanisms.csv"])} >= {"'-hostile-0"}


def test_numbers_are_not_text_and_keep_their_form(db):
    hostile_catalogue()
    files = csv_files()
    (update,) = rows(files["research_updates.csv"])
    assert update["participants"] == "40"
    assert update["revision"] == str(ResearchUpdate.objects.get().revision)
    assert {row["position"] for row in rows(files["mechanisms.csv"])} == {"1"}


def test_the_json_export_holds_the_text_as_it_is(db):
    hostile_catalogue()
    names = {record["name"] for record in json.loads(export_json())["compounds"]}
    assert set(HOSTILE) <= names


def test_a_csv_export_imported_again_gives_back_every_text_exactly(editor):
    hostile_catalogue()
    exported, files = export_json(), csv_files()
    wipe_catalogue()
    import_files(sorted(files.items()), editor)
    assert catalogue_of(export_json()) == catalogue_of(exported)
    assert set(Compound.objects.values_list("name", flat=True)) >= set(HOSTILE)


def test_a_csv_export_imported_over_itself_changes_nothing(editor):
    hostile_catalogue()
    plan = plan_of(sorted(csv_files().items()))
    assert not plan.issues and plan.count("unchanged") == len(plan.changes)


def test_the_command_writes_neutralised_csv_and_reads_it_back(editor, tmp_path):
    hostile_catalogue()
    exported = export_json()
    command("export_catalogue", "--format", "csv", str(tmp_path / "csv"))
    data = (tmp_path / "csv" / "compounds.csv").read_bytes()
    assert not any(cell.startswith(FORMULA_START) for cell in cells(data))
    wipe_catalogue()
    command("import_catalogue", str(tmp_path / "csv"), "--user", "importer")
    assert catalogue_of(export_json()) == catalogue_of(exported)


def test_the_admins_zip_download_is_neutralised(client, editor):
    hostile_catalogue()
    client.force_login(editor)
    response = client.get(
        "/admin/compounds/importbatch/export/", {"source": "working", "format": "csv"}
    )
    with zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content))) as archive:
        for name in archive.namelist():
            for cell in cells(archive.read(name)):
                assert not cell.startswith(FORMULA_START), (name, cell)
    assert export_zip()  # the same generator as the command's


@pytest.mark.parametrize("cell", ["-1", "'-1"])
def test_a_negative_number_is_refused_as_a_number_escaped_or_not(db, cell):
    rich_catalogue()
    files = csv_files()
    wipe_catalogue()
    text = files["research_updates.csv"].decode()
    header, row = text.splitlines()[:2]
    values = next(csv.reader([row]))
    values[header.split(",").index("participants")] = cell
    out = io.StringIO()
    csv.writer(out).writerows([header.split(","), values])
    files["research_updates.csv"] = out.getvalue().encode()
    issues = [str(issue) for issue in plan_of(sorted(files.items())).issues]
    assert issues == [
        "research_updates.csv, row 2 (new-trial), field “participants”: "
        "Ensure this value is greater than or equal to 1."
    ]


@pytest.mark.parametrize(
    ("cell", "text"),
    [
        ("'=1+1", "=1+1"),
        ("''=1+1", "'=1+1"),
        ("'plain", "'plain"),
        ("''", "'"),
        ("'", "'"),
        ("'-x", "-x"),
        ("=typed in a spreadsheet", "=typed in a spreadsheet"),
    ],
)
def test_the_import_takes_off_one_quote_before_a_formula_character_or_a_quote(cell, text):
    assert file_format.csv_unescape(cell) == text


@given(st.text(max_size=12) | st.from_regex(r"\A'*[=+\-@\t\r']?.{0,3}\Z"))
def test_every_text_survives_the_escape_and_no_escaped_text_is_a_formula(text):
    cell = file_format.csv_escape(text)
    assert not cell.startswith(FORMULA_START)
    assert file_format.csv_unescape(cell) == text
