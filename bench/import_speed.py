"""How long importing the whole catalogue takes, and in how much memory: `make bench-import`.

    python -m bench.import_speed [--scale small|full|PAIRS]

small: 200 compounds x 100 conditions = 20,000 pairs; full: 2,000 x 500 = 1,000,000;
a number: that many pairs, 100 conditions a compound. Writes a synthetic catalogue file
(every summary with two references and a safety finding, every compound with a row of
each kind), written a line at a time as an export writes it, into an empty database, and
measures, each in a process of its own:

1. create: `import_catalogue --submit` of the file (read, checked whole, written in
   batches in one transaction, every object submitted for review);
2. export: `export_catalogue` of what was imported (the file an editor edits);
3. update: that export with every summary's text changed, imported again with
   `--submit`: every pair updated.

Each step's time, peak resident memory (VmHWM) and database queries go to the
"Catalogue import" section of bench/results.md, with the memory and time a pair. Not a
test: figures.

The database is DATABASE_URL, or a fresh SQLite file in the system's temporary
directory; on PostgreSQL give it a database of its own: it is emptied first.
"""

import argparse
import datetime
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALES = {"small": (200, 100), "full": (2000, 500)}
USER = "bench-importer"
EDITED = ("Two randomized trials.", "Two randomized trials, read again.")


def _reference(n):
    return {
        "pmid": str(10_000_000 + n),
        "doi": "",
        "nct_id": "",
        "url": "",
        "authors": "Smith J, Lee K",
        "title": f"A randomized trial {n}",
        "journal": "A journal",
        "year": 2020,
        "study_design": "rct",
        "participants": 120,
    }


SOURCE = {"source": "Label 5.1", "source_url": "https://example.org/label"}


def _compound(c):
    return {
        "slug": f"compound-{c}",
        "name": f"Compound {c}",
        "aliases": f"alias {c}",
        "drug_class": "Test class",
        "regulatory_status": "Not approved anywhere.",
        "evidence_overview": "Studied in a few small trials.",
        "safety_profile": "Generally tolerated.",
        "mechanisms": [{"position": 1, "description": "Receptor antagonism"}],
        "safety_notes": [{"position": 1, "category": "side_effects", "description": "Nausea"}],
        "monitoring": [
            {
                "position": 1,
                "what": "Blood pressure",
                "when": "After each dose",
                "how_long": "",
                **SOURCE,
            }
        ],
        "cautions": [{"position": 1, "kind": "caution", "description": "Use with care.", **SOURCE}],
        "interactions": [
            {
                "position": 1,
                "drug": "Benzodiazepines",
                "severity": "major",
                "effect": "More sleepiness",
                "management": "Watch closely",
                **SOURCE,
            }
        ],
    }


def _condition(d):
    return {
        "slug": f"condition-{d}",
        "name": f"Condition {d}",
        "specialist": "oncologist",
        "urgent_help": "",
        "standard_treatment": "typically involves multiple agents",
    }


def _summary(c, d, conditions):
    n = c * conditions + d
    return {
        "compound": f"compound-{c}",
        "condition": f"condition-{d}",
        "evidence_level": "level_2",
        "verdict": "promising",
        "evidence_basis": "direct",
        "preclinical_evidence": "",
        "human_evidence": EDITED[0],
        "regulatory_status": "Not approved for this condition.",
        "has_condition_safety_data": True,
        "key_takeaways": "It may help.\nIt is not proven.",
        "mechanism_relevance_documented": False,
        "references": [_reference(2 * n), _reference(2 * n + 1)],
        "safety_findings": [
            {"position": 1, "kind": "finding", "description": "Well tolerated.", **SOURCE}
        ],
    }


def write_catalogue(path, compounds=200, conditions=100, last_summary=None):
    """The synthetic catalogue as a JSON file, an object a line as an export writes it,
    never whole in memory. last_summary: fields to change in the last summary."""
    lists = {
        "compounds": (_compound(c) for c in range(compounds)),
        "conditions": (_condition(d) for d in range(conditions)),
        "evidence_summaries": (
            _summary(c, d, conditions) for c in range(compounds) for d in range(conditions)
        ),
        "research_updates": iter(()),
    }
    total = compounds * conditions
    with open(path, "w", encoding="utf-8") as out:
        out.write('{"format": "insightswarm-catalogue", "version": 1')
        for key, records in lists.items():
            out.write(f',\n "{key}": [')
            for index, record in enumerate(records):
                if key == "evidence_summaries" and index == total - 1 and last_summary:
                    record.update(last_summary)
                out.write(("\n  " if index == 0 else ",\n  ") + json.dumps(record))
            out.write("\n ]")
        out.write("\n}\n")


def catalogue(compounds=200, conditions=100):
    """The synthetic catalogue as one document, for a test that edits it."""
    return {
        "format": "insightswarm-catalogue",
        "version": 1,
        "compounds": [_compound(c) for c in range(compounds)],
        "conditions": [_condition(d) for d in range(conditions)],
        "evidence_summaries": [
            _summary(c, d, conditions) for c in range(compounds) for d in range(conditions)
        ],
        "research_updates": [],
    }


