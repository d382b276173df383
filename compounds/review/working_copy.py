"""Writing content into an object's working copy: the one place its inline rows are rebuilt.

Restoring an approved version (workflow.restore) writes the version's snapshot; the
catalogue import writes the rows of a file. Both make a parent's rows of one kind
exactly the given ones, and both keep what the review screen needs to show the change
as it is: a row that is still there keeps its id, so the diff against the live version
(compounds/review/snapshots.py, which pairs rows by id) shows it unchanged or changed, not
removed and added again.
"""

from compounds.review import snapshots


def row_key(model, values):
    """What tells a parent's rows of model apart, from a row's values: a reference's first
    identifier (PMID, DOI, NCT id; two references may not share any), else the row's
    natural field (a mechanism's description, an interaction's drug)."""
    identifiers = getattr(model, "IDENTIFIERS", None)
    if identifiers:
        return next(((name, values[name]) for name in identifiers if values.get(name)), ("", ""))
    natural = getattr(model, "natural_field", "description")
    return natural, values.get(natural)


def write(current, data):
    """Make the snapshot data the working copy of current (locked by the caller): its
    content fields, its inline rows and its many-to-many links. Validates the fields
    (ValidationError) before any row is written; current is saved by the caller, which
    books the edit."""
    model = type(current)
    for f in snapshots.content_fields(model):
        if f.attname in data:
            setattr(current, f.attname, f.to_python(data[f.attname]))
    current.full_clean(exclude=["revision"], validate_unique=True)
    for related_name in model.snapshot_children:
        write_children(current, related_name, data.get(related_name, []))
    for m2m in model._meta.many_to_many:
        # Links to objects deleted since the snapshot was taken are left out.
        still_there = m2m.related_model._default_manager.filter(
            pk__in=data.get(m2m.name, [])
        ).values_list("pk", flat=True)
        getattr(current, m2m.name).set(list(still_there))


def write_children(parent, related_name, rows):
    """Make parent's rows under related_name the given ones, each a dict of field values
    by attname (a snapshot's rows, which carry their "id", or a file's, which do not).

    A row is matched to one of parent's rows by its id, or, without one, by its row_key;
    a matched row is updated in place where it differs, the others are deleted or added.
    An added row takes the id it carries where no other row holds it now.
    """
    parent_fk = type(parent)._meta.get_field(related_name).field
    model = parent_fk.model
    fields = [f for f in model._meta.concrete_fields if f.name not in ("id", parent_fk.name)]
    existing = {row.pk: row for row in getattr(parent, related_name).all()}
    by_key = {
        row_key(model, {f.attname: f.value_from_object(row) for f in fields}): pk
        for pk, row in existing.items()
    }
    kept, added = {}, []
    for values in rows:
        pk = values.get("id")
        if pk is None:
            pk = by_key.get(row_key(model, values))
        if pk in existing and pk not in kept:
            kept[pk] = values
        else:
            added.append(values)
    model._default_manager.filter(pk__in=[pk for pk in existing if pk not in kept]).delete()
    for pk, values in kept.items():
        row = existing[pk]
        changed = [
            f
            for f in fields
            if f.attname in values and f.value_from_object(row) != f.to_python(values[f.attname])
        ]
        if changed:
            for f in changed:
                setattr(row, f.attname, f.to_python(values[f.attname]))
            row.save(update_fields=[f.name for f in changed])
    taken = set(
        model._default_manager.filter(
            pk__in=[values["id"] for values in added if values.get("id")]
        ).values_list("pk", flat=True)
    )
    new_rows = []
    for values in added:
        row = model(
            **{f.attname: f.to_python(values[f.attname]) for f in fields if f.attname in values},
            **{parent_fk.attname: parent.pk},
        )
        if values.get("id") not in taken:
            row.pk = values.get("id")
        new_rows.append(row)
    model._default_manager.bulk_create(new_rows)
