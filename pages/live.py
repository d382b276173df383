"""The queries behind the public pages: published rows only, each served by an index.

Everything here reads the published read model (compounds/models/published.py),
which holds approved content and nothing else, so no query here can return a
working copy. Pages that list content read columns; a page about one object
rebuilds it from its approved snapshot (`snapshots.approved`).
"""

import functools
import json

from django.conf import settings
from django.db import connections
from django.db.models import BigIntegerField, Func, Subquery, TextField, Value
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils.functional import SimpleLazyObject

from compounds import django_internals
from compounds.models import (
    FormerSlug,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSitePage,
    PublishedSummary,
    SitePage,
)
from compounds.review import snapshots
from compounds.review.publishing import PUBLISHED_MODEL

from . import addresses
from .registry import Pair

# The published tables of the kinds that have pages of their own, by the working
# model's name (the kind in FormerSlug and in addresses).
PUBLISHED = {
    model._meta.model_name: published
    for model, published in PUBLISHED_MODEL.items()
    if published not in (PublishedSummary, PublishedSitePage)
}


class Prepared:
    """A query compiled once per database and run again with other values.

    Compiling a queryset costs more than running it on an index: a page asked for
    often (a review page) compiles its query once, with a marker where each value
    goes, and then only executes the SQL. `build(*values)` returns a values_list()
    queryset whose values are compared exactly; rows come back as lists, through
    the fields' converters as the ORM would return them. Values are text, or with
    numbers=True integers (ids); a value used twice in a query is passed twice.
    """

    def __init__(self, build, arity, numbers=False):
        self.build = build
        self.arity = arity
        self.numbers = numbers
        self.plans = {}

    def _plan(self, connection):
        if self.numbers:
            # Ids no row has: negative, and far from any other number of a query.
            markers = [-7_340_021_000_000 - n for n in range(self.arity)]
        else:
            markers = [f"\x00slot{n}\x00" for n in range(self.arity)]
        queryset = self.build(*markers)
        sql, params, converters = django_internals.compile_once(queryset, connection)
        slots = [markers.index(p) if p in markers else None for p in params]
        if sorted(n for n in slots if n is not None) != list(range(self.arity)):
            raise ValueError("Each value of a prepared query must be one parameter of it.")
        return sql, list(zip(slots, params, strict=True)), converters

    def __call__(self, *values):
        connection = connections[PublishedSummary.objects.db]
        plan = self.plans.get(connection.vendor)
        if plan is None:
            plan = self.plans[connection.vendor] = self._plan(connection)
        sql, slots, converters = plan
        params = [value if n is None else values[n] for n, value in slots]
        with _cursor(connection) as cursor:
            cursor.execute(sql, params)
            return django_internals.convert(cursor.fetchall(), converters, connection)


def _cursor(connection):
    """A cursor for a prepared query: on PostgreSQL, one whose statements the server
    plans once per connection and then only executes. The profile of a review page's
    query showed 0.5 ms of planning for 0.1 ms of running. Queries go through Django's
    cursor wrapper all the same, so they are logged and counted like any other."""
    if connection.vendor != "postgresql" or not settings.DATABASE_PREPARED_STATEMENTS:
        return connection.cursor()
    return django_internals.server_prepared_cursor(connection)


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
    return Pair.of(snapshots.approved(row))


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


def _found_columns(kind):
    return _columns(PUBLISHED[kind], ("search_text", "search_vector"))


# A compound, condition or research update at a slug: its published row but the search
# document, which no page shows.
_FIND = {
    kind: Prepared(
        lambda slug, kind=kind: (
            PUBLISHED[kind].objects.filter(slug=slug).order_by().values_list(*_found_columns(kind))
        ),
        arity=1,
    )
    for kind in PUBLISHED
}


def find(kind, slug):
    """The approved compound, condition or research update at slug, or None: one query,
    compiled once (and one more for a research update's links)."""
    rows = _FIND[kind](slug)
    if not rows:
        return None
    model = PUBLISHED[kind]
    obj = snapshots.approved(model.from_db(model.objects.db, _found_columns(kind), rows[0]))
    if kind == "researchupdate":
        attach_links([obj])
    return obj


# The live slug of an object by a slug it was once published under: asked on every
# unknown address (a 404 or a redirect), so compiled once.
_CURRENT_SLUG = {
    kind: Prepared(
        lambda slug, kind=kind: (
            PUBLISHED[kind]
            .objects.filter(
                pk__in=FormerSlug.objects.filter(kind=kind, slug=slug).values("object_id")
            )
            .order_by("pk")
            .values_list("slug")[:1]
        ),
        arity=1,
    )
    for kind in PUBLISHED
}