def memory(name):
    """VmRSS (resident now) or VmHWM (its peak so far) of this process, in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(name + ":"):
            return int(line.split()[1]) / 1024
    raise LookupError(name)


def measure(command, *args):
    """Run one manage.py command in this process, counting its queries: prints a JSON
    line of its time, peak resident memory and queries."""
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    queries = 0

    def count(execute, sql, params, many, context):
        nonlocal queries
        queries += 1
        return execute(sql, params, many, context)

    connection.ensure_connection()
    before = memory("VmRSS")
    started = time.perf_counter()
    with connection.execute_wrapper(count):
        call_command(command, *args, verbosity=0)
    seconds = time.perf_counter() - started
    figures = {
        "seconds": seconds,
        "peak_mib": memory("VmHWM"),
        "before_mib": before,
        "queries": queries,
    }
    print("FIGURES " + json.dumps(figures))


def _step(env, command, *args):
    done = subprocess.run(
        [sys.executable, "-m", "bench.import_speed", "--measure", command, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{command} failed")
    line = next(line for line in done.stdout.splitlines() if line.startswith("FIGURES "))
    return json.loads(line.removeprefix("FIGURES "))


def _edit(source, target):
    """Every summary's text changed, a line at a time (an export writes an object a line)."""
    with open(source, encoding="utf-8") as lines, open(target, "w", encoding="utf-8") as out:
        for line in lines:
            out.write(line.replace(json.dumps(EDITED[0]), json.dumps(EDITED[1])))


def main():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")
    if sys.argv[1:2] == ["--measure"]:
        measure(*sys.argv[2:])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", default="small")
    options = parser.parse_args()
    if options.scale in SCALES:
        compounds, conditions = SCALES[options.scale]
    else:
        conditions = 100
        compounds = max(1, int(options.scale) // conditions)
    pairs = compounds * conditions
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    env = {**os.environ}
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        call_command("migrate", verbosity=0)
        call_command("flush", "--no-input", verbosity=0)
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_superuser(USER, password=None)
    if connection.vendor == "sqlite":
        vendor = f"SQLite {connection.Database.sqlite_version}"
    else:
        vendor = f"PostgreSQL {connection.pg_version // 10_000}.{connection.pg_version % 10_000}"
    connection.close()

    path = workdir / "catalogue.json"
    write_catalogue(path, compounds, conditions)
    size = path.stat().st_size
    print(f"{pairs:,} pairs: {size / 2**20:,.1f} MiB of JSON in {path}", flush=True)
    steps = {}
    steps["create"] = _step(env, "import_catalogue", str(path), "--user", USER, "--submit")
    print(f"create: {steps['create']}", flush=True)
    exported = workdir / "export.json"
    steps["export"] = _step(env, "export_catalogue", str(exported))
    print(f"export: {steps['export']}", flush=True)
    edited = workdir / "edited.json"
    _edit(exported, edited)
    path.unlink()
    steps["update"] = _step(env, "import_catalogue", str(edited), "--user", USER, "--submit")
    print(f"update: {steps['update']}", flush=True)
    write_results(options.scale, pairs, size, vendor, steps)


def write_results(scale, pairs, size, vendor, steps):
    from bench import report

    labels = {
        "create": f"create {pairs:,} pairs (`import_catalogue --submit`, empty database)",
        "export": "export them (`export_catalogue`, JSON)",
        "update": f"update all {pairs:,} pairs (the export, every summary edited, `--submit`)",
    }
    rows = []
    for name, label in labels.items():
        s = steps[name]
        rows.append(
            f"| {label} | {s['seconds']:,.1f} s | {s['peak_mib']:,.0f} MiB "
            f"({s['peak_mib'] - s['before_mib']:,.0f} MiB above the {s['before_mib']:,.0f} "
            f"MiB at start) | {s['queries']:,} |"
        )
    per_pair = [
        f"- {name}: {steps[name]['seconds'] / pairs * 1000:.2f} ms a pair, "
        f"{(steps[name]['peak_mib'] - steps[name]['before_mib']) * 1024 / pairs:.2f} KiB a "
        f"pair of peak memory above the start, {steps[name]['queries'] / pairs:.3f} queries "
        "a pair"
        for name in ("create", "update")
    ]
    kib = int(Path("/proc/meminfo").read_text().split()[1])
    section = "\n".join(
        [
            f"## Catalogue import (`make bench-import SCALE={scale}`)",
            "",
            "`bench/import_speed.py`: a synthetic catalogue (every summary with two references, "
            "a safety finding and two key takeaways; every compound with a row of each kind) of "
            f"{pairs:,} pairs, {size / 2**20:,.1f} MiB of JSON written an object a line as an "
            "export writes it; each step in a process of its own. Targets (issue 22) at "
            "1,000,000 pairs: under 20 minutes and under 1 GB peak memory.",
            "",
            "| step | time | peak resident memory | queries |",
            "|---|---|---|---|",
            *rows,
            "",
            *per_pair,
            "",
            f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}; {vendor}; "
            f"Python {platform.python_version()}; {os.cpu_count()} cores, "
            f"{kib / 2**20:.1f} GiB memory; load average at the end "
            + ", ".join(f"{load:.1f}" for load in os.getloadavg()),
            "",
        ]
    )
    text = report.RESULTS.read_text()
    title = f"## Catalogue import (`make bench-import SCALE={scale}`)"
    if title not in text:
        # A new scale's section goes after the others of the import, before the faults.
        anchor = re.search(
            r"^## (?!Catalogue import)", text[text.find("## Catalogue import") :], re.M
        )
        if "## Catalogue import" in text and anchor:
            at = text.find("## Catalogue import") + anchor.start()
            text = text[:at] + section + "\n" + text[at:]
            report.RESULTS.write_text(text)
            print(section)
            return
    report._replace_section(title, section, text)
    print(section)


if __name__ == "__main__":
    main()
