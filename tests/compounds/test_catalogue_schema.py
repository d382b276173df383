"""docs/catalogue.schema.json describes what the import reads and the export writes."""

import json
from pathlib import Path

import jsonschema
import pytest

from compounds.catalogue import file_format
from tests.compounds.catalogue_helpers import export_json, plan_of, rich_catalogue, wipe_catalogue

DOCS = Path(__file__).resolve().parents[2] / "docs"
SCHEMA = json.loads((DOCS / "catalogue.schema.json").read_text())
EXAMPLE = (DOCS / "catalogue-example.json").read_bytes()


def test_the_example_is_valid_against_the_schema():
    jsonschema.Draft202012Validator.check_schema(SCHEMA)
    jsonschema.validate(json.loads(EXAMPLE), SCHEMA)


@pytest.mark.django_db
def test_the_example_imports_cleanly_into_an_empty_catalogue():
    plan = plan_of([("catalogue-example.json", EXAMPLE)])
    assert not plan.issues, [str(issue) for issue in plan.issues]
    assert plan.counts["created"] == 4


@pytest.mark.django_db
@pytest.mark.parametrize("source", ["working", "live"])
def test_exports_are_valid_against_the_schema(source):
    rich_catalogue()
    jsonschema.validate(json.loads(export_json(source)), SCHEMA)


def test_the_schema_names_every_field_of_the_format():
    for kind in file_format.KINDS:
        properties = SCHEMA["$defs"][kind.key]["properties"]
        assert set(properties) == {*kind.fields, *kind.links, "revision"} | {
            child.key for child in kind.children
        }
        for child in kind.children:
            child_schema = SCHEMA["$defs"][child.csv_file.removesuffix(".csv")]
            assert set(child_schema["properties"]) == set(child.fields)


def test_the_schema_requires_what_the_import_requires_and_gives_the_defaults_it_takes():
    for kind in file_format.KINDS:
        for child in kind.children:
            child_schema = SCHEMA["$defs"][child.csv_file.removesuffix(".csv")]
            assert set(child_schema["required"]) == set(child.fields) - set(child.optional)
            for name, default in child.optional.items():
                assert child_schema["properties"][name]["default"] == default
    assert file_format.SUMMARIES.children[0].optional == {"studied_condition": False}


def test_the_schema_refuses_what_the_import_refuses():
    document = json.loads(EXAMPLE)
    document["conditions"][0]["colour"] = "red"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(document, SCHEMA)


@pytest.mark.django_db
def test_wipe_helper_leaves_an_empty_catalogue():
    rich_catalogue()
    wipe_catalogue()
    assert json.loads(export_json())["compounds"] == []