def current_slug(kind, former_slug):
    """The live slug of the object that was once published as former_slug, if any."""
    rows = _CURRENT_SLUG[kind](former_slug)
    return rows[0][0] if rows else None


def letters(kind):
    """The A-Z letters that have at least one published compound (or condition), in order.

    One index probe a letter: the query steps from each letter to the next one
    (a recursive query on the A-Z index), where DISTINCT read every row of the index,
    0.4 ms for 2,000 compounds, a sixth of the home page's time in the database.
    """
    connection = connections[PublishedSummary.objects.db]
    table = connection.ops.quote_name(PUBLISHED[kind]._meta.db_table)
    letter = connection.ops.quote_name("letter")
    sql = (
        f"WITH RECURSIVE found(letter) AS (SELECT MIN({letter}) FROM {table} UNION ALL "
        f"SELECT (SELECT MIN({letter}) FROM {table} WHERE {letter} > found.letter) "
        "FROM found WHERE found.letter IS NOT NULL) "
        "SELECT letter FROM found WHERE letter IS NOT NULL"
    )
    with _cursor(connection) as cursor:
        cursor.execute(sql, [])
        return [row[0] for row in cursor.fetchall()]


def _a_to_z_columns(kind):
    return ["name", "slug", "drug_class", "aliases"] if kind == "compound" else ["name", "slug"]


def _count_of(rows):
    """A subquery of how many rows there are: COUNT(*) with no grouping."""
    count = Func(function="COUNT", template="COUNT(*)", output_field=BigIntegerField())
    return Subquery(rows.order_by().annotate(n=count).values("n"))


@functools.lru_cache(maxsize=256)
def _a_to_z_page(kind, lettered, offset, limit):
    def build(*letter):
        rows = PUBLISHED[kind].objects.all()
        if lettered:
            # The letter is given twice: once for the rows, once for their count.
            rows = rows.filter(letter=letter[0])
        counted = PUBLISHED[kind].objects.filter(letter=letter[1]) if lettered else rows
        # A page of ids is read from the ([letter,] name, id) index alone, so a late
        # page's OFFSET skips index entries rather than rows (the last page of 2,000
        # compounds took twice the first one's time).
        ids = rows.order_by("name", "id").values("id")[offset : offset + limit]
        return (
            PUBLISHED[kind]
            .objects.filter(pk__in=ids)
            .order_by("name", "id")
            .annotate(total=_count_of(counted))
            .values_list(*_a_to_z_columns(kind), "total")
        )

    return Prepared(build, arity=2 if lettered else 0)


def a_to_z(kind, letter, offset, limit):
    """A page of published compounds or conditions by name, optionally of one letter,
    and how many there are in all (None when the page is empty): one query. Rows are
    (name, slug) tuples; a compound's also carry its class and other names."""
    rows = _a_to_z_page(kind, bool(letter), offset, limit)(*([letter, letter] if letter else []))
    if not rows:
        return [], None
    return [row[:-1] for row in rows], rows[0][-1]


@functools.lru_cache(maxsize=16)
def _recent(kind, count):
    return Prepared(
        lambda: (
            PUBLISHED[kind]
            .objects.order_by("-approved_at", "id")
            .values_list(*_a_to_z_columns(kind))[:count]
        ),
        arity=0,
    )


def recently_reviewed(kind, count):
    """The most recently approved compounds or conditions, for the home page: (name, slug)
    tuples, a compound's with its class and other names."""
    return _recent(kind, count)()


# What a pair table shows of a pair: (id, compound name, condition name, evidence
# level, verdict, evidence basis, whether the grade is cited, compound slug, condition slug).
SUMMARY_ROW = (
    "id",
    "compound_name",
    "condition_name",
    "evidence_level",
    "verdict",
    "evidence_basis",
    "grade_cited",
    "compound__slug",
    "condition__slug",
)
# The columns of SUMMARY_ROW a pair table reads from the summary's own row.
_OWN = len(SUMMARY_ROW) - 2


@functools.lru_cache(maxsize=256)
def _pair_page(side, offset, limit):
    other = "condition" if side == "compound" else "compound"

    def build(pk, pk_again):
        mine = PublishedSummary.objects.filter(**{f"{side}_id": pk})
        # A page of ids is read from the (side, name, id) index alone, so a late page's
        # OFFSET skips index entries rather than joined rows.
        ids = mine.order_by(f"{other}_name", "id").values("id")[offset : offset + limit]
        counted = PublishedSummary.objects.filter(**{f"{side}_id": pk_again})
        return (
            PublishedSummary.objects.filter(pk__in=ids)
            .order_by(f"{other}_name", "id")
            .annotate(total=_count_of(counted))
            .values_list(*SUMMARY_ROW[:_OWN], f"{other}__slug", "total")
        )

    return Prepared(build, arity=2, numbers=True)


