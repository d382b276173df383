"""Importing a catalogue file: read it, check all of it, then write all of it or nothing.

    read(files)                 -> Parsed: the objects of the file, or the issues that stop it
    check(parsed)               -> Plan: per object created / updated / unchanged, and issues
    apply(plan, user, ...)      -> the ImportBatch, in one transaction

Objects are matched by slug (summaries by their compound's and condition's
slugs). Every change is booked as an editor's save is (workflow.record_edit: a
draft, one revision on, the editor noted) and, when asked, submitted for review
through workflow.submit_many: nothing an import writes is live until an advisor
approves it. An object whose revision in the database differs from the one in
the file was changed since the file was exported: it is refused, not overwritten.

Values are checked by the models themselves (full_clean: field validators,
clean(), constraints), so a file is held to the same rules as the admin's forms
and says so in the same words.
"""

import codecs
import csv
import io
import json
import math
import re
import struct
import zipfile
import zlib
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import DatabaseError, models, transaction
from django.db.backends.base.operations import BaseDatabaseOperations
from django.utils import timezone

from compounds import catalogue, notifications, one_line, workflow, working_copy
from compounds.catalogue import COMPOUNDS, CONDITIONS, KIND_BY_KEY, KINDS, SUMMARIES, UPDATES
from compounds.models import ImportBatch, ImportBatchItem

MB = 1024 * 1024
# The largest file (or zip archive's content) an import reads: the whole file is held
# in memory while it is checked. Larger catalogues are imported in several files.
MAX_BYTES = getattr(settings, "CATALOGUE_IMPORT_MAX_BYTES", 50 * MB)
# The most objects and rows (a compound, each of its mechanisms, a reference...) a file
# may hold: each costs about 2 KB while the file is checked, whatever its size in bytes,
# and a file of the shortest rows holds 40,000 of them a megabyte. A 20,000-pair catalogue
# (bench/import_speed.py) has 81,000.
MAX_ROWS = getattr(settings, "CATALOGUE_IMPORT_MAX_ROWS", 300_000)
# Past this many, issues are counted but not listed.
MAX_ISSUES = 1000
CHUNK = 500


# Where and what ---------------------------------------------------------------------

# Characters no field takes: the C0 and C1 control characters and DEL, but for the tab
# and the line breaks (which compounds/one_line.py keeps to the fields of several lines),
# and lone surrogates, which are not characters at all and which no database stores.
# PostgreSQL refuses NUL outright.
UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
NOT_IN_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def _escape(match):
    code = ord(match.group())
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


@dataclass
class Issue:
    """One reason the file cannot be imported, with where it is in the file."""

    file: str
    row: str
    field: str
    message: str
    object: str = ""

    def __post_init__(self):
        # A control character from the file (in a key, a slug, a value quoted back) is
        # shown as an escape: printed as it is, it would drive the editor's terminal.
        for name in ("file", "row", "field", "message", "object"):
            setattr(self, name, UNPRINTABLE.sub(_escape, str(getattr(self, name))))

    def __str__(self):
        where = ", ".join(part for part in (self.file, self.row) if part)
        if self.object:
            where += f" ({self.object})"
        if self.field:
            where += f", field “{self.field}”"
        return f"{where}: {self.message}"


class Refused(Exception):
    """The file cannot be read at all: wrong format, encoding, size."""

    def __init__(self, issues):
        self.issues = issues if isinstance(issues, list) else [issues]
        super().__init__("; ".join(str(issue) for issue in self.issues))


@dataclass
class Item:
    """One object as the file gives it."""

    kind: catalogue.Kind
    values: dict
    revision: object
    file: str
    row: str
    # Child key -> [(values, row)]; a key that is missing leaves those rows as they are.
    children: dict = field(default_factory=dict)
    # Link field -> [slugs]; missing: the links are left as they are.
    links: dict | None = None

    @property
    def key(self):
        return self.kind.key_of(self.values)

    @property
    def label(self):
        return self.kind.label(self.key)


