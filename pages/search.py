"""Search over what is published: a pair's pages first, then compounds, conditions and
research updates.

Readers type questions ("does esketamine help depression", "spravato for depression",
"leukaemia"): pages/search_query.py reads them into the units that must be found, each a word
or a search synonym's term with its meanings. A compound and a condition whose names
(and a compound's other names) share out the units between them are a pair: its pages
come first, the one the query asks about first ("is ... safe" the safety page, otherwise
"Does it work?"), then its other pages and the compound's and condition's own pages. A
query naming one compound or condition only lists its first pairs. Conditions a query
names show their urgent-help notice before anything else (the crisis terms are synonyms
of the condition that carries the crisis line), and promoted results come before the
pairs.

What is searched is stored with each published row at approval
(compounds/review/publishing.py): its words normalised by compounds/searchable.py, so
"meniere" finds Ménière's disease and "5-HT1A", "CoQ10" or "St. John's wort" are found
as typed and by their parts. PostgreSQL matches every typed word as a prefix against a
weighted tsvector under a GIN index and ranks by it; SQLite, the embedded default,
matches the same words in the stored text.

The cost of a search does not grow with the number of pairs: compounds and conditions
are matched by their names first (a few dozen rows at most), and only the pairs among
those are looked up, by the pair's unique index.
"""

import json
import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Q, TextField, Value, When
from django.db.models.fields.json import KT
from django.db.models.functions import Cast

from compounds import searchable
from compounds.models import (
    Condition,
    PromotedResult,
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
    SearchSynonym,
)
from compounds.models.search import meanings_of
from compounds.review import snapshots

from . import pinned, search_query
from .addresses import pattern
from .registry import Pair, page_types

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 20
# More than this many things to find add nothing a reader needs and make the query costlier.
MAX_WORDS = 8
MAX_PAIRS = 10
MAX_PROMOTED = 3
MAX_NOTICES = 3
# The compounds (and the conditions) whose names match best, of which pairs are made.
PAIR_SIDES = 20
# Rows matched by name before they are ranked here: PostgreSQL ranks them first.
NAMED_ROWS = {"postgresql": 50}
NAMED_ROWS_OTHERWISE = 500

# How well a row matches a unit of the query.
WHOLE_NAME_WORD, NAME_PREFIX, ELSEWHERE, NOT_FOUND = 3, 2, 1, 0


@dataclass
class Results:
    # Conditions named by the query that carry an urgent-help notice.
    notices: list
    promoted: list
    pairs: list
    # The compound and condition the query names when no review of them is published:
    # (compound, condition), or None.
    unreviewed: tuple | None
    compounds: list
    conditions: list
    updates: list

    def __bool__(self):
        return bool(
            self.promoted
            or self.pairs
            or self.unreviewed
            or self.compounds
            or self.conditions
            or self.updates
        )


@dataclass
class Named:
    """A compound or condition whose name matches some unit of the query."""

    kind: str
    pk: int
    name: str
    slug: str
    # How well it matches each unit of the query, in order.
    strengths: tuple
    # A condition's urgent-help notice and its help lines (JSON), from its snapshot.
    urgent_help: str = ""
    help_lines: str = ""

    @property
    def score(self):
        return sum(self.strengths)

    @property
    def by_name(self):
        return max(self.strengths) >= NAME_PREFIX

    @property
    def url(self):
        return pattern(f"pages:{self.kind}", ["slug"]).format(self.slug)


@dataclass
class FoundPage:
    name: str
    heading: str
    url: str


@dataclass
class FoundPair:
    """A pair found: its pages in the order the query asks for, and its two hubs."""

    compound: Named
    condition: Named
    pages: list


def clean_query(raw):
    """The query to run and, when it cannot run as typed, why, in the reader's words."""
    query = " ".join(re.sub(r"[\x00-\x1f\x7f]", " ", raw).split())
    if len(query) > MAX_QUERY_LENGTH:
        return query[:MAX_QUERY_LENGTH], (
            f"Searches are limited to {MAX_QUERY_LENGTH} characters; we searched for the "
            "first part of yours."
        )
    if query and not searchable.query_words(query):
        return query, "Type a word to search for, such as a compound or condition name."
    return query, None


def has_words(query):
    """Whether a cleaned query has anything to search for."""
    return bool(searchable.query_words(query))


def run(query):
    """Published matches of a query cleaned by clean_query."""
    words = searchable.typed_words(query)
    synonyms, promoted = _terms(search_query.runs(words))
    read = search_query.read(words, synonyms)
    units = read.units[:MAX_WORDS]
    find = _ranked if connection.vendor == "postgresql" else _matching
    compounds = _named("compound", units)
    conditions = _named("condition", units)
    pairs, unreviewed = _pairs(units, compounds, conditions, read.asks)
    return Results(
        notices=_notices(conditions),
        promoted=_promoted(promoted),
        pairs=pairs,
        unreviewed=unreviewed,
        compounds=find(_listed(PublishedCompound, "drug_class").order_by("name", "id"), units),
        conditions=find(_listed(PublishedCondition).order_by("name", "id"), units),
        updates=find(_listed(PublishedResearchUpdate).order_by("-date", "id"), units),
    )


