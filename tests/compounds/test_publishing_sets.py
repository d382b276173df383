"""Publishing is set-based: approving a compound or condition writes its waiting
summaries' published rows in a fixed number of queries whatever their count, and
writes exactly the rows (and so the public pages) that publishing them one at a time
wrote; the search vectors are written a set of rows a query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from compounds.evidence import StudyDesign
from compounds.models import (
    Compound,
    Condition,
    PublishedCitation,
    PublishedCompound,
    PublishedCondition,
    PublishedSummary,
)
from compounds.models.notices import StudyNotice, published_notices
from compounds.review import publishing, workflow
from pages.registry import Pair, page_types
from tests.factories import (
    approve_as,
    make_compound,
    make_condition,
    make_reference,
    make_summary,
    make_user,
    save_edit,
)

pytestmark = pytest.mark.django_db

# Crossref's test prefix: not a real study.
NOTICED_DOI = "10.5555/published-in-sets-notice"


@pytest.fixture(autouse=True)
def notice():
    return StudyNotice.objects.create(
        identifier_kind="doi",
        identifier=NOTICED_DOI,
        kind=StudyNotice.Kind.CORRECTION,
        link=f"https://doi.org/{NOTICED_DOI}",
        source="Crossref",
    )


@pytest.fixture
def people():
    return make_user("erin", "Editor"), make_user("adam", "Medical Advisor", byline=True)


def one_by_one(summaries):
    """Publishing waiting summaries as it was done before it was set-based: each
    summary's compound and condition looked up in turn. The reference the set-based
    writing is compared with."""
    compounds, conditions, rows = {}, {}, []
    for summary in summaries.iterator(chunk_size=2000):
        for cache, published, pk in (
            (compounds, PublishedCompound, summary.compound_id),
            (conditions, PublishedCondition, summary.condition_id),
        ):
            if pk not in cache:
                cache[pk] = published.objects.only("id", "name").get(pk=pk)
        rows.append(
            publishing._summary_row(
                summary.pk,
                summary.live_version,
                compounds[summary.compound_id],
                conditions[summary.condition_id],
            )
        )
    notices = published_notices({row.pk: row.data for row in rows})
    for row in rows:
        row.study_notices = notices.get(row.pk, [])
    PublishedSummary.objects.bulk_create(rows)
    publishing._write_citations(rows)


def withdrawn_hub(people, side, count):
    """A compound (side "compound") or condition withdrawn after its `count` summaries,
    each with another live compound or condition, were published: they wait for it. It
    is edited and submitted again."""
    editor, advisor = people
    hub = make_compound() if side == "compound" else make_condition()
    approve_as(hub, editor, advisor)
    for n in range(count):
        other = make_condition() if side == "compound" else make_compound()
        approve_as(other, editor, advisor)
        pair = {side: hub, ("condition" if side == "compound" else "compound"): other}
        summary = make_summary(**pair)
        if n % 2:
            # Half cite a trial behind their grade: the published row says so.
            make_reference(summary)
        if n == 2:
            # One cites a study with a correction notice, which its pages show.
            make_reference(summary, pmid="", doi=NOTICED_DOI, study_design=StudyDesign.COHORT)
        approve_as(summary, editor, advisor)
    workflow.withdraw(hub, advisor, comment="Being checked again.")
    hub = save_edit(hub, editor, name=f"{hub.name} (revised)")
    workflow.submit(hub, editor)
    return hub


def approving(hub, advisor):
    """The queries of approving the hub, and the summaries it published."""
    with CaptureQueriesContext(connection) as queries:
        workflow.approve(hub, advisor, seen_revision=hub.revision)
    side = "compound_id" if isinstance(hub, Compound) else "condition_id"
    return len(queries), PublishedSummary.objects.filter(**{side: hub.pk}).count()


@pytest.mark.parametrize("side", ["compound", "condition"])
def test_approving_a_hub_publishes_its_waiting_summaries_in_the_same_queries_for_5_and_50(
    people, side
):
    few = withdrawn_hub(people, side, 5)
    many = withdrawn_hub(people, side, 50)
    few_queries, few_published = approving(few, people[1])
    many_queries, many_published = approving(many, people[1])
    assert (few_published, many_published) == (5, 50)
    assert few_queries == many_queries


def published_rows(side, pk):
    """The published rows of the hub's summaries, and the studies they cite."""
    rows = PublishedSummary.objects.filter(**{f"{side}_id": pk}).order_by("pk")
    citations = PublishedCitation.objects.filter(summary__in=rows).order_by(
        "summary_id", "identifier_kind", "identifier"
    )
    return list(rows.values()), list(
        citations.values_list("summary_id", "identifier_kind", "identifier")
    )


