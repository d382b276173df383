"""Writing a checked catalogue file in one transaction, as an ImportBatch: the import's
last step. Every change is booked as an editor's save is; a submitted import goes
through the workflow's own submit_many.

Objects are written a chunk of one kind at a time (`Writer.write`), set-based: a chunk
of new objects is one insert and one a kind of row; a chunk of changed ones is locked,
checked against the revision the file was based on, and updated with bulk_update, their
rows matched, updated, deleted and added a kind of row at a time. The queries grow with
the chunks, not with the objects: the file of a million pairs is written in the same
queries a chunk as a file of ten.
"""

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, connections, router, transaction
from django.db.models import F
from django.utils import timezone

from compounds.catalogue import file_format
from compounds.catalogue.check import stale_message
from compounds.catalogue.file_format import CHUNK, COMPOUNDS, CONDITIONS, KINDS, SUMMARIES
from compounds.catalogue.issues import Failed, Issue
from compounds.models import ImportBatch, ImportBatchItem
from compounds.review import notifications, workflow, working_copy

# What workflow.record_edit books on an object, with the time of the change.
BOOKKEEPING = (
    "revision",
    "review_state",
    "last_edited_by",
    "last_edited_at",
    "editors_since_approval",
    "updated_at",
)


def apply(plan, user, file_name, submit=False, batch=None, progress=None):
    """Write the plan in one transaction and record it as an ImportBatch.

    Refuses a plan with issues; raises Failed (after rolling back) if an object
    changed since the plan was made.
    """
    if plan.issues:
        raise Failed(plan.issues)
    check_permission(user, file_name, {change.item.kind for change in plan.changes})
    pending = [change for change in plan.changes if change.action != "unchanged"]

    def write(writer):
        done = 0
        for kind in KINDS:
            changes = [change for change in pending if change.item.kind is kind]
            for start in range(0, len(changes), CHUNK):
                writer.write(kind, changes[start : start + CHUNK])
                done += len(changes[start : start + CHUNK])
                if progress:
                    progress(done, len(pending))

    return in_transaction(user, file_name, plan.counts, write, submit=submit, batch=batch)


def check_permission(user, file_name, kinds):
    for model in {kind.model for kind in kinds}:
        if not (
            workflow.may_edit(user, model)
            and user.has_perm(f"{model._meta.app_label}.add_{model._meta.model_name}")
        ):
            raise Failed(
                [
                    Issue(
                        file_name,
                        "",
                        "",
                        f"You may not add or change {model._meta.verbose_name_plural}.",
                    )
                ]
            )


def in_transaction(user, file_name, counts, write, submit=False, batch=None):
    """Run write(writer) in one transaction, its changes recorded as one ImportBatch;
    rolled back, with the database's refusal said as an issue, if anything fails."""
    try:
        with transaction.atomic():
            writer = Writer(user, file_name, counts, submit, batch)
            write(writer)
            writer.finish()
            return writer.batch
    except DatabaseError as error:
        raise Failed(
            [
                Issue(
                    file_name,
                    "",
                    "",
                    f"The database refused the import, so nothing was changed: {error}",
                )
            ]
        ) from None


