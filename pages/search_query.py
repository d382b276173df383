"""What a reader's search asks: the words that must be found, and which question.

Readers type questions: "does esketamine help depression", "is ketamine safe for
leukaemia", "spravato for depression". Question words ("does", "help", "for", "is",
"safe") are read but not required, so they never stop a match; those that name one of a
pair's questions (a page type's `question_words`) put that page first. A run of words
that is a search synonym's term ("blood cancer", "want to die") is one unit of the
query, found by its words as typed or by any of its meanings.
"""

from dataclasses import dataclass

from compounds.searchable import TERM_WORDS

from .registry import page_types

# Words a question is made of rather than what it is about. A word here is never required
# to match; a query of nothing else is searched as typed.
QUESTION_WORDS = frozenset(
    """
    a an the and or of in on at to for with by from about as than vs versus
    is are was were be been being am can could should would will may might must
    do does did doing done has have had get gets
    i me my mine we us our you your it its this that these those he she his her they them
    their someone somebody anyone people person patients patient
    what which who whom whose how why when where whether if
    take taking took use using used try trying tried give given
    good best better any anything there much many some more most really
    treatment treatments therapy medicine medicines medication medications drug drugs
    ok okay please tell know info information
    """.split()  # noqa: SIM905 (read as lines of words)
)


@dataclass(frozen=True)
class Unit:
    """One thing the query must find: a word, or a synonym's term with its meanings."""

    typed: tuple
    meanings: tuple = ()

    @property
    def alternatives(self):
        """Each way the unit is found: tuples of words, every word of one to be matched."""
        return tuple(dict.fromkeys((self.typed, *self.meanings)))


@dataclass(frozen=True)
class Query:
    units: tuple
    # The page types the query asks about, in the registry's order.
    asks: tuple


def question_words():
    """Every word that is read and not required: QUESTION_WORDS and the page types'."""
    words = set(QUESTION_WORDS)
    for page_type in page_types():
        words |= page_type.question_words
    return words


def runs(words):
    """Every run of up to TERM_WORDS words, as a term's key: what a synonym may match."""
    return {
        " ".join(words[start : start + length])
        for start in range(len(words))
        for length in range(1, TERM_WORDS + 1)
        if start + length <= len(words)
    }


def read(words, synonyms):
    """The Query of typed words (compounds.searchable.typed_words), given the synonyms
    {term key: [meaning words, ...]} of the runs found among them."""
    optional = question_words()
    units = []
    start = 0
    while start < len(words):
        for length in range(min(TERM_WORDS, len(words) - start), 0, -1):
            key = " ".join(words[start : start + length])
            if key in synonyms:
                typed = words[start : start + length]
                required = [word for word in typed if word not in optional] or typed
                meanings = tuple(tuple(meaning) for meaning in synonyms[key])
                units.append(Unit(tuple(required), meanings))
                start += length
                break
        else:
            word = words[start]
            if word not in optional:
                units.append(Unit((word,)))
            start += 1
    if not units:
        # Nothing but question words ("does it work"): they are what there is to find.
        units = [Unit((word,)) for word in dict.fromkeys(words)]
    asked = set(words)
    asks = tuple(page_type for page_type in page_types() if page_type.question_words & asked)
    return Query(tuple(dict.fromkeys(units)), asks)