@dataclass
class Parsed:
    items: list = field(default_factory=list)
    issues: list = field(default_factory=list)
    max_rows: int = 0

    def __post_init__(self):
        self.max_rows = self.max_rows or MAX_ROWS
        self.rows_left = self.max_rows

    def add(self, issue):
        self.issues.append(issue)

    def count(self, name, row):
        """Count one object or row of the file as it is read; refuse the file past max_rows."""
        self.rows_left -= 1
        if self.rows_left < 0:
            raise Refused(
                Issue(
                    name,
                    row,
                    "",
                    f"The file holds more than {self.max_rows:,} objects and rows (a compound, "
                    "a mechanism, a reference: each counts one); an import takes at most that "
                    "many. Split the catalogue into several files (by compound, say) and "
                    "import each.",
                )
            )


# Reading -----------------------------------------------------------------------------


def files_at(path):
    """(name, bytes) of the file at path: a JSON file, a CSV file, a zip of CSV files,
    or a directory of CSV files. Refused above MAX_BYTES."""
    path = Path(path)
    if path.is_dir():
        members = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        _check_size(path.name, sum(p.stat().st_size for p in members))
        return [(p.name, p.read_bytes()) for p in members]
    if not path.exists():
        raise Refused(Issue(str(path), "", "", "No such file or directory."))
    _check_size(path.name, path.stat().st_size)
    return unpack(path.name, path.read_bytes())


def _check_size(name, size, limit=None):
    limit = limit or MAX_BYTES
    if size > limit:
        raise Refused(
            Issue(
                name,
                "",
                "",
                f"The file is {size / MB:,.1f} MB; an import takes at most {limit / MB:,.0f} MB. "
                "Split the catalogue into several files (by compound, say) and import each.",
            )
        )


def unpack(name, data, limit=None):
    """The files inside an upload: itself, or the catalogue CSV files of a zip archive.

    An archive is the sender's word on its sizes, and a small one may declare anything:
    its members are read a chunk at a time, counting the bytes actually inflated, and
    reading stops as soon as they pass `limit` (MAX_BYTES by default, the limit on the
    upload itself) or MAX_RATIO times the member's compressed size. Members are refused
    by name first: twice, in a folder, outside the archive, or not a file of the format.
    """
    if not name.lower().endswith(".zip"):
        return [(name, data)]
    limit = limit or MAX_BYTES
    try:
        _check_directory(name, data)
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except ZIP_ERRORS as error:
        raise Refused(
            Issue(name, "", "", f"This is not a zip archive that can be read ({error}).")
        ) from None
    files, total = [], 0
    for info in _members(name, infos):
        # A member's compressed bytes are at most the archive's: the declared size may lie.
        compressed = max(1, min(info.compress_size, len(data)))
        content = _inflate(name, archive, info, limit - total, limit, compressed)
        total += len(content)
        files.append((info.filename, content))
    return files


# What reading a damaged or forged archive raises, from zipfile and zlib underneath it.
ZIP_ERRORS = (
    zipfile.BadZipFile,
    zipfile.LargeZipFile,
    NotImplementedError,
    EOFError,
    zlib.error,
    struct.error,
    ValueError,
    OSError,
)
# Members unpacked beyond this size may be compressed at most MAX_RATIO to 1: catalogue
# text compresses about 5 to 1, an archive bomb a thousand to 1.
MAX_RATIO = 100
RATIO_FLOOR = 1 * MB
# The archive's table of contents: a catalogue's twelve files need a few kilobytes. A
# 10 MB list of empty members would take ten times its size in memory to be parsed.
MAX_DIRECTORY = 64 * 1024
READ_CHUNK = 64 * 1024
# What macOS's Finder adds to an archive it makes: left unread.
FINDER_METADATA = ("__MACOSX", ".DS_Store")
_END = b"PK\x05\x06"
_END64_LOCATOR, _END64 = b"PK\x06\x07", b"PK\x06\x06"


