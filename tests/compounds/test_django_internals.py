"""What compounds/django_internals.py relies on in Django's private workings.

Each test names the behaviour the project depends on; one that fails after a Django
upgrade says which private use to rework before the upgrade can go ahead.
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Value
from django.db.models.fields.json import KT

from compounds import django_internals
from compounds.models import Compound, EvidenceSummary, Mechanism, PublishedCompound
from tests.factories import make_compound, make_condition

pytestmark = pytest.mark.django_db


def test_a_listing_lists_its_instances_without_a_query(django_assert_num_queries):
    mechanisms = [Mechanism(id=1, description="Blocks NMDA"), Mechanism(id=2, description="Other")]
    listing = django_internals.list_in(Mechanism, mechanisms)
    with django_assert_num_queries(0):
        assert list(listing) == mechanisms
        assert len(listing) == 2
        assert listing.count() == 2
        assert listing.exists()
        assert listing[1] is mechanisms[1]


def test_a_further_query_on_a_listing_finds_nothing_and_reads_nothing(django_assert_num_queries):
    make_compound()
    listing = django_internals.list_in(Compound, [Compound(id=1, name="Not in the table")])
    with django_assert_num_queries(0):
        assert list(listing.filter(name="Not in the table")) == []
        assert list(listing.order_by("name")) == []


def test_a_related_manager_lists_what_it_was_given_without_a_query(django_assert_num_queries):
    compound = make_compound()
    Mechanism.objects.create(compound=compound, description="In the working copy")
    given = [Mechanism(id=99, description="Approved")]
    django_internals.relate(compound, "mechanisms", django_internals.list_in(Mechanism, given))
    with django_assert_num_queries(0):
        assert list(compound.mechanisms.all()) == given
        assert compound.mechanisms.count() == 1


def test_a_many_to_one_left_unread_reads_no_row_and_keeps_its_id(django_assert_num_queries):
    summary = EvidenceSummary.objects.create(compound=make_compound(), condition=make_condition())
    summary = EvidenceSummary.objects.get(pk=summary.pk)
    compound_id = summary.compound_id
    django_internals.leave_unread(summary, "compound")
    # A required relation left unread is missing, never the working copy's row.
    missing = pytest.raises(EvidenceSummary.compound.RelatedObjectDoesNotExist)
    with django_assert_num_queries(0), missing:
        summary.compound  # noqa: B018
    assert summary.compound_id == compound_id


def test_a_query_compiled_once_converts_its_rows_as_the_orm_does():
    compound = make_compound()
    PublishedCompound.objects.create(
        id=compound.pk,
        name="Ketamine",
        slug="ketamine",
        letter="K",
        drug_class="Anaesthetic",
        data={"urgent_help": "Call 911", "n": 1},
        approved_at=datetime.datetime(2025, 1, 2, 3, 4, tzinfo=datetime.UTC),
        version_number=1,
        reviewer_name="Dr A",
        reviewer_credentials="MD",
        next_review_due=datetime.date(2026, 1, 2),
    )
    queryset = PublishedCompound.objects.filter(slug="ketamine").values_list(
        "name",
        "data",
        "approved_at",
        "next_review_due",
        KT("data__urgent_help"),
        Value(Decimal("1.5")),
    )
    sql, params, converters = django_internals.compile_once(queryset, connection)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = django_internals.convert(cursor.fetchall(), converters, connection)
    assert [tuple(row) for row in rows] == list(queryset)
    assert rows[0][1] == {"urgent_help": "Call 911", "n": 1}
    assert rows[0][2] == datetime.datetime(2025, 1, 2, 3, 4, tzinfo=datetime.UTC)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements of PostgreSQL")
def test_a_server_prepared_cursor_prepares_its_statement_and_is_counted(
    django_assert_num_queries,
):
    with django_assert_num_queries(1), django_internals.server_prepared_cursor(connection) as c:
        c.execute("SELECT %s::int + 41", [1])
        assert c.fetchone() == (42,)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        assert any("+ 41" in row[0] for row in cursor.fetchall())