# Finding rows whose stored words hold every unit ---------------------------------------------


def _listed(model, *columns):
    """The rows of model with what a list of results shows: its heading and address, not
    the approved snapshot, which is most of a row."""
    heading = "title" if model is PublishedResearchUpdate else "name"
    return model.objects.only("pk", heading, "slug", *columns)


def _matching(rows, units):
    """SQLite: each unit's words start words of the stored text; matches in the name first."""
    for unit in units:
        rows = rows.filter(_any_alternative(unit))
    heading = "title" if rows.model is PublishedResearchUpdate else "name"
    in_heading = Case(
        When(**{f"{heading}__icontains": units[0].typed[0]}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(rows.order_by(in_heading, *rows.query.order_by)[:MAX_RESULTS])


def _any_alternative(unit):
    found = Q()
    for words in unit.alternatives:
        every = Q()
        for word in words:
            every &= Q(search_text__contains=f" {word}")
        found |= every
    return found


def _ranked(rows, units):
    """PostgreSQL: each unit's words prefixes of indexed words, best match first."""
    query = _tsquery(units, " & ")
    return list(
        rows.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", *rows.query.order_by)[:MAX_RESULTS]
    )


def _tsquery(units, joined_by, weights=""):
    """The units as a tsquery: each word a prefix, in the given weights (fields) only.

    The words are letters and digits only (compounds/searchable.py), so they are safe to
    join into tsquery syntax.
    """

    def unit_query(unit):
        return " | ".join(
            "(" + " & ".join(f"{word}:*{weights}" for word in words) + ")"
            for words in unit.alternatives
        )

    text = joined_by.join(f"({unit_query(unit)})" for unit in units)
    return SearchQuery(text, search_type="raw", config="simple")


# Compounds and conditions named by the query, and the pairs they make -----------------------

_NAMED_MODEL = {"compound": PublishedCompound, "condition": PublishedCondition}
_NO_TEXT = Value("", output_field=TextField())
# The fields that name a row: weights A and B of a compound's search vector (name, other
# names), weight A of a condition's (name); compounds/review/publishing.py.
_NAME_WEIGHTS = {"compound": "AB", "condition": "A"}


def _named(kind, units):
    """The compounds (or conditions) whose names match any unit, best first."""
    model = _NAMED_MODEL[kind]
    rows = model.objects.all()
    limit = NAMED_ROWS.get(connection.vendor, NAMED_ROWS_OTHERWISE)
    if connection.vendor == "postgresql":
        query = _tsquery(units, " | ", _NAME_WEIGHTS[kind])
        rows = rows.filter(search_vector=query).annotate(rank=SearchRank(F("search_vector"), query))
        order = ["-rank", "name", "id"]
    else:
        anywhere = Q()
        for unit in units:
            anywhere |= _any_alternative(unit)
        rows = rows.filter(anywhere)
        order = ["name", "id"]
    if kind == "compound":
        rows = rows.annotate(shown_urgent_help=_NO_TEXT, shown_help_lines=_NO_TEXT)
        columns = ["pk", "name", "slug", "search_text", "aliases"]
    else:
        rows = rows.annotate(
            shown_urgent_help=Cast(KT("data__urgent_help"), TextField()),
            shown_help_lines=Cast(KT("data__help_lines"), TextField()),
        )
        columns = ["pk", "name", "slug", "search_text", _NO_TEXT]
    columns += ["shown_urgent_help", "shown_help_lines"]
    found = []
    for pk, name, slug, text, aliases, urgent_help, help_lines in rows.order_by(*order).values_list(
        *columns
    )[:limit]:
        strengths = _strengths(units, searchable.words(f"{name} {aliases}"), text.split())
        if max(strengths, default=NOT_FOUND) >= NAME_PREFIX:
            found.append(
                Named(kind, pk, name, slug, strengths, urgent_help or "", help_lines or "")
            )
    # Stable: among equal scores, the database's order (its rank, then the name) stays.
    found.sort(key=lambda row: -row.score)
    return found


def _strengths(units, name_words, other_words):
    return tuple(_strength(unit, name_words, other_words) for unit in units)


def _strength(unit, name_words, other_words):
    best = NOT_FOUND
    for words in unit.alternatives:
        if all(word in name_words for word in words):
            return WHOLE_NAME_WORD
        if all(_starts_one(word, name_words) for word in words):
            best = max(best, NAME_PREFIX)
        elif all(_starts_one(word, other_words) for word in words):
            best = max(best, ELSEWHERE)
    return best


def _starts_one(word, words):
    return any(candidate.startswith(word) for candidate in words)


def _notices(conditions):
    """The conditions the query names that carry urgent help, once each notice, rebuilt
    with what pages/jinja2/pages/includes/urgent_help.html shows: the notice and the help
    lines as the condition's approved snapshot holds them."""
    notices, seen = [], set()
    for named in conditions:
        lines = json.loads(named.help_lines or "[]")
        # Conditions that send readers to the same help lines ("depressed" names both
        # depression and suicidal ideation) show them once: the best match's notice.
        shown = (
            tuple((line.get("country"), line.get("service"), line.get("contact")) for line in lines)
            or named.urgent_help
        )
        if (named.urgent_help or lines) and shown not in seen and len(notices) < MAX_NOTICES:
            seen.add(shown)
            condition = Condition(
                id=named.pk, name=named.name, slug=named.slug, urgent_help=named.urgent_help
            )
            snapshots.relate_children(condition, "help_lines", lines)
            notices.append(condition)
    return notices


def _terms(keys):
    """The synonyms {key: meanings} and the promoted addresses of the terms among keys (runs
    of the query's words): one query."""
    synonyms = (
        SearchSynonym.objects.filter(key__in=keys)
        .order_by()
        .values_list("key", "means", Value(True), "id")
    )
    promoted = (
        PromotedResult.objects.filter(key__in=keys)
        .order_by()
        .values_list("key", "page", Value(False), "id")
    )
    found, addresses = {}, []
    for key, text, is_synonym, _ in synonyms.union(promoted, all=True).order_by("key", "id"):
        if is_synonym:
            found[key] = meanings_of(text)
        else:
            addresses.append(text)
    return found, addresses


def _promoted(addresses):
    """The published pages at promoted addresses, once each."""
    pages = []
    for address in addresses:
        page = pinned.page_at(address)
        if page is not None and page not in pages:
            pages.append(page)
            if len(pages) == MAX_PROMOTED:
                break
    return pages


def _pairs(units, compounds, conditions, asks):
    """The pairs the query names, best first, and the compound and condition it names
    when they have no published review.

    A pair is a compound and a condition that share the query's units out between
    their names; when the query names one compound or condition only, its first pairs
    are listed.
    """
    compounds = compounds[:PAIR_SIDES]
    conditions = conditions[:PAIR_SIDES]
    candidates = [
        (compound, condition)
        for compound in compounds
        for condition in conditions
        if _share_out(units, compound, condition)
    ]
    if candidates:
        candidates.sort(key=lambda pair: (-_pair_score(*pair), pair[0].name, pair[1].name))
        existing = set(
            PublishedSummary.objects.filter(
                compound_id__in={compound.pk for compound, _ in candidates},
                condition_id__in={condition.pk for _, condition in candidates},
            ).values_list("compound_id", "condition_id")
        )
        found = [pair for pair in candidates if (pair[0].pk, pair[1].pk) in existing]
        if not found:
            return [], candidates[0]
        return [_found_pair(*pair, asks) for pair in found[:MAX_PAIRS]], None
    named = [row for row in compounds + conditions if min(row.strengths) >= NAME_PREFIX]
    if len(named) != 1:
        return [], None
    return _pairs_of(named[0], asks), None


def _share_out(units, compound, condition):
    """Whether the two together find every unit, each by its name for a different one."""
    if any(
        max(c, d) == NOT_FOUND for c, d in zip(compound.strengths, condition.strengths, strict=True)
    ):
        return False
    by_compound = [n for n, strength in enumerate(compound.strengths) if strength >= NAME_PREFIX]
    by_condition = [n for n, strength in enumerate(condition.strengths) if strength >= NAME_PREFIX]
    return any(a != b for a in by_compound for b in by_condition)


def _pair_score(compound, condition):
    return sum(max(c, d) for c, d in zip(compound.strengths, condition.strengths, strict=True))


def _pairs_of(row, asks):
    """The first pairs of one compound or condition, by the other side's name."""
    other = "condition" if row.kind == "compound" else "compound"
    pairs = (
        PublishedSummary.objects.filter(**{f"{row.kind}_id": row.pk})
        .order_by(f"{other}_name", "id")
        .values_list(f"{other}_id", f"{other}_name", f"{other}__slug")[:MAX_PAIRS]
    )
    found = []
    for pk, name, slug in pairs:
        other_row = Named(other, pk, name, slug, ())
        sides = (row, other_row) if row.kind == "compound" else (other_row, row)
        found.append(_found_pair(*sides, asks))
    return found


def _found_pair(compound, condition, asks):
    pair = Pair(None, compound, condition)
    ordered = list(asks) + [page_type for page_type in page_types() if page_type not in asks]
    pages = [
        FoundPage(page_type.name, page_type.heading(pair), pair.url(page_type))
        for page_type in ordered
    ]
    return FoundPair(compound, condition, pages)
