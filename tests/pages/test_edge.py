"""The edge cache in front keeps pages until they change (pages/edge.py): every cacheable
page carries its tags in the edge's header, and after each decision's commit the site
purges the tags it changed there, from the durable record; a purge that fails stays
pending and is sent again, and never fails the decision.

The edges are played by a local HTTP server that records what it is sent and answers
as the real one documents; tests/test_varnish_sample.py runs a real Varnish.
"""

import json
import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from compounds.models import EvidenceSummary, PublicationChange
from compounds.review import workflow
from pages import edge
from tests import served

pytestmark = pytest.mark.usefixtures("live_seed")

LEUKEMIA = "/compounds/ketamine/leukemia/does-it-work/"
LEUKEMIA_TAGS = ["compound:ketamine", "condition:leukemia", "pair:ketamine/leukemia", "site"]
# Test fixtures, not real accounts.
FASTLY_SERVICE = "SU1Z0isxPaozGVKXdv0eY"
CLOUDFLARE_ZONE = "023e105f4ecef8ad9ca31a8372d0c353"


class Edge:
    """A local HTTP server standing for the edge: it records each request (method, path,
    headers by lower-case name, body) and answers with `status` and `body`."""

    def __init__(self):
        self.requests = []
        self.status, self.body = 200, b"Purged 1"
        recorded = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self):
                length = int(self.headers.get("Content-Length") or 0)
                recorded.requests.append(
                    (
                        self.command,
                        self.path,
                        {k.lower(): v for k, v in self.headers.items()},
                        self.rfile.read(length),
                    )
                )
                self.send_response(recorded.status)
                self.send_header("Content-Length", str(len(recorded.body)))
                self.end_headers()
                self.wfile.write(recorded.body)

            do_PURGE = do_POST = _answer

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def purged(self):
        """The tags of each Varnish purge received."""
        return [set(headers["xkey-purge"].split()) for _, _, headers, _ in self.requests]


@pytest.fixture
def varnish(settings):
    server = Edge()
    settings.EDGE_CACHE = "varnish"
    settings.EDGE_PURGE_URLS = [f"{server.url}/"]
    settings.EDGE_SETTLE_SECONDS = 0
    yield server
    server.close()


# The timer itself, before the fixture below replaces it in each test.
SCHEDULE = edge._schedule


@pytest.fixture(autouse=True)
def scheduled(monkeypatch):
    """The delays of the purges a process would send again later (no thread is started)."""
    delays = []
    monkeypatch.setattr(edge, "_schedule", delays.append)
    monkeypatch.setattr(edge, "_failures", 0)
    monkeypatch.setattr(edge, "_last_attempt", (float("-inf"), frozenset()))
    return delays


def _leukemia():
    return EvidenceSummary.objects.get(compound__slug="ketamine", condition__slug="leukemia")


def _withdraw(committed, advisor):
    committed(workflow.withdraw, _leukemia(), advisor, comment="Withdrawn for re-review.")
    return PublicationChange.objects.latest("id")


# The tags on the pages ------------------------------------------------------------------


def test_a_page_carries_its_tags_for_varnish_by_default(client):
    response = client.get(LEUKEMIA)
    assert response["xkey"].split() == LEUKEMIA_TAGS
    # Varnish's lifetime is in deploy/varnish.vcl; browsers still ask each time.
    assert response["Cache-Control"] == "public, no-cache"
    assert not response.has_header("Surrogate-Control")


@pytest.mark.parametrize(
    "edge_cache, header, separator, lifetime",
    [
        ("fastly", "Surrogate-Key", " ", "Surrogate-Control"),
        ("cloudflare", "Cache-Tag", ",", "Cloudflare-CDN-Cache-Control"),
    ],
)
def test_a_cdn_reads_the_same_tags_in_its_own_header(
    client, settings, edge_cache, header, separator, lifetime
):
    settings.EDGE_CACHE = edge_cache
    settings.EDGE_CACHE_SECONDS = 3600
    response = client.get(LEUKEMIA)
    assert response[header].split(separator) == LEUKEMIA_TAGS
    assert response[lifetime] == "max-age=3600"
    assert not response.has_header("xkey")


