"""Writing rows into a working copy: the one place a restore and an import rebuild them."""

import pytest

from compounds.models import Mechanism
from compounds.review import working_copy
from tests.factories import make_compound, make_reference, make_summary

pytestmark = pytest.mark.django_db


def _rows(compound):
    return list(
        compound.mechanisms.order_by("position").values_list("id", "position", "description")
    )


def test_rows_that_are_still_there_keep_their_ids_and_change_in_place():
    compound = make_compound()
    kept = Mechanism.objects.create(compound=compound, position=1, description="NMDA antagonism")
    gone = Mechanism.objects.create(compound=compound, position=2, description="Opioid agonism")

    # As a file gives rows: no ids, matched by the description.
    working_copy.write_children(
        compound,
        "mechanisms",
        [
            {"position": 2, "description": "NMDA antagonism"},
            {"position": 1, "description": "AMPA activation"},
        ],
    )

    rows = _rows(compound)
    assert (kept.pk, 2, "NMDA antagonism") in rows
    assert not Mechanism.objects.filter(pk=gone.pk).exists()
    assert [description for _, _, description in rows] == ["AMPA activation", "NMDA antagonism"]


def test_a_snapshot_row_takes_back_its_id_unless_another_row_holds_it():
    compound, other = make_compound(), make_compound()
    removed = Mechanism.objects.create(compound=compound, position=1, description="Old mechanism")
    removed_id = removed.pk
    snapshot_rows = [
        {"id": removed_id, "position": 1, "description": "Old mechanism"},
        {"id": 10_000, "position": 2, "description": "Another"},
    ]
    removed.delete()
    # The id 10,000 is now another compound's row: the restored row gets a new one.
    Mechanism.objects.create(id=10_000, compound=other, position=1, description="Elsewhere")

    working_copy.write_children(compound, "mechanisms", snapshot_rows)

    ((first_id, _, first), (second_id, _, second)) = _rows(compound)
    assert (first_id, first) == (removed_id, "Old mechanism")
    assert second == "Another" and second_id != 10_000
    assert Mechanism.objects.get(pk=10_000).compound == other


def test_references_are_matched_by_their_first_identifier():
    summary = make_summary()
    reference = make_reference(summary, pmid="31578302", title="Old title")

    working_copy.write_children(
        summary, "references", [{**_values(reference), "title": "Corrected title"}]
    )

    (only,) = summary.references.all()
    assert (only.pk, only.title) == (reference.pk, "Corrected title")


def _values(row):
    return {
        f.attname: f.value_from_object(row)
        for f in type(row)._meta.concrete_fields
        if f.name not in ("id", "summary")
    }
