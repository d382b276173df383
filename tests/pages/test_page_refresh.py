"""Nothing outlives its withdrawal, whatever fails: a decision the cache did not hear of, or
a cache that comes back with old entries, is applied by the next request of any app process
within PAGE_REFRESH_SECONDS; a process that cannot make sure serves nothing from the cache.

An app process is its page cache's module state: when it last made sure the cache was
current, and whether it is backing off a failed cache. `another_process` gives a request
that state fresh, as a second gunicorn worker has it; tests/pages/test_cache.py also runs
a real second process on PostgreSQL.
"""

import contextlib

import pytest
from django.core.cache import cache
from django.core.management import call_command

from compounds.models import PublicationChange, PublishedResearchUpdate, ResearchUpdate
from compounds.review import publishing, workflow
from pages import cache as page_cache
from tests import site_wsgi as site
from tests.factories import confirming

pytestmark = pytest.mark.usefixtures("live_seed")

UPDATE = "ketamine-cognition-and-neuroplasticity"
UPDATE_PAGE = f"/research/{UPDATE}/"


class UnreachableCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache unreachable")

        return fail


@pytest.fixture(autouse=True)
def cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 3600
    settings.PAGE_REFRESH_SECONDS = 1.0
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "page-refresh-tests",
        }
    }
    cache.clear()
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")
    yield
    cache.clear()