class Writer:
    """Writes the changes of one import, a chunk of one kind at a time, inside the
    caller's transaction."""

    def __init__(self, user, file_name, counts, submit, batch):
        self.user, self.file_name, self.submit = user, file_name, submit
        self.batch = self._claim(batch, counts)
        self.comment = f"Imported from {file_name}."
        # Compounds and conditions by slug, with their names: a summary's name is its
        # pair's. Thousands of them, not millions: they are kept.
        self.by_slug = {COMPOUNDS.key: {}, CONDITIONS.key: {}}
        self.content_types = {kind: ContentType.objects.get_for_model(kind.model) for kind in KINDS}
        self.models = set()

    def _claim(self, batch, counts):
        if batch is None:
            batch = ImportBatch(file_name=self.file_name[:300], imported_by=self.user)
        else:
            # Claimed under its row lock: a second confirmation of the same checked file
            # (a double click, two tabs) waits for the first and then finds it imported.
            claimed = ImportBatch.objects.filter(
                pk=batch.pk, status=ImportBatch.Status.CHECKED
            ).update(status=ImportBatch.Status.IMPORTED)
            if not claimed:
                raise Failed(
                    [Issue(self.file_name, "", "", "This file has been imported already.")]
                )
        batch.status = ImportBatch.Status.IMPORTED
        batch.imported_at = timezone.now()
        batch.submitted = self.submit
        batch.created_count = counts["created"]
        batch.updated_count = counts["updated"]
        batch.unchanged_count = counts["unchanged"]
        batch.payload = None
        batch.save()
        return batch

    def write(self, kind, changes):
        """Write changes (check.Change, created or updated, at most a CHUNK) of one kind."""
        self._look_up_slugs(changes)
        created = [change for change in changes if change.action == "created"]
        updated = [change for change in changes if change.action == "updated"]
        objects = self._create(kind, created) if created else []
        objects += self._update(kind, updated) if updated else []
        changes_by_obj = list(zip([*created, *updated], objects, strict=True))
        if kind in (COMPOUNDS, CONDITIONS):
            self.by_slug[kind.key].update((obj.slug, obj) for obj in objects)
        self._link(kind, changes_by_obj)
        if self.submit:
            # As an editor submits them: a new pair's compound and condition go with
            # its summary, even when only the summary was in the file (a correction).
            # Announced once, for the batch (notifications.notify_import below).
            outcomes = workflow.submit_many(
                objects, self.user, comment=self.comment, announce=False
            )
            if outcomes.refused:
                raise Failed(
                    [Issue(self.file_name, "", "", str(error)) for _, error in outcomes.refused]
                )
        ImportBatchItem.objects.bulk_create(
            ImportBatchItem(
                batch=self.batch,
                content_type=self.content_types[kind],
                object_id=obj.pk,
                object_repr=str(obj)[:300],
                action=change.action,
                revision=obj.revision,
            )
            for change, obj in changes_by_obj
        )
        if objects:
            self.models.add(kind.model)

    def finish(self):
        if self.submit:
            batch, models = self.batch, self.models
            transaction.on_commit(lambda: notifications.notify_import(batch, models), robust=True)

    def _look_up_slugs(self, changes):
        for kind in (COMPOUNDS, CONDITIONS):
            known = self.by_slug[kind.key]
            slugs = {
                slug
                for change in changes
                for slug in (change.item.links or {}).get(kind.key, [])
                if slug not in known
            } | {
                change.item.values[kind.key[:-1]]
                for change in changes
                if change.item.kind is SUMMARIES and change.item.values[kind.key[:-1]] not in known
            }
            slugs = list(slugs)
            for start in range(0, len(slugs), CHUNK):
                for obj in kind.model.objects.filter(slug__in=slugs[start : start + CHUNK]).only(
                    "pk", "slug", "name"
                ):
                    known[obj.slug] = obj

    def _create(self, kind, changes):
        """New objects of one kind and their rows.

        Saved with bulk_create, which writes what save() would (no signal listens to
        these models), booked by workflow.record_edit as the admin books a new object.
        """
        objects = []
        for change in changes:
            obj = change.obj
            if kind is SUMMARIES:
                obj.compound = self.by_slug["compounds"][change.item.values["compound"]]
                obj.condition = self.by_slug["conditions"][change.item.values["condition"]]
            workflow.record_edit(obj, self.user)
            objects.append(obj)
        kind.model.objects.bulk_create(objects)
        for child in kind.children:
            rows = []
            for change, obj in zip(changes, objects, strict=True):
                for row in change.children.get(child.key, []):
                    setattr(row, child.parent_field, obj)
                    rows.append(row)
            child.model.objects.bulk_create(rows, batch_size=CHUNK)
        return objects

    def _update(self, kind, changes):
        """Changed objects of one kind: locked, checked to be still at the revision the
        file was based on, and updated, their rows with them, a query a kind of row."""
        model = kind.model
        pks = [change.obj.pk for change in changes]
        # Locked as workflow.lock() locks one row (the same update takes them all).
        model._default_manager.filter(pk__in=pks).update(revision=F("revision"))
        # With what names them (a summary's compound and condition) for the batch's items.
        current = model._default_manager.select_related(
            "last_edited_by", *model.live_related
        ).in_bulk(pks)
        content = [f for f in file_format.snapshots.content_fields(model) if not f.is_relation]
        now = timezone.now()
        objects = []
        for change in changes:
            obj = current.get(change.obj.pk)
            if obj is None or obj.revision != change.base_revision:
                message = (
                    stale_message(obj, change.base_revision)
                    if obj is not None
                    else "Deleted since this file was checked: not imported."
                )
                raise Failed(
                    [
                        Issue(
                            change.item.file,
                            change.item.row,
                            file_format.REVISION,
                            message,
                            change.item.label,
                        )
                    ]
                )
            for f in content:
                setattr(obj, f.attname, getattr(change.obj, f.attname))
            workflow.record_edit(obj, self.user)
            obj.updated_at = now
            objects.append(obj)
        update_rows(model, objects, [*(f.name for f in content), *BOOKKEEPING])
        for child in kind.children:
            given = [
                (obj, change.children[child.key])
                for change, obj in zip(changes, objects, strict=True)
                if child.key in change.children and child.key not in change.same_rows
            ]
            if given:
                _write_rows(child, given)
        return objects

    def _link(self, kind, changes_by_obj):
        for name in kind.links:
            field = kind.model._meta.get_field(name)
            through = field.remote_field.through
            source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
            linked = [
                (change, obj) for change, obj in changes_by_obj if change.item.links is not None
            ]
            through.objects.filter(**{f"{source}__in": [obj.pk for _, obj in linked]}).delete()
            through.objects.bulk_create(
                through(**{f"{source}_id": obj.pk, f"{target}_id": self.by_slug[name][slug].pk})
                for change, obj in linked
                for slug in dict.fromkeys(change.item.links[name])
            )


