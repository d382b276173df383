"""What editors tell the site search: the words readers use, and pages to show first.

Neither changes what a page says: a synonym widens what a reader's words find among
approved pages, and a promoted result puts an approved page first for a term. So they
are kept in the admin by both roles and take effect on saving, without the review
workflow (the admin's history records who changed what); the pages they lead to are
approved content, and a promoted page that is withdrawn is not shown.

A term is stored with its key: its words as search reads them (compounds/searchable.py),
so "Leukaemia", "leukaemia" and "LEUKAEMIA" are one term, and search looks terms up by
key in the words a reader typed.
"""

from django.core.exceptions import ValidationError
from django.db import models

from compounds import searchable
from compounds.searchable import TERM_WORDS, term_key


class Term(models.Model):
    term = models.CharField(
        max_length=100,
        help_text="What readers type: a word or a few words, such as “leukaemia” or “blood "
        "cancer”. Capitals, accents and punctuation make no difference.",
    )
    # Looked up by the unique constraints of the concrete models, which lead with it.
    key = models.CharField(max_length=200, editable=False)

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.key = term_key(self.term)
        super().save(*args, **kwargs)

    def clean(self):
        super().clean()
        if not self.term:
            return
        key = term_key(self.term)
        if not key:
            raise ValidationError({"term": "Type a word: letters or digits."})
        if len(key.split()) > TERM_WORDS:
            raise ValidationError({"term": f"A term has at most {TERM_WORDS} words."})


class SearchSynonym(Term):
    """A term readers type and what they mean by it, in the words the site's pages use.

    The term is searched as typed and as each of its meanings: "leukaemia" finds what
    "leukemia" finds, "blood cancer" what "leukemia", "lymphoma" or "myeloma" find. A
    condition a meaning names shows its urgent-help notice first on the results, so the
    crisis terms ("suicide", "kill myself", "want to die") are synonyms of the condition
    that carries the crisis line. Migration 0019 adds a first list.
    """

    means = models.CharField(
        max_length=300,
        help_text="What readers who type the term are looking for, as the site names it: "
        "“leukemia”. Several meanings, separated by commas, are each searched: “leukemia, "
        "lymphoma, myeloma”. Map a term only to what it honestly means.",
    )

    class Meta:
        ordering = ["key"]
        verbose_name = "search synonym"
        constraints = [models.UniqueConstraint(fields=["key"], name="search_synonym_term")]

    def __str__(self):
        return f"{self.term} → {self.means}"

    def clean(self):
        super().clean()
        if not self.meanings():
            raise ValidationError({"means": "Type what the term means: a name or words."})
        key = term_key(self.term)
        if key and SearchSynonym.objects.filter(key=key).exclude(pk=self.pk).exists():
            raise ValidationError({"term": "This term has a synonym already: change that one."})

    def meanings(self):
        return meanings_of(self.means)


def meanings_of(means):
    """Each meaning of a synonym's `means` as search reads it: a list of words."""
    found = []
    for meaning in means.split(","):
        words = searchable.query_words(meaning)
        if words and words not in found:
            found.append(words)
    return found


class PromotedResult(Term):
    """A page of the site shown first on the results of every search holding the term."""

    page = models.CharField(
        "page address",
        max_length=300,
        help_text="The address of a public page of this site, such as "
        "“/compounds/ketamine/treatment-resistant-depression/does-it-work/” (the whole "
        "address, with the site's domain, works too). It shows only while the page is "
        "published.",
    )

    class Meta:
        ordering = ["key", "id"]
        verbose_name = "promoted result"
        constraints = [
            models.UniqueConstraint(fields=["key", "page"], name="promoted_result_term_page")
        ]

    def __str__(self):
        return f"{self.term} → {self.page}"

    def clean(self):
        super().clean()
        key = term_key(self.term)
        duplicate = PromotedResult.objects.filter(key=key, page=self.page).exclude(pk=self.pk)
        if key and duplicate.exists():
            raise ValidationError({"page": "This page is promoted for this term already."})
