"""Exporting the catalogue: the working copies or the live content, as JSON or CSV.

Everything streams: rows are read in chunks (`.iterator(chunk_size=...)`) and
written as they come, so a catalogue of a million pairs costs the memory of a
chunk, not of the catalogue. The live content comes from the published read
model (the approved snapshots), never from the working rows; only each
object's revision is read from its working row, for the import's stale check.
"""

import csv
import datetime
import io
import itertools
import json
import zipfile

from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import F, Prefetch
from django.utils import timezone

from compounds.catalogue import file_format
from compounds.catalogue.file_format import KINDS, SUMMARIES, UPDATES
from compounds.models import (
    Compound,
    Condition,
    PublishedCompound,
    PublishedCondition,
    ReviewState,
)
from compounds.review.publishing import PUBLISHED_MODEL

CHUNK = 1000
WORKING, LIVE = "working", "live"
SOURCES = (WORKING, LIVE)


def _chunks(iterable, size=CHUNK):
    iterator = iter(iterable)
    while chunk := list(itertools.islice(iterator, size)):
        yield chunk


def _plain(value):
    """A value as JSON holds it: dates as ISO text."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _record(kind, values, revision, children=None, links=None):
    record = {name: _plain(values[name]) for name in kind.fields}
    for name in kind.links:
        record[name] = sorted((links or {}).get(name, []))
    for child in kind.children:
        if children is not None and child.key in children:
            record[child.key] = [
                {name: _plain(row[name]) for name in child.fields} for row in children[child.key]
            ]
    record[file_format.REVISION] = revision
    return record


# Working copies ------------------------------------------------------------------------


def _working(kind, children):
    model = kind.model
    rows = model._default_manager.order_by("pk")
    if kind is SUMMARIES:
        rows = rows.annotate(compound_slug=F("compound__slug"), condition_slug=F("condition__slug"))
    rows = rows.prefetch_related(*(c.key for c in kind.children if c.key in children))
    if kind is UPDATES:
        rows = rows.prefetch_related(
            Prefetch("compounds", queryset=Compound.objects.only("slug")),
            Prefetch("conditions", queryset=Condition.objects.only("slug")),
        )
    content = file_format.snapshots.content_fields(model)
    for obj in rows.iterator(chunk_size=CHUNK):
        values = {f.name: f.value_from_object(obj) for f in content}
        if kind is SUMMARIES:
            values["compound"], values["condition"] = obj.compound_slug, obj.condition_slug
        child_rows = {
            child.key: [
                {
                    name: getattr(row, child.model._meta.get_field(name).attname)
                    for name in child.fields
                }
                for row in getattr(obj, child.key).all()
            ]
            for child in kind.children
            if child.key in children
        }
        links = {name: [o.slug for o in getattr(obj, name).all()] for name in kind.links}
        yield _record(kind, values, obj.revision, child_rows, links)


# Live content --------------------------------------------------------------------------


def _live_rows(kind):
    rows = PUBLISHED_MODEL[kind.model].objects.order_by("pk")
    if kind is SUMMARIES:
        rows = rows.annotate(compound_slug=F("compound__slug"), condition_slug=F("condition__slug"))
    return rows.iterator(chunk_size=CHUNK)


def _published_slugs(published_model):
    # Thousands of compounds and conditions, not millions: a map of them is small.
    return dict(published_model.objects.values_list("pk", "slug").iterator(chunk_size=CHUNK))


def _live(kind, children):
    model = kind.model
    links = (
        {
            "compounds": _published_slugs(PublishedCompound),
            "conditions": _published_slugs(PublishedCondition),
        }
        if kind.links
        else {}
    )
    content = file_format.snapshots.content_fields(model)
    for chunk in _chunks(_live_rows(kind)):
        # The revision of the working copy, where it is still the approved one: an
        # import of this file may then update it; otherwise the object has changed
        # since its approval and the import refuses to overwrite it.
        working = dict(
            model._default_manager.filter(pk__in=[row.pk for row in chunk])
            .filter(review_state=ReviewState.APPROVED)
            .values_list("pk", "revision")
        )
        for row in chunk:
            data = row.data
            values = {f.name: f.to_python(data.get(f.attname)) for f in content}
            if kind is SUMMARIES:
                values["compound"], values["condition"] = row.compound_slug, row.condition_slug
            child_rows = {
                child.key: [
                    {
                        name: item.get(child.model._meta.get_field(name).attname)
                        for name in child.fields
                    }
                    for item in data.get(child.key, [])
                ]
                for child in kind.children
                if child.key in children
            }
            linked = {
                name: [links[name][pk] for pk in data.get(name, []) if pk in links[name]]
                for name in kind.links
            }
            yield _record(kind, values, working.get(row.pk), child_rows, linked)


def records(kind, source=WORKING, children=None):
    """The exported objects of one kind, one dict each, in id order.

    children: the keys of the child kinds to include (default: all of them).
    """
    if source not in SOURCES:
        raise ValueError(f"Unknown source {source!r}")
    if children is None:
        children = {child.key for child in kind.children}
    produce = _working if source == WORKING else _live
    return produce(kind, set(children))


# JSON ----------------------------------------------------------------------------------


def json_chunks(source=WORKING):
    """The catalogue as one JSON document, in pieces: one object a line."""
    header = {
        "format": file_format.FORMAT_NAME,
        "version": file_format.FORMAT_VERSION,
        "source": source,
        "exported_at": timezone.now().isoformat(timespec="seconds"),
    }
    yield json.dumps(header, indent=1)[:-2] + ",\n"
    for position, kind in enumerate(KINDS):
        yield f' "{kind.key}": ['
        for index, record in enumerate(records(kind, source)):
            yield ("\n  " if index == 0 else ",\n  ") + json.dumps(
                record, cls=DjangoJSONEncoder, ensure_ascii=False
            )
        yield "\n ]" + (",\n" if position < len(KINDS) - 1 else "\n")
    yield "}\n"


# CSV -----------------------------------------------------------------------------------


def csv_cell(value):
    """A value as a CSV cell: text neutralised (file_format.csv_escape), numbers as they are."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = " ".join(value)
    if isinstance(value, str):
        return file_format.csv_escape(value)
    return _plain(value)


