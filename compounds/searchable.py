"""The words search matches: one normalisation for what is stored and what is typed.

Readers type names without accents ("meniere" for Ménière's disease), with or
without their punctuation ("5-HT1A", "5HT1A", "5 HT1A"; "CoQ10"; "St. John's
wort"; "B12/folate"). Each stretch of text between spaces is kept whole with its
punctuation removed ("5ht1a", "johns", "b12folate") and in its parts ("5",
"ht1a"; "john", "s"; "b12", "folate"), accents folded and in lower case, so a
query word matches as typed and by its parts. Both databases use these words:
PostgreSQL as a weighted tsvector (config "simple": the words are already
normalised), SQLite as plain text.
"""

import re
import unicodedata

_PART = re.compile(r"[^\W_]+")


def fold(text):
    """Lower case without accents: "Ménière's" -> "meniere's"."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text):
    """The searchable words of text, each once, in order."""
    found = {}
    for chunk in fold(text).split():
        parts = _PART.findall(chunk)
        if not parts:
            continue
        found["".join(parts)] = None
        for part in parts:
            found[part] = None
    return list(found)


def typed_words(text):
    """The words of a typed query in order, repeats included: each stretch between spaces,
    whole ("5-HT1A" -> "5ht1a")."""
    words = []
    for chunk in fold(text).split():
        joined = "".join(_PART.findall(chunk))
        if joined:
            words.append(joined)
    return words


def query_words(text):
    """The words of a typed query, each once, in order."""
    return list(dict.fromkeys(typed_words(text)))


# The most words a term of the search synonyms and promoted results may have: search looks
# up each run of this many words or fewer of a query.
TERM_WORDS = 5


def term_key(text):
    """The words of a term as search reads them, one space apart: how terms are stored
    and looked up ("Ménière's" and "menieres" are one term; "blood-cancer", one word,
    and "blood cancer", two, are not)."""
    return " ".join(query_words(text))


def document(texts):
    """The stored search text of several fields: their words, space-delimited on both ends,
    so that SQLite can match a word's start with LIKE '% word%'."""
    found = {}
    for text in texts:
        for word in words(text):
            found[word] = None
    return f" {' '.join(found)} " if found else ""