def test_the_tags_come_with_the_page_from_the_apps_own_cache(settings):
    from tests import site_wsgi as site

    settings.PAGE_CACHE_SECONDS = 3600
    assert site.get(LEUKEMIA)["X-Page-Cache"] == "miss"
    hit = site.get(LEUKEMIA)
    assert (hit["X-Page-Cache"], hit["xkey"].split()) == ("hit", LEUKEMIA_TAGS)


@pytest.mark.parametrize(
    "address",
    [
        LEUKEMIA + "?utm_source=mail",
        "/compounds/ketamine/no-such-condition/does-it-work/",
        "/compounds/?letter=not-a-letter",
        "/search/?q=ketamine",
        "/admin/login/",
        "/report-a-problem/",
    ],
)
def test_a_response_that_is_not_a_cacheable_page_carries_no_tags(client, address):
    assert not client.get(address).has_header("xkey")


# The purge after a decision ----------------------------------------------------------------


def test_a_withdrawal_purges_the_pairs_pages_once_committed(varnish, committed, advisor):
    change = _withdraw(committed, advisor)
    assert [(method, path) for method, path, _, _ in varnish.requests] == [("PURGE", "/")]
    assert {"pair:ketamine/leukemia", "hub:compound:ketamine"} <= varnish.purged()[0]
    change.refresh_from_db()
    assert not change.edge_pending


def _withdraw_two(advisor):
    def withdraw_two():
        for condition in ("leukemia", "chronic-pain"):
            summary = EvidenceSummary.objects.get(
                compound__slug="ketamine", condition__slug=condition
            )
            workflow.withdraw(summary, advisor, comment="Withdrawn for re-review.")

    return withdraw_two


def test_a_commit_of_many_decisions_sends_one_purge(
    settings, varnish, committed, advisor, scheduled
):
    # Each change stays pending after the purge, to be purged again once settled.
    settings.EDGE_SETTLE_SECONDS = 5

    committed(transaction.atomic()(_withdraw_two(advisor)))
    [tags] = varnish.purged()
    assert {"pair:ketamine/leukemia", "pair:ketamine/chronic-pain"} <= tags
    assert scheduled == [5]


def test_a_commit_of_many_decisions_tries_a_failing_edge_once_and_the_next_decision_again(
    varnish, committed, advisor, scheduled
):
    varnish.status, varnish.body = 503, b"Service Unavailable"
    committed(transaction.atomic()(_withdraw_two(advisor)))
    # One attempt, not one a change, each waiting for the failing edge.
    assert len(varnish.requests) == 1 and scheduled == [edge.RETRY_DELAYS[0]]
    # The edge is back: the next decision purges what is pending at once, not at the retry.
    varnish.status, varnish.body = 200, b"Purged 9"
    summary = EvidenceSummary.objects.get(
        compound__slug="ketamine", condition__slug="neuropathic-pain"
    )
    committed(workflow.withdraw, summary, advisor, comment="Withdrawn for re-review.")
    assert len(varnish.requests) == 2
    assert {
        "pair:ketamine/leukemia",
        "pair:ketamine/chronic-pain",
        "pair:ketamine/neuropathic-pain",
    } <= varnish.purged()[-1]
    assert not PublicationChange.objects.filter(edge_pending=True).exists()


def test_each_varnish_is_purged(settings, varnish, committed, advisor):
    second = Edge()
    try:
        settings.EDGE_PURGE_URLS = [f"{varnish.url}/", f"{second.url}/"]
        _withdraw(committed, advisor)
        assert "pair:ketamine/leukemia" in varnish.purged()[0]
        assert "pair:ketamine/leukemia" in second.purged()[0]
    finally:
        second.close()


