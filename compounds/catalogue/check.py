"""Checking all of a read catalogue file against the models' own rules, before anything
is written: per object created, updated or unchanged, and every issue. The import's
second step."""

import functools
import json
import math
import re
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

from compounds import one_line
from compounds.catalogue import file_format
from compounds.catalogue.file_format import CHUNK, COMPOUNDS, CONDITIONS, KINDS, SUMMARIES, UPDATES
from compounds.catalogue.issues import MAX_ISSUES, Issue
from compounds.catalogue.read import Item
from compounds.review import workflow

# Characters no field takes: the C0 and C1 control characters and DEL, but for the tab
# and the line breaks (which compounds/one_line.py keeps to the fields of several lines),
# and lone surrogates, which are not characters at all and which no database stores.
# PostgreSQL refuses NUL outright.
NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


@dataclass
class Change:
    """What the import does to one object."""

    item: Item
    action: str  # "created", "updated" or "unchanged"
    obj: models.Model  # the object with the file's values, checked, not saved
    children: dict  # child key -> [unsaved child instances]
    base_revision: int | None = None  # the revision the update is based on
    # Child keys whose rows the file gives as they are: an update leaves them be.
    same_rows: frozenset = frozenset()


@dataclass
class Plan:
    changes: list = field(default_factory=list)
    issues: list = field(default_factory=list)

    def count(self, action):
        return sum(1 for change in self.changes if change.action == action)

    @property
    def counts(self):
        return {action: self.count(action) for action in ("created", "updated", "unchanged")}

    def add(self, issue):
        self.issues.append(issue)


def _by_field(error):
    if hasattr(error, "error_dict"):
        return {
            ("" if name == NON_FIELD_ERRORS else name): [m for e in errors for m in e.messages]
            for name, errors in error.error_dict.items()
        }
    return {"": error.messages}


def _required(model, values, skip=()):
    """Fields left empty that must be given, as {field: message}."""
    missing = {}
    for name, value in values.items():
        if name in skip or name == file_format.REVISION:
            continue
        f = model._meta.get_field(name)
        if value in (None, "") and not f.blank:
            missing[name] = "This field is required."
    return missing


def _line_breaks(obj, values, skip=()):
    """One-line fields given a line break, as {field: message}: the admin refuses them too."""
    broken = {}
    for name in values:
        if name in skip or name == file_format.REVISION:
            continue
        f = obj._meta.get_field(name)
        if one_line.is_one_line(f) and one_line.has_line_break(getattr(obj, f.attname)):
            broken[name] = one_line.MESSAGE
    return broken


def _assign(obj, values, skip=()):
    for name, value in values.items():
        if name in skip:
            continue
        f = obj._meta.get_field(name)
        if isinstance(f, models.CharField | models.TextField) and value is None:
            value = ""
        elif value is not None and not isinstance(value, str) and not _takes(f, value):
            # As text, which the field's own check reads or refuses with its message
            # (a number for a date: "It must be in YYYY-MM-DD format"), never a crash.
            value = str(value)
        setattr(obj, f.attname, value)


def _takes(f, value):
    """Whether a JSON number or true/false is a value of the field as it is."""
    numbers = models.IntegerField | models.FloatField | models.DecimalField
    return isinstance(value, bool | int) and isinstance(f, numbers | models.BooleanField)


def _clean(obj, exclude, add, values):
    messages = _required(type(obj), values, skip=exclude)
    messages.update(_line_breaks(obj, values, skip=[*exclude, *messages]))
    for name, text in messages.items():
        add(name, text)
    # The fields the file does not give (who last edited it, its state) are the
    # database's own, not the file's to check: validating a foreign key among them
    # would cost a query an object.
    unchecked = [f.name for f in obj._meta.fields if f.name not in values]
    exclude = [*exclude, *messages, *unchecked]
    refused = set()
    try:
        obj.full_clean(exclude=exclude, validate_constraints=False)
        _check_constraints(obj, exclude)
    except ValidationError as error:
        for name, texts in _by_field(error).items():
            refused.add(name)
            for text in texts:
                add(name, text)
    _check_ranges(obj, [name for name in values if name not in {*exclude, *refused}], add)


