"""Peak memory of importing a catalogue from the command line, by its size.

    python tests/compounds/measure_import_memory.py PAIRS

Writes the synthetic catalogue of bench/import_speed.py (PAIRS pairs, 100 conditions a
compound, every summary with two references and a finding), migrates a new SQLite
database for it (in a process of its own), then, in a third process that has set Django
up and noted its resident memory, runs `import_catalogue --submit` on it and prints how
far its peak resident memory (VmHWM) rose above that. Not a test:
tests/compounds/test_catalogue_large.py compares two sizes.
"""

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def measure(path):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from bench.import_speed import memory

    get_user_model().objects.create_superuser("measurer", password=None)
    before = memory("VmRSS")
    call_command("import_catalogue", str(path), "--user", "measurer", "--submit", verbosity=0)
    print(f"resident memory peaked {memory('VmHWM') - before:.1f} MB above {before:.0f} MB")


def main():
    if sys.argv[1] == "--measure":
        measure(Path(sys.argv[2]))
        return
    from bench.import_speed import write_catalogue

    pairs = int(sys.argv[1])
    workdir = Path(tempfile.mkdtemp(prefix="import-memory-"))
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "insightswarm.settings",
        "DATABASE_URL": f"sqlite:///{workdir / 'db.sqlite3'}",
    }
    path = workdir / "catalogue.json"
    write_catalogue(path, max(1, pairs // 100), 100)
    print(f"{pairs:,} pairs, {path.stat().st_size:,} bytes")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    subprocess.run(
        [sys.executable, __file__, "--measure", str(path)], cwd=ROOT, env=env, check=True
    )


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