def _check_directory(name, data):
    """Refuse an archive whose table of contents is too large, before zipfile parses it.

    Reads the size from the end record as zipfile finds it (the last 22 bytes, or the
    last end signature before a comment), or from its Zip64 record."""
    if data[-22:-18] == _END and data[-2:] == b"\0\0":
        end = len(data) - 22
    else:
        end = data.rfind(_END, max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(data):
        return  # not an archive: zipfile says so
    entries, size = struct.unpack_from("<HI", data, end + 10)
    zip64 = entries == 0xFFFF or size == 0xFFFFFFFF
    if zip64 and end >= 20 and data[end - 20 : end - 16] == _END64_LOCATOR:
        (record,) = struct.unpack_from("<Q", data, end - 12)
        if data[record : record + 4] == _END64:
            (size,) = struct.unpack_from("<Q", data, record + 40)
    if size > MAX_DIRECTORY:
        raise Refused(
            Issue(
                name,
                "",
                "",
                "The archive lists too many files to be a catalogue (its table of contents is "
                f"{size:,} bytes). Give the CSV files of docs/catalogue-format.md only.",
            )
        )


def _members(name, infos):
    """The members to read, after refusing, each by name, any that is not a catalogue file."""
    known = catalogue.csv_files()
    issues, seen, members = [], set(), []
    for info in infos:
        member = info.filename
        parts = re.split(r"[/\\]", member)

        def refuse(message, member=member):
            issues.append(Issue(name, member, "", message))

        if member.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", member) or ".." in parts:
            refuse(
                "The name leads outside the archive (an absolute path or “..”): refused. "
                "Give the CSV files at the top of the archive."
            )
        elif parts[0] in FINDER_METADATA:
            continue
        elif len(parts) > 1:
            refuse(
                "The file is in a folder. Put the CSV files at the top of the archive: "
                "compress the files themselves, not the folder that holds them."
            )
        elif member not in known:
            refuse(f"Not a file of the catalogue: an archive holds {', '.join(known)}.")
        elif member in seen:
            refuse("The archive holds a file of this name twice; give each file once.")
        elif info.flag_bits & 0x1:
            refuse("The file is encrypted: give the archive without a password.")
        elif info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            refuse(
                f"The file is compressed with method {info.compress_type}; the import reads "
                "Deflate (the usual zip compression) or none."
            )
        else:
            members.append(info)
        seen.add(member)
    if issues:
        raise Refused(issues)
    return members


def _inflate(name, archive, info, budget, limit, compressed):
    """The member's bytes, counted as they are inflated: refused past budget or MAX_RATIO."""
    parts, size = [], 0
    try:
        with archive.open(info) as member:
            while chunk := member.read(READ_CHUNK):
                size += len(chunk)
                if size > budget:
                    raise Refused(
                        Issue(
                            name,
                            info.filename,
                            "",
                            f"The archive holds more than {limit / MB:,.0f} MB once unpacked; "
                            f"an import takes at most {limit / MB:,.0f} MB. Split the "
                            "catalogue into several files (by compound, say) and import each.",
                        )
                    )
                if size > RATIO_FLOOR and size > MAX_RATIO * compressed:
                    raise Refused(
                        Issue(
                            name,
                            info.filename,
                            "",
                            f"The file unpacks to more than {MAX_RATIO}:1 of its compressed "
                            f"size ({size:,} bytes so far from {compressed:,}): catalogue text "
                            "never compresses so far. Refused as an archive bomb.",
                        )
                    )
                parts.append(chunk)
    except ZIP_ERRORS + (RuntimeError,) as error:
        raise Refused(
            Issue(name, info.filename, "", f"The file cannot be read from the archive ({error}).")
        ) from None
    return b"".join(parts)


def read(files, max_rows=None):
    """The objects in the files: one .json file, or .csv files of the format. Refused
    as soon as more than max_rows (MAX_ROWS by default) objects and rows are read."""
    parsed = Parsed(max_rows=max_rows)
    if not files:
        raise Refused(Issue("", "", "", "The upload holds no file."))
    names = [name for name, _ in files]
    if any(name.lower().endswith(".json") for name in names):
        if len(files) > 1:
            raise Refused(Issue(", ".join(names), "", "", "Give one JSON file, or CSV files only."))
        name, data = files[0]
        _read_json(name, _text(name, data), parsed)
    else:
        _read_csv(files, parsed)
    return parsed


def _text(name, data):
    if _utf16(data):
        raise Refused(
            Issue(
                name,
                "",
                "",
                "The file is UTF-16 or UTF-32 text (Excel's “Unicode text”), not UTF-8. Save it "
                "as UTF-8: in Excel, “CSV UTF-8”; in a text editor, encoding UTF-8.",
            )
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise Refused(
            Issue(
                name,
                f"line {line}",
                "",
                f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                f"{error.start}). Save it as UTF-8: in Excel, “CSV UTF-8”; in a text editor, "
                "encoding UTF-8.",
            )
        ) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise Refused(
            Issue(name, f"line {line}", "", "The file holds NUL characters: it is not a text file.")
        )
    return text


def _utf16(data):
    """Whether the bytes are UTF-16 (or UTF-32): a byte order mark, or ASCII text with a
    NUL byte beside every character."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return True
    start = data[:200]
    return len(start) >= 8 and max(start[0::2].count(0), start[1::2].count(0)) > len(start) // 4


# JSON


def _json_int(digits):
    # No field stores a number of more than 19 digits; past a few thousand, Python will
    # not even read one. Read as infinite, it is refused where it stands, by field.
    return int(digits) if len(digits) <= 100 else math.inf


def _read_json(name, text, parsed):
    try:
        document = json.loads(text, parse_int=_json_int)
    except json.JSONDecodeError as error:
        raise Refused(
            Issue(
                name,
                f"line {error.lineno}",
                "",
                f"This is not valid JSON: {error.msg} at "
                f"line {error.lineno}, column {error.colno}.",
            )
        ) from None
    except RecursionError:
        raise Refused(
            Issue(name, "", "", "The JSON is nested too deeply to be a catalogue.")
        ) from None
    if not isinstance(document, dict):
        raise Refused(
            Issue(
                name, "", "", "The file must hold one JSON object (see docs/catalogue-format.md)."
            )
        )
    if document.get("format") != catalogue.FORMAT_NAME:
        raise Refused(
            Issue(
                name,
                "",
                "format",
                f"Not a catalogue file: “format” must be “{catalogue.FORMAT_NAME}”.",
            )
        )
    if document.get("version") != catalogue.FORMAT_VERSION:
        raise Refused(
            Issue(
                name,
                "",
                "version",
                f"Version {repr(document.get('version'))[:40]} of the format is not "
                f"known; this site reads version {catalogue.FORMAT_VERSION}.",
            )
        )
    known = {"format", "version", "source", "exported_at", *KIND_BY_KEY}
    for key in document:
        if key not in known:
            parsed.add(
                Issue(name, "", key, f"Unknown key; the lists are {', '.join(KIND_BY_KEY)}.")
            )
    for kind in KINDS:
        entries = document.get(kind.key, [])
        if not isinstance(entries, list):
            parsed.add(Issue(name, "", kind.key, "Must be a list of objects."))
            continue
        for index, entry in enumerate(entries, 1):
            row = f"{kind.key} #{index}"
            parsed.count(name, row)
            item = _json_item(name, row, kind, entry, parsed)
            if item is not None:
                parsed.items.append(item)


def _fields_of(name, row, entry, expected, parsed, label=""):
    """Whether entry is an object with exactly the expected keys; says what is not."""
    if not isinstance(entry, dict):
        parsed.add(
            Issue(
                name,
                row,
                "",
                "Must be an object with the fields of docs/catalogue-format.md.",
                label,
            )
        )
        return False
    ok = True
    for key in entry:
        if key not in expected:
            parsed.add(Issue(name, row, key, "Unknown field.", label))
            ok = False
    for key in expected:
        if key not in entry:
            parsed.add(
                Issue(name, row, key, 'Missing: give it, empty ("" or null) if need be.', label)
            )
            ok = False
    return ok


def _scalars(name, row, values, parsed, label):
    ok = True
    for key, value in values.items():
        if isinstance(value, (dict, list)):
            parsed.add(Issue(name, row, key, "Must be text, a number, true/false or null.", label))
            ok = False
    return ok


def _json_item(name, row, kind, entry, parsed):
    optional = {catalogue.REVISION, *(child.key for child in kind.children)}
    expected = [*kind.fields, *kind.links, *optional]
    label = str(entry.get("slug") or "") if isinstance(entry, dict) else ""
    if isinstance(entry, dict):
        entry = {key: value for key, value in entry.items()}
        for key in optional:
            entry.setdefault(key, None)
    if not _fields_of(name, row, entry, expected, parsed, label):
        return None
    values = {key: entry[key] for key in kind.fields}
    if not _scalars(name, row, values, parsed, label):
        return None
    item = Item(kind, values, entry[catalogue.REVISION], name, row)
    label = item.label
    if kind.links:
        item.links = {}
        for link in kind.links:
            slugs = entry[link]
            if not isinstance(slugs, list) or not all(isinstance(s, str) for s in slugs):
                parsed.add(Issue(name, row, link, "Must be a list of slugs.", label))
                return None
            item.links[link] = slugs
    for child in kind.children:
        rows = entry[child.key]
        if rows is None:
            continue
        if not isinstance(rows, list):
            parsed.add(Issue(name, row, child.key, "Must be a list of objects.", label))
            return None
        item.children[child.key] = []
        for index, child_entry in enumerate(rows, 1):
            child_row = f"{row}, {child.key} #{index}"
            parsed.count(name, child_row)
            if _fields_of(name, child_row, child_entry, child.fields, parsed, label) and _scalars(
                name, child_row, child_entry, parsed, label
            ):
                item.children[child.key].append((child_entry, child_row))
    return item


# CSV


def _csv_value(model, name, text):
    """A CSV cell as the field takes it: empty is null where the field allows it."""
    if name == catalogue.REVISION:
        return text.strip() or None
    f = model._meta.get_field(name)
    if isinstance(f, models.BooleanField):
        lowered = text.strip().lower()
        return {"true": True, "false": False, "yes": True, "no": False, "1": True, "0": False}.get(
            lowered, text
        )
    if text == "" and (f.null or not isinstance(f, (models.CharField, models.TextField))):
        return None
    return text


def _csv_rows(name, text, columns, parsed):
    """The rows of one CSV file as dicts, with their row numbers (the header is row 1)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            parsed.add(
                Issue(name, "row 1", "", "The file is empty: the first row must name the columns.")
            )
            return
        header = [column.strip() for column in header]
        missing = [c for c in columns if c not in header]
        extra = [c for c in header if c not in columns]
        twice = sorted({c for c in header if header.count(c) > 1})
        if missing or extra or twice:
            problems = []
            if missing:
                problems.append(f"missing column(s) {', '.join(missing)}")
            if extra:
                problems.append(f"unknown column(s) {', '.join(extra)}")
            if twice:
                problems.append(f"column(s) given twice: {', '.join(twice)}")
            parsed.add(
                Issue(
                    name,
                    "row 1",
                    "",
                    f"The header row has {'; '.join(problems)}. The columns "
                    f"of {name} are: {', '.join(columns)}.",
                )
            )
            return
        for number, cells in enumerate(reader, 2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                parsed.add(
                    Issue(
                        name,
                        f"row {number}",
                        "",
                        f"The row has {len(cells)} cells; the header has {len(header)} columns.",
                    )
                )
                continue
            # The quote an export puts before a formula comes off here (catalogue.csv_escape).
            cells = [catalogue.csv_unescape(cell) for cell in cells]
            parsed.count(name, f"row {number}")
            yield dict(zip(header, cells, strict=True)), f"row {number}"
    except csv.Error as error:
        parsed.add(Issue(name, f"row {reader.line_num}", "", f"The CSV cannot be read: {error}."))


def _read_csv(files, parsed):
    formats = catalogue.csv_files()
    texts = {}
    for name, data in files:
        if name not in formats:
            parsed.add(
                Issue(
                    name, "", "", f"Unknown file: a catalogue's CSV files are {', '.join(formats)}."
                )
            )
            continue
        texts[name] = _text(name, data)
    by_key = {}
    for kind in KINDS:
        if kind.csv_file not in texts:
            continue
        by_key[kind] = {}
        for row, where in _csv_rows(kind.csv_file, texts[kind.csv_file], kind.csv_columns, parsed):
            values = {n: _csv_value(kind.model, n, row[n]) for n in kind.fields}
            item = Item(
                kind,
                values,
                _csv_value(kind.model, catalogue.REVISION, row[catalogue.REVISION]),
                kind.csv_file,
                where,
            )
            if kind.links:
                item.links = {link: row[link].split() for link in kind.links}
            parsed.items.append(item)
            by_key[kind].setdefault(item.key, item)
        for child in kind.children:
            if child.csv_file not in texts:
                continue
            parent_columns = catalogue.PARENT_COLUMNS[kind]
            if kind not in by_key:
                parsed.add(
                    Issue(
                        child.csv_file,
                        "",
                        "",
                        f"{child.csv_file} lists rows of {kind.csv_file}'s "
                        f"objects: give {kind.csv_file} with it.",
                    )
                )
                continue
            for item in by_key[kind].values():
                item.children[child.key] = []
            columns = [*parent_columns, *child.fields]
            for row, where in _csv_rows(child.csv_file, texts[child.csv_file], columns, parsed):
                key = tuple(row[c] for c in parent_columns)
                parent = by_key[kind].get(key)
                if parent is None:
                    parsed.add(
                        Issue(
                            child.csv_file,
                            where,
                            parent_columns[0],
                            f"“{kind.label(key)}” is not in {kind.csv_file}.",
                        )
                    )
                    continue
                values = {n: _csv_value(child.model, n, row[n]) for n in child.fields}
                parent.children[child.key].append((values, where))


# Checking ------------------------------------------------------------------------------


@dataclass
class Change:
    """What the import does to one object."""

    item: Item
    action: str  # "created", "updated" or "unchanged"
    obj: models.Model  # the object with the file's values, checked, not saved
    children: dict  # child key -> [unsaved child instances]
    base_revision: int | None = None  # the revision the update is based on


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
        if name in skip or name == catalogue.REVISION:
            continue
        f = model._meta.get_field(name)
        if value in (None, "") and not f.blank:
            missing[name] = "This field is required."
    return missing


def _line_breaks(obj, values, skip=()):
    """One-line fields given a line break, as {field: message}: the admin refuses them too."""
    broken = {}
    for name in values:
        if name in skip or name == catalogue.REVISION:
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
    exclude = [*exclude, *messages]
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


def _check_ranges(obj, names, add):
    """Whole numbers within what every supported database stores in the column.

    full_clean holds them to the range of the database in use, and SQLite's columns take
    any 64-bit number: a file checked there must not then fail on PostgreSQL, whose
    columns are narrower (a position up to 32,767, a count up to 2,147,483,647)."""
    for name in names:
        f = obj._meta.get_field(name)
        value = getattr(obj, f.attname, None)
        limits = BaseDatabaseOperations.integer_field_ranges.get(f.get_internal_type())
        if not isinstance(f, models.IntegerField) or not isinstance(value, int) or not limits:
            continue
        low, high = limits
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
        for f in catalogue.snapshots.content_fields(kind.model)
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
    look(catalogue.REVISION, item.revision, item.row)
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
            by_compound = defaultdict(list)
            for compound, condition in keys:
                by_compound[compound].append(condition)
            for compound, conditions in by_compound.items():
                for start in range(0, len(conditions), CHUNK):
                    rows = (
                        kind.model.objects.filter(
                            compound__slug=compound,
                            condition__slug__in=conditions[start : start + CHUNK],
                        )
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
        add(catalogue.REVISION, "The revision must be a whole number, or empty for a new object.")
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
            catalogue.REVISION,
            "Give the revision the object had when the file was exported: "
            "without it the import cannot tell whether someone changed it since. Export the "
            "catalogue again and make the change in that file.",
        )
        return
    if revision != current.revision:
        add(catalogue.REVISION, stale_message(current, revision))
        return
    plan.changes.append(Change(item, "updated", obj, children, current.revision))


def stale_message(current, revision):
    name, when = workflow.last_edit(current)
    name = name or "someone"
    return (
        f"Changed since this file was exported (revision {revision} in the file, "
        f"{current.revision} "
        f"now; last edited by {name}{' at ' + when if when else ''}): not overwritten. Export "
        "again and make the change on top of theirs."
    )


# Writing -------------------------------------------------------------------------------


class Failed(Exception):
    """The import was rolled back: nothing changed. Carries the issues that stopped it."""

    def __init__(self, issues):
        self.issues = issues
        super().__init__("; ".join(str(issue) for issue in issues))


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
                    catalogue.REVISION,
                    stale_message(current, change.base_revision),
                    change.item.label,
                )
            ]
        )
    for f in catalogue.snapshots.content_fields(kind.model):
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
