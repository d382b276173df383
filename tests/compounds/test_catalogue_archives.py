"""Hostile .zip uploads: an archive is read within bounds, whatever sizes it declares.

The archives are forged here the way an attacker forges them: members written by
zipfile, then the sizes, flags and names in their local headers and in the central
directory patched. They inflate a few megabytes, against limits lowered for the test,
so the suite stays fast; the peak memory of each refusal is measured with tracemalloc.
"""

import io
import json
import os
import re
import struct
import subprocess
import sys
import tracemalloc
import warnings
import zipfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compounds.catalogue import admin as catalogue_admin
from compounds.catalogue import archives, file_format
from compounds.catalogue.issues import Refused
from compounds.catalogue.read import read
from compounds.models import Compound
from tests.compounds.catalogue_helpers import (
    command,
    csv_files,
    export_json,
    rich_catalogue,
    wipe_catalogue,
)
from tests.factories import make_user

MB = 1024 * 1024
LOCAL, CENTRAL = b"PK\x03\x04", b"PK\x01\x02"


def archive(members, compression=zipfile.ZIP_DEFLATED):
    """A zip of (name, bytes) members, duplicates allowed."""
    buffer = io.BytesIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # "Duplicate name": that is the point
        with zipfile.ZipFile(buffer, "w", compression=compression) as out:
            for name, data in members:
                out.writestr(name, data)
    return buffer.getvalue()


def forge(data, member=0, **fields):
    """Patch one member's fields in its local header and its central directory entry:
    file_size, compress_size (32 bits) or flag_bits (16 bits)."""
    data = bytearray(data)
    # Offsets of each field from a local header's and a central entry's signature.
    offsets = {
        "flag_bits": (6, 8, "<H"),
        "compress_size": (18, 20, "<I"),
        "file_size": (22, 24, "<I"),
    }
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).infolist()[member]
    central = -1
    for _ in range(member + 1):
        central = data.index(CENTRAL, central + 1)
    for name, value in fields.items():
        local_at, central_at, layout = offsets[name]
        struct.pack_into(layout, data, info.header_offset + local_at, value)
        struct.pack_into(layout, data, central + central_at, value)
    return bytes(data)


def unpack_measured(name, data, limit=None):
    """unpack's answer (the files, or the Refused), and the peak of memory it allocated."""
    tracemalloc.start()
    try:
        return archives.unpack(name, data, limit=limit), tracemalloc.get_traced_memory()[1]
    except Refused as refused:
        return refused, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def refusals(data, limit=None):
    with pytest.raises(Refused) as refused:
        archives.unpack("c.zip", data, limit=limit)
    return [str(issue) for issue in refused.value.issues]


def test_a_bomb_declaring_a_small_size_stops_at_what_it_declares():
    """The probe's bomb: 1,000 bytes declared, megabytes inside. Reading stops at the
    declared size (and the check sum then fails); it never inflates the rest."""
    data = forge(archive([("compounds.csv", b"\0" * (8 * MB))]), file_size=1000)
    assert len(data) < 20_000
    refused, peak = unpack_measured("c.zip", data)
    assert isinstance(refused, Refused)
    (issue,) = [str(i) for i in refused.issues]
    assert issue.startswith("c.zip, compounds.csv: ") and "cannot be read" in issue
    assert peak < MB


def test_an_honest_bomb_is_refused_by_its_compression_ratio_while_it_is_read():
    """Sizes declared truly, 8 MB of zeros in 8 KB: the count of inflated bytes against
    the compressed size stops it just past RATIO_FLOOR, well before the size limit."""
    data = archive([("compounds.csv", b"0" * (8 * MB))])
    refused, peak = unpack_measured("c.zip", data)
    (issue,) = [str(i) for i in refused.issues]
    assert issue.startswith("c.zip, compounds.csv: ")
    assert f"more than {archives.MAX_RATIO}:1" in issue
    assert peak < 3 * archives.RATIO_FLOOR


def test_a_member_declaring_more_compressed_bytes_than_it_has_is_refused():
    data = forge(archive([("compounds.csv", b"0" * (8 * MB))]), compress_size=8 * MB)
    refused, peak = unpack_measured("c.zip", data)
    (issue,) = [str(i) for i in refused.issues]
    assert issue.startswith("c.zip, compounds.csv: ") and "cannot be read" in issue
    assert peak < MB


