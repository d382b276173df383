"""Benchmark: how long public pages take to render, and how many queries they cost,
as the amount of live content grows.

    .venv/bin/python bench/public_pages.py [--compounds 40] [--conditions 25]

Builds a throw-away test database (SQLite by default, PostgreSQL when
DATABASE_URL names it), publishes compounds x conditions evidence summaries
through the real review workflow, then times each page kind with Django's test
client (median of repeated requests). Figures are written down in bench/RESULTS.md.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "insightswarm.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402


def build(compounds, conditions):
    from compounds import workflow
    from compounds.models import (
        Compound,
        Condition,
        EvidenceSummary,
        Mechanism,
        Reference,
        ResearchUpdate,
        SafetyNote,
    )
    from tests.factories import make_user

    editor = make_user("bench-editor", "Editor")
    advisor = make_user("bench-advisor", "Medical Advisor", byline=True)

    def publish(obj):
        workflow.submit(obj, editor)
        workflow.approve(obj, advisor)

    condition_rows = []
    for j in range(conditions):
        condition = Condition.objects.create(
            name=f"Condition {j:03}",
            slug=f"condition-{j:03}",
            specialist="oncologist",
            standard_treatment="typically involves multiple agents",
        )
        publish(condition)
        condition_rows.append(condition)
    for i in range(compounds):
        compound = Compound.objects.create(
            name=f"Compound {i:03}",
            slug=f"compound-{i:03}",
            aliases="alias one, alias two",
            drug_class="Class",
            regulatory_status="Approved as X",
            evidence_overview="Overview",
            safety_profile="Profile",
        )
        for k in range(6):
            Mechanism.objects.create(compound=compound, position=k, description=f"Mechanism {k}")
            SafetyNote.objects.create(
                compound=compound, position=k, category="side_effects", description=f"Note {k}"
            )
        publish(compound)
        for condition in condition_rows:
            summary = EvidenceSummary.objects.create(
                compound=compound,
                condition=condition,
                evidence_level="level_2",
                verdict="promising",
                evidence_basis="direct",
                human_evidence="Two trials.",
                regulatory_status="Not approved.",
            )
            for r in range(5):
                Reference.objects.create(
                    summary=summary,
                    pmid=str(10_000 + r),
                    title=f"Trial {r}",
                    year=2020,
                    study_design="rct",
                )
            publish(summary)
    for u in range(30):
        update = ResearchUpdate.objects.create(
            title=f"Update {u}",
            slug=f"update-{u}",
            summary="A study found things. " * 10,
            study_design="rct",
            date="2026-01-01",
        )
        update.compounds.set([Compound.objects.order_by("pk").first()])
        publish(update)


def measure(client, path, repeat):
    client.get(path)  # warm up
    timings = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(path)
        timings.append(time.perf_counter() - start)
    assert response.status_code == 200, (path, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    return statistics.median(timings) * 1000, len(queries), len(response.content)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--compounds", type=int, default=40)
    parser.add_argument("--conditions", type=int, default=25)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0)
    try:
        start = time.perf_counter()
        build(args.compounds, args.conditions)
        built = time.perf_counter() - start
        pairs = args.compounds * args.conditions
        print(
            f"{connection.vendor}: {args.compounds} compounds x {args.conditions} conditions "
            f"= {pairs} live pairs, published in {built:.1f} s"
        )
        client = Client()
        paths = [
            "/",
            "/compounds/",
            "/compounds/compound-000/",
            "/conditions/condition-000/",
            "/compounds/compound-000/condition-000/does-it-work/",
            "/compounds/compound-000/condition-000/evidence-level/",
            "/compounds/compound-000/condition-000/interactions/",
            "/compounds/compound-000/condition-000/safety/",
            "/research/",
            "/search/?q=compound",
            "/sitemap.xml",
            "/sitemap-safety.xml",
        ]
        print(f"{'page':58} {'median ms':>9} {'queries':>7} {'KiB':>6}")
        for path in paths:
            ms, queries, size = measure(client, path, args.repeat)
            print(f"{path:58} {ms:9.1f} {queries:7} {size / 1024:6.1f}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