def pair_page(side, obj, offset, limit):
    """A page of the published pairs of one compound (side="compound") or one condition,
    in the order of the other side's name, and how many there are in all (None when the
    page is empty): one query. Rows are tuples of SUMMARY_ROW."""
    rows = _pair_page(side, offset, limit)(obj.pk, obj.pk)
    if not rows:
        return [], None
    if side == "compound":
        pairs = [(*row[:_OWN], obj.slug, row[_OWN]) for row in rows]
    else:
        pairs = [(*row[:_OWN], row[_OWN], obj.slug) for row in rows]
    return pairs, rows[0][-1]


# What a list of research updates reads of each: its title, address and date, and the
# approved snapshot for its study design, participants, source and summary.
UPDATE_ROW = ("title", "slug", "date", "data")


def update_rows(queryset):
    """Research updates of a queryset of research_updates() as tuples of UPDATE_ROW."""
    return queryset.values_list(*UPDATE_ROW)


@functools.lru_cache(maxsize=16)
def _latest_updates(side, limit):
    def build(*pk):
        updates = research_updates()
        if side is not None:
            # Only those approved as linked to the compound or condition.
            updates = updates.filter(**{f"links__{side}_id": pk[0]})
        return update_rows(updates)[:limit]

    return Prepared(build, arity=0 if side is None else 1, numbers=True)


def latest_updates(limit, compound=None, condition=None):
    """The newest research updates, optionally those linked to a compound or condition,
    as tuples of UPDATE_ROW: one query, compiled once."""
    if compound is not None:
        return _latest_updates("compound", limit)(compound.pk)
    if condition is not None:
        return _latest_updates("condition", limit)(condition.pk)
    return _latest_updates(None, limit)()


def research_updates():
    """Published research updates, newest first: a queryset to paginate or slice."""
    return PublishedResearchUpdate.objects.order_by("-date", "id")


def contents(rows, links=False):
    """Approved objects rebuilt from published rows; with links, research updates get
    the published compounds and conditions they name (one more query)."""
    objects = [snapshots.approved(row) for row in rows]
    if links and objects and isinstance(rows[0], PublishedResearchUpdate):
        attach_links(objects)
    return objects


# What a research update's page shows of the compounds and conditions it names: name,
# address and, from a condition's snapshot, its urgent-help notice and help lines.
_NO_TEXT = Value("", output_field=TextField())
_LINKED = (
    ("compounds", PublishedCompound, _NO_TEXT, _NO_TEXT),
    (
        "conditions",
        PublishedCondition,
        Cast(KT("data__urgent_help"), TextField()),
        Cast(KT("data__help_lines"), TextField()),
    ),
)


def _as_read(model, db, **values):
    """An instance of model as read from the database: these values, the others' defaults."""
    row = [
        values[f.attname] if f.attname in values else f.get_default()
        for f in model._meta.concrete_fields
    ]
    return model.from_db(db, None, row)


def attach_links(updates):
    """Fill the compounds and conditions of rebuilt research updates with the published
    ones they were approved with: one query for both kinds, whatever the number of
    updates.

    The linked objects carry only what a research update's page shows of them (name,
    address, urgent-help notice and help lines): rebuilding each from its whole snapshot,
    with its mechanisms, safety rows and interactions, cost more than the page itself.
    """
    parts = []
    for name, published, urgent_help, help_lines in _LINKED:
        wanted = {pk for update in updates for pk in update.snapshot_data.get(name, [])}
        if wanted:
            parts.append(
                published.objects.filter(pk__in=wanted)
                .order_by()
                .values_list(Value(name, output_field=TextField()), "pk", "name", "slug")
                .annotate(shown_urgent_help=urgent_help, shown_help_lines=help_lines)
            )
    rows = []
    if parts:
        rows = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    found = {name: {} for name, *_ in _LINKED}
    db = PublishedSummary.objects.db
    models = {name: published.content_model() for name, published, *_ in _LINKED}
    for name, pk, shown_name, slug, urgent_help, help_lines in rows:
        obj = _as_read(models[name], db, id=pk, name=shown_name, slug=slug)
        if name == "conditions":
            obj.urgent_help = urgent_help or ""
            # The lines as the condition's approved snapshot holds them, rebuilt as its
            # page rebuilds them: never read from the working rows.
            snapshots.relate_children(obj, "help_lines", json.loads(help_lines or "[]"))
        found[name][pk] = obj
    for update in updates:
        for name, *_ in _LINKED:
            linked = [
                found[name][pk] for pk in update.snapshot_data.get(name, []) if pk in found[name]
            ]
            linked.sort(key=lambda obj: (obj.name, obj.pk))
            django_internals.relate(update, name, snapshots.listing(models[name], linked))
    return updates


