"""Bad catalogue files: each gives a clear error, with where it is, and changes nothing."""

import io
import json
import os
import zipfile

import pytest

from compounds.catalogue import archives
from compounds.catalogue.apply import apply
from compounds.catalogue.issues import Failed, Refused
from compounds.models import Compound, Condition
from tests.compounds.catalogue_helpers import (
    csv_files,
    export_json,
    plan_of,
    rich_catalogue,
    wipe_catalogue,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def exported(db):
    rich_catalogue()
    document, files = json.loads(export_json()), csv_files()
    wipe_catalogue()
    return document, files


def issues_of(files):
    try:
        return [str(issue) for issue in plan_of(files).issues]
    except Refused as refused:
        return [str(issue) for issue in refused.issues]


def test_a_file_that_is_not_utf8_is_refused_with_what_to_do(exported):
    _, files = exported
    data = files["conditions.csv"].replace(b"Depression", "Dépression".encode("latin-1"))
    (issue,) = issues_of([("conditions.csv", data)])
    assert issue.startswith("conditions.csv, line 2:") and "not UTF-8" in issue
    assert "CSV UTF-8" in issue


def test_csv_with_a_missing_column_names_it(exported):
    _, files = exported
    data = files["conditions.csv"].decode().replace(",urgent_help", "", 1).encode()
    (issue,) = issues_of([("conditions.csv", data)])
    assert "row 1" in issue and "missing column(s) urgent_help" in issue


def test_csv_with_an_extra_column_names_it(exported):
    _, files = exported
    data = files["conditions.csv"].decode().replace("revision", "revision,colour", 1).encode()
    (issue,) = issues_of([("conditions.csv", data)])
    assert "unknown column(s) colour" in issue


def test_csv_row_with_too_many_cells_names_the_row(exported):
    _, files = exported
    data = files["conditions.csv"] + b"extra,Extra,x,,y,,surplus\n"
    (issue,) = issues_of([("conditions.csv", data)])
    assert issue.startswith("conditions.csv, row 4:") and "7 cells" in issue


def test_an_unknown_csv_file_is_named(exported):
    issues = issues_of([("colours.csv", b"a,b\n")])
    assert "colours.csv: Unknown file" in issues[0]


def test_a_slug_twice_in_a_file_names_both_rows(exported):
    document, _ = exported
    document["conditions"].append(dict(document["conditions"][0], name="Another name"))
    issues = issues_of([("c.json", json.dumps(document).encode())])
    (issue,) = issues
    assert issue.startswith("c.json, conditions #3 (depression)")
    assert "given twice in this file (first at conditions #1)" in issue


def test_a_pair_twice_in_a_csv_file_is_refused(exported):
    _, files = exported
    text = files["evidence_summaries.csv"].decode()
    last_row = text.strip().splitlines()[-1]
    files["evidence_summaries.csv"] = (text + last_row + "\n").encode()
    issues = issues_of(sorted(files.items()))
    assert any("“ketamine for pain” is given twice" in issue for issue in issues)


def test_a_summary_of_an_unknown_condition_is_refused(exported):
    document, _ = exported
    document["evidence_summaries"][0]["condition"] = "no-such-condition"
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "field “condition”" in issue
    assert "No condition has the slug “no-such-condition”" in issue


def test_a_research_update_naming_an_unknown_compound_is_refused(exported):
    document, _ = exported
    document["research_updates"][0]["compounds"] = ["psilocybin"]
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "No compound has the slug “psilocybin”" in issue


def test_a_child_row_of_a_parent_not_in_the_file_is_refused(exported):
    _, files = exported
    files["mechanisms.csv"] += b"psilocybin,1,5-HT2A agonism\n"
    issues = issues_of(sorted(files.items()))
    assert issues == [
        "mechanisms.csv, row 3, field “compound”: “psilocybin” is not in compounds.csv."
    ]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("pmid", "PMID 12x", "A PubMed ID is a number"),
        ("doi", "11.1000/x", "A DOI starts with"),
        ("nct_id", "NCT123", "ClinicalTrials.gov id"),
    ],
)
def test_invalid_identifiers_are_refused_in_the_editors_words(exported, field, value, message):
    document, _ = exported
    summary = next(s for s in document["evidence_summaries"] if s["references"])
    summary["references"][0][field] = value
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "evidence_summaries #1, references #1" in issue
    assert f"field “{field}”" in issue and message in issue