def test_a_failed_purge_stays_pending_and_is_sent_again_without_failing_the_decision(
    varnish, committed, advisor, client, scheduled
):
    varnish.status, varnish.body = 503, b"Service Unavailable"
    change = _withdraw(committed, advisor)
    # The decision stands...
    assert client.get(LEUKEMIA).status_code == 404
    # ... the purge is pending, and sent again later.
    change.refresh_from_db()
    assert change.edge_pending
    assert scheduled == [edge.RETRY_DELAYS[0]]
    edge.purge_now_and_later()
    assert scheduled == list(edge.RETRY_DELAYS[:2])
    varnish.status, varnish.body = 200, b"Purged 3"
    call_command("refresh_pages")
    assert "pair:ketamine/leukemia" in varnish.purged()[-1]
    change.refresh_from_db()
    assert not change.edge_pending


def test_the_timer_tries_again_until_the_purge_succeeds(settings, monkeypatch):
    settings.EDGE_SETTLE_SECONDS = 0
    monkeypatch.setattr(edge, "_schedule", SCHEDULE)
    monkeypatch.setattr(edge, "RETRY_DELAYS", (0.05, 0.1))
    attempts = []
    done = threading.Event()

    def purge_pending():
        attempts.append(len(attempts))
        if len(attempts) < 4:
            raise edge.PurgeFailed("Varnish answered 503 Service Unavailable")
        done.set()

    monkeypatch.setattr(edge, "purge_pending", purge_pending)
    edge.purge_now_and_later()
    assert done.wait(timeout=10), f"{len(attempts)} attempts"
    assert len(attempts) == 4 and edge._failures == 0


def test_an_unreachable_edge_keeps_what_it_missed_until_it_is_back(
    settings, varnish, committed, advisor
):
    settings.EDGE_PURGE_URLS = [f"http://127.0.0.1:{served.free_port()}/"]
    change = _withdraw(committed, advisor)
    # cron says so, and keeps the record the edge still needs.
    with pytest.raises(CommandError, match="Could not purge the edge cache"):
        call_command("refresh_pages")
    assert PublicationChange.objects.filter(pk=change.pk, edge_pending=True).exists()
    settings.EDGE_PURGE_URLS = [f"{varnish.url}/"]
    call_command("refresh_pages")
    assert "pair:ketamine/leukemia" in varnish.purged()[-1]
    assert not PublicationChange.objects.filter(edge_pending=True).exists()


def test_a_change_is_purged_again_once_it_has_settled(
    settings, varnish, committed, advisor, scheduled, monkeypatch
):
    """A page rendered from the content before the decision may reach the edge after the
    first purge: the second, EDGE_SETTLE_SECONDS later, takes it out."""
    settings.EDGE_SETTLE_SECONDS = 5
    change = _withdraw(committed, advisor)
    assert len(varnish.requests) == 1 and scheduled == [5]
    change.refresh_from_db()
    assert change.edge_pending
    later = timezone.now() + timedelta(seconds=6)
    monkeypatch.setattr(edge.timezone, "now", lambda: later)
    edge.purge_now_and_later()
    assert "pair:ketamine/leukemia" in varnish.purged()[1]
    change.refresh_from_db()
    assert not change.edge_pending
    assert scheduled == [5]


def test_a_backlog_past_a_batch_purges_the_whole_site(varnish, monkeypatch):
    monkeypatch.setattr(edge, "PURGE_BATCH", 1)
    assert PublicationChange.objects.filter(edge_pending=True).count() > 1
    edge.purge_pending()
    assert varnish.purged() == [{"site"}]
    assert not PublicationChange.objects.filter(edge_pending=True).exists()


def test_with_no_edge_configured_nothing_is_sent_and_cron_forgets_old_records(settings):
    settings.EDGE_PURGE_URLS = []
    assert edge.purger() is None
    assert edge.purge_pending() == 0
    call_command("refresh_pages")
    assert PublicationChange.objects.count() <= 1


# The CDNs' APIs ------------------------------------------------------------------------


@pytest.fixture
def api(settings):
    server = Edge()
    settings.FASTLY_API_URL = server.url
    settings.CLOUDFLARE_API_URL = server.url
    settings.EDGE_SETTLE_SECONDS = 0
    yield server
    server.close()