# The site's own pages -------------------------------------------------------------------

ADVISOR = SitePage.Kind.ADVISOR.value
# The footer's links, in its order: the site's own pages, then the advisors' list.
FOOTER = [
    (kind.value, kind.label) for kind in SitePage.Kind if kind is not SitePage.Kind.ADVISOR
] + [("advisor_list", "Our medical advisors")]

# Every live site page, a few rows: what every page's footer and byline link to.
_SITE_PAGES = Prepared(
    lambda: PublishedSitePage.objects.order_by("kind", "name", "id").values_list(
        "kind", "slug", "name", "credentials", "advisor_id"
    ),
    arity=0,
)


class SiteLinks:
    """The site's own pages that are live, and where they are: the footer links each, a
    byline the page of the advisor who approved what it shows, structured data the
    contact page and the editorial policy."""

    def __init__(self, rows):
        self.rows = rows
        self._pages = {kind: slug for kind, slug, _, _, _ in rows if kind != ADVISOR}
        self._advisors = {
            advisor_id: slug for kind, slug, _, _, advisor_id in rows if kind == ADVISOR
        }

    def url(self, kind):
        """The address of the site's page of this kind (SitePage.Kind), if it is live."""
        if kind not in self._pages:
            return None
        return addresses.pattern(f"pages:{kind}", [])

    def advisor_url(self, advisor_id):
        """The address of the advisor's page, if it is live (advisor_id None: nobody's)."""
        slug = self._advisors.get(advisor_id)
        return None if slug is None else addresses.pattern("pages:advisor", ["slug"]).format(slug)

    @property
    def advisors(self):
        """The live advisors' pages: (address, name, credentials), by name."""
        page = addresses.pattern("pages:advisor", ["slug"])
        return [
            (page.format(slug), name, credentials)
            for kind, slug, name, credentials, _ in self.rows
            if kind == ADVISOR
        ]

    @property
    def footer(self):
        """(label, address) of each live page the footer links, in its order."""
        links = []
        for kind, label in FOOTER:
            if kind == "advisor_list":
                if self._advisors:
                    links.append((label, addresses.pattern("pages:advisor_list", [])))
            elif kind in self._pages:
                links.append((label, self.url(kind)))
        return links


def site_links(request):
    """The live site pages' links for the page being rendered: read once a request."""
    links = getattr(request, "site_links", None)
    if links is None:
        links = request.site_links = SiteLinks(_SITE_PAGES())
    return links


def links_context(request):
    """Context processor: `site_links`, read only if the page uses it (every page's footer
    does; a PDF does not)."""
    return {"site_links": SimpleLazyObject(lambda: site_links(request))}


_SITE_PAGE_COLUMNS = [f.attname for f in PublishedSitePage._meta.concrete_fields]
_SITE_PAGE = Prepared(
    lambda kind, slug: (
        PublishedSitePage.objects.filter(kind=kind, slug=slug)
        .order_by()
        .values_list(*_SITE_PAGE_COLUMNS)
    ),
    arity=2,
)


def find_site_page(kind, slug):
    """The approved site page of this kind at this slug (a page of the site's own is at
    its kind), or None. Its `version` is its published row: name, credentials, byline."""
    rows = _SITE_PAGE(kind, slug)
    if not rows:
        return None
    row = PublishedSitePage.from_db(PublishedSitePage.objects.db, _SITE_PAGE_COLUMNS, rows[0])
    return snapshots.approved(row)


# What an advisor's page lists of each review they approved.
REVIEWED_ROW = ("compound_name", "condition_name", "compound__slug", "condition__slug")


def _advisor_reviews_query(limit):
    def build(advisor_id, advisor_id_again):
        mine = PublishedSummary.objects.filter(reviewer_id=advisor_id)
        # The latest ids are read from the (reviewer, approved, id) index alone.
        ids = mine.order_by("-approved_at", "-id").values("id")[:limit]
        counted = PublishedSummary.objects.filter(reviewer_id=advisor_id_again)
        return (
            PublishedSummary.objects.filter(pk__in=ids)
            .order_by("-approved_at", "-id")
            .annotate(total=_count_of(counted))
            .values_list(*REVIEWED_ROW, "approved_at", "total")
        )

    return Prepared(build, arity=2, numbers=True)


_advisor_reviews = functools.lru_cache(maxsize=4)(_advisor_reviews_query)


def advisor_reviews(advisor_id, limit):
    """The live reviews whose current version the advisor approved, the latest `limit` of
    them, and how many there are in all: one query. Rows are REVIEWED_ROW and the
    moment of approval."""
    rows = _advisor_reviews(limit)(advisor_id, advisor_id)
    if not rows:
        return [], 0
    return [row[:-1] for row in rows], rows[0][-1]
