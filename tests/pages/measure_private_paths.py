"""What the private uses of pages/live.py are worth (compounds/django_internals.py): the
time of finding a pair, as a review page does, three ways. Run it on PostgreSQL:

    DATABASE_URL=postgres://... python -m pytest -q -s tests/pages/measure_private_paths.py
"""

import statistics
import time

import pytest
from django.db import connection

from compounds.models import PublishedSummary
from pages import live

pytestmark = pytest.mark.usefixtures("live_seed")

ROUNDS = 2000
SEARCH_DOCUMENT = ("search_text", "search_vector")


def _median_microseconds(find):
    for _ in range(50):
        find()
    times = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        find()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1e6


def _orm_pair():
    """The public way: the ORM compiles the query on every call."""
    row = (
        PublishedSummary.objects.select_related("compound", "condition")
        .defer(*(f"{side}__{f}" for side in ("compound", "condition") for f in SEARCH_DOCUMENT))
        .get(compound__slug="ketamine", condition__slug="leukemia")
    )
    return live.pair_of(row)


def test_measure_finding_a_pair(settings):
    assert _orm_pair().compound.slug == live.find_pair("ketamine", "leukemia").compound.slug
    settings.DEBUG = False
    figures = {}
    figures["compiled once, server-prepared"] = _median_microseconds(
        lambda: live.find_pair("ketamine", "leukemia")
    )
    settings.DATABASE_PREPARED_STATEMENTS = False
    figures["compiled once, client-side binding"] = _median_microseconds(
        lambda: live.find_pair("ketamine", "leukemia")
    )
    figures["ORM each time (public)"] = _median_microseconds(_orm_pair)
    settings.DATABASE_PREPARED_STATEMENTS = True
    figures["query alone: compiled once, server-prepared"] = _median_microseconds(
        lambda: live._PAIR("ketamine", "leukemia")
    )
    settings.DATABASE_PREPARED_STATEMENTS = False
    figures["query alone: compiled once, client-side"] = _median_microseconds(
        lambda: live._PAIR("ketamine", "leukemia")
    )
    figures["query alone: ORM each time (public)"] = _median_microseconds(
        lambda: list(live._PAIR.build("ketamine", "leukemia"))
    )
    print(f"\n{connection.vendor}: median of {ROUNDS} finds of a pair, with its rebuilding")
    for label, micros in figures.items():
        print(f"  {label:45} {micros:7.0f} µs")
