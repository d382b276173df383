"""The site's own pages: About, the editorial policy, funding and conflicts of interest,
contact, and each medical advisor's page with the reviews they approved.

They are approved content (compounds/models/site.py), read from the published read model
like every public page. Some sentences of the editorial policy and the funding page are
made from the site's settings, so they say what the site does, whatever its settings
are: how often pages are reviewed, the four-eyes rule, the advertising it carries.
"""

from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.views.decorators.http import require_safe

from compounds.models import SitePage

from . import addresses, live, seo, views
from .registry import page_types

# The reviews an advisor's page lists: the latest, with the count of all.
REVIEWS_LISTED = 50


def _crumbs(*more):
    return [("Home", addresses.pattern("pages:home", [])), *more]


def _description(page):
    """The search result description: the body's first words."""
    words = page.body_text.split()
    return " ".join(words[:30]) + (" …" if len(words) > 30 else "")


def _rules():
    """What the site's settings make it do, for the editorial policy and the funding page
    (see the module's doc): how long until a page is due for review, whether the four-eyes
    rule holds, and the link elsewhere that review pages end with, if one is set (pages/
    views.py _call_to_action): what it says, where it goes and how it is marked."""
    months = settings.REVIEW_INTERVAL_MONTHS
    advertising = None
    if settings.CTA_URL and settings.CTA_TEXT:
        advertising = {
            "text": settings.CTA_TEXT,
            "site": urlsplit(settings.CTA_URL).hostname or settings.CTA_URL,
            "label": settings.CTA_LABEL,
        }
    return {
        "review_every": "1 month" if months == 1 else f"{months} months",
        "four_eyes": settings.REVIEW_FOUR_EYES,
        "advertising": advertising,
    }


# The schema.org type of each of the site's pages.
_SCHEMA = {
    SitePage.Kind.ABOUT: "AboutPage",
    SitePage.Kind.CONTACT: "ContactPage",
}


def address(kind, slug):
    """Where a site page of this kind is: its kind's address, or an advisor's at their slug."""
    if kind == SitePage.Kind.ADVISOR:
        return addresses.pattern("pages:advisor", ["slug"]).format(slug)
    return addresses.pattern(f"pages:{kind}", [])


@require_safe
def site_page(request, kind):
    page = live.find_site_page(kind, kind)
    if page is None:
        raise Http404
    return render_site_page(request, page)


def render_site_page(request, page, preview=False):
    """One of the site's own pages; the staff preview renders the same with a working copy."""
    if page.kind == SitePage.Kind.ADVISOR:
        return render_advisor_page(request, page, preview)
    url = address(page.kind, page.version.slug)
    return views.render_page(
        request,
        "pages/site_page.html",
        title=page.title,
        description=_description(page),
        breadcrumbs=_crumbs((page.title, url)),
        schema=_SCHEMA.get(page.kind, "WebPage"),
        version=page.version,
        site_page=page,
        rules=_rules(),
        preview=preview,
    )


@require_safe
def advisor_page(request, slug):
    page = live.find_site_page(SitePage.Kind.ADVISOR, slug)
    if page is None:
        raise Http404
    return render_advisor_page(request, page)


def render_advisor_page(request, page, preview=False):
    """An advisor's page: who they are, in their words as approved, and the reviews whose
    current version they approved, the latest REVIEWS_LISTED of them and how many."""
    shown = page.version
    url = address(SitePage.Kind.ADVISOR, shown.slug)
    reviews, count = live.advisor_reviews(page.advisor_id, REVIEWS_LISTED)
    review = addresses.pattern(
        "pages:review", ["compound", "condition"], page_type=page_types()[0].slug
    )
    listed = [
        {
            "name": f"{compound_name} for {condition_name}",
            "url": review.format(compound, condition),
            "approved_at": approved_at,
        }
        for compound_name, condition_name, compound, condition, approved_at in reviews
    ]
    byline = f"{shown.name}, {shown.credentials}" if shown.credentials else shown.name
    return views.render_page(
        request,
        "pages/advisor_page.html",
        title=f"{byline}: medical advisor",
        description=_description(page),
        breadcrumbs=_crumbs(
            ("Our medical advisors", addresses.pattern("pages:advisor_list", [])),
            (shown.name, url),
        ),
        schema="ProfilePage",
        named=byline,
        structured={"mainEntity": seo.person(shown.name, shown.credentials, url)},
        version=shown,
        site_page=page,
        advisor=shown,
        byline=byline,
        reviews=listed,
        review_count=count,
        preview=preview,
    )


@require_safe
def advisor_list(request):
    advisors = live.site_links(request).advisors
    if not advisors:
        raise Http404
    url = addresses.pattern("pages:advisor_list", [])
    return views.render_page(
        request,
        "pages/advisor_list.html",
        title="Our medical advisors",
        description="The medical advisors who approve every review on this site, with their "
        "credentials and the reviews each approved.",
        breadcrumbs=_crumbs(("Our medical advisors", url)),
        schema="CollectionPage",
        advisors=advisors,
    )
