"""Bad values in a catalogue file: each is an error naming its file, row and field, from
the command line, --dry-run and the admin alike, and a refused file writes nothing.

Control characters, lone surrogates, Infinity and NaN, numbers beyond what a column
stores, impossible dates and text in the wrong encoding, then Hypothesis: mutations of
a valid catalogue (random values in random fields) end in an import or in a list of
errors, never in an exception, and never write anything when refused.
"""

import copy
import io
import json

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compounds.catalogue import file_format
from compounds.catalogue.apply import apply
from compounds.catalogue.check import check
from compounds.catalogue.issues import Failed, Refused
from compounds.catalogue.read import read
from compounds.models import Compound
from tests.compounds.catalogue_helpers import (
    csv_files,
    export_json,
    plan_of,
    rich_catalogue,
    wipe_catalogue,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db

FEW = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def document(db):
    rich_catalogue()
    exported = json.loads(export_json())
    wipe_catalogue()
    return exported


@pytest.fixture
def exported(db):
    """The CSV files of the rich catalogue, the database left empty."""
    rich_catalogue()
    files = csv_files()
    wipe_catalogue()
    return files


@pytest.fixture
def editor(db):
    return make_user("importer", "Editor")


def issues_of(files):
    try:
        return [str(issue) for issue in plan_of(files).issues]
    except Refused as refused:
        return [str(issue) for issue in refused.issues]


def json_file(document, **dumps):
    return [("c.json", json.dumps(document, **dumps).encode())]


def row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def refused_everywhere(client, tmp_path, data, name="c.json"):
    """The issues the command prints, which --dry-run prints too and the admin's upload
    page lists; none of the three writes anything."""
    client.force_login(make_user("uploader", "Editor"))
    before = row_counts()
    path = tmp_path / name
    path.write_bytes(data)
    answers = []
    for dry_run in ([], ["--dry-run"]):
        err = io.StringIO()
        with pytest.raises(CommandError, match="nothing was imported"):
            call_command("import_catalogue", str(path), "--user", "importer", *dry_run, stderr=err)
        answers.append(err.getvalue().splitlines())
    assert answers[0] == answers[1]
    page = client.post(
        "/admin/compounds/importbatch/import/", {"file": SimpleUploadedFile(name, data)}
    ).content.decode()
    assert "could not be checked" not in page
    assert "nothing was imported" in page
    assert row_counts() == before
    return answers[0], page


def test_a_nul_character_in_a_json_name_is_refused_with_its_place(
    client, tmp_path, document, editor
):
    document["conditions"][1]["name"] = "Pain\u0000"
    issues, page = refused_everywhere(client, tmp_path, json.dumps(document).encode())
    assert issues == [
        "c.json, conditions #2 (pain), field “name”: The text holds a control character "
        "(U+0000 at position 5), which no field takes: remove it."
    ]
    assert "<td>conditions #2</td><td>pain</td><td>name</td>" in page


def test_infinity_as_a_revision_is_refused_with_its_place(client, tmp_path, document, editor):
    document["conditions"][0]["revision"] = float("inf")
    issues, page = refused_everywhere(client, tmp_path, json.dumps(document).encode())
    assert issues == [
        "c.json, conditions #1 (depression), field “revision”: Not a number this field "
        "takes: Infinity, NaN, or a number too large to store."
    ]
    assert "<td>conditions #1</td><td>depression</td><td>revision</td>" in page


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("\x1b[31mred", "U+001B at position 1"),
        ("bell\x07", "U+0007 at position 5"),
        ("del\x7f", "U+007F"),
        ("next\x85line", "U+0085"),
        ("two\nlines", "This field is one line: remove the line break."),
        ("carriage\rreturn", "This field is one line: remove the line break."),
        ("vertical\x0btab", "U+000B"),
        ("\ud800", "U+D800"),
    ],
)
def test_control_characters_in_a_one_line_field_are_refused(document, text, shown):
    document["compounds"][0]["name"] = text
    (issue,) = issues_of(json_file(document))
    assert issue.startswith("c.json, compounds #1 (ketamine), field “name”: ")
    assert shown in issue
    assert all(c.isprintable() for c in issue)


def test_a_control_character_in_a_slug_is_refused_before_it_is_looked_up(document):
    document["evidence_summaries"][0]["compound"] = "ketamine\x00"
    document["research_updates"][0]["conditions"] = ["pain\x00"]
    issues = issues_of(json_file(document))
    assert any("evidence_summaries #1" in i and "field “compound”" in i for i in issues), issues
    assert any("research_updates #1" in i and "field “conditions”" in i for i in issues), issues
    assert all("\x00" not in issue for issue in issues)


