"""Search over published compounds (names, aliases, class), conditions and research updates.

What is searched is stored with each published row at approval
(compounds/review/publishing.py): its words normalised by compounds/searchable.py, so
"meniere" finds Ménière's disease and "5-HT1A", "CoQ10" or "St. John's wort"
are found as typed and by their parts. PostgreSQL matches every typed word as
a prefix against a weighted tsvector under a GIN index and ranks by it; SQLite,
the embedded default, matches the same words in the stored text.
"""

import re
from dataclasses import dataclass

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, IntegerField, Value, When

from compounds import searchable
from compounds.models import PublishedCompound, PublishedCondition, PublishedResearchUpdate

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 20
# More words than this add nothing a reader needs and make the query costlier.
MAX_WORDS = 8


@dataclass
class Results:
    compounds: list
    conditions: list
    updates: list

    def __bool__(self):
        return bool(self.compounds or self.conditions or self.updates)


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
    words = searchable.query_words(query)[:MAX_WORDS]
    find = _ranked if connection.vendor == "postgresql" else _matching
    return Results(
        compounds=find(PublishedCompound.objects.order_by("name", "id"), words),
        conditions=find(PublishedCondition.objects.order_by("name", "id"), words),
        updates=find(PublishedResearchUpdate.objects.order_by("-date", "id"), words),
    )


def _matching(rows, words):
    """SQLite: every word starts a word of the stored text; matches in the name first."""
    for word in words:
        rows = rows.filter(search_text__contains=f" {word}")
    heading = "title" if rows.model is PublishedResearchUpdate else "name"
    in_heading = Case(
        When(**{f"{heading}__icontains": words[0]}, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return list(rows.order_by(in_heading, *rows.query.order_by)[:MAX_RESULTS])


def _ranked(rows, words):
    """PostgreSQL: every word a prefix of an indexed word, best match first."""
    # The words are letters and digits only (compounds/searchable.py), so they are safe
    # to join into tsquery syntax.
    query = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="simple"
    )
    return list(
        rows.filter(search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-rank", *rows.query.order_by)[:MAX_RESULTS]
    )