def test_reading_stops_at_the_limit_counting_what_is_inflated(monkeypatch):
    """Incompressible members, honest sizes, more than the limit together: refused when
    the count passes the limit, with no more than the limit in memory."""
    limit = MB
    data = archive(
        [("compounds.csv", os.urandom(700_000)), ("conditions.csv", os.urandom(700_000))]
    )
    refused, peak = unpack_measured("c.zip", data, limit=limit)
    (issue,) = [str(i) for i in refused.issues]
    assert issue.startswith("c.zip, conditions.csv: ")
    assert "more than 1 MB once unpacked" in issue
    assert peak < 2.2 * limit


def test_an_archive_within_the_limits_is_read_whole():
    members = [("compounds.csv", b"slug\n" + os.urandom(300_000)), ("conditions.csv", b"x")]
    files, _ = unpack_measured("c.zip", archive(members), limit=MB)
    assert files == members


def test_the_same_name_twice_is_refused_by_name():
    data = archive([("compounds.csv", b"a"), ("conditions.csv", b"b"), ("compounds.csv", b"c")])
    assert refusals(data) == [
        "c.zip, compounds.csv: The archive holds a file of this name twice; give each file once."
    ]


def test_files_in_folders_are_refused_each_by_name():
    """The probe's zip: one of the two was imported without a word."""
    data = archive([("a/compounds.csv", b"x"), ("b/compounds.csv", b"y")])
    issues = refusals(data)
    assert [issue.split(":")[0] for issue in issues] == [
        "c.zip, a/compounds.csv",
        "c.zip, b/compounds.csv",
    ]
    assert all("in a folder" in issue for issue in issues)


@pytest.mark.parametrize(
    "name", ["/compounds.csv", "../compounds.csv", "a/../../compounds.csv", "C:\\compounds.csv"]
)
def test_names_outside_the_archive_are_refused(name):
    (issue,) = refusals(archive([(name, b"x")]))
    assert issue.startswith(f"c.zip, {name}: ") and "outside the archive" in issue


@pytest.mark.parametrize("name", ["catalogue.json", "notes.txt", "Compounds.csv", ".hidden"])
def test_a_member_that_is_not_a_catalogue_csv_file_is_refused(name):
    (issue,) = refusals(archive([("compounds.csv", b"x"), (name, b"y")]))
    assert issue.startswith(f"c.zip, {name}: ") and "conditions.csv" in issue


def test_a_folder_entry_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.mkdir("export")
    (issue,) = refusals(buffer.getvalue())
    assert issue.startswith("c.zip, export/: ") and "folder" in issue


def test_finders_metadata_is_left_unread():
    members = [
        ("compounds.csv", b"x"),
        ("__MACOSX/._compounds.csv", b"\0" * 100),
        (".DS_Store", b""),
    ]
    assert archives.unpack("c.zip", archive(members)) == [("compounds.csv", b"x")]


def test_an_encrypted_member_is_refused():
    data = forge(archive([("compounds.csv", b"slug\n")]), flag_bits=0x1)
    (issue,) = refusals(data)
    assert issue.startswith("c.zip, compounds.csv: ") and "encrypted" in issue


def test_a_member_compressed_otherwise_than_deflate_is_refused():
    """bzip2 and LZMA inflate a whole block at a time, beyond any chunk's bound."""
    (issue,) = refusals(archive([("compounds.csv", b"slug\n")], zipfile.ZIP_BZIP2))
    assert issue.startswith("c.zip, compounds.csv: ") and "Deflate" in issue


def test_an_archive_listing_thousands_of_members_is_refused_before_they_are_listed():
    data = archive([(f"m{n}.csv", b"") for n in range(3000)])
    refused, peak = unpack_measured("c.zip", data)
    (issue,) = [str(i) for i in refused.issues]
    assert issue.startswith("c.zip: ") and "too many" in issue
    assert peak < 100_000


def test_a_broken_member_is_named():
    data = bytearray(archive([("compounds.csv", os.urandom(5000))]))
    data[60:90] = b"\0" * 30  # inside the member's compressed data
    (issue,) = refusals(bytes(data))
    assert issue.startswith("c.zip, compounds.csv: ") and "cannot be read" in issue


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    st.lists(
        st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)),
        min_size=1,
        max_size=8,
    ),
    st.integers(min_value=0, max_value=40),
)
def test_a_damaged_archive_is_refused_or_read_never_a_crash(changes, cut):
    data = bytearray(archive([("compounds.csv", b"slug,name\n" * 50), ("conditions.csv", b"x")]))
    for position, byte in changes:
        data[position % len(data)] = byte
    data = bytes(data[: len(data) - cut])
    try:
        files = archives.unpack("c.zip", data, limit=MB)
    except Refused as refused:
        assert refused.issues
    else:
        assert sum(len(content) for _, content in files) <= MB


