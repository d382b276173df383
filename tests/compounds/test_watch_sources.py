"""The evidence watch's client of the sources: polite, bounded, and clear when it fails."""

import json

import pytest

from compounds.watch import sources as watch
from tests.sources import RecordedClock

WORK = "works/" + watch.quote_doi("10.5555/recorded-test-record")


@pytest.fixture
def clock():
    return RecordedClock()


@pytest.fixture
def client(sources, settings, clock):
    settings.WATCH_CONTACT_EMAIL = "editors@example.org"
    settings.NCBI_API_KEY = ""
    return watch.SourceClient(clock=clock)


def test_a_crossref_answer_is_decoded_and_the_request_joins_the_polite_pool(sources, client):
    sources.answer("crossref_work.json")
    work = client.json(watch.CROSSREF, WORK)
    assert work["message"]["DOI"] == "10.5555/recorded-test-record"
    request = sources.last_request
    assert request.full_url == (
        "https://api.crossref.org/works/10.5555/recorded-test-record?mailto=editors%40example.org"
    )
    assert "mailto:editors@example.org" in request.get_header("User-agent")
    assert sources.requests[-1][1] == watch.TIMEOUT_SECONDS


def test_pubmed_requests_name_the_tool_and_contact_and_keep_three_a_second(sources, client, clock):
    for _ in range(3):
        sources.answer("pubmed_esummary.json")
        client.json(watch.PUBMED, "esummary.fcgi", {"db": "pubmed", "id": "999999901"})
    assert "tool=insightswarm-cms" in sources.last_request.full_url
    assert "email=editors%40example.org" in sources.last_request.full_url
    assert "api_key" not in sources.last_request.full_url
    assert clock.slept == [0.34, 0.34]


def test_an_ncbi_key_is_sent_and_allows_ten_a_second(sources, settings, clock):
    settings.WATCH_CONTACT_EMAIL = ""
    settings.NCBI_API_KEY = "recorded-test-key"
    client = watch.SourceClient(clock=clock)
    for _ in range(2):
        sources.answer("pubmed_esummary.json")
        client.json(watch.PUBMED, "esummary.fcgi", {"db": "pubmed", "id": "999999901"})
    assert "api_key=recorded-test-key" in sources.last_request.full_url
    assert "email=" not in sources.last_request.full_url
    assert clock.slept == [0.11]


def test_each_source_keeps_its_own_interval(sources, client, clock):
    sources.answer("crossref_work.json")
    sources.answer("pubmed_esummary.json")
    client.json(watch.CROSSREF, WORK)
    client.json(watch.PUBMED, "esummary.fcgi", {"id": "999999901"})
    assert clock.slept == []


def test_crossref_asking_for_fewer_requests_is_obeyed(sources, client, clock):
    limits = {"X-Rate-Limit-Limit": "5", "X-Rate-Limit-Interval": "1s"}
    sources.answer("crossref_work.json", headers=limits)
    sources.answer("crossref_work.json", headers=limits)
    client.json(watch.CROSSREF, WORK)
    client.json(watch.CROSSREF, WORK)
    assert clock.slept == [0.2]


def test_429_then_success_waits_as_retry_after_asks(sources, client, clock):
    sources.answer(b"", status=429, headers={"Retry-After": "7"})
    sources.answer("crossref_work.json")
    work = client.json(watch.CROSSREF, WORK)
    assert work["message"]["DOI"] == "10.5555/recorded-test-record"
    assert clock.slept == [7.0]
    assert len(sources.requests) == 2


def test_retry_after_as_a_date_is_honoured(sources, client, clock):
    sources.answer(b"", status=503, headers={"Retry-After": "Sat, 05 Dec 2026 03:00:30 GMT"})
    sources.answer("crossref_work.json")
    assert "message" in client.json(watch.CROSSREF, WORK)
    assert clock.slept == [30.0]


def test_5xx_without_retry_after_backs_off_and_gives_up_with_a_failure(sources, client, clock):
    for _ in range(watch.RETRIES + 1):
        sources.answer(b"<html>Bad gateway</html>", status=502, content_type="text/html")
    failure = client.json(watch.CROSSREF, WORK)
    assert failure == watch.Failure(
        "Crossref", watch.UNAVAILABLE, "Crossref answered HTTP 502, 4 times."
    )
    assert clock.slept == [2.0, 4.0, 8.0]


def test_a_wait_longer_than_we_sleep_ends_in_a_failure_at_once(sources, client, clock):
    sources.answer(b"", status=429, headers={"Retry-After": "3600"})
    failure = client.json(watch.CROSSREF, WORK)
    assert failure.reason == watch.UNAVAILABLE
    assert "wait 3600 s" in failure.message
    assert clock.slept == []


def test_a_timeout_is_a_failure_that_says_so(sources, client):
    sources.fail(TimeoutError("timed out"))
    failure = client.json(watch.CROSSREF, WORK)
    assert failure.reason == watch.TIMEOUT
    assert failure.message == "Crossref did not answer within 15 seconds."


def test_an_unreachable_source_is_a_failure(sources, client):
    import urllib.error

    sources.fail(urllib.error.URLError(ConnectionRefusedError("refused")))
    assert client.json(watch.PUBMED, "esummary.fcgi").reason == watch.UNAVAILABLE


def test_no_such_record_is_not_found(sources, client):
    sources.answer("crossref_missing.txt", status=404, content_type="text/plain")
    assert client.json(watch.CROSSREF, WORK).reason == watch.NOT_FOUND


@pytest.mark.parametrize("body", [b'{"status":"ok","message":', b"<html>maintenance</html>"])
def test_a_malformed_body_is_unreadable(sources, client, body):
    sources.answer(body)
    assert client.json(watch.CROSSREF, WORK).reason == watch.UNREADABLE


def test_malformed_xml_is_unreadable(sources, client):
    sources.answer(b"<eSearchResult><Count>1</Count>", content_type="text/xml")
    assert client.xml(watch.PUBMED, "esearch.fcgi").reason == watch.UNREADABLE


def test_xml_is_parsed(sources, client):
    sources.answer(b"<eSearchResult><Count>2</Count></eSearchResult>", content_type="text/xml")
    assert client.xml(watch.PUBMED, "esearch.fcgi").findtext("Count") == "2"


def test_an_answer_larger_than_the_bound_is_unreadable(sources, client, monkeypatch):
    monkeypatch.setattr(watch, "MAX_BODY_BYTES", 64)
    sources.answer(json.dumps({"message": "x" * 100}).encode())
    assert client.json(watch.CROSSREF, WORK).reason == watch.UNREADABLE
