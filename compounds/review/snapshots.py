"""What a snapshot holds, how an object is rebuilt from one, and how two compare.

A snapshot is the JSON of a publishable object's content fields, its inline
children (by related name) and the ids of its many-to-many links. Workflow
bookkeeping and timestamps stay out: they are not what a patient reads.

An object rebuilt from a snapshot is an unsaved model instance with the
object's id. Its children sit in the prefetch cache, over an empty queryset,
so `compound.mechanisms.all` lists the approved mechanisms and any further
query on them finds nothing rather than reaching the working copy.
"""

import functools
import json
from dataclasses import dataclass, field
from functools import cached_property

from django.core.serializers.json import DjangoJSONEncoder
from django.db import DEFAULT_DB_ALIAS, models
from django.utils.text import capfirst

from compounds import django_internals
from compounds.models import Publishable, PublishedSummary
from compounds.review import word_diff

NOT_CONTENT = {"id", "created_at", "updated_at"} | {f.name for f in Publishable._meta.get_fields()}


def content_fields(model):
    return [f for f in model._meta.concrete_fields if f.name not in NOT_CONTENT]


def _child_fields(child_model, parent_fk):
    return [f for f in child_model._meta.concrete_fields if f.name != parent_fk.name]


def _parent_fk(model, related_name):
    return model._meta.get_field(related_name).field


def take(obj):
    """The snapshot of obj as it is now in the database, children included."""
    data = {f.attname: f.value_from_object(obj) for f in content_fields(type(obj))}
    for related_name in type(obj).snapshot_children:
        parent_fk = _parent_fk(type(obj), related_name)
        fields = _child_fields(parent_fk.model, parent_fk)
        data[related_name] = [
            {f.attname: f.value_from_object(child) for f in fields}
            for child in getattr(obj, related_name).all()
        ]
    for m2m in type(obj)._meta.many_to_many:
        data[m2m.name] = sorted(linked.pk for linked in getattr(obj, m2m.name).all())
    # Through the JSON encoder and back, so a fresh snapshot compares equal to a stored one.
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@functools.cache
def _plan(model):
    """What rebuilding an instance of model takes, worked out once per model: its
    concrete fields in order, the many-to-one ones, the inline children (with the
    foreign key to the parent), the many-to-many fields and the related managers
    that must read as empty."""
    fields = tuple(model._meta.concrete_fields)
    children = tuple(
        (related_name, _parent_fk(model, related_name))
        for related_name in getattr(model, "snapshot_children", ())
    )
    m2m = tuple((f.name, f.related_model) for f in model._meta.many_to_many)
    named = {name for name, _ in children} | {name for name, _ in m2m}
    outside = tuple(
        (rel.get_accessor_name(), rel.related_model)
        for rel in model._meta.related_objects
        if (rel.one_to_many or rel.many_to_many) and rel.get_accessor_name() not in named
    )
    many_to_one = tuple(f.name for f in fields if f.many_to_one)
    return fields, many_to_one, children, m2m, outside


def _build(model, values, pk):
    """An unsaved instance of model with the snapshot's values, read as the fields read them."""
    fields = _plan(model)[0]
    row = []
    for f in fields:
        if f.primary_key:
            row.append(pk)
        elif f.attname in values:
            row.append(f.to_python(values[f.attname]))
        else:
            row.append(f.get_default())
    # As though read from the database: saved, not adding.
    return model.from_db(DEFAULT_DB_ALIAS, None, row)


def listing(model, instances):
    """A queryset that lists instances and can query nothing else: what a rebuilt
    object's related managers return."""
    return django_internals.list_in(model, instances)


@functools.cache
def _nothing(model):
    """The empty listing of model, made once: reading it changes nothing, and any query
    on it starts a new queryset that is empty too. Making one per relation of every
    rebuilt object cost a review page a tenth of its rebuilding."""
    return listing(model, [])


def relate_children(obj, related_name, rows):
    """Give obj, a rebuilt object, the inline children of a snapshot's rows under
    related_name: what its related manager lists, never the working rows."""
    parent_fk = _parent_fk(type(obj), related_name)
    children = []
    for values in rows:
        child = _build(parent_fk.model, values, values.get("id"))
        setattr(child, parent_fk.name, obj)
        children.append(child)
    django_internals.relate(obj, related_name, listing(parent_fk.model, children))


