"""The queries behind the public pages: published rows only, each served by an index.

Everything here reads the published read model (compounds/models/published.py),
which holds approved content and nothing else, so no query here can return a
working copy. Pages that list content read columns; a page about one object
rebuilds it from its approved snapshot (`content()`).
"""

from django.db import connections

from compounds import snapshots
from compounds.models import (
    FormerSlug,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
)
from compounds.publishing import PUBLISHED_MODEL

from .registry import Pair

# The published tables of the kinds that have pages of their own, by the working
# model's name (the kind in FormerSlug and in addresses).
PUBLISHED = {
    model._meta.model_name: published
    for model, published in PUBLISHED_MODEL.items()
    if published is not PublishedSummary
}


class Prepared:
    """A query compiled once per database and run again with other values.

    Compiling a queryset costs more than running it on an index: a page asked for
    often (a review page) compiles its query once, with a marker where each value
    goes, and then only executes the SQL. `build(*values)` returns a values_list()
    queryset whose values are compared exactly; rows come back as lists, through
    the fields' converters as the ORM would return them.
    """

    def __init__(self, build, arity):
        self.build = build
        self.arity = arity
        self.plans = {}

    def _plan(self, connection):
        markers = [f"\x00slot{n}\x00" for n in range(self.arity)]
        queryset = self.build(*markers)
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        slots = [markers.index(p) if p in markers else None for p in params]
        if sorted(n for n in slots if n is not None) != list(range(self.arity)):
            raise ValueError("Each value of a prepared query must be one parameter of it.")
        columns = [column for column, _, _ in compiler.select]
        converters = list(compiler.get_converters(columns).items())
        return sql, list(zip(slots, params, strict=True)), converters

    def __call__(self, *values):
        connection = connections[PublishedSummary.objects.db]
        plan = self.plans.get(connection.vendor)
        if plan is None:
            plan = self.plans[connection.vendor] = self._plan(connection)
        sql, slots, converters = plan
        params = [value if n is None else values[n] for n, value in slots]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = [list(row) for row in cursor.fetchall()]
        for row in rows:
            for position, (functions, expression) in converters:
                value = row[position]
                for function in functions:
                    value = function(value, expression, connection)
                row[position] = value
        return rows


def _columns(model, leave_out=()):
    return [f.attname for f in model._meta.concrete_fields if f.name not in leave_out]


# What a pair's pages read of its three published rows: everything but the search
# document of the compound and the condition, which no page shows.
_PAIR_COLUMNS = [
    (PublishedSummary, None, _columns(PublishedSummary)),
    (PublishedCompound, "compound", _columns(PublishedCompound, ("search_text", "search_vector"))),
    (
        PublishedCondition,
        "condition",
        _columns(PublishedCondition, ("search_text", "search_vector")),
    ),
]
_PAIR = Prepared(
    lambda compound, condition: (
        PublishedSummary.objects.filter(compound__slug=compound, condition__slug=condition)
        .order_by()
        .values_list(
            *(
                f"{prefix}__{column}" if prefix else column
                for _, prefix, columns in _PAIR_COLUMNS
                for column in columns
            )
        )
    ),
    arity=2,
)


def pair_of(row):
    """The pair of a published summary selected with its compound and condition."""
    return Pair.of(row.content())


def find_pair(compound_slug, condition_slug):
    """The pair at these slugs, or None: one query, compiled once."""
    rows = _PAIR(compound_slug, condition_slug)
    if not rows:
        return None
    values = rows[0]
    db = PublishedSummary.objects.db
    published = []
    for model, _, columns in _PAIR_COLUMNS:
        published.append(model.from_db(db, columns, values[: len(columns)]))
        values = values[len(columns) :]
    summary, compound, condition = published
    PublishedSummary.compound.field.set_cached_value(summary, compound)
    PublishedSummary.condition.field.set_cached_value(summary, condition)
    return pair_of(summary)