def test_tabs_and_line_breaks_are_kept_where_text_takes_several_lines(document, editor):
    document["compounds"][0]["name"] = "Keta\tmine"
    document["compounds"][0]["safety_profile"] = "Line one.\r\nLine two.\n\tIndented."
    document["evidence_summaries"][0]["key_takeaways"] = "One.\nTwo."
    plan = plan_of(json_file(document))
    assert not plan.issues, [str(i) for i in plan.issues]
    apply(plan, editor, "c.json")
    assert Compound.objects.get().safety_profile == "Line one.\r\nLine two.\n\tIndented."


def test_a_control_character_in_a_csv_cell_names_the_row_and_column(document):
    rich_catalogue()
    files = csv_files()
    wipe_catalogue()
    files["conditions.csv"] = files["conditions.csv"].replace(b"Pain", b"Pa\x1bin")
    issues = issues_of(sorted(files.items()))
    assert issues == [
        "conditions.csv, row 3 (pain), field “name”: The text holds a control character "
        "(U+001B at position 3), which no field takes: remove it."
    ]


def test_a_control_character_in_a_json_key_is_shown_not_printed(document):
    document["conditions"][0]["colour\x1b[2J"] = "red"
    issues = issues_of(json_file(document))
    assert "c.json, conditions #1 (depression), field “colour\\x1b[2J”: Unknown field." in issues
    assert all(c.isprintable() for issue in issues for c in issue)


@pytest.mark.parametrize(
    "value", [float("inf"), float("-inf"), float("nan"), 1.5, "1.5", True, [1], -1]
)
def test_a_revision_that_is_not_a_whole_number_is_refused(document, value):
    rich_catalogue()  # so that the revision is needed: the objects exist
    document["conditions"][0]["revision"] = value
    document["conditions"][0]["name"] = "Changed"
    issues = issues_of(json_file(document))
    assert any(
        issue.startswith("c.json, conditions #1 (depression), field “revision”: ")
        for issue in issues
    ), issues


@pytest.mark.parametrize(
    ("where", "field", "value", "message"),
    [
        (("research_updates", 0), "participants", float("inf"), "Not a number this field"),
        (("research_updates", 0), "participants", float("nan"), "Not a number this field"),
        (("research_updates", 0), "participants", 10**12, "less than or equal to 2147483647"),
        (("research_updates", 0), "participants", -5, "greater than or equal to 1"),
        (("compounds", 0, "mechanisms", 0), "position", 40_000, "less than or equal to 32767"),
        (("compounds", 0, "mechanisms", 0), "position", -1, "greater than or equal to 0"),
        (("evidence_summaries", 0, "references", 0), "year", 99_999, "in the future"),
        (("evidence_summaries", 0, "references", 0), "year", 1e300, "must be an integer"),
        (("research_updates", 0), "date", "2025-02-30", "invalid date"),
        (("research_updates", 0), "date", "0000-01-01", "invalid date"),
        (("research_updates", 0), "date", "10000-01-01", "YYYY-MM-DD"),
        (("research_updates", 0), "date", float("inf"), "Not a number this field"),
    ],
)
def test_numbers_and_dates_out_of_range_are_refused_whatever_the_database(
    document, where, field, value, message
):
    """Ranges are those of every supported database (PostgreSQL's columns are the
    narrowest): a file checked on SQLite does not fail when written to PostgreSQL."""
    target = document
    for step in where:
        target = target[step]
    target[field] = value
    issues = issues_of(json_file(document))
    assert issues and all(f"field “{field}”: " in issue for issue in issues), issues
    assert any(message in issue for issue in issues), issues


def test_a_number_of_thousands_of_digits_is_refused_with_its_place(document):
    data = json.dumps(document).replace('"participants": 40', '"participants": ' + "9" * 5000)
    (issue,) = issues_of([("c.json", data.encode())])
    assert issue.startswith("c.json, research_updates #1 (new-trial), field “participants”")


@pytest.mark.parametrize(
    ("encoding", "bom"), [("utf-16", b""), ("utf-16-le", b""), ("utf-16-be", b"\xfe\xff")]
)
def test_utf16_text_is_refused_saying_so(document, encoding, bom):
    rich_catalogue()
    files = csv_files()
    wipe_catalogue()
    data = bom + files["conditions.csv"].decode().encode(encoding)
    (issue,) = issues_of([("conditions.csv", data)])
    assert issue.startswith("conditions.csv: ") and "UTF-16" in issue and "UTF-8" in issue
    (issue,) = issues_of([("c.json", bom + json.dumps(document).encode(encoding))])
    assert issue.startswith("c.json: ") and "UTF-16" in issue