def restore(model, pk, data):
    """The object as the snapshot shows it: never read from or written to the database."""
    _, many_to_one, children_of, m2m, outside = _plan(model)
    obj = _build(model, data, pk)
    for name in many_to_one:
        # Nothing outside the snapshot is read through it: a summary's compound is
        # None until whoever rebuilt it attaches the approved one.
        django_internals.leave_unread(obj, name)
    for related_name, _ in children_of:
        relate_children(obj, related_name, data.get(related_name, []))
    for name, related_model in m2m:
        # Empty until pages/live.py attaches the published links: never the working copy's.
        django_internals.relate(obj, name, _nothing(related_model))
    for name, related_model in outside:
        # Whatever points at the object from outside the snapshot (a compound's
        # summaries, say) reads as empty: public code asks the published tables for those.
        django_internals.relate(obj, name, _nothing(related_model))
    obj.snapshot_data = data
    return obj


def approved(row):
    """The approved object a published row holds, rebuilt from its snapshot: what public
    pages are given. The row stands in for its version: it carries the byline. A
    summary's compound and condition are the approved ones too (select them with the
    row to save two queries)."""
    obj = restore(row.content_model(), row.pk, row.data)
    obj.version = row
    if isinstance(row, PublishedSummary):
        obj.compound = approved(row.compound)
        obj.condition = approved(row.condition)
    return obj


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    # For an identifier (PMID, DOI, NCT id): the address of the source it names.
    address: str = ""

    @cached_property
    def _marked(self):
        return word_diff.marked(self.before, self.after)

    @property
    def marked_before(self):
        """The approved text, its deleted words marked (HTML)."""
        return self._marked[0]

    @property
    def marked_after(self):
        """The working copy, its inserted words marked (HTML)."""
        return self._marked[1]


@dataclass
class ChildChange:
    kind: str  # "added", "removed" or "changed"
    label: str
    fields: list[FieldChange] = field(default_factory=list)


@dataclass
class Diff:
    fields: list[FieldChange]
    children: dict[str, list[ChildChange]]

    def __bool__(self):
        return bool(self.fields) or any(self.children.values())


def _display(f, value):
    if value in (None, ""):
        return ""
    if f.choices:
        return str(dict(f.flatchoices).get(value, value))
    if isinstance(f, models.BooleanField):
        return "Yes" if value else "No"
    return str(value)


def _field_changes(fields, before, after):
    changes = []
    for f in fields:
        old, new = _display(f, before.get(f.attname)), _display(f, after.get(f.attname))
        # An empty field that stays empty (None before, "" after) is no change to show.
        if old != new:
            address = getattr(f, "address", "").format(new) if new else ""
            changes.append(FieldChange(capfirst(str(f.verbose_name)), old, new, address))
    return changes


def compare(model, before, after):
    """What changed from snapshot `before` (None: nothing approved yet) to `after`."""
    before = before or {}
    # A summary's compound and condition are fixed once it exists: its title names them.
    fields = [f for f in content_fields(model) if not f.is_relation]
    changes = _field_changes(fields, before, after)
    for m2m in model._meta.many_to_many:
        old, new = before.get(m2m.name, []), after.get(m2m.name, [])
        if sorted(old) != sorted(new):
            names = _names(m2m.related_model, set(old) | set(new))
            changes.append(
                FieldChange(
                    capfirst(str(m2m.verbose_name)),
                    ", ".join(names[pk] for pk in old if pk in names),
                    ", ".join(names[pk] for pk in new if pk in names),
                )
            )
    children = {}
    for related_name in model.snapshot_children:
        parent_fk = _parent_fk(model, related_name)
        child_fields = [f for f in _child_fields(parent_fk.model, parent_fk) if f.name != "id"]
        old = {item["id"]: item for item in before.get(related_name, [])}
        new = {item["id"]: item for item in after.get(related_name, [])}
        rows = []
        for pk, item in new.items():
            label = _child_label(parent_fk.model, item)
            if pk not in old:
                rows.append(ChildChange("added", label, _field_changes(child_fields, {}, item)))
            elif old[pk] != item:
                rows.append(
                    ChildChange("changed", label, _field_changes(child_fields, old[pk], item))
                )
        for pk, item in old.items():
            if pk not in new:
                label = _child_label(parent_fk.model, item)
                rows.append(ChildChange("removed", label, _field_changes(child_fields, item, {})))
        children[capfirst(str(parent_fk.model._meta.verbose_name_plural))] = rows
    return Diff(changes, children)


def _child_label(model, values):
    return str(_build(model, values, values.get("id")))


def _names(model, pks):
    return {obj.pk: str(obj) for obj in model._default_manager.filter(pk__in=pks)}
