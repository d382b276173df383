"""Search over live compounds (names and aliases), conditions and research updates.

PostgreSQL ranks matches with its full-text search over the approved text;
SQLite, the embedded default, matches words case-insensitively. Either way
only approved versions are searched and shown.
"""

import re
from dataclasses import dataclass

from django.db import connection
from django.db.models import Q
from django.db.models.fields.json import KeyTextTransform

from compounds.models import Compound, Condition, ResearchUpdate

MAX_QUERY_LENGTH = 100
MAX_RESULTS = 20

# What each kind of content is found by, most telling first.
SEARCHED_FIELDS = {
    Compound: ["name", "aliases", "drug_class", "evidence_overview"],
    Condition: ["name", "specialist"],
    ResearchUpdate: ["title", "summary", "source"],
}


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
    if query and not re.search(r"\w", query):
        return query, "Type a word to search for, such as a compound or condition name."
    return query, None


def searchable(query):
    """Whether a cleaned query has anything to search for."""
    return bool(re.search(r"\w", query))


def run(query):
    """Live matches of a query cleaned by clean_query."""
    find = _ranked if connection.vendor == "postgresql" else _matching
    return Results(
        compounds=find(Compound, query),
        conditions=find(Condition, query),
        updates=find(ResearchUpdate, query),
    )


def _matching(model, query):
    """Every word of the query in at least one searched field (SQLite)."""
    queryset = model.objects.live()
    for word in query.split():
        any_field = Q()
        for name in SEARCHED_FIELDS[model]:
            any_field |= Q(**{f"live_version__data__{name}__icontains": word})
        queryset = queryset.filter(any_field)
    return list(
        queryset.order_by(KeyTextTransform(SEARCHED_FIELDS[model][0], "live_version__data"))[
            :MAX_RESULTS
        ]
    )


def _ranked(model, query):
    """PostgreSQL full-text search, best first; prefixes match: "esket" finds esketamine."""
    from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

    weights = "ABCD"
    vector = SearchVector(
        *(KeyTextTransform(name, "live_version__data") for name in SEARCHED_FIELDS[model][:1]),
        weight="A",
        config="english",
    )
    for weight, name in zip(weights[1:], SEARCHED_FIELDS[model][1:], strict=False):
        vector += SearchVector(
            KeyTextTransform(name, "live_version__data"), weight=weight, config="english"
        )
    words = re.findall(r"\w+", query)
    search = SearchQuery(
        " & ".join(f"{word}:*" for word in words), search_type="raw", config="english"
    )
    return list(
        model.objects.live()
        .annotate(document=vector, rank=SearchRank(vector, search))
        .filter(document=search)
        .order_by("-rank", "pk")[:MAX_RESULTS]
    )