@pytest.mark.django_db
def test_the_command_and_the_admin_refuse_a_hostile_archive_naming_its_members(client, tmp_path):
    editor = make_user("zipper", "Editor")
    data = archive([("a/compounds.csv", b"x"), ("b/compounds.csv", b"y")])
    path = tmp_path / "c.zip"
    path.write_bytes(data)
    err = io.StringIO()
    with pytest.raises(CommandError, match="2 error"):
        call_command("import_catalogue", str(path), "--user", "zipper", "--dry-run", stderr=err)
    assert err.getvalue().startswith("c.zip, a/compounds.csv: ")
    assert "c.zip, b/compounds.csv: " in err.getvalue()
    client.force_login(editor)
    response = client.post(
        "/admin/compounds/importbatch/import/", {"file": SimpleUploadedFile("c.zip", data)}
    )
    content = response.content.decode()
    assert "<td>c.zip</td><td>a/compounds.csv</td>" in content
    assert "<td>c.zip</td><td>b/compounds.csv</td>" in content


@pytest.mark.django_db
def test_an_exported_zip_imports(tmp_path):
    rich_catalogue()
    files = csv_files()
    wipe_catalogue()
    make_user("zipper", "Editor")
    path = tmp_path / "c.zip"
    path.write_bytes(archive(sorted(files.items())))
    command("import_catalogue", str(path), "--user", "zipper")
    assert Compound.objects.filter(slug="ketamine").exists()


# The number of objects and rows ---------------------------------------------------------
# What the check costs grows with the rows, not the bytes: 10 MB of the shortest rows are
# 440,000 compounds, about 1 GB and twenty minutes of checking.


def shortest_rows(count):
    header = b"slug,name,aliases,drug_class,regulatory_status,evidence_overview,"
    header += b"safety_profile,revision\n"
    return header + b"".join(f"c{n},C{n},,x,x,x,x,\n".encode() for n in range(count))


def test_a_csv_file_with_more_rows_than_an_import_takes_is_refused_at_that_row(db):
    with pytest.raises(Refused) as refused:
        read([("compounds.csv", shortest_rows(11))], max_rows=10)
    (issue,) = [str(issue) for issue in refused.value.issues]
    assert issue.startswith("compounds.csv, row 12: The file holds more than 10 objects")
    assert len(read([("compounds.csv", shortest_rows(10))], 10).items) == 10


def test_a_json_files_rows_count_too(db):
    rich_catalogue()
    document = json.loads(export_json())
    rows = sum(
        1 + sum(len(record[child.key]) for child in kind.children)
        for kind in file_format.KINDS
        for record in document[kind.key]
    )
    data = json.dumps(document).encode()
    assert read([("c.json", data)], max_rows=rows).items
    with pytest.raises(Refused, match=f"more than {rows - 1} objects"):
        read([("c.json", data)], max_rows=rows - 1)


@pytest.mark.django_db
def test_the_admin_takes_fewer_rows_than_the_command(client, monkeypatch, tmp_path):
    monkeypatch.setattr(catalogue_admin, "ADMIN_MAX_ROWS", 5)
    client.force_login(make_user("rows", "Editor"))
    data = archive([("compounds.csv", shortest_rows(6))])
    response = client.post(
        "/admin/compounds/importbatch/import/", {"file": SimpleUploadedFile("c.zip", data)}
    )
    assert "The file holds more than 5 objects and rows" in response.content.decode()
    path = tmp_path / "c.zip"
    path.write_bytes(data)
    out, _ = command("import_catalogue", str(path), "--user", "rows", "--dry-run")
    assert "Would create 6" in out


def test_the_worst_archive_the_admin_takes_unpacks_in_twice_its_limit(tmp_path):
    """tests/compounds/measure_archive_memory.py, run as docs/catalogue-format.md says:
    an archive unpacking to the admin's 10 MB limit in its most rows."""
    result = subprocess.run(
        [sys.executable, str(Path(__file__).with_name("measure_archive_memory.py")), "unpack"],
        capture_output=True,
        text=True,
        check=True,
    )
    peak = re.search(r"resident memory peaked (\d+) MB above", result.stdout)
    assert "10,485,760 bytes unpacked" in result.stdout
    assert int(peak.group(1)) <= 2.5 * catalogue_admin.ADMIN_MAX_BYTES / MB, result.stdout