def test_two_references_sharing_any_identifier_are_refused_at_the_check(exported):
    """Not only the first identifier: the database refuses a DOI cited twice on one
    summary, so the check must name it rather than the import fail."""
    document, _ = exported
    summary = next(s for s in document["evidence_summaries"] if s["references"])
    first = summary["references"][0]
    second = {**first, "pmid": "31234567", "doi": first["doi"] or "10.1000/shared"}
    first["doi"] = second["doi"]
    summary["references"].append(second)
    issues = issues_of([("c.json", json.dumps(document).encode())])
    assert any("field “doi”" in issue and "already cited" in issue for issue in issues), issues


def test_an_invalid_slug_is_refused(exported):
    document, _ = exported
    document["compounds"][0]["slug"] = "Ketamine IV"
    document["evidence_summaries"] = document["research_updates"] = []
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "field “slug”" in issue


def test_a_number_where_a_date_goes_is_refused_with_the_fields_message(exported):
    document, _ = exported
    document["research_updates"][0]["date"] = 2025
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "field “date”" in issue and "YYYY-MM-DD" in issue


def test_a_missing_required_value_is_refused(exported):
    document, _ = exported
    document["conditions"][0]["specialist"] = ""
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "field “specialist”: This field is required." in issue


def test_a_line_break_in_a_one_line_field_is_refused_as_the_admin_refuses_it(exported):
    document, _ = exported
    compound = next(c for c in document["compounds"] if c["mechanisms"])
    compound["name"] = "Keta\r\nmine"
    compound["mechanisms"][0]["description"] = "NMDA\nantagonism"
    document["research_updates"][0]["summary"] = "Several\nlines are fine here."
    issues = issues_of([("c.json", json.dumps(document).encode())])
    assert len(issues) == 2, issues
    assert all("This field is one line: remove the line break." in issue for issue in issues)
    assert "field “name”" in issues[0] and "field “description”" in issues[1]


def test_a_model_rule_is_refused_as_the_admin_refuses_it(exported):
    document, _ = exported
    document["evidence_summaries"][0].update(evidence_level="none", evidence_basis="direct")
    (issue,) = issues_of([("c.json", json.dumps(document).encode())])
    assert "cannot be direct evidence" in issue


def test_unknown_and_missing_json_fields_are_named(exported):
    document, _ = exported
    document["conditions"][0]["colour"] = "red"
    del document["conditions"][1]["specialist"]
    issues = issues_of([("c.json", json.dumps(document).encode())])
    assert "c.json, conditions #1 (depression), field “colour”: Unknown field." in issues
    assert any("conditions #2" in i and "“specialist”: Missing" in i for i in issues)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"[]", "one JSON object"),
        (b'{"format": "other"}', "Not a catalogue file"),
        (b'{"format": "insightswarm-catalogue", "version": 9}', "Version 9"),
        (b"[" * 100_000 + b"]" * 100_000, ""),
    ],
)
def test_json_that_is_not_a_catalogue_is_refused(db, data, message):
    issues = issues_of([("c.json", data)])
    assert issues and message in issues[0]


def test_a_zip_whose_content_is_above_the_limit_is_refused_once_unpacked_past_it(db):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("compounds.csv", os.urandom(2 * 1024 * 1024))
    with pytest.raises(Refused, match="more than 1 MB once unpacked"):
        archives.unpack("c.zip", buffer.getvalue(), limit=1024 * 1024)


def test_a_broken_zip_is_refused(db):
    with pytest.raises(Refused, match="not a zip archive"):
        archives.unpack("c.zip", b"PK\x03\x04 broken")


def test_markup_is_stored_as_text(exported, django_user_model):
    document, _ = exported
    document["conditions"][0]["name"] = '<script>alert("x")</script>'
    user = django_user_model.objects.create_superuser("root", password="x")
    plan = plan_of([("c.json", json.dumps(document).encode())])
    apply(plan, user, "c.json")
    assert Condition.objects.filter(name='<script>alert("x")</script>').exists()


def test_a_file_with_one_bad_row_changes_nothing(exported, django_user_model):
    document, _ = exported
    document["conditions"][1]["specialist"] = ""
    user = django_user_model.objects.create_superuser("root", password="x")
    plan = plan_of([("c.json", json.dumps(document).encode())])
    with pytest.raises(Failed):
        apply(plan, user, "c.json")
    assert not Compound.objects.exists() and not Condition.objects.exists()


def test_markup_imported_and_approved_is_escaped_on_public_pages(exported, client):
    from tests.factories import approve_as, make_user

    document, _ = exported
    document["conditions"][0]["name"] = "<script>alert(1)</script>Depression"
    editor = make_user("markup-editor", "Editor")
    advisor = make_user("markup-advisor", "Medical Advisor", byline=True)
    apply(plan_of([("c.json", json.dumps(document).encode())]), editor, "c.json")
    approve_as(Condition.objects.get(slug="depression"), editor, advisor)
    content = client.get("/conditions/depression/").content.decode()
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Depression" in content
