"""Reading a catalogue file: its objects and rows as the file gives them, or the issues
that stop it. The first of the import's three steps (then check.py, then apply.py).

The files are read as streams, a piece at a time, as often as the import asks
(`Catalogue.items()`): a file of any size is read in the memory of one object and its
rows. `read()` gathers every object of a small file (the admin's upload) into a list.
"""

import codecs
import csv
import io
import json
import math
import re
import sys
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models

from compounds.catalogue import file_format
from compounds.catalogue.file_format import KIND_BY_KEY, KINDS
from compounds.catalogue.issues import Issue, Refused

# The most objects and rows (a compound, each of its mechanisms, a reference...) a file
# given to read() may hold: each costs about 2 KB while the file is checked in memory,
# whatever its size in bytes, and a file of the shortest rows holds 40,000 of them a
# megabyte. A 20,000-pair catalogue (bench/import_speed.py) has 81,000. The command line
# streams the file (compounds/catalogue/batches.py) and takes any number.
MAX_ROWS = getattr(settings, "CATALOGUE_IMPORT_MAX_ROWS", 300_000)
# Bytes read from a file at a time.
READ_BYTES = 1024 * 1024


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
    # False: the issues are counted out (a second reading of a file already read).
    keep_issues: bool = True

    def __post_init__(self):
        self.rows_left = self.max_rows

    def add(self, issue):
        if self.keep_issues:
            self.issues.append(issue)

    def count(self, name, row):
        """Count one object or row of the file as it is read; refuse the file past max_rows."""
        if not self.max_rows:
            return
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
    """The objects in the files ((name, bytes) each): one .json file, or .csv files of
    the format. Refused as soon as more than max_rows (MAX_ROWS by default) objects and
    rows are read."""
    catalogue = Catalogue(
        [(name, _opener(data)) for name, data in files], max_rows=max_rows or MAX_ROWS
    )
    parsed = Parsed(max_rows=catalogue.max_rows)
    parsed.items = list(catalogue.items(parsed))
    return parsed


def _opener(data):
    return lambda: io.BytesIO(data)


class Catalogue:
    """The files of a catalogue, read as streams: (name, open) each, open() giving the
    file's bytes as a file object, afresh each time the catalogue is read.

    max_rows: refused past this many objects and rows (0: any number)."""

    def __init__(self, sources, max_rows=0):
        if not sources:
            raise Refused(Issue("", "", "", "The upload holds no file."))
        self.sources = sources
        self.max_rows = max_rows
        names = [name for name, _ in sources]
        self.json = any(name.lower().endswith(".json") for name in names)
        if self.json and len(sources) > 1:
            raise Refused(Issue(", ".join(names), "", "", "Give one JSON file, or CSV files only."))
        # Whether each CSV child file lists its rows in the order of their parents' file,
        # as an export writes them: learnt on the first reading.
        self._in_order = {}

    def items(self, parsed=None):
        """The objects of the file, in the order of KINDS, as they are read; the issues of
        the reading go to parsed (a Parsed; by default, read once more, counted out)."""
        if parsed is None:
            parsed = Parsed(max_rows=self.max_rows, keep_issues=False)
        if self.json:
            name, open_file = self.sources[0]
            with open_file() as stream:
                yield from _read_json(name, _text(name, stream), parsed)
        else:
            yield from self._read_csv(parsed)

    def _read_csv(self, parsed):
        formats = file_format.csv_files()
        opens = {}
        for name, open_file in self.sources:
            if name not in formats:
                parsed.add(
                    Issue(
                        name,
                        "",
                        "",
                        f"Unknown file: a catalogue's CSV files are {', '.join(formats)}.",
                    )
                )
                continue
            opens[name] = open_file
        for kind in KINDS:
            children = [child for child in kind.children if child.csv_file in opens]
            if kind.csv_file not in opens:
                for child in children:
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
            yield from self._kind_items(kind, children, opens, parsed)

    def _objects(self, kind, opens, parsed):
        name = kind.csv_file
        with opens[name]() as stream:
            for row, where in _csv_rows(name, _text(name, stream), kind.csv_columns, parsed):
                values = {n: _csv_value(kind.model, n, row[n]) for n in kind.fields}
                item = Item(
                    kind,
                    values,
                    _csv_value(kind.model, file_format.REVISION, row[file_format.REVISION]),
                    name,
                    where,
                )
                if kind.links:
                    item.links = {link: row[link].split() for link in kind.links}
                yield item

    def _kind_items(self, kind, children, opens, parsed):
        if not children:
            yield from self._objects(kind, opens, parsed)
            return
        # The row of each object's first appearance, which its rows (a compound's
        # mechanisms) are given to: what the rows of the child files are matched by.
        first = {}
        for item in self._objects(kind, opens, Parsed(keep_issues=False)):
            # A million pairs name a few thousand slugs: each is held once.
            key = tuple(sys.intern(k) if isinstance(k, str) else k for k in item.key)
            first.setdefault(key, len(first))
        rows = {child: _ChildRows(kind, child, opens, parsed, first) for child in children}
        for child in children:
            if child.csv_file not in self._in_order:
                self._in_order[child.csv_file] = rows[child].in_order()
            if not self._in_order[child.csv_file]:
                rows[child].hold()
        seen = set()
        for item in self._objects(kind, opens, parsed):
            if item.key in seen:
                yield item
                continue
            seen.add(item.key)
            position = first[item.key]
            for child in children:
                item.children[child.key] = rows[child].of(position)
            yield item
        for child in children:
            rows[child].finish()