def test_fastly_is_purged_by_surrogate_key(settings, api, committed, advisor):
    settings.EDGE_CACHE = "fastly"
    settings.FASTLY_SERVICE_ID, settings.FASTLY_API_TOKEN = FASTLY_SERVICE, "test-token"
    # Fastly answers a purge of several keys with each key's purge id.
    api.body = json.dumps({"pair:ketamine/leukemia": "108-1391560174-974124"}).encode()
    change = _withdraw(committed, advisor)
    [(method, path, headers, body)] = api.requests
    assert (method, path) == ("POST", f"/service/{FASTLY_SERVICE}/purge")
    assert headers["fastly-key"] == "test-token"
    assert headers["content-type"] == "application/json"
    assert "pair:ketamine/leukemia" in json.loads(body)["surrogate_keys"]
    change.refresh_from_db()
    assert not change.edge_pending


def test_cloudflare_is_purged_by_cache_tag_and_its_refusal_is_kept_pending(
    settings, api, committed, advisor, scheduled
):
    settings.EDGE_CACHE = "cloudflare"
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = CLOUDFLARE_ZONE, "test-token"
    api.status = 403
    api.body = json.dumps(
        {
            "success": False,
            "errors": [{"code": 10000, "message": "Authentication error"}],
            "messages": [],
            "result": None,
        }
    ).encode()
    change = _withdraw(committed, advisor)
    [(method, path, headers, body)] = api.requests
    assert (method, path) == ("POST", f"/zones/{CLOUDFLARE_ZONE}/purge_cache")
    assert headers["authorization"] == "Bearer test-token"
    tags = json.loads(body)["tags"]
    assert "pair:ketamine/leukemia" in tags and len(tags) <= edge.Cloudflare.TAGS_PER_REQUEST
    change.refresh_from_db()
    assert change.edge_pending and scheduled == [edge.RETRY_DELAYS[0]]

    api.status = 200
    api.body = json.dumps(
        {"success": True, "errors": [], "messages": [], "result": {"id": CLOUDFLARE_ZONE}}
    ).encode()
    edge.purge_now_and_later()
    change.refresh_from_db()
    assert not change.edge_pending


def test_cloudflare_is_sent_at_most_30_tags_a_request(settings, api):
    settings.EDGE_CACHE = "cloudflare"
    settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN = CLOUDFLARE_ZONE, "test-token"
    api.body = b'{"success": true, "errors": [], "messages": [], "result": {"id": "x"}}'
    tags = [f"pair:c{n}/d{n}" for n in range(65)]
    edge.purger().purge(tags)
    sent = [json.loads(body)["tags"] for _, _, _, body in api.requests]
    assert [len(group) for group in sent] == [30, 30, 5]
    assert sum(sent, []) == tags


@pytest.mark.parametrize("edge_cache", ["fastly", "cloudflare"])
def test_a_cdn_without_its_credentials_is_a_clear_error_not_a_failed_decision(
    settings, edge_cache, committed, advisor, client, caplog
):
    settings.EDGE_CACHE = edge_cache
    with pytest.raises(ImproperlyConfigured, match="needs"):
        edge.purger()
    _withdraw(committed, advisor)
    assert client.get(LEUKEMIA).status_code == 404
    assert "The edge cache is not purged" in caplog.text


def test_an_unknown_edge_is_named_in_the_error(settings):
    settings.EDGE_CACHE = "akamai"
    with pytest.raises(ImproperlyConfigured, match="varnish, fastly, cloudflare"):
        edge.purger()


def test_check_deploy_refuses_an_edge_it_cannot_purge(settings):
    from pages.checks import edge_cache_can_be_purged

    assert edge_cache_can_be_purged(None) == []
    settings.EDGE_CACHE = "fastly"
    settings.FASTLY_SERVICE_ID = FASTLY_SERVICE
    [error] = edge_cache_can_be_purged(None)
    assert error.id == "pages.E001" and "FASTLY_API_TOKEN" in error.msg
