"""Reading a catalogue file: its objects and rows as the file gives them, or the issues
that stop it. The first of the import's three steps (then check.py, then apply.py)."""

import codecs
import csv
import io
import json
import math
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from compounds.catalogue import file_format
from compounds.catalogue.file_format import KIND_BY_KEY, KINDS
from compounds.catalogue.issues import Issue, Refused

# The most objects and rows (a compound, each of its mechanisms, a reference...) a file
# may hold: each costs about 2 KB while the file is checked, whatever its size in bytes,
# and a file of the shortest rows holds 40,000 of them a megabyte. A 20,000-pair catalogue
# (bench/import_speed.py) has 81,000.
MAX_ROWS = getattr(settings, "CATALOGUE_IMPORT_MAX_ROWS", 300_000)


@dataclass
class Item:
    """One object as the file gives it."""

    kind: file_format.Kind
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
    if document.get("format") != file_format.FORMAT_NAME:
        raise Refused(
            Issue(
                name,
                "",
                "format",
                f"Not a catalogue file: “format” must be “{file_format.FORMAT_NAME}”.",
            )
        )
    if document.get("version") != file_format.FORMAT_VERSION:
        raise Refused(
            Issue(
                name,
                "",
                "version",
                f"Version {repr(document.get('version'))[:40]} of the format is not "
                f"known; this site reads version {file_format.FORMAT_VERSION}.",
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
    optional = {file_format.REVISION, *(child.key for child in kind.children)}
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
    item = Item(kind, values, entry[file_format.REVISION], name, row)
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
            if isinstance(child_entry, dict):
                child_entry = {**child.optional, **child_entry}
            if _fields_of(name, child_row, child_entry, child.fields, parsed, label) and _scalars(
                name, child_row, child_entry, parsed, label
            ):
                item.children[child.key].append((child_entry, child_row))
    return item


# CSV


def _csv_value(model, name, text):
    """A CSV cell as the field takes it: empty is null where the field allows it."""
    if name == file_format.REVISION:
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


def _csv_rows(name, text, columns, parsed, optional=()):
    """The rows of one CSV file as dicts, with their row numbers (the header is row 1).
    A column of `optional` may be left out of the file: its rows then lack it."""
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            parsed.add(
                Issue(name, "row 1", "", "The file is empty: the first row must name the columns.")
            )
            return
        header = [column.strip() for column in header]
        missing = [c for c in columns if c not in header and c not in optional]
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
            # The quote an export puts before a formula comes off here (file_format.csv_escape).
            cells = [file_format.csv_unescape(cell) for cell in cells]
            parsed.count(name, f"row {number}")
            yield dict(zip(header, cells, strict=True)), f"row {number}"
    except csv.Error as error:
        parsed.add(Issue(name, f"row {reader.line_num}", "", f"The CSV cannot be read: {error}."))


def _read_csv(files, parsed):
    formats = file_format.csv_files()
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
                _csv_value(kind.model, file_format.REVISION, row[file_format.REVISION]),
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
            parent_columns = file_format.PARENT_COLUMNS[kind]
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
            rows = _csv_rows(
                child.csv_file, texts[child.csv_file], columns, parsed, optional=child.optional
            )
            for row, where in rows:
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
                values = {
                    n: _csv_value(child.model, n, row[n]) if n in row else child.optional[n]
                    for n in child.fields
                }
                parent.children[child.key].append((values, where))