class _ChildRows:
    """The rows of one CSV child file, handed to their parents in the parents' order:
    streamed alongside the parents' file when the file lists them in that order (as an
    export does), else held by parent (a file put together by hand)."""

    def __init__(self, kind, child, opens, parsed, first):
        self.kind, self.child, self.first = kind, child, first
        self.open_file = opens[child.csv_file]
        self.parsed = parsed
        # Issues of this file are given after those of the parents' file, as it is read.
        self.issues = Parsed(max_rows=0)
        self.held = None
        self.rows = None
        self.next = None

    def _read(self, parsed):
        name = self.child.csv_file
        parent_columns = file_format.PARENT_COLUMNS[self.kind]
        columns = [*parent_columns, *self.child.fields]
        with self.open_file() as stream:
            rows = _csv_rows(
                name, _text(name, stream), columns, parsed, optional=self.child.optional
            )
            for row, where in rows:
                key = tuple(row[c] for c in parent_columns)
                position = self.first.get(key)
                if position is None:
                    parsed.add(
                        Issue(
                            name,
                            where,
                            parent_columns[0],
                            f"“{self.kind.label(key)}” is not in {self.kind.csv_file}.",
                        )
                    )
                    continue
                values = {
                    n: _csv_value(self.child.model, n, row[n])
                    if n in row
                    else self.child.optional[n]
                    for n in self.child.fields
                }
                yield position, (values, where)

    def in_order(self):
        last = -1
        for position, _ in self._read(Parsed(keep_issues=False)):
            if position < last:
                return False
            last = position
        return True

    def hold(self):
        self.held = {}
        for position, row in self._read(self._counting()):
            self.held.setdefault(position, []).append(row)

    def _counting(self):
        # Rows count towards the file's limit as they are read; issues wait their turn.
        parsed, issues = self.parsed, self.issues

        class Counting(Parsed):
            def add(self, issue):
                issues.add(issue)

            def count(self, name, row):
                parsed.count(name, row)

        return Counting(keep_issues=False)

    def of(self, position):
        if self.held is not None:
            return self.held.pop(position, [])
        if self.rows is None:
            self.rows = self._read(self._counting())
            self.next = next(self.rows, None)
        found = []
        while self.next is not None and self.next[0] <= position:
            if self.next[0] == position:
                found.append(self.next[1])
            self.next = next(self.rows, None)
        return found

    def finish(self):
        if self.rows is not None:
            for _ in self.rows:
                pass
        elif self.held is None:
            for _ in self._read(self._counting()):
                pass
        for issue in self.issues.issues:
            self.parsed.add(issue)


