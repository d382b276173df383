"""The files of an upload: a JSON or CSV file, a zip archive of CSV files, or a directory.

The admin's upload is read into memory within the limit on its size (`unpack`); the
command line's file is streamed from the disk, of any size (`sources_at`). Either way an
archive bomb is refused as it inflates."""

import io
import re
import struct
import zipfile
import zlib
from functools import partial
from pathlib import Path

from django.conf import settings

from compounds.catalogue import file_format
from compounds.catalogue.issues import Issue, Refused

MB = 1024 * 1024
# The most an archive held in memory (`unpack`) inflates to, unless its caller gives a
# lower limit (the admin's upload does: compounds/catalogue/admin.py, ADMIN_MAX_BYTES).
MAX_BYTES = getattr(settings, "CATALOGUE_IMPORT_MAX_BYTES", 50 * MB)


def sources_at(path):
    """(name, open) of each file at path: a JSON file, a CSV file, a zip of CSV files, or
    a directory of CSV files; open() gives the file's bytes, from the start, each time it
    is called. Nothing is read here: the import streams the files, whatever their size."""
    path = Path(path)
    if path.is_dir():
        members = sorted(p for p in path.iterdir() if p.is_file() and not p.name.startswith("."))
        return [(p.name, partial(_open, p)) for p in members]
    if not path.exists():
        raise Refused(Issue(str(path), "", "", "No such file or directory."))
    if not path.name.lower().endswith(".zip"):
        return [(path.name, partial(_open, path))]
    try:
        with open(path, "rb") as data:
            _check_directory(path.name, data)
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except ZIP_ERRORS as error:
        raise Refused(
            Issue(path.name, "", "", f"This is not a zip archive that can be read ({error}).")
        ) from None
    size = path.stat().st_size
    return [
        (info.filename, partial(_open_member, path, info, max(1, min(info.compress_size, size))))
        for info in _members(path.name, infos)
    ]


def _open(path):
    return open(path, "rb")  # noqa: SIM115 - closed by the reader


def _open_member(path, info, compressed):
    return _Member(path, info, compressed)


class _Member:
    """A member of a zip archive on disk, read as a file: inflated a piece at a time and
    refused past MAX_RATIO times its compressed size, as `unpack` refuses it."""

    def __init__(self, path, info, compressed):
        self.name, self.info, self.compressed, self.size = path.name, info, compressed, 0
        self.archive = zipfile.ZipFile(path)
        self.member = self.archive.open(info)

    def read(self, size=-1):
        try:
            chunk = self.member.read(size)
        except ZIP_ERRORS + (RuntimeError,) as error:
            raise Refused(
                Issue(
                    self.name,
                    self.info.filename,
                    "",
                    f"The file cannot be read from the archive ({error}).",
                )
            ) from None
        self.size += len(chunk)
        _check_ratio(self.name, self.info, self.size, self.compressed)
        return chunk

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.member.close()
        self.archive.close()


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
        _check_directory(name, io.BytesIO(data))
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
    last end signature before a comment), or from its Zip64 record. data: the archive,
    a seekable file; only its end is read."""
    length = data.seek(0, io.SEEK_END)
    start = max(0, length - 22 - 0xFFFF - 20)
    data.seek(start)
    tail = data.read()
    if tail[-22:-18] == _END and tail[-2:] == b"\0\0":
        end = len(tail) - 22
    else:
        end = tail.rfind(_END, max(0, len(tail) - 22 - 0xFFFF))
    if end < 0 or end + 22 > len(tail):
        return  # not an archive: zipfile says so
    entries, size = struct.unpack_from("<HI", tail, end + 10)
    zip64 = entries == 0xFFFF or size == 0xFFFFFFFF
    if zip64 and end >= 20 and tail[end - 20 : end - 16] == _END64_LOCATOR:
        (record,) = struct.unpack_from("<Q", tail, end - 12)
        data.seek(record)
        found = data.read(56)
        if found[:4] == _END64 and len(found) == 56:
            (size,) = struct.unpack_from("<Q", found, 40)
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
    known = file_format.csv_files()
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
                _check_ratio(name, info, size, compressed)
                parts.append(chunk)
    except ZIP_ERRORS + (RuntimeError,) as error:
        raise Refused(
            Issue(name, info.filename, "", f"The file cannot be read from the archive ({error}).")
        ) from None
    return b"".join(parts)


def _check_ratio(name, info, size, compressed):
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
