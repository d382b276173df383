"""Whole pages in the cache: served from it, refreshed exactly when an approval changes them,
and never a reason for a page to fail.

Requests go through the site's WSGI application (tests/site_wsgi.py), where the page
cache answers before Django.
"""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection
from django.http import HttpResponse
from django.urls import path

from compounds.models import Compound, Condition, EvidenceSummary
from compounds.review import workflow
from pages import cache as page_cache
from tests import site_wsgi as site
from tests.factories import confirming

pytestmark = pytest.mark.usefixtures("live_seed")

LEUKEMIA = "/compounds/ketamine/leukemia/does-it-work/"
CHRONIC_PAIN = "/compounds/ketamine/chronic-pain/does-it-work/"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    # A fresh process: it makes sure of the emptied cache before its first page.
    page_cache._refreshed_at = float("-inf")
    yield
    cache.clear()


def summary(condition):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


def served(url, **kwargs):
    response = site.get(url, **kwargs)
    return response.status_code, response.get("X-Page-Cache")


def test_a_page_is_served_from_the_cache_the_second_time_without_a_query(django_assert_num_queries):
    assert served(LEUKEMIA) == (200, "miss")
    with django_assert_num_queries(0):
        assert served(LEUKEMIA) == (200, "hit")


def test_approving_an_edit_refreshes_the_pairs_pages_and_nothing_else(
    edit, editor, advisor, committed
):
    for url in (LEUKEMIA, CHRONIC_PAIN, "/conditions/chronic-pain/", "/compounds/"):
        site.get(url)
    changed = edit(summary("leukemia"), human_evidence="A new cohort study in leukemia.")
    committed(workflow.submit, changed, editor)
    assert b"A new cohort study in leukemia." not in site.get(LEUKEMIA).content
    committed(workflow.approve, changed, advisor, comment=confirming(changed))

    page = site.get(LEUKEMIA)
    assert page["X-Page-Cache"] == "miss"
    assert b"A new cohort study in leukemia." in page.content
    assert served("/conditions/leukemia/") == (200, "miss")
    for untouched in (CHRONIC_PAIN, "/conditions/chronic-pain/", "/compounds/"):
        assert served(untouched) == (200, "hit"), untouched


def test_withdrawing_takes_the_cached_page_down_at_once(advisor, committed):
    assert served(LEUKEMIA) == (200, "miss")
    committed(workflow.withdraw, summary("leukemia"), advisor, comment="Under review.")
    assert site.get(LEUKEMIA).status_code == 404
    assert b"/compounds/ketamine/leukemia/" not in site.get("/compounds/ketamine/").content


def test_renaming_a_compound_refreshes_every_page_that_names_it(edit, editor, advisor, committed):
    pages = [LEUKEMIA, "/compounds/ketamine/", "/conditions/leukemia/", "/", "/compounds/"]
    for url in pages:
        site.get(url)
    renamed = edit(Compound.objects.get(slug="ketamine"), name="Ketamine, renamed")
    committed(workflow.submit, renamed, editor)
    committed(workflow.approve, renamed, advisor, comment=confirming(renamed))
    for url in pages:
        assert "Ketamine, renamed" in site.get(url).content.decode(), url
    assert served("/how-we-grade-evidence/") == (200, "miss")
    assert served("/how-we-grade-evidence/") == (200, "hit")


def test_a_renamed_compound_refreshes_the_a_to_z_page_of_its_letter(
    edit, editor, advisor, committed
):
    """The page of its letter, "other" ("#") too, and of the letter it left."""
    ketamine = Compound.objects.get(slug="ketamine")

    def rename(name):
        renamed = edit(Compound.objects.get(pk=ketamine.pk), name=name)
        committed(workflow.submit, renamed, editor)
        committed(workflow.approve, renamed, advisor, comment=confirming(renamed))

    site.get("/compounds/?letter=k")
    rename("Ketamine, renamed")
    assert "Ketamine, renamed" in site.get("/compounds/?letter=k").content.decode()
    rename("(R)-Ketamine")
    assert site.get("/compounds/?letter=k").status_code == 404
    assert "(R)-Ketamine" in site.get("/compounds/?letter=other").content.decode()
    assert served("/compounds/?letter=other") == (200, "hit")
    rename("(S)-Ketamine")
    assert "(S)-Ketamine" in site.get("/compounds/?letter=other").content.decode()


def test_a_changed_address_leaves_the_old_page_to_redirect(edit, editor, advisor, committed):
    site.get("/conditions/leukemia/")
    moved = edit(Condition.objects.get(slug="leukemia"), slug="leukaemia")
    committed(workflow.submit, moved, editor)
    committed(workflow.approve, moved, advisor, comment=confirming(moved))
    response = site.get("/conditions/leukemia/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/leukaemia/")


def test_an_address_with_other_parameters_is_rendered_not_cached():
    assert served(f"{LEUKEMIA}?utm_source=mail") == (200, None)
    assert served(f"{LEUKEMIA}?utm_source=mail") == (200, None)