# Text ----------------------------------------------------------------------------------


def _text(name, stream):
    """The file's text, a piece at a time, refused where it is not UTF-8 text."""
    data = stream.read(READ_BYTES)
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
    offset, line, pending = 0, 1, b""
    if data.startswith(codecs.BOM_UTF8):
        data, offset = data[len(codecs.BOM_UTF8) :], len(codecs.BOM_UTF8)
    while True:
        last = not data
        data = pending + data
        if not data:
            return
        # A character cut by the end of the piece waits for the next piece.
        end = len(data) if last else _whole(data)
        try:
            text = data[:end].decode("utf-8")
        except UnicodeDecodeError as error:
            at = data[: error.start].count(b"\n") + line
            raise Refused(
                Issue(
                    name,
                    f"line {at}",
                    "",
                    f"The file is not UTF-8 text (byte 0x{data[error.start]:02x} at position "
                    f"{offset + error.start}). Save it as UTF-8: in Excel, “CSV UTF-8”; in a "
                    "text editor, encoding UTF-8.",
                )
            ) from None
        if "\x00" in text:
            at = text[: text.index("\x00")].count("\n") + line
            raise Refused(
                Issue(
                    name, f"line {at}", "", "The file holds NUL characters: it is not a text file."
                )
            )
        line += text.count("\n")
        offset += end
        pending = data[end:]
        if text:
            yield text
        if last:
            return
        data = stream.read(READ_BYTES)


def _whole(data):
    """Where the last whole UTF-8 character of data ends."""
    for back in range(1, min(4, len(data)) + 1):
        byte = data[-back]
        if byte & 0xC0 == 0x80:
            continue
        if byte < 0xC0:
            return len(data)
        needs = 2 if byte < 0xE0 else 3 if byte < 0xF0 else 4
        return len(data) - back if needs > back else len(data)
    return len(data)


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


_DECODER = json.JSONDecoder(parse_int=_json_int)
_SPACE = re.compile(r"[ \t\n\r]*")
# How far past the place where a value stops decoding the text must run before the
# value is known to be wrong rather than cut by the end of the piece read so far.
_MARGIN = 64 * 1024


class _JsonText:
    """The text of a JSON document as values are taken from it, a piece at a time: only
    the pieces not yet taken are held, and every error says its line and column."""

    def __init__(self, name, chunks):
        self.name, self.chunks = name, chunks
        self.text, self.at = "", 0
        # The line and column of text[0] in the document.
        self.line, self.column = 1, 1
        self.ended = False

    def _more(self):
        chunk = next(self.chunks, None)
        if chunk is None:
            self.ended = True
            return False
        done = self.text[: self.at]
        lines = done.count("\n")
        if lines:
            self.line += lines
            self.column = len(done) - done.rindex("\n")
        else:
            self.column += len(done)
        self.text = self.text[self.at :] + chunk
        self.at = 0
        return True

    def refuse(self, message, at=None):
        at = self.at if at is None else at
        before = self.text[:at]
        line = self.line + before.count("\n")
        column = at - before.rindex("\n") if "\n" in before else self.column + at
        raise Refused(
            Issue(
                self.name,
                f"line {line}",
                "",
                f"This is not valid JSON: {message} at line {line}, column {column}.",
            )
        )

    def peek(self):
        """The next character after any white space ("" at the end of the document)."""
        while True:
            self.at = _SPACE.match(self.text, self.at).end()
            if self.at < len(self.text):
                return self.text[self.at]
            if not self._more():
                return ""

    def take(self, character, message):
        if self.peek() != character:
            self.refuse(message)
        self.at += 1

    def value(self):
        """The next JSON value, decoded."""
        self.peek()
        while True:
            try:
                value, end = _DECODER.raw_decode(self.text, self.at)
            except json.JSONDecodeError as error:
                cut = len(self.text) - error.pos < _MARGIN or error.msg.startswith("Unterminated")
                if not self.ended and cut and self._more():
                    continue
                self.refuse(error.msg, error.pos)
            except RecursionError:
                raise Refused(
                    Issue(self.name, "", "", "The JSON is nested too deeply to be a catalogue.")
                ) from None
            if end == len(self.text) and not self.ended and self._more():
                # A number may go on in the next piece.
                continue
            self.at = end
            return value