class Clock:
    """The monotonic clock the page cache reads, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = 1000.0
        monkeypatch.setattr(page_cache.time, "monotonic", lambda: self.now)


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@contextlib.contextmanager
def another_process():
    """A request served by another app process: its own page cache state."""
    saved = page_cache._refreshed_at, page_cache._cache_down_until
    page_cache._refreshed_at, page_cache._cache_down_until = float("-inf"), 0.0
    try:
        yield
    finally:
        page_cache._refreshed_at, page_cache._cache_down_until = saved


@contextlib.contextmanager
def cache_unreachable(monkeypatch):
    with monkeypatch.context() as patch:
        patch.setattr(page_cache, "_cache", UnreachableCache)
        yield


def served(url):
    response = site.get(url)
    return response.status_code, response.get("X-Page-Cache")


def _update():
    return ResearchUpdate.objects.get(slug=UPDATE)


def test_a_withdrawal_the_cache_did_not_hear_of_is_applied_within_the_bound(
    monkeypatch, clock, advisor, committed
):
    assert served(UPDATE_PAGE) == (200, "miss")
    assert served(UPDATE_PAGE) == (200, "hit")
    logged = []
    monkeypatch.setattr(page_cache.logger, "error", lambda *args: logged.append(args[0] % args[1:]))
    with cache_unreachable(monkeypatch):
        committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    assert "Could not refresh cached pages" in logged[0]

    # This process made sure of the cache just before: for up to PAGE_REFRESH_SECONDS
    # the copy may still be served...
    clock.now += 0.5
    assert served(UPDATE_PAGE) == (200, "hit")
    # ... never after.
    clock.now += 0.5
    assert served(UPDATE_PAGE)[0] == 404
    assert served("/research/")[1] == "miss"


def test_another_process_serves_the_withdrawal_at_once(monkeypatch, advisor, committed):
    served(UPDATE_PAGE)
    with cache_unreachable(monkeypatch):
        committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    with another_process():
        assert served(UPDATE_PAGE)[0] == 404


def test_an_approval_the_cache_did_not_hear_of_is_served_by_another_process(
    monkeypatch, edit, editor, advisor, committed
):
    served(UPDATE_PAGE)
    changed = edit(_update(), summary="NEW FINDINGS, approved while the cache was down.")
    committed(workflow.submit, changed, editor)
    with cache_unreachable(monkeypatch):
        committed(workflow.approve, changed, advisor, comment=confirming(changed))
    with another_process():
        page = site.get(UPDATE_PAGE)
    assert b"NEW FINDINGS" in page.content


def test_a_process_that_cannot_reach_the_cache_serves_nothing_from_it(monkeypatch):
    served(UPDATE_PAGE)
    with another_process(), cache_unreachable(monkeypatch):
        assert served(UPDATE_PAGE) == (200, None)


def test_a_process_that_cannot_read_the_record_serves_nothing_from_the_cache(monkeypatch):
    served(UPDATE_PAGE)
    assert served(UPDATE_PAGE)[1] == "hit"

    def unreadable():
        raise ConnectionError("database unreachable")

    monkeypatch.setattr(page_cache, "refresh_pending", unreadable)
    with another_process():
        assert served(UPDATE_PAGE)[1] is None


def test_a_cache_that_comes_back_with_old_entries_is_refreshed(advisor, committed):
    """A Redis restarted from a snapshot taken before the withdrawal: its pages, its tags'
    tokens and its note of what it applied are all from before."""
    served(UPDATE_PAGE)
    assert served(UPDATE_PAGE)[1] == "hit"
    backend = page_cache._cache()
    snapshot = dict(backend._cache), dict(backend._expire_info)

    committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    assert served(UPDATE_PAGE)[0] == 404
    backend._cache.clear()
    backend._cache.update(snapshot[0])
    backend._expire_info.update(snapshot[1])

    with another_process():
        assert served(UPDATE_PAGE)[0] == 404


def test_a_cache_that_lost_its_note_refreshes_every_page(advisor, committed):
    served(UPDATE_PAGE)
    served("/compounds/ketamine/")
    page_cache._cache().delete(page_cache.APPLIED_KEY)
    with another_process():
        assert served(UPDATE_PAGE)[1] == "miss"
        assert served("/compounds/ketamine/")[1] == "miss"


def test_rebuilding_the_read_model_refreshes_the_pages_it_mends(committed):
    row = PublishedResearchUpdate.objects.get(slug=UPDATE)
    row.data = {**row.data, "title": "CORRUPTED TITLE"}
    row.save()
    assert b"CORRUPTED TITLE" in site.get(UPDATE_PAGE).content
    assert served(UPDATE_PAGE)[1] == "hit"

    committed(publishing.rebuild)

    page = site.get(UPDATE_PAGE)
    assert b"CORRUPTED TITLE" not in page.content
    assert page["X-Page-Cache"] == "miss"


def test_a_database_restored_under_the_site_refreshes_its_pages(advisor, committed):
    """The record the cache's note names is not in the database as noted: the cache
    cannot tell what changed, so every page is read afresh."""
    served(UPDATE_PAGE)
    committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    served("/compounds/ketamine/")
    assert served("/compounds/ketamine/")[1] == "hit"
    PublicationChange.objects.order_by("-id").first().delete()  # as a restore from before
    with another_process():
        assert served("/compounds/ketamine/")[1] == "miss"


def test_refresh_pages_applies_what_is_pending_and_forgets_old_records(
    monkeypatch, advisor, committed, settings
):
    served(UPDATE_PAGE)
    with cache_unreachable(monkeypatch):
        committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    call_command("refresh_pages")
    # Any process, even one that made sure of the cache a moment ago, now serves it.
    page_cache._refreshed_at = page_cache.time.monotonic()
    assert served(UPDATE_PAGE)[0] == 404

    settings.PAGE_CACHE_SECONDS = 1
    PublicationChange.objects.update(at=PublicationChange.objects.first().at.replace(year=2000))
    call_command("refresh_pages")
    assert PublicationChange.objects.count() == 1  # the latest is kept: the note names it


@pytest.fixture
def redis_pages(settings):
    """The page cache in the machine's Redis (a database of its own), as in production."""
    redis = pytest.importorskip("redis")
    settings.CACHES = {
        "default": {
            "BACKEND": "insightswarm.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:6379/13",
        }
    }
    try:
        cache.clear()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    client = page_cache._cache()._cache.get_client()
    yield client
    client.flushdb()


def test_a_redis_restarted_from_an_older_snapshot_is_refreshed(redis_pages, advisor, committed):
    """What a Redis restart that keeps its data (RDB or AOF written before the decision)
    brings back: every key as it was, restored with DUMP and RESTORE."""
    served(UPDATE_PAGE)
    assert served(UPDATE_PAGE)[1] == "hit"
    snapshot = {key: redis_pages.dump(key) for key in redis_pages.keys("*")}

    committed(workflow.withdraw, _update(), advisor, comment="Retracted study.")
    assert served(UPDATE_PAGE)[0] == 404
    redis_pages.flushdb()
    for key, value in snapshot.items():
        redis_pages.restore(key, 0, value)
    assert page_cache._cache().get(page_cache.APPLIED_KEY) is not None  # the old note is back

    with another_process():
        assert served(UPDATE_PAGE)[0] == 404
