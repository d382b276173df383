"""Read replicas never serve a stale page (insightswarm/replicas.py, pages/replication.py).

Run against a real streaming replica of the local PostgreSQL that applies each commit
seconds after the primary (`make replica-test`: scripts/replica with REPLICA_DELAY=3s, then
this module with DATABASE_REPLICA_URLS naming it). Without one configured the module is
skipped, unless REQUIRE_REPLICA is set, as CI sets it.

The test database is the primary's; the replica's copy of it is read through replica_1.
Decisions are taken through the admin as a browser posts them; pages are read through the
site's WSGI application, page cache included.
"""

import os
import subprocess
import time
from pathlib import Path

import environ
import psycopg
import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.urls import reverse

from compounds.models import EvidenceSummary, PublishedSummary
from compounds.review import workflow
from insightswarm import replicas
from pages import cache as page_cache
from pages import replication
from tests import site_wsgi as site
from tests.admin_forms import submit
from tests.factories import (
    approve_as,
    confirming,
    make_reference,
    make_summary,
    make_user,
    save_edit,
)

REPLICA = "replica_1"
REPLICA_URLS = os.environ.get("DATABASE_REPLICA_URLS", "")
SCRIPT = Path(settings.BASE_DIR) / "scripts" / "replica"

pytestmark = [
    pytest.mark.replica,
    pytest.mark.skipif(
        not REPLICA_URLS and not os.environ.get("REQUIRE_REPLICA"),
        reason="no replica configured: make replica-test",
    ),
    pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, REPLICA]),
]

BEFORE = "Two randomized trials, as first approved."
AFTER = "Two randomized trials, as revised after the approval."


def replayed():
    """How far the replica has replayed, asked of its server: the replica's copy of the
    test database may not exist yet."""
    url = environ.Env.db_url_config(REPLICA_URLS.split(",")[0])
    with psycopg.connect(
        host=url["HOST"], port=url["PORT"], user=url["USER"], dbname="postgres"
    ) as replica:
        return replication.lsn(
            replica.execute("SELECT pg_last_wal_replay_lsn()::text").fetchone()[0]
        )


def primary_now():
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
        return replication.lsn(cursor.fetchone()[0])


def wait_for_replica(position, seconds=60):
    """How long the replica took to replay the primary's log up to position."""
    started = time.monotonic()
    while replayed() < position:
        assert time.monotonic() - started < seconds, "the replica did not catch up"
        time.sleep(0.05)
    return time.monotonic() - started


def replica_script(command):
    subprocess.run([str(SCRIPT), command], check=True, capture_output=True)


@pytest.fixture(autouse=True)
def replica(settings):
    """replica_1 reads the replica's copy of the test database; every process state fresh."""
    assert REPLICA_URLS, "REQUIRE_REPLICA is set but DATABASE_REPLICA_URLS is not"
    url = environ.Env.db_url_config(REPLICA_URLS.split(",")[0])
    connection = connections[REPLICA]
    mirrored = connection.settings_dict
    connection.close()
    connection.settings_dict = {
        **connections[DEFAULT_DB_ALIAS].settings_dict,
        "HOST": url["HOST"],
        "PORT": url["PORT"],
    }
    settings.PAGE_CACHE_SECONDS = 3600
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "read-replica-tests",
        }
    }
    cache.clear()
    page_cache._cache_down_until = 0.0
    page_cache._refreshed_at = float("-inf")
    replicas._replicas.clear()
    replicas._cache_down_until = 0.0
    replicas.answered.clear()
    replication._checked_at = float("-inf")
    # The replica's copy of the test database is made by replaying the primary's log: a
    # replica asked before it exists is left alone, and the test would read the primary.
    wait_for_replica(primary_now())
    yield
    connection.close()
    connection.settings_dict = mirrored
    cache.clear()


def page(url):
    """A public page as a reader gets it, and which database answered its reads."""
    before = replicas.answered.copy()
    answer = site.get(url)
    used = replicas.answered - before
    assert sum(used.values()) <= 1
    return answer, next(iter(used), None)


def live_pair():
    """A live pair, its editor and advisor, and the address of its pages."""
    editor = make_user("erin", "Editor")
    advisor = make_user("ada", "Medical Advisor", byline=True, first_name="Ada", last_name="Byron")
    summary = make_summary(human_evidence=BEFORE)
    make_reference(summary)
    approve_as(summary, editor, advisor)
    return summary, editor, advisor, f"/compounds/{summary.compound.slug}/{summary.condition.slug}"


def approve_edit(client, summary, editor, advisor):
    """The edit to AFTER submitted, and approved on the admin's review screen."""
    workflow.submit(save_edit(summary, editor, human_evidence=AFTER), editor)
    client.force_login(advisor)
    review = client.get(reverse("admin:compounds_evidencesummary_review", args=[summary.pk]))
    comment = confirming(EvidenceSummary.objects.get(pk=summary.pk))
    submit(client, review, "Approve", **({"comment": comment} if comment else {}))


