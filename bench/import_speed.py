"""How long importing a 20,000-pair catalogue takes: `make bench-import`.

Writes a synthetic catalogue file (200 compounds x 100 conditions, every summary
with two references and a safety finding, every compound with a row of each
kind), migrates an empty database, and times `import_catalogue --submit` on it:
reading, checking, then writing and submitting every object for review. Then
times the export of what was imported. Not a test: a figure for bench/results.md.

The database is DATABASE_URL, or a fresh SQLite file in the system's temporary
directory; on PostgreSQL give it a database of its own, it is emptied first.
"""

import json
import os
import sys
import tempfile
import time
from pathlib import Path


def catalogue(compounds=200, conditions=100):
    def reference(n):
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

    source = {"source": "Label 5.1", "source_url": "https://example.org/label"}
    document = {"format": "insightswarm-catalogue", "version": 1, "compounds": []}
    for c in range(compounds):
        document["compounds"].append(
            {
                "slug": f"compound-{c}",
                "name": f"Compound {c}",
                "aliases": f"alias {c}",
                "drug_class": "Test class",
                "regulatory_status": "Not approved anywhere.",
                "evidence_overview": "Studied in a few small trials.",
                "safety_profile": "Generally tolerated.",
                "mechanisms": [{"position": 1, "description": "Receptor antagonism"}],
                "safety_notes": [
                    {"position": 1, "category": "side_effects", "description": "Nausea"}
                ],
                "monitoring": [
                    {
                        "position": 1,
                        "what": "Blood pressure",
                        "when": "After each dose",
                        "how_long": "",
                        **source,
                    }
                ],
                "cautions": [
                    {"position": 1, "kind": "caution", "description": "Use with care.", **source}
                ],
                "interactions": [
                    {
                        "position": 1,
                        "drug": "Benzodiazepines",
                        "severity": "major",
                        "effect": "More sleepiness",
                        "management": "Watch closely",
                        **source,
                    }
                ],
            }
        )
    document["conditions"] = [
        {
            "slug": f"condition-{d}",
            "name": f"Condition {d}",
            "specialist": "oncologist",
            "urgent_help": "",
            "standard_treatment": "typically involves multiple agents",
        }
        for d in range(conditions)
    ]
    document["evidence_summaries"] = [
        {
            "compound": f"compound-{c}",
            "condition": f"condition-{d}",
            "evidence_level": "level_2",
            "verdict": "promising",
            "evidence_basis": "direct",
            "preclinical_evidence": "",
            "human_evidence": "Two randomized trials.",
            "regulatory_status": "Not approved for this condition.",
            "has_condition_safety_data": True,
            "key_takeaways": "It may help.\nIt is not proven.",
            "mechanism_relevance_documented": False,
            "references": [
                reference(2 * (c * conditions + d)),
                reference(2 * (c * conditions + d) + 1),
            ],
            "safety_findings": [
                {"position": 1, "kind": "finding", "description": "Well tolerated.", **source}
            ],
        }
        for c in range(compounds)
        for d in range(conditions)
    ]
    document["research_updates"] = []
    return document


def main():
    workdir = Path(tempfile.mkdtemp(prefix="import-bench-"))
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{workdir / 'bench.sqlite3'}")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    call_command("flush", "--no-input", verbosity=0) if connection.vendor == "postgresql" else None
    call_command("migrate", verbosity=0)
    get_user_model().objects.create_superuser("bench-importer", password=None)
    path = workdir / "catalogue.json"
    path.write_text(json.dumps(catalogue()))
    size = path.stat().st_size
    started = time.perf_counter()
    call_command("import_catalogue", str(path), "--user", "bench-importer", "--submit")
    imported = time.perf_counter() - started
    started = time.perf_counter()
    call_command("export_catalogue", str(workdir / "export.json"), verbosity=0)
    exported = time.perf_counter() - started
    print(
        f"\n{connection.vendor}: imported 20,000 pairs ({size / 2**20:.1f} MB of JSON; 20,300 "
        f"objects, submitted for review) in {imported:.1f} s; exported them in {exported:.1f} s."
    )


if __name__ == "__main__":
    main()
