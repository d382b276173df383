"""Writing a checked catalogue file in one transaction, as an ImportBatch: the import's
last step. Every change is booked as an editor's save is; a submitted import goes
through the workflow's own submit_many."""

from django.contrib.contenttypes.models import ContentType
from django.db import DatabaseError, transaction
from django.utils import timezone

from compounds.catalogue import file_format
from compounds.catalogue.check import stale_message
from compounds.catalogue.file_format import CHUNK, COMPOUNDS, CONDITIONS, KINDS, SUMMARIES
from compounds.catalogue.issues import Failed, Issue
from compounds.models import ImportBatch, ImportBatchItem
from compounds.review import notifications, workflow, working_copy


def apply(plan, user, file_name, submit=False, batch=None, progress=None):
    """Write the plan in one transaction and record it as an ImportBatch.

    Refuses a plan with issues; raises Failed (after rolling back) if an object
    changed since the plan was made.
    """
    if plan.issues:
        raise Failed(plan.issues)
    for model in {change.item.kind.model for change in plan.changes}:
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
    try:
        with transaction.atomic():
            return _apply(plan, user, file_name, submit, batch, progress)
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


def _apply(plan, user, file_name, submit, batch, progress):
    if batch is None:
        batch = ImportBatch(file_name=file_name[:300], imported_by=user)
    else:
        # Claimed under its row lock: a second confirmation of the same checked file
        # (a double click, two tabs) waits for the first and then finds it imported.
        claimed = ImportBatch.objects.filter(pk=batch.pk, status=ImportBatch.Status.CHECKED).update(
            status=ImportBatch.Status.IMPORTED
        )
        if not claimed:
            raise Failed([Issue(file_name, "", "", "This file has been imported already.")])
    batch.status = ImportBatch.Status.IMPORTED
    batch.imported_at = timezone.now()
    batch.submitted = submit
    batch.created_count = plan.count("created")
    batch.updated_count = plan.count("updated")
    batch.unchanged_count = plan.count("unchanged")
    batch.payload = None
    batch.save()

    # Compounds and conditions by slug, with their names: a summary's name is its pair's.
    by_slug = {COMPOUNDS.key: {}, CONDITIONS.key: {}}
    pending = [change for change in plan.changes if change.action != "unchanged"]
    for kind in (COMPOUNDS, CONDITIONS):
        slugs = list(
            {slug for c in pending for slug in (c.item.links or {}).get(kind.key, [])}
            | {c.item.values[kind.key[:-1]] for c in pending if c.item.kind is SUMMARIES}
        )
        for start in range(0, len(slugs), CHUNK):
            for obj in kind.model.objects.filter(slug__in=slugs[start : start + CHUNK]).only(
                "pk", "slug", "name"
            ):
                by_slug[kind.key][obj.slug] = obj
    content_types = {kind: ContentType.objects.get_for_model(kind.model) for kind in KINDS}
    comment = f"Imported from {file_name}."
    done = 0
    for kind in KINDS:
        changes = [change for change in pending if change.item.kind is kind]
        for start in range(0, len(changes), CHUNK):
            chunk = changes[start : start + CHUNK]
            created = [change for change in chunk if change.action == "created"]
            updated = [change for change in chunk if change.action == "updated"]
            objects = _create(created, user, by_slug) if created else []
            objects += [_update(change, user) for change in updated]
            changes_by_obj = list(zip([*created, *updated], objects, strict=True))
            if kind in (COMPOUNDS, CONDITIONS):
                by_slug[kind.key].update((obj.slug, obj) for obj in objects)
            _link(kind, changes_by_obj, by_slug)
            if submit:
                # As an editor submits them: a new pair's compound and condition go with
                # its summary, even when only the summary was in the file (a correction).
                # Announced once, for the batch (notifications.notify_import below).
                outcomes = workflow.submit_many(objects, user, comment=comment, announce=False)
                refused = outcomes.refused
                if refused:
                    raise Failed([Issue(file_name, "", "", str(error)) for _, error in refused])
            ImportBatchItem.objects.bulk_create(
                ImportBatchItem(
                    batch=batch,
                    content_type=content_types[kind],
                    object_id=obj.pk,
                    object_repr=str(obj)[:300],
                    action=change.action,
                    revision=obj.revision,
                )
                for change, obj in changes_by_obj
            )
            done += len(chunk)
            if progress:
                progress(done, len(pending))
    if submit:
        models = {change.item.kind.model for change in pending}
        transaction.on_commit(lambda: notifications.notify_import(batch, models), robust=True)
    return batch


def _create(changes, user, by_slug):
    """New objects of one kind and their rows, a chunk at a time.

    Saved with bulk_create, which writes what save() would (no signal listens to
    these models), booked by workflow.record_edit as the admin books a new object.
    """
    kind = changes[0].item.kind
    objects = []
    for change in changes:
        obj = change.obj
        if kind is SUMMARIES:
            obj.compound = by_slug["compounds"][change.item.values["compound"]]
            obj.condition = by_slug["conditions"][change.item.values["condition"]]
        workflow.record_edit(obj, user)
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


def _link(kind, changes_by_obj, by_slug):
    for name in kind.links:
        field = kind.model._meta.get_field(name)
        through = field.remote_field.through
        source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
        linked = [(change, obj) for change, obj in changes_by_obj if change.item.links is not None]
        through.objects.filter(**{f"{source}__in": [obj.pk for _, obj in linked]}).delete()
        through.objects.bulk_create(
            through(**{f"{source}_id": obj.pk, f"{target}_id": by_slug[name][slug].pk})
            for change, obj in linked
            for slug in dict.fromkeys(change.item.links[name])
        )


def _update(change, user):
    kind = change.item.kind
    current = workflow.lock(change.obj)
    if current.revision != change.base_revision:
        raise Failed(
            [
                Issue(
                    change.item.file,
                    change.item.row,
                    file_format.REVISION,
                    stale_message(current, change.base_revision),
                    change.item.label,
                )
            ]
        )
    for f in file_format.snapshots.content_fields(kind.model):
        if not f.is_relation:
            setattr(current, f.attname, getattr(change.obj, f.attname))
    for child in kind.children:
        if child.key in change.children:
            fields = [child.model._meta.get_field(name) for name in child.fields]
            rows = [
                {f.attname: f.value_from_object(row) for f in fields}
                for row in change.children[child.key]
            ]
            working_copy.write_children(current, child.key, rows)
    workflow.record_edit(current, user)
    current.save()
    return current