def csv_tables(source=WORKING):
    """(file name, rows) for every CSV file, header row first; the rows are generated."""
    for kind in KINDS:
        yield kind.csv_file, _object_rows(kind, source)
        for child in kind.children:
            yield child.csv_file, _child_rows(kind, child, source)


def _object_rows(kind, source):
    yield kind.csv_columns
    for record in records(kind, source, children=()):
        yield [csv_cell(record[column]) for column in kind.csv_columns]


def _child_rows(kind, child, source):
    yield [*file_format.PARENT_COLUMNS[kind], *child.fields]
    for record in records(kind, source, children=(child.key,)):
        parent = [csv_cell(record[name]) for name in kind.key_fields]
        for row in record[child.key]:
            yield [*parent, *(csv_cell(row[name]) for name in child.fields)]


class _Sink:
    """A write-only file that keeps what was written until it is taken: what lets
    zipfile write a stream (it then writes each member's sizes after its data)."""

    def __init__(self):
        self.parts = []
        self.size = 0

    def write(self, data):
        self.parts.append(bytes(data))
        self.size += len(data)
        return len(data)

    def flush(self):
        pass

    def take(self):
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        return data


def csv_zip_chunks(source=WORKING, piece=256 * 1024):
    """The CSV files in one zip archive, in pieces of about `piece` bytes, as they are made."""
    sink = _Sink()
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, rows in csv_tables(source):
            with archive.open(name, "w", force_zip64=True) as member:
                text = io.TextIOWrapper(member, encoding="utf-8", newline="")
                writer = csv.writer(text)
                for row in rows:
                    writer.writerow(row)
                    if sink.size >= piece:
                        yield sink.take()
                text.flush()
                text.detach()
            yield sink.take()
    yield sink.take()


def write_csv_directory(directory, source=WORKING):
    directory.mkdir(parents=True, exist_ok=True)
    for name, rows in csv_tables(source):
        with open(directory / name, "w", encoding="utf-8", newline="") as out:
            writer = csv.writer(out)
            for row in rows:
                writer.writerow(row)
