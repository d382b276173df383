"""Whole pages in the cache: served from it, refreshed exactly when an approval changes them,
and never a reason for a page to fail."""

import os
import subprocess
import sys

import pytest
from django.core.cache import cache
from django.db import connection

from compounds import workflow
from compounds.models import Compound, Condition, EvidenceSummary
from pages import cache as page_cache

pytestmark = pytest.mark.usefixtures("live_seed")

LEUKEMIA = "/compounds/ketamine/leukemia/does-it-work/"
CHRONIC_PAIN = "/compounds/ketamine/chronic-pain/does-it-work/"


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    yield
    cache.clear()


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run a workflow step and what its commit triggers, as production does."""

    def committed(step, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return step(*args, **kwargs)

    return committed


def summary(condition):
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug=condition)


def served(client, url):
    response = client.get(url)
    return response.status_code, response.get("X-Page-Cache")


def test_a_page_is_served_from_the_cache_the_second_time_without_a_query(
    client, django_assert_num_queries
):
    assert served(client, LEUKEMIA) == (200, "miss")
    with django_assert_num_queries(0):
        assert served(client, LEUKEMIA) == (200, "hit")


def test_approving_an_edit_refreshes_the_pairs_pages_and_nothing_else(
    client, edit, editor, advisor, committed
):
    for url in (LEUKEMIA, CHRONIC_PAIN, "/conditions/chronic-pain/", "/compounds/"):
        client.get(url)
    changed = edit(summary("leukemia"), human_evidence="A new cohort study in leukemia.")
    committed(workflow.submit, changed, editor)
    assert b"A new cohort study in leukemia." not in client.get(LEUKEMIA).content
    committed(workflow.approve, changed, advisor)

    page = client.get(LEUKEMIA)
    assert page["X-Page-Cache"] == "miss"
    assert b"A new cohort study in leukemia." in page.content
    assert served(client, "/conditions/leukemia/") == (200, "miss")
    for untouched in (CHRONIC_PAIN, "/conditions/chronic-pain/", "/compounds/"):
        assert served(client, untouched) == (200, "hit"), untouched


def test_withdrawing_takes_the_cached_page_down_at_once(client, advisor, committed):
    assert served(client, LEUKEMIA) == (200, "miss")
    committed(workflow.withdraw, summary("leukemia"), advisor, "Under review.")
    assert client.get(LEUKEMIA).status_code == 404
    assert b"/compounds/ketamine/leukemia/" not in client.get("/compounds/ketamine/").content


def test_renaming_a_compound_refreshes_every_page_that_names_it(
    client, edit, editor, advisor, committed
):
    pages = [LEUKEMIA, "/compounds/ketamine/", "/conditions/leukemia/", "/", "/compounds/"]
    for url in pages:
        client.get(url)
    renamed = edit(Compound.objects.get(slug="ketamine"), name="Ketamine, renamed")
    committed(workflow.submit, renamed, editor)
    committed(workflow.approve, renamed, advisor)
    for url in pages:
        assert "Ketamine, renamed" in client.get(url).content.decode(), url
    assert served(client, "/how-we-grade-evidence/") == (200, "miss")
    assert served(client, "/how-we-grade-evidence/") == (200, "hit")


def test_a_changed_address_leaves_the_old_page_to_redirect(
    client, edit, editor, advisor, committed
):
    client.get("/conditions/leukemia/")
    moved = edit(Condition.objects.get(slug="leukemia"), slug="leukaemia")
    committed(workflow.submit, moved, editor)
    committed(workflow.approve, moved, advisor)
    response = client.get("/conditions/leukemia/")
    assert (response.status_code, response["Location"]) == (301, "/conditions/leukaemia/")


def test_an_address_with_other_parameters_is_rendered_not_cached(client):
    assert served(client, f"{LEUKEMIA}?utm_source=mail") == (200, None)
    assert served(client, f"{LEUKEMIA}?utm_source=mail") == (200, None)


def test_pages_carry_validators_and_answer_304_when_unchanged(client):
    first = client.get(LEUKEMIA)
    assert first["Cache-Control"] == "public, no-cache"
    assert first["ETag"] and first["Last-Modified"]
    again = client.get(LEUKEMIA, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304
    since = client.get(LEUKEMIA, headers={"If-Modified-Since": first["Last-Modified"]})
    assert since.status_code == 304


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache down")

        return fail


def test_pages_are_served_when_the_cache_is_down(client, monkeypatch):
    monkeypatch.setattr(page_cache, "_cache", BrokenCache)
    assert served(client, LEUKEMIA) == (200, None)
    # Left alone for a while after the failure: no time-out on every request.
    assert not page_cache._usable()
    assert served(client, "/compounds/ketamine/") == (200, None)


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
        "from django.test import Client;"
        "r = Client().get(sys.argv[1]);"
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
    workflow.approve(changed, advisor)
    assert other_process(LEUKEMIA) == ["200", "miss", "True"]
    workflow.withdraw(summary("leukemia"), advisor, "Under review.")
    assert other_process(LEUKEMIA)[0] == "404"
