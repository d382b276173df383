"""The public pages' compiled queries (pages/live.py, Prepared): prepared by PostgreSQL
once per connection, and counted like any other query."""

import pytest
from django.db import connection

from pages import live

pytestmark = pytest.mark.usefixtures("live_seed")


def _prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall()]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")
def test_a_pairs_query_is_prepared_once_and_then_only_run(django_assert_num_queries):
    with django_assert_num_queries(1):
        pair = live.find_pair("ketamine", "leukemia")
    assert pair.compound.slug == "ketamine"
    prepared = [sql for sql in _prepared_statements() if "compounds_publishedsummary" in sql]
    assert len(prepared) == 1
    with django_assert_num_queries(1):
        assert live.find_pair("ketamine", "chronic-pain").condition.slug == "chronic-pain"
    assert len([sql for sql in _prepared_statements() if "compounds_publishedsummary" in sql]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")
def test_prepared_statements_can_be_turned_off_for_a_pooler(settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    before = len(_prepared_statements())
    assert live.find_pair("ketamine", "leukemia") is not None
    assert live.current_slug("compound", "no-such-slug") is None
    assert len(_prepared_statements()) == before


def test_an_unknown_pair_and_an_unknown_former_slug_find_nothing():
    assert live.find_pair("ketamine", "no-such-condition") is None
    assert live.current_slug("condition", "no-such-condition") is None
