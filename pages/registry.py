"""The registry of review page types.

A page type answers one question about a compound and condition pair ("Does
it work?", "Is it safe?"). It is one small class here and one template under
pages/jinja2/pages/; URLs, the sitemap, hub pages and the links between a pair's
pages find the types through this registry, so adding a type needs nothing else.
"""

from dataclasses import dataclass

from .addresses import pattern

PAGE_TYPES = {}


def register(page_type_class):
    """Class decorator: make a page type known to URLs, sitemap and hubs."""
    instance = page_type_class()
    if instance.slug in PAGE_TYPES:
        raise ValueError(f"Two page types share the URL slug {instance.slug!r}.")
    PAGE_TYPES[instance.slug] = instance
    return page_type_class


def unregister(slug):
    PAGE_TYPES.pop(slug, None)


def page_types():
    return list(PAGE_TYPES.values())


def get_page_type(slug):
    return PAGE_TYPES.get(slug)


@dataclass
class Pair:
    """What every page of a compound and condition is assembled from: live content only."""

    summary: object
    compound: object
    condition: object

    @classmethod
    def of(cls, summary):
        return cls(summary, summary.compound, summary.condition)

    def url(self, page_type):
        review = pattern("pages:review", ["compound", "condition"], page_type=page_type.slug)
        return review.format(self.compound.slug, self.condition.slug)

    @property
    def last_reviewed(self):
        """The latest approval among what the page shows: its lastmod."""
        return max(obj.version.approved_at for obj in (self.summary, self.compound, self.condition))


class PageType:
    """One question a review page answers. Subclasses set the class attributes."""

    slug = ""  # the URL part: /compounds/<compound>/<condition>/<slug>/
    name = ""  # how links to the page name it: "Does it work?"
    template = ""
    # Words of a search that ask this page's question ("is ketamine safe for ..."): its
    # page comes first among the pair's pages found (pages/search.py).
    question_words = frozenset()

    def heading(self, pair):
        """The page's one h1, a question or statement about the pair."""
        raise NotImplementedError

    def title(self, pair):
        """The document title: unique per page, for browser tabs and search results."""
        return self.heading(pair)

    def meta_description(self, pair):
        raise NotImplementedError

    def faq(self, pair):
        """Questions readers ask, as (question, answer) pairs of plain text."""
        return []

    def breadcrumbs(self, pair):
        return [
            ("Home", pattern("pages:home", []).format()),
            ("Compounds", pattern("pages:compound_list", []).format()),
            (pair.compound.name, pattern("pages:compound", ["slug"]).format(pair.compound.slug)),
            (f"{pair.condition.name}: {self.name}", pair.url(self)),
        ]