def _write_rows(child, given):
    """Make each parent's rows of one kind the file's, as working_copy.write_children does
    for one parent, for a chunk of parents at once: a row that is still there (matched
    by working_copy.row_key) keeps its id and is updated where it differs; the others
    are deleted or added. given: [(parent, [unsaved rows])]."""
    model = child.model
    parent_id = model._meta.get_field(child.parent_field).attname
    fields = [f for f in model._meta.concrete_fields if f.name not in ("id", child.parent_field)]
    existing = {}
    for row in model._default_manager.filter(
        **{f"{parent_id}__in": [parent.pk for parent, _ in given]}
    ).order_by("pk"):
        existing.setdefault(getattr(row, parent_id), {})[row.pk] = row
    deleted, changed_rows, changed_fields, added = [], [], set(), []
    for parent, rows in given:
        have = existing.get(parent.pk, {})
        by_key = {
            working_copy.row_key(model, {f.attname: f.value_from_object(row) for f in fields}): pk
            for pk, row in have.items()
        }
        kept = {}
        for row in rows:
            values = {f.attname: f.value_from_object(row) for f in fields}
            pk = by_key.get(working_copy.row_key(model, values))
            if pk in have and pk not in kept:
                kept[pk] = values
            else:
                added.append(model(**values, **{parent_id: parent.pk}))
        deleted += [pk for pk in have if pk not in kept]
        for pk, values in kept.items():
            row = have[pk]
            differ = [
                f for f in fields if f.value_from_object(row) != f.to_python(values[f.attname])
            ]
            for f in differ:
                setattr(row, f.attname, f.to_python(values[f.attname]))
            if differ:
                changed_rows.append(row)
                changed_fields.update(f.name for f in differ)
    if deleted:
        model._default_manager.filter(pk__in=deleted).delete()
    if changed_rows:
        update_rows(model, changed_rows, sorted(changed_fields))
    model._default_manager.bulk_create(added, batch_size=CHUNK)


# Parameters a statement may carry: SQLite takes at most 32,766, PostgreSQL 65,535.
MAX_PARAMETERS = 30_000


def update_rows(model, objects, names):
    """Write the fields `names` of objects (rows of model that exist) as they hold them:
    what bulk_update does, as one UPDATE ... FROM (VALUES ...) a chunk of rows. Django's
    bulk_update builds a CASE expression for every row and field, which takes seconds
    of Python a thousand rows."""
    if not objects:
        return
    connection = connections[router.db_for_write(model)]
    quote = connection.ops.quote_name
    pk = model._meta.pk
    columns = [pk, *(model._meta.get_field(name) for name in names)]
    if connection.vendor == "postgresql":
        # The values of a VALUES list are typed by their columns' types.
        row = ", ".join(f"CAST(%s AS {f.cast_db_type(connection)})" for f in columns)
    else:
        row = ", ".join("%s" for _ in columns)
    table = quote(model._meta.db_table)
    sets = ", ".join(
        f"{quote(f.column)} = v.column{number}"
        for number, f in enumerate(columns, 1)
        if f is not pk
    )
    step = max(1, MAX_PARAMETERS // len(columns))
    with connection.cursor() as cursor:
        for start in range(0, len(objects), step):
            chunk = objects[start : start + step]
            params = [
                f.get_db_prep_save(getattr(obj, f.attname), connection)
                for obj in chunk
                for f in columns
            ]
            values = ", ".join(f"({row})" for _ in chunk)
            cursor.execute(
                f"UPDATE {table} SET {sets} FROM (VALUES {values}) AS v "
                f"WHERE {table}.{quote(pk.column)} = v.column1",
                params,
            )