def _read_json(name, chunks, parsed):
    text = _JsonText(name, chunks)
    if text.peek() != "{":
        # Not an object: whatever it is, it is not a catalogue (and may not be JSON).
        text.value()
        if text.peek():
            text.refuse("Extra data")
        raise Refused(
            Issue(
                name, "", "", "The file must hold one JSON object (see docs/catalogue-format.md)."
            )
        )
    text.take("{", "Expecting value")
    header, checked = {}, False
    if text.peek() == "}":
        text.at += 1
    else:
        while True:
            if text.peek() != '"':
                text.refuse("Expecting property name enclosed in double quotes")
            key = text.value()
            text.take(":", "Expecting ':' delimiter")
            kind = KIND_BY_KEY.get(key)
            if kind is None:
                header[key] = text.value()
                if key not in ("format", "version", "source", "exported_at"):
                    parsed.add(
                        Issue(
                            name, "", key, f"Unknown key; the lists are {', '.join(KIND_BY_KEY)}."
                        )
                    )
            else:
                if not checked:
                    _check_header(name, header)
                    checked = True
                if text.peek() != "[":
                    text.value()
                    parsed.add(Issue(name, "", kind.key, "Must be a list of objects."))
                else:
                    yield from _json_list(name, text, kind, parsed)
            separator = text.peek()
            text.take(separator if separator in ",}" else ",", "Expecting ',' delimiter")
            if separator == "}":
                break
    if text.peek():
        text.refuse("Extra data")
    if not checked:
        _check_header(name, header)


def _json_list(name, text, kind, parsed):
    text.take("[", "Expecting value")
    if text.peek() == "]":
        text.at += 1
        return
    index = 0
    while True:
        entry = text.value()
        index += 1
        row = f"{kind.key} #{index}"
        parsed.count(name, row)
        item = _json_item(name, row, kind, entry, parsed)
        if item is not None:
            yield item
        separator = text.peek()
        text.take(separator if separator in ",]" else ",", "Expecting ',' delimiter")
        if separator == "]":
            return


def _check_header(name, header):
    """The format and version, given before the lists as an export gives them."""
    if header.get("format") != file_format.FORMAT_NAME:
        raise Refused(
            Issue(
                name,
                "",
                "format",
                f"Not a catalogue file: “format” must be “{file_format.FORMAT_NAME}”.",
            )
        )
    if header.get("version") != file_format.FORMAT_VERSION:
        raise Refused(
            Issue(
                name,
                "",
                "version",
                f"Version {repr(header.get('version'))[:40]} of the format is not "
                f"known; this site reads version {file_format.FORMAT_VERSION}.",
            )
        )


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


_LINE_END = re.compile(r"\r\n|\r|\n")


def _lines(chunks):
    """The lines of the text, each with its line break, as a file opened with newline=""
    gives them (what the csv module reads)."""
    rest = ""
    for chunk in chunks:
        text, start = rest + chunk, 0
        for end in _LINE_END.finditer(text):
            if end.group() == "\r" and end.end() == len(text):
                break  # a "\r\n" cut between two pieces
            yield text[start : end.end()]
            start = end.end()
        rest = text[start:]
    if rest:
        yield rest


def _csv_rows(name, chunks, columns, parsed, optional=()):
    """The rows of one CSV file as dicts, with their row numbers (the header is row 1).
    A column of `optional` may be left out of the file: its rows then lack it."""
    reader = csv.reader(_lines(chunks))
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
