"""The saved search of a pair: its compound's names and aliases x its condition's name and
synonyms, as PubMed and ClinicalTrials.gov are asked it.

A compound's name may carry what readers need but a search does not ("Ketamine (IV /
Esketamine)"): the part in brackets is left out, and its aliases ("esketamine, Spravato")
name the rest. A condition's synonyms are the site search's (compounds/models/search.py)
whose one meaning is the condition's name: "leukaemia" for leukemia. A synonym that
means several conditions ("blood cancer") would search for each of them, so it is left
out.
"""

import re

from compounds import searchable
from compounds.models import SearchSynonym

# More names than this make a query PubMed truncates and no one reads.
MOST_NAMES = 8


def _distinct(names):
    seen, kept = set(), []
    for name in names:
        name = " ".join(name.split())
        key = name.casefold()
        if name and key not in seen:
            seen.add(key)
            kept.append(name)
    return kept[:MOST_NAMES]


def compound_names(compound):
    """The compound's name without its bracketed part, then its aliases."""
    plain = re.sub(r"\([^)]*\)", " ", compound.name)
    return _distinct([plain, *compound.alias_list])


def condition_names(condition, synonyms=None):
    """The condition's name, then the synonyms readers use for it."""
    words = searchable.query_words(condition.name)
    if synonyms is None:
        synonyms = SearchSynonym.objects.filter(means__icontains=condition.name)
    found = [s.term for s in synonyms if s.meanings() == [words]]
    return _distinct([condition.name, *found])


def _quoted(name):
    # A double quote inside a name would end the phrase early in either source's syntax.
    return '"' + name.replace('"', " ").strip() + '"'


def _any_of(names):
    return " OR ".join(_quoted(name) for name in names)


def pubmed_term(compounds, conditions):
    """PubMed's term: any compound name and any condition name, in title or abstract."""
    drug = " OR ".join(f"{_quoted(name)}[tiab]" for name in compounds)
    illness = " OR ".join(f"{_quoted(name)}[tiab]" for name in conditions)
    return f"({drug}) AND ({illness})"


def trials_query(compounds, conditions, since):
    """The /api/v2/studies parameters: trials of any of the compound's names for any of
    the condition's, whose record changed since the day given (a new study, a new
    status, results posted all change it)."""
    return {
        "query.cond": _any_of(conditions),
        "query.intr": _any_of(compounds),
        "filter.advanced": f"AREA[LastUpdatePostDate]RANGE[{since:%Y-%m-%d},MAX]",
    }