def test_latin1_text_is_refused_naming_the_line(document):
    data = json.dumps(document, ensure_ascii=False).replace("Pain", "Douleur é")
    (issue,) = issues_of([("c.json", data.encode("latin-1"))])
    assert issue.startswith("c.json, line ") and "not UTF-8" in issue


# Hypothesis ------------------------------------------------------------------------------

HUGE = "__a number of five thousand digits__"

values = st.one_of(
    st.sampled_from(
        [
            "\x00",
            "a\x00b",
            "\x01\x07\x1b\x7f\x85",
            "\ud800",
            "line\nbreak",
            "\r\n",
            "\t",
            "x" * 20_000,
            "",
            " ",
            "=1+1",
            "'=1",
            "1e309",
            "NaN",
            "-1",
            "١٢٣",
            "2025-02-30",
            "0000-01-01",
            "9999-12-31",
            "NCT١٢٣٤٥٦٧٨",
            "<script>alert(1)</script>",
            "ketamine",
            "depression",
            HUGE,
        ]
    ),
    st.text(max_size=20),
    st.integers(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.none(),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def mutate(document, data):
    """Set a random value at a random place: a field of an object or of one of its rows,
    a new key, a whole object or list, or a key of the document."""
    kind = data.draw(st.sampled_from([*file_format.KIND_BY_KEY, "format", "version"]))
    entries = document.get(kind)
    if not isinstance(entries, list) or not entries or data.draw(st.integers(0, 9)) == 0:
        document[kind] = data.draw(values)
        return
    index = data.draw(st.integers(0, len(entries) - 1))
    entry = entries[index]
    if not isinstance(entry, dict) or data.draw(st.integers(0, 9)) == 0:
        entries[index] = data.draw(values)
        return
    lists = [key for key, value in entry.items() if isinstance(value, list) and value]
    if lists and data.draw(st.booleans()):
        rows = entry[data.draw(st.sampled_from(lists))]
        position = data.draw(st.integers(0, len(rows) - 1))
        if isinstance(rows[position], dict):
            entry = rows[position]
    key = data.draw(st.sampled_from([*entry, "unknown"]))
    if data.draw(st.integers(0, 9)) == 0:
        entry.pop(key, None)
    else:
        entry[key] = data.draw(values)


def outcome(files, user):
    """Read, check and, if the check found nothing, import: an answer, never an exception.
    Whatever is refused writes nothing. Undone afterwards, so examples stay apart."""
    before = row_counts()
    with transaction.atomic():
        try:
            plan = check(read(files))
        except Refused as refused:
            assert refused.issues
            assert row_counts() == before
            return "refused"
        if plan.issues:
            assert all(str(issue) for issue in plan.issues)
            with pytest.raises(Failed):
                apply(plan, user, files[0][0])
            assert row_counts() == before
            transaction.set_rollback(True)
            return "errors"
        apply(plan, user, files[0][0])
        transaction.set_rollback(True)
        return "imported"


@FEW
@given(data=st.data())
def test_mutated_json_catalogues_are_imported_or_refused_never_a_crash(document, editor, data):
    document = copy.deepcopy(document)
    for _ in range(data.draw(st.integers(1, 3))):
        mutate(document, data)
    text = json.dumps(document, allow_nan=True).replace(json.dumps(HUGE), "9" * 5000)
    outcome([("c.json", text.encode("utf-8", "surrogatepass"))], editor)


@FEW
@given(data=st.data())
def test_mutated_csv_catalogues_are_imported_or_refused_never_a_crash(exported, editor, data):
    texts = {name: content.decode() for name, content in exported.items()}
    for _ in range(data.draw(st.integers(1, 3))):
        name = data.draw(st.sampled_from(sorted(texts)))
        lines = texts[name].split("\r\n")
        line = data.draw(st.integers(0, len(lines) - 1))
        cells = lines[line].split(",")
        cell = data.draw(st.integers(0, len(cells) - 1))
        value = data.draw(values)
        cells[cell] = value if isinstance(value, str) else json.dumps(value, allow_nan=True)
        lines[line] = ",".join(cells)
        texts[name] = "\r\n".join(lines)
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8", "utf-8", "latin-1", "utf-16"]))
    files = [(name, text.encode(encoding, "replace")) for name, text in sorted(texts.items())]
    outcome(files, editor)