def test_pages_carry_validators_and_answer_304_when_unchanged():
    first = site.get(LEUKEMIA)
    assert first["Cache-Control"] == "public, no-cache"
    assert first["ETag"] and first["Last-Modified"]
    again = site.get(LEUKEMIA, headers={"If-None-Match": first["ETag"]})
    assert (again.status_code, again["X-Page-Cache"], again.content) == (304, "hit", b"")
    assert again["ETag"] == first["ETag"]
    since = site.get(LEUKEMIA, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304
    other = site.get(LEUKEMIA, headers={"If-None-Match": '"another-version"'})
    assert (other.status_code, other.content) == (200, first.content)


def test_a_page_from_the_cache_is_the_page_django_sent_with_every_header():
    first = site.get(LEUKEMIA)
    again = site.get(LEUKEMIA)
    assert again["X-Page-Cache"] == "hit"
    assert again.content == first.content
    for name in (
        "Content-Security-Policy",
        "X-Frame-Options",
        "Referrer-Policy",
        "X-Content-Type-Options",
        "Permissions-Policy",
        "Content-Type",
        "ETag",
    ):
        assert again[name] == first[name], name


def test_a_page_fetched_over_https_is_kept_apart_from_the_same_page_over_http():
    # Their headers differ (Strict-Transport-Security is sent over HTTPS only).
    assert site.get(LEUKEMIA, secure=True)["X-Page-Cache"] == "miss"
    assert site.get(LEUKEMIA)["X-Page-Cache"] == "miss"
    assert site.get(LEUKEMIA, secure=True)["X-Page-Cache"] == "hit"
    assert site.get(LEUKEMIA)["X-Page-Cache"] == "hit"


def test_a_head_request_is_answered_from_the_cache_without_a_body():
    site.get(LEUKEMIA)
    head = site.get(LEUKEMIA, method="HEAD")
    assert (head.status_code, head["X-Page-Cache"], head.content) == (200, "hit", b"")


def test_a_host_the_site_does_not_serve_is_refused_also_for_a_cached_page():
    site.get(LEUKEMIA)
    assert site.get(LEUKEMIA, headers={"Host": "attacker.example"}).status_code == 400


def test_a_query_the_cache_cannot_read_is_left_to_django(settings, client):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 3
    address = LEUKEMIA + "?page=1&page=2&page=3&page=4&page=5"
    answer = site.get(address)
    assert (answer.status_code, answer.get("X-Page-Cache")) == (
        client.get(address).status_code,
        None,
    )


def test_a_response_that_sets_a_cookie_is_never_stored(settings):
    settings.ROOT_URLCONF = __name__
    first = site.get("/with-cookie/")
    assert (first.status_code, first["X-Page-Cache"]) == (200, "miss")
    assert site.get("/with-cookie/")["X-Page-Cache"] == "miss"


def _sets_a_cookie(request):
    response = HttpResponse("A page for one visitor.")
    response.set_cookie("visitor", "1")
    return response


urlpatterns = [
    path("with-cookie/", page_cache.cached_page(_sets_a_cookie, tags=lambda *args: ["test"]))
]


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_pages_are_served_when_the_cache_is_down(monkeypatch):
    monkeypatch.setattr(page_cache, "_cache", BrokenCache)
    assert served(LEUKEMIA) == (200, None)
    # Left alone for a while after the failure: no time-out on every request.
    assert not page_cache._usable()
    assert served("/compounds/ketamine/") == (200, None)


def test_tags_of_every_cached_page_are_known():
    kinds = {"review", "compound", "condition", "compound_list", "condition_list", "research"}
    for url_name in kinds:
        kwargs = {"compound": "a", "condition": "b", "slug": "c", "page_type": "safety"}
        assert page_cache.tags_of(url_name, kwargs, {}), url_name


@pytest.mark.skipif(
    os.environ.get("DATABASE_URL", "").startswith("sqlite") or not os.environ.get("DATABASE_URL"),
    reason="a second process needs a database it can open: the SQLite test database is in memory",
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_second_app_process_sharing_the_cache_sees_approvals_and_withdrawals(
    tmp_path, settings, edit, editor, advisor
):
    """Two app processes, one cache: what one approves, the other serves fresh."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(tmp_path / "cache"),
        }
    }
    env = {
        **os.environ,
        "CACHE_URL": f"filecache://{tmp_path / 'cache'}",
        "DATABASE_URL": os.environ["DATABASE_URL"].rsplit("/", 1)[0]
        + "/"
        + connection.settings_dict["NAME"],
        "PAGE_CACHE_SECONDS": "3600",
        "ALLOWED_HOSTS": "testserver",
    }
    script = (
        "import django, sys; django.setup();"
        "from tests import site_wsgi;"
        "r = site_wsgi.get(sys.argv[1]);"
        "print(r.status_code, r.get('X-Page-Cache'), 'NEWTEXT' in r.content.decode())"
    )

    def other_process(url):
        out = subprocess.run(
            [sys.executable, "-c", script, url],
            env={**env, "DJANGO_SETTINGS_MODULE": "insightswarm.settings"},
            capture_output=True,
            text=True,
            check=True,
        )
        return out.stdout.split()

    assert other_process(LEUKEMIA) == ["200", "miss", "False"]
    assert other_process(LEUKEMIA) == ["200", "hit", "False"]
    changed = edit(summary("leukemia"), human_evidence="NEWTEXT from a cohort study.")
    workflow.submit(changed, editor)
    workflow.approve(changed, advisor, comment=confirming(changed))
    assert other_process(LEUKEMIA) == ["200", "miss", "True"]
    workflow.withdraw(summary("leukemia"), advisor, comment="Under review.")
    assert other_process(LEUKEMIA)[0] == "404"