def find(kind, slug):
    """The approved compound, condition or research update at slug, or None."""
    row = PUBLISHED[kind].objects.filter(slug=slug).first()
    if row is None:
        return None
    obj = row.content()
    if kind == "researchupdate":
        attach_links([obj])
    return obj


def current_slug(kind, former_slug):
    """The live slug of the object that was once published as former_slug, if any."""
    moved = FormerSlug.objects.filter(kind=kind, slug=former_slug).values("object_id")
    return PUBLISHED[kind].objects.filter(pk__in=moved).values_list("slug", flat=True).first()


def letters(kind):
    """The A-Z letters that have at least one published compound (or condition)."""
    return list(
        PUBLISHED[kind].objects.order_by("letter").values_list("letter", flat=True).distinct()
    )


def a_to_z(kind, letter=None):
    """Published compounds or conditions by name, optionally of one letter: a queryset to
    paginate, of rows that carry what a list shows (name, slug, class, aliases)."""
    rows = PUBLISHED[kind].objects.order_by("name", "id")
    if letter:
        rows = rows.filter(letter=letter)
    fields = ["id", "name", "slug", "letter", "approved_at"]
    if kind == "compound":
        fields += ["drug_class", "aliases"]
    return rows.only(*fields)


def recently_reviewed(kind, count):
    """The most recently approved compounds or conditions, for the home page."""
    return a_to_z(kind).order_by("-approved_at", "id")[:count]


def summary_ids_for(compound=None, condition=None):
    """The ids of the published pairs of one compound or one condition, in the order of
    the other side's name: a queryset to paginate.

    A page of ids is read from the (side, name, id) index alone, so a late page's OFFSET
    skips index entries rather than joined rows; `summaries` then reads that page's rows.
    """
    rows = PublishedSummary.objects.values_list("id", flat=True)
    if compound is not None:
        return rows.filter(compound_id=compound.pk).order_by("condition_name", "id")
    return rows.filter(condition_id=condition.pk).order_by("compound_name", "id")


def summaries(ids):
    """The published pair rows of ids, in that order, as tuples of what a pair table
    shows: (id, compound name, condition name, evidence level, verdict, evidence
    basis, compound slug, condition slug)."""
    ids = list(ids)
    rows = PublishedSummary.objects.filter(pk__in=ids).values_list(*SUMMARY_ROW)
    found = {row[0]: row for row in rows.order_by()}
    return [found[pk] for pk in ids if pk in found]


SUMMARY_ROW = (
    "id",
    "compound_name",
    "condition_name",
    "evidence_level",
    "verdict",
    "evidence_basis",
    "compound__slug",
    "condition__slug",
)


def research_updates(compound=None, condition=None):
    """Published research updates, newest first, optionally only those approved as linked
    to a compound or condition: a queryset to paginate or slice."""
    updates = PublishedResearchUpdate.objects.order_by("-date", "id")
    if compound is not None:
        updates = updates.filter(links__compound_id=compound.pk)
    if condition is not None:
        updates = updates.filter(links__condition_id=condition.pk)
    return updates


def contents(rows, links=False):
    """Approved objects rebuilt from published rows; with links, research updates get
    the published compounds and conditions they name (two more queries)."""
    objects = [row.content() for row in rows]
    if links and objects and isinstance(rows[0], PublishedResearchUpdate):
        attach_links(objects)
    return objects


def attach_links(updates):
    """Fill the compounds and conditions of rebuilt research updates with the published
    ones they were approved with: one query per kind, whatever the number of updates."""
    for name, published in (("compounds", PublishedCompound), ("conditions", PublishedCondition)):
        wanted = {pk for update in updates for pk in update.snapshot_data.get(name, [])}
        found = {row.pk: row.content() for row in published.objects.filter(pk__in=wanted)}
        for update in updates:
            linked = [found[pk] for pk in update.snapshot_data.get(name, []) if pk in found]
            linked.sort(key=lambda obj: (obj.name, obj.pk))
            model = published.content_model()
            update._prefetched_objects_cache[name] = snapshots.listing(model, linked)
    return updates
