"""Peak memory of checking the worst archive the admin's upload accepts.

    python tests/compounds/measure_archive_memory.py unpack [MB]
    python tests/compounds/measure_archive_memory.py check

The archive: one compounds.csv that unpacks to exactly the upload's limit (MB, by
default the admin's 10 MB) in as many valid rows as the upload takes (ADMIN_MAX_ROWS):
at once the most bytes the reader inflates and the most objects the check builds. It
is written by a process of its own, so that the measuring process starts from the
archive's bytes only, as a worker does. That process sets Django up (on a new SQLite
database, migrated by a third process, for `check`), notes its resident memory, runs
`unpack` alone or the whole check of the upload (unpack, read, check: what the admin's
upload page runs), and prints how far its peak resident memory (VmHWM) rose above it.
Not a test: a figure for docs/catalogue-format.md, whose `unpack` bound
tests/compounds/test_catalogue_archives.py checks.
"""

import io
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def rows(limit, count):
    """`count` valid compound rows (the most an upload takes) making exactly `limit` bytes
    (the most it unpacks): the most bytes and the most objects at once."""
    header = (
        b"slug,name,aliases,drug_class,regulatory_status,evidence_overview,"
        b"safety_profile,revision\n"
    )
    shortest = [f"c{n:x},C{n:x},,x,x,x,".encode() for n in range(count)]
    room = limit - len(header) - sum(len(row) + 2 for row in shortest)
    pad, extra = divmod(room, count)
    out = io.BytesIO()
    out.write(header)
    for n, row in enumerate(shortest):
        out.write(row + b"x" * (pad + (n < extra)) + b",\n")
    return out.getvalue()


def build(path, limit, count):
    data = rows(limit, count)
    assert len(data) == limit
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        out.writestr("compounds.csv", data)


def memory(name):
    """VmRSS (resident now) or VmHWM (its peak so far) of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(name)


def measure(mode, path, limit):
    import django

    django.setup()
    from compounds.catalogue import admin as catalogue_admin
    from compounds.catalogue import archives

    data = Path(path).read_bytes()
    before = memory("VmRSS")
    start = time.perf_counter()
    if mode == "unpack":
        files = archives.unpack(path.name, data, limit=limit)
        answer = f"{sum(len(content) for _, content in files):,} bytes unpacked"
    else:
        assert limit == catalogue_admin.ADMIN_MAX_BYTES, "check runs at the admin's limits"
        plan, issues = catalogue_admin._check_upload(path.name, data)
        answer = f"{len(issues)} issues, {plan.count('created') if plan else 0:,} to create"
    seconds = time.perf_counter() - start
    print(
        f"{mode}: {len(data):,}-byte archive, {answer} in {seconds:.1f} s; resident memory "
        f"peaked {memory('VmHWM') - before:,.0f} MB above its {before:,.0f} MB before"
    )


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "unpack"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "insightswarm.settings"}
    if len(sys.argv) > 3:  # the measuring process
        measure(mode, Path(sys.argv[2]), int(sys.argv[3]))
        return
    limit = int(float(sys.argv[2]) * MB) if len(sys.argv) > 2 else 10 * MB
    workdir = Path(tempfile.mkdtemp(prefix="archive-memory-"))
    env["DATABASE_URL"] = f"sqlite:///{workdir / 'db.sqlite3'}"
    path = workdir / "catalogue.zip"
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")
    import django

    django.setup()
    from compounds.catalogue.admin import ADMIN_MAX_ROWS

    build(path, limit, ADMIN_MAX_ROWS)
    print(
        f"{path.name}: {ADMIN_MAX_ROWS:,} compounds in {limit:,} bytes, "
        f"{path.stat().st_size:,} zipped"
    )
    if mode == "check":
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
        )
    subprocess.run(
        [sys.executable, __file__, mode, str(path), str(limit)], cwd=ROOT, env=env, check=True
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
