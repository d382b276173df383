"""The site's own pages in the page cache: each filed under its own tag, and refreshed
when a decision changes what it shows; every page when one goes live or off, since every
footer links the live ones; the advisors' pages when a review they list changes."""

import pytest
from django.core.cache import cache

from compounds import site_tags
from compounds.models import EvidenceSummary, MedicalAdvisor, SitePage
from compounds.review import workflow
from pages import cache as page_cache
from tests import site_wsgi as site
from tests.factories import confirming, make_site_page, make_user, save_edit

pytestmark = pytest.mark.usefixtures("live_seed")


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")
    yield
    cache.clear()


@pytest.fixture
def approved(committed, editor):
    """Submit and approve, committing each step as production does."""

    def approve(obj, advisor):
        committed(workflow.submit, obj, editor)
        return committed(workflow.approve, obj, advisor, comment=confirming(obj))

    return approve


def served(url):
    response = site.get(url)
    return response.status_code, response.get("X-Page-Cache")


@pytest.mark.parametrize(
    ("url_name", "kwargs", "tags"),
    [
        ("about", {"kind": "about"}, [site_tags.site_page("about", "about")]),
        ("contact", {"kind": "contact"}, [site_tags.site_page("contact", "contact")]),
        (
            "advisor",
            {"slug": "ada"},
            [site_tags.site_page("advisor", "ada"), site_tags.ADVISORS],
        ),
        ("advisor_list", {}, [site_tags.ADVISORS]),
    ],
)
def test_site_pages_are_filed_under_their_own_tags(url_name, kwargs, tags):
    assert page_cache.tags_of(url_name, kwargs, {}) == tags


def test_a_site_page_going_live_refreshes_every_footer(approved, advisor):
    assert served("/compounds/") == (200, "miss")
    assert served("/compounds/") == (200, "hit")
    approved(make_site_page(), advisor)
    page = site.get("/compounds/")
    assert page["X-Page-Cache"] == "miss"
    assert b'href="/about/"' in page.content


def test_an_edit_of_a_live_site_page_refreshes_that_page_only(approved, advisor, editor):
    about = approved(make_site_page(body="First words."), advisor)
    for url in ("/about/", "/compounds/"):
        site.get(url)
    approved(save_edit(about, editor, body="Second words."), advisor)
    page = site.get("/about/")
    assert page["X-Page-Cache"] == "miss" and b"Second words." in page.content
    assert served("/compounds/") == (200, "hit")


def test_a_withdrawn_site_page_leaves_every_cached_footer(approved, committed, advisor):
    about = approved(make_site_page(), advisor)
    assert b'href="/about/"' in site.get("/compounds/").content
    committed(workflow.withdraw, about, advisor, comment="Out of date.")
    assert site.get("/about/").status_code == 404
    assert b'href="/about/"' not in site.get("/compounds/").content


def test_a_review_approved_again_refreshes_the_advisors_pages(approved, editor):
    ada = make_user("ada", "Medical Advisor", byline=True)
    nikhil = MedicalAdvisor.objects.get(slug="nikhil-joshi")
    approved(make_site_page(kind=SitePage.Kind.ADVISOR, advisor=nikhil, body="Words."), ada)
    assert b"of 5 reviews" in site.get("/advisors/nikhil-joshi/").content
    assert served("/advisors/nikhil-joshi/") == (200, "hit")
    leukemia = EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")
    approved(save_edit(leukemia, editor, human_evidence="Reviewed again."), ada)
    assert b"of 4 reviews" in site.get("/advisors/nikhil-joshi/").content