@functools.cache
def _integer_ranges(model):
    """The model's whole-number fields, by name, with the range every database stores."""
    ranges = {}
    for f in model._meta.fields:
        limits = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type())
        if isinstance(f, models.IntegerField) and limits:
            ranges[f.name] = (f, limits)
    return ranges


def _check_ranges(obj, names, add):
    """Whole numbers within what every supported database stores in the column.

    full_clean holds them to the range of the database in use, and SQLite's columns take
    any 64-bit number: a file checked there must not then fail on PostgreSQL, whose
    columns are narrower (a position up to 32,767, a count up to 2,147,483,647)."""
    ranges = _integer_ranges(type(obj))
    for name in names:
        if name not in ranges:
            continue
        f, (low, high) = ranges[name]
        value = getattr(obj, f.attname, None)
        if not isinstance(value, int):
            continue
        for validator in (MinValueValidator(low), MaxValueValidator(high)):
            try:
                validator(value)
            except ValidationError as error:
                add(name, error.messages[0])


def _check_constraints(obj, exclude):
    """The model's check constraints, as validate_constraints() applies them.

    Django checks each one with a query of its own, milliseconds apiece: tens of
    thousands of rows would take minutes. Their conditions are plain equalities
    and memberships, which are read here in Python; any other form is left to
    Django. Unique constraints are the file's duplicates (checked on the whole
    file) and the matching by slug.
    """
    values = {f.name: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
    for constraint in obj._meta.constraints:
        if not isinstance(constraint, models.CheckConstraint):
            continue
        try:
            holds = _holds(constraint.condition, values)
        except (KeyError, NotImplementedError):
            constraint.validate(type(obj), obj, exclude=exclude)
            continue
        if not holds:
            raise ValidationError(constraint.get_violation_error_message())


def _holds(condition, values):
    results = []
    for child in condition.children:
        if isinstance(child, models.Q):
            results.append(_holds(child, values))
            continue
        lookup, expected = child
        name, _, operator = lookup.partition("__")
        if operator in ("", "exact"):
            results.append(values[name] == expected)
        elif operator == "in":
            results.append(values[name] in expected)
        else:
            raise NotImplementedError(lookup)
    result = all(results) if condition.connector == models.Q.AND else any(results)
    return not result if condition.negated else result


def _state(kind, obj, children, links, child_keys):
    """What a comparison of the database and the file looks at: content, children, links."""
    content = {
        f.attname: f.value_from_object(obj)
        for f in file_format.snapshots.content_fields(kind.model)
        if not f.is_relation
    }
    rows = {}
    for child in kind.children:
        if child.key in child_keys:
            fields = [child.model._meta.get_field(n) for n in child.fields]
            rows[child.key] = sorted(
                json.dumps([str(f.value_from_object(row)) for f in fields])
                for row in children[child.key]
            )
    return content, rows, {name: sorted(slugs) for name, slugs in (links or {}).items()}


NOT_FINITE = "Not a number this field takes: Infinity, NaN, or a number too large to store."


def _unreadable(item):
    """Issues for the values of an object (and of its rows and links) that no field
    takes, whatever the database: control characters, lone surrogates, Infinity, NaN."""
    issues = []

    def look(name, value, row):
        if isinstance(value, float) and not math.isfinite(value):
            message = NOT_FINITE
        elif isinstance(value, str) and (match := NOT_IN_TEXT.search(value)):
            message = _character_message(match)
        else:
            return
        issues.append(Issue(item.file, row, name, message, item.label))

    for name, value in item.values.items():
        look(name, value, item.row)
    look(file_format.REVISION, item.revision, item.row)
    for name, slugs in (item.links or {}).items():
        look(name, " ".join(slugs), item.row)
    for child in item.kind.children:
        for values, row in item.children.get(child.key, []):
            for name, value in values.items():
                look(name, value, row)
    return issues


def _character_message(match):
    character, position = match.group(), match.start() + 1
    code = f"U+{ord(character):04X} at position {position}"
    if 0xD800 <= ord(character) <= 0xDFFF:
        return f"The text holds half of a character ({code}, a lone surrogate): it is not text."
    return f"The text holds a control character ({code}), which no field takes: remove it."


def _revision(value):
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError
    number = int(value)
    if number < 0:
        raise ValueError
    return number


def check(parsed, progress=None):
    """The plan of what importing the parsed file would do, with every issue found."""
    plan = Plan(issues=list(parsed.issues))
    # An object with a value no field takes is refused before it is looked up: such a
    # value may not even be sent to the database in a query.
    items_by_kind = defaultdict(list)
    for item in parsed.items:
        unreadable = _unreadable(item)
        plan.issues.extend(unreadable)
        if not unreadable:
            items_by_kind[item.kind].append(item)

    # Twice in the file: the second is refused, with where the first is.
    for kind, items in items_by_kind.items():
        unique = [
            f.name
            for f in kind.model._meta.fields
            if f.unique and f.name in kind.fields and f.name not in kind.key_fields
        ]
        for name in [None, *unique]:
            seen = {}
            for item in items:
                value = item.key if name is None else item.values.get(name)
                if value in (None, "", (None,)):
                    continue
                if value in seen:
                    first = seen[value]
                    what = "slug" if name is None else name
                    plan.add(
                        Issue(
                            item.file,
                            item.row,
                            name or kind.key_fields[-1],
                            f"The {what} “{kind.label(value) if name is None else value}” is "
                            f"given twice in this file (first at {first.row}).",
                            item.label,
                        )
                    )
                else:
                    seen[value] = item
    if plan.issues and len(plan.issues) > MAX_ISSUES:
        return plan

    # Refused or not, an object in the file is not reported missing a second time.
    slugs_in_file = {
        kind.key: {item.values.get("slug") for item in parsed.items if item.kind is kind}
        for kind in (COMPOUNDS, CONDITIONS)
    }
    existing = _existing(items_by_kind)
    known = _known_slugs(items_by_kind)
    total = len(parsed.items)
    done = 0
    for kind in KINDS:
        for item in items_by_kind[kind]:
            _check_item(plan, kind, item, existing, known, slugs_in_file)
            done += 1
            if progress and (done % CHUNK == 0 or done == total):
                progress(done, total)
            if len(plan.issues) > MAX_ISSUES:
                return plan
    return plan


def _existing(items_by_kind):
    """The objects of the file already in the database, with their children, by key."""
    found = {}
    for kind in KINDS:
        prefetch = [child.key for child in kind.children] + list(kind.links)
        keys = [
            item.key for item in items_by_kind[kind] if all(isinstance(k, str) for k in item.key)
        ]
        found[kind] = {}
        if kind is SUMMARIES:
            # A query a chunk of pairs, whatever the compounds they name.
            for start in range(0, len(keys), CHUNK):
                by_compound = defaultdict(list)
                for compound, condition in keys[start : start + CHUNK]:
                    by_compound[compound].append(condition)
                pairs = models.Q()
                for compound, conditions in by_compound.items():
                    pairs |= models.Q(compound__slug=compound, condition__slug__in=conditions)
                rows = (
                    kind.model.objects.filter(pairs)
                    .select_related("compound", "condition", "last_edited_by")
                    .prefetch_related(*prefetch)
                )
                for obj in rows:
                    found[kind][(obj.compound.slug, obj.condition.slug)] = obj
        else:
            slugs = [key[0] for key in keys]
            for start in range(0, len(slugs), CHUNK):
                rows = (
                    kind.model.objects.filter(slug__in=slugs[start : start + CHUNK])
                    .select_related("last_edited_by")
                    .prefetch_related(*prefetch)
                )
                for obj in rows:
                    found[kind][(obj.slug,)] = obj
    return found


def _known_slugs(items_by_kind):
    """Compound and condition slugs a summary or a research update may name."""
    known = {}
    for kind in (COMPOUNDS, CONDITIONS):
        named = set()
        for item in items_by_kind[SUMMARIES]:
            named.add(item.values.get("compound" if kind is COMPOUNDS else "condition"))
        for item in items_by_kind[UPDATES]:
            named.update((item.links or {}).get(kind.key, []))
        named = [slug for slug in named if isinstance(slug, str)]
        in_db = set()
        for start in range(0, len(named), CHUNK):
            in_db.update(
                kind.model.objects.filter(slug__in=named[start : start + CHUNK]).values_list(
                    "slug", flat=True
                )
            )
        known[kind.key] = in_db
    return known


def _check_item(plan, kind, item, existing, known, slugs_in_file):
    before = len(plan.issues)
    label = item.label

    def add(name, message, row=None):
        plan.add(Issue(item.file, row or item.row, name, message, label))

    current = existing[kind].get(item.key)
    exclude = []
    if kind is SUMMARIES:
        exclude = ["compound", "condition"]
        for name, kind_key in (("compound", "compounds"), ("condition", "conditions")):
            slug = item.values.get(name)
            if not isinstance(slug, str) or not slug:
                add(name, "Give the slug of the summary's " + name + ".")
            elif slug not in slugs_in_file[kind_key] and slug not in known[kind_key]:
                add(name, f"No {name} has the slug “{slug}”, in this file or in the catalogue.")
    for name, slugs in (item.links or {}).items():
        for slug in slugs:
            if slug not in slugs_in_file[name] and slug not in known[name]:
                add(
                    name, f"No {name[:-1]} has the slug “{slug}”, in this file or in the catalogue."
                )
    try:
        revision = _revision(item.revision)
    except (TypeError, ValueError):
        add(file_format.REVISION, "The revision must be a whole number, or empty for a new object.")
        revision = None

    if current is not None:
        before_state = _state(
            kind,
            current,
            {c.key: list(getattr(current, c.key).all()) for c in kind.children},
            {name: [o.slug for o in getattr(current, name).all()] for name in kind.links},
            item.children,
        )
        obj = current
    else:
        before_state = None
        obj = kind.model()
    _assign(obj, item.values, skip=exclude)
    _clean(obj, exclude, add, {k: v for k, v in item.values.items() if k not in exclude})

    children = {}
    for child in kind.children:
        if child.key not in item.children:
            continue
        built, seen = [], {}
        for values, row in item.children[child.key]:
            instance = child.model()
            _assign(instance, values)

            def add_child(name, message, row=row):
                add(name, message, row)

            _clean(instance, [child.parent_field], add_child, values)
            for identity in child.identities(instance):
                if identity in seen:
                    name, message = child.duplicate_message(identity)
                    add_child(name, f"{message} (first at {seen[identity]})")
                elif identity[0]:
                    seen[identity] = row
            built.append(instance)
        children[child.key] = built

    if len(plan.issues) > before:
        return
    links = item.links if kind.links else None
    if current is None:
        plan.changes.append(Change(item, "created", obj, children))
        return
    after_state = _state(
        kind,
        obj,
        {**{c.key: [] for c in kind.children}, **children},
        links or {name: before_state[2][name] for name in kind.links},
        item.children,
    )
    if after_state == before_state:
        plan.changes.append(Change(item, "unchanged", obj, children, current.revision))
        return
    if revision is None:
        add(
            file_format.REVISION,
            "Give the revision the object had when the file was exported: "
            "without it the import cannot tell whether someone changed it since. Export the "
            "catalogue again and make the change in that file.",
        )
        return
    if revision != current.revision:
        add(file_format.REVISION, stale_message(current, revision))
        return
    same = frozenset(key for key, rows in after_state[1].items() if before_state[1][key] == rows)
    plan.changes.append(Change(item, "updated", obj, children, current.revision, same))


def stale_message(current, revision):
    name, when = workflow.last_edit(current)
    name = name or "someone"
    return (
        f"Changed since this file was exported (revision {revision} in the file, "
        f"{current.revision} "
        f"now; last edited by {name}{' at ' + when if when else ''}): not overwritten. Export "
        "again and make the change on top of theirs."
    )
