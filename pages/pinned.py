"""The public page at an address an editor gave, while it is published: what a promoted
search result links to, and what the admin checks when a result is promoted.

A promoted result is shown with the page's own approved title (its heading, name or
title), never with words typed for it, and only while the page answers: a withdrawn
compound's page is not promoted, and is again once it is approved.
"""

from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import urlsplit

from django.conf import settings
from django.urls import Resolver404, resolve, reverse

from compounds.models import (
    PublishedCompound,
    PublishedCondition,
    PublishedResearchUpdate,
    PublishedSummary,
)

from .registry import Pair, get_page_type

# The site's pages that hold no content of their own, by their URL name, as the header
# and the breadcrumbs name them.
FIXED_PAGES = {
    "home": "Home",
    "compound_list": "Compounds A-Z",
    "condition_list": "Conditions A-Z",
    "research_list": "Research updates",
    "grading": "How we grade evidence",
}
_NAMED = {"compound": PublishedCompound, "condition": PublishedCondition}


@dataclass(frozen=True)
class Page:
    title: str
    url: str


def site_path(address):
    """The path of an address on this site: "/compounds/ketamine/", or the whole address
    with the site's domain (SITE_URL). None for another site's address, or an address
    with a query or a fragment, which would not name one page."""
    address = address.strip()
    site = urlsplit(settings.SITE_URL)
    try:
        parts = urlsplit(address)
    except ValueError:  # a malformed host, such as "http://[::1"
        return None
    if parts.query or parts.fragment or "?" in address or "#" in address:
        return None
    if parts.scheme or parts.netloc:
        if (parts.scheme, parts.netloc) != (site.scheme, site.netloc):
            return None
        return parts.path or "/"
    return parts.path if parts.path.startswith("/") and not address.startswith("//") else None


def page_at(address):
    """The published page at address, or None: one query at most."""
    path = site_path(address)
    if path is None:
        return None
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace != "pages":
        return None
    name, slugs = match.url_name, match.kwargs
    title = None
    if name in FIXED_PAGES:
        title = FIXED_PAGES[name]
    elif name in _NAMED:
        title = _NAMED[name].objects.filter(slug=slugs["slug"]).values_list("name", flat=True)
        title = title.first()
    elif name == "research":
        rows = PublishedResearchUpdate.objects.filter(slug=slugs["slug"])
        title = rows.values_list("title", flat=True).first()
    elif name == "review":
        title = _review_heading(slugs)
    if title is None:
        return None
    return Page(title, reverse(match.view_name, kwargs=slugs))


def _review_heading(slugs):
    page_type = get_page_type(slugs["page_type"])
    if page_type is None:
        return None
    names = (
        PublishedSummary.objects.filter(
            compound__slug=slugs["compound"], condition__slug=slugs["condition"]
        )
        .values_list("compound_name", "condition_name")
        .first()
    )
    if names is None:
        return None
    compound = SimpleNamespace(name=names[0], slug=slugs["compound"])
    condition = SimpleNamespace(name=names[1], slug=slugs["condition"])
    return page_type.heading(Pair(None, compound, condition))
