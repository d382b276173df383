"""The sitemap: one section per review page type and one for the hubs, live content only.

Every URL's lastmod is when the content it shows was last approved, and the
addresses are built on SITE_URL, the site's public address, whatever host
the crawler asked.
"""

import functools
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.contrib.sitemaps.views import SitemapIndexItem
from django.template.response import TemplateResponse
from django.urls import reverse

from . import live
from .registry import page_types
from .seo import absolute


class SiteSitemap(Sitemap):
    limit = 50_000  # the most URLs the sitemap protocol allows in one file

    @property
    def protocol(self):
        return urlsplit(settings.SITE_URL).scheme

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc


class ReviewPageSitemap(SiteSitemap):
    """Every live pair's page of one page type."""

    def __init__(self, page_type, pairs):
        self.page_type = page_type
        self.pairs = pairs

    def items(self):
        return self.pairs()

    def location(self, pair):
        return pair.url(self.page_type)

    def lastmod(self, pair):
        return pair.last_reviewed


class HubSitemap(SiteSitemap):
    """Home, the A-Z lists, each compound, condition and research update, the grading page."""

    @functools.cache  # noqa: B019 - one sitemap object serves one request
    def items(self):
        compounds = live.compounds_a_to_z()
        conditions = live.conditions_a_to_z()
        updates = list(live.research_updates())
        latest = [obj.version.approved_at for obj in (*compounds, *conditions, *updates)]
        newest = max(latest) if latest else None
        entries = [
            (reverse("pages:home"), newest),
            (reverse("pages:compound_list"), _newest(compounds)),
            (reverse("pages:condition_list"), _newest(conditions)),
            (reverse("pages:research_list"), _newest(updates)),
            (reverse("pages:grading"), None),
        ]
        entries += [
            (reverse("pages:compound", args=[c.slug]), c.version.approved_at) for c in compounds
        ]
        entries += [
            (reverse("pages:condition", args=[c.slug]), c.version.approved_at) for c in conditions
        ]
        entries += [
            (reverse("pages:research", args=[u.slug]), u.version.approved_at) for u in updates
        ]
        return entries

    def location(self, entry):
        return entry[0]

    def lastmod(self, entry):
        return entry[1]


def _newest(objects):
    return max((obj.version.approved_at for obj in objects), default=None)


def sections():
    """The sitemap's sections by name, found through the page-type registry.

    The sections of one request share one read of the live pairs: Django asks
    each section for its items more than once (to count pages, to find lastmod).
    """
    pairs = functools.cache(live.pair_addresses)
    return {
        "hubs": HubSitemap(),
        **{page_type.slug: ReviewPageSitemap(page_type, pairs) for page_type in page_types()},
    }


def index(request):
    """The sitemap index, one entry per section page, on SITE_URL like the sections.

    Django's own index view names the host the request came in on; a crawler
    reaching the site under another name must still be sent to the public one.
    """
    entries = []
    for name, section in sections().items():
        url = absolute(reverse("pages:sitemap_section", kwargs={"section": name}))
        lastmod = section.get_latest_lastmod()
        entries.append(SitemapIndexItem(url, lastmod))
        entries += [
            SitemapIndexItem(f"{url}?p={page}", lastmod)
            for page in range(2, section.paginator.num_pages + 1)
        ]
    return TemplateResponse(
        request, "sitemap_index.xml", {"sitemaps": entries}, content_type="application/xml"
    )