def public_pages(client, hub, side):
    """Every page of the hub and of its pairs, as patients read them."""
    kind = "compounds" if side == "compound" else "conditions"
    published = publishing.PUBLISHED_MODEL[type(hub)].objects.get(pk=hub.pk)
    pages = {f"/{kind}/{published.slug}/": None}
    for row in PublishedSummary.objects.filter(**{f"{side}_id": hub.pk}).select_related(
        "compound", "condition"
    ):
        pair = Pair(row, row.compound, row.condition)
        pages.update({pair.url(page_type): None for page_type in page_types()})
    for address in pages:
        response = client.get(address)
        assert response.status_code == 200, address
        pages[address] = response.content.decode()
    return pages


@pytest.mark.parametrize("side", ["compound", "condition"])
def test_the_set_based_rows_and_pages_are_those_publishing_one_by_one_wrote(people, side, client):
    hub = withdrawn_hub(people, side, 6)
    workflow.approve(hub, people[1], seen_revision=hub.revision)
    (rows, citations), pages = published_rows(side, hub.pk), public_pages(client, hub, side)
    assert len(rows) == 6 and len(pages) == 1 + 6 * len(page_types())
    assert sorted(row["grade_cited"] for row in rows) == [False] * 3 + [True] * 3
    assert sum(bool(row["study_notices"]) for row in rows) == 1
    assert ("doi", NOTICED_DOI) in {(kind, found) for _, kind, found in citations}

    PublishedSummary.objects.filter(**{f"{side}_id": hub.pk}).delete()
    one_by_one(publishing._waiting_summaries(**{f"{side}_id": hub.pk}))
    assert published_rows(side, hub.pk) == (rows, citations)
    assert public_pages(client, hub, side) == pages


def test_rebuild_writes_what_approvals_wrote_in_queries_that_do_not_grow_with_the_rows(people):
    editor, advisor = people
    for _ in range(3):
        approve_as(make_condition(), editor, advisor)
        approve_as(make_compound(), editor, advisor)
    publishing.rebuild()  # once first, so that both count the same cached lookups
    with CaptureQueriesContext(connection) as few:
        publishing.rebuild()
    for _ in range(12):
        approve_as(make_condition(), editor, advisor)
        approve_as(make_compound(aliases="Tested alias"), editor, advisor)
    before = sorted(PublishedCompound.objects.values_list("pk", "name", "search_text"))
    with CaptureQueriesContext(connection) as many:
        publishing.rebuild()
    assert sorted(PublishedCompound.objects.values_list("pk", "name", "search_text")) == before
    assert len(many) == len(few)


@pytest.mark.skipif(connection.vendor != "postgresql", reason="search vectors: PostgreSQL")
@pytest.mark.parametrize("model", [Compound, Condition])
def test_search_vectors_written_in_sets_are_those_written_row_by_row(people, model):
    import functools
    import operator

    from django.contrib.postgres.search import SearchVector
    from django.db.models import Value

    from compounds import searchable

    editor, advisor = people
    make = make_compound if model is Compound else make_condition
    objects = [approve_as(make(), editor, advisor) for _ in range(4)]
    objects.append(approve_as(make(name="Ménière's “disease” & co."), editor, advisor))
    published = publishing.PUBLISHED_MODEL[model]
    set_based = dict(published.objects.values_list("pk", "search_vector"))
    # Row by row, with the expression the search index was written with before.
    for pk, data in published.objects.values_list("pk", "data"):
        parts = [
            SearchVector(
                Value(" ".join(searchable.words(publishing.searched_text(data, names)))),
                config="simple",
                weight=weight,
            )
            for weight, names in zip("ABCD", publishing.SEARCHED_FIELDS[model], strict=False)
        ]
        published.objects.filter(pk=pk).update(search_vector=functools.reduce(operator.add, parts))
    assert dict(published.objects.values_list("pk", "search_vector")) == set_based
    assert len(set_based) == len(objects) and all(set_based.values())