def test_no_stale_page_after_an_approval_or_a_withdrawal_while_the_replica_lags(client):
    summary, editor, advisor, pair = live_pair()
    effectiveness, safety = f"{pair}/does-it-work/", f"{pair}/safety/"
    assert page(safety)[0].status_code == 200
    wait_for_replica(primary_now())

    # Caught up: the replica answers, and the page is cached.
    answer, answered_by = page(effectiveness)
    assert (answer.status_code, answer["X-Page-Cache"], answered_by) == (200, "miss", REPLICA)
    assert BEFORE in answer.content.decode()
    assert page(effectiveness)[0]["X-Page-Cache"] == "hit"

    # An edit approved through the admin's review screen.
    approve_edit(client, summary, editor, advisor)
    approved_at = time.monotonic()
    decision = replication.decision_position()
    # The replica has not replayed it: its copy still holds the old text.
    assert replayed() < decision
    on_replica = PublishedSummary.objects.using(REPLICA).get(pk=summary.pk)
    assert on_replica.data["human_evidence"] == BEFORE

    # Yet no reader gets the old text, from the cache or a database: the primary answers,
    # and the page cached from it is the new one.
    for url in (effectiveness, f"{effectiveness}?page=1"):
        answer, answered_by = page(url)
        text = answer.content.decode()
        assert (answer.status_code, answer["X-Page-Cache"], answered_by) == (
            200,
            "miss",
            DEFAULT_DB_ALIAS,
        ), url
        assert AFTER in text and BEFORE not in text, url
        cached = page(url)[0]
        assert cached["X-Page-Cache"] == "hit" and AFTER in cached.content.decode(), url

    # Once the replica has replayed the approval, reads move back to it.
    wait_for_replica(decision)
    replayed_after = time.monotonic() - approved_at
    time.sleep(replicas.CHECK_SECONDS)
    answer, answered_by = page(f"{effectiveness}?page=2")
    assert (answer.status_code, answered_by) == (200, REPLICA)
    assert AFTER in answer.content.decode()
    print(f"\nThe replica replayed the approval {replayed_after:.2f} s after it.")

    # A withdrawal through the admin: the pages go at once, cached or not.
    wait_for_replica(primary_now())
    change = client.get(reverse("admin:compounds_evidencesummary_change", args=[summary.pk]))
    ask = submit(client, change, "Run", **{"CHANGE_FORM-action": "withdraw"})
    submit(client, ask, "Withdraw from the public site", comment="Under re-review.")
    decision = replication.decision_position()
    assert replayed() < decision
    assert PublishedSummary.objects.using(REPLICA).filter(pk=summary.pk).exists()
    for url in (effectiveness, safety, f"{pair}/interactions/"):
        answer, answered_by = page(url)
        assert (answer.status_code, answered_by) == (404, DEFAULT_DB_ALIAS), url
        assert AFTER not in answer.content.decode()
    wait_for_replica(decision)
    time.sleep(replicas.CHECK_SECONDS)
    answer, answered_by = page(f"{pair}/interactions/")
    assert (answer.status_code, answered_by) == (404, REPLICA)


def test_a_decision_whose_position_could_not_be_noted_is_stale_at_most_the_refresh_interval(
    client, monkeypatch
):
    summary, editor, advisor, pair = live_pair()
    effectiveness = f"{pair}/does-it-work/"
    wait_for_replica(primary_now())
    assert page(effectiveness)[1] == REPLICA

    def unreachable():
        raise ConnectionError("cache unreachable")

    # The deciding process cannot note the position (nor, so, refresh the cached pages).
    with monkeypatch.context() as failing:
        failing.setattr(replication, "note_decision", unreachable)
        approve_edit(client, summary, editor, advisor)
    approved_at = time.monotonic()
    # This process made sure of the position just now: only the page cache's refresh, which
    # notes it before it gives the pages new tokens, can bring it up to date in time.
    replication._checked_at = approved_at
    stale_until = None
    while True:
        answer, answered_by = page(effectiveness)
        since = time.monotonic() - approved_at
        assert answer.status_code == 200
        if AFTER in answer.content.decode():
            break
        # Stale only as the page cache's copy, never rendered from the lagging replica.
        assert answer["X-Page-Cache"] == "hit" and answered_by is None
        stale_until = since
        assert since <= settings.PAGE_REFRESH_SECONDS + 0.1
        time.sleep(0.05)
    assert answered_by == DEFAULT_DB_ALIAS
    assert replayed() < replication.decision_position()
    print(f"\nStale for {stale_until or 0:.2f} s after a decision whose position was not noted.")


def timed(url):
    started = time.monotonic()
    answer, answered_by = page(url)
    return answer, answered_by, time.monotonic() - started


def test_the_replicas_loss_costs_no_reader_an_error(monkeypatch):
    summary, _, _, pair = live_pair()
    wait_for_replica(primary_now())
    assert page(f"{pair}/does-it-work/")[1] == REPLICA

    # Lost between the check of its position and the page's query: the page is read again
    # from the primary.
    monkeypatch.setattr(replicas, "CHECK_SECONDS", 3600.0)
    replica_script("pause")
    try:
        answer, answered_by, lost = timed(f"{pair}/safety/")
        assert (answer.status_code, answered_by) == (200, DEFAULT_DB_ALIAS)
        assert summary.compound.name in answer.content.decode()
        # Left alone for a while: the next reader does not wait for it.
        answer, answered_by, left_alone = timed(f"{pair}/interactions/")
        assert (answer.status_code, answered_by) == (200, DEFAULT_DB_ALIAS)
        assert left_alone < 1
        # Tried again later, it refuses connections: the primary answers.
        monkeypatch.setattr(replicas, "CHECK_SECONDS", 0.25)
        replicas._replicas[REPLICA].down_until = 0.0
        answer, answered_by, refused = timed(f"{pair}/evidence-level/")
        assert (answer.status_code, answered_by) == (200, DEFAULT_DB_ALIAS)
        assert replicas._replicas[REPLICA].down_until > time.monotonic()
    finally:
        replica_script("resume")
    print(
        f"\nReplica lost: {lost * 1000:.0f} ms for the page it failed, {left_alone * 1000:.0f} ms"
        f" while left alone, {refused * 1000:.0f} ms when it refused the connection."
    )

    # Back, and caught up once it is tried again: reads move back to it.
    wait_for_replica(primary_now())
    replicas._replicas[REPLICA].down_until = 0.0
    assert page(f"{pair}/does-it-work/?page=1")[1] == REPLICA
