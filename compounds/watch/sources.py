"""The watch's polite client of PubMed E-utilities, Crossref, ClinicalTrials.gov and DailyMed.

    client = SourceClient()
    work = client.json(CROSSREF, "works/" + quote_doi(doi))
    if isinstance(work, Failure): ...  # reason: not_found, timeout, unavailable, unreadable

Each source is asked at most as often as its keepers allow (NCBI: 3 requests a second,
10 with `NCBI_API_KEY`; Crossref's polite pool with a contact address, and slower if its
answer's rate-limit headers say so; ClinicalTrials.gov about 50 a minute), one request at
a time. A 429 or 5xx answer is retried after the wait its Retry-After asks for, or a
growing one, a bounded number of times; a wait longer than we are willing to sleep ends
in a Failure, never in a stuck cron job. Every wait goes through `clock`, so tests run
without sleeping. Requests go through `urllib.request.urlopen`, which tests replace with
recorded answers (tests/sources.py).

The spacing is per client: a command makes one client and asks through it alone. Two
watch commands running at once would each keep to the limits, and together exceed
them; cron runs them one after the other (README, "The evidence watch").
"""

import datetime
import email.utils
import http.client
import json
import logging
import time
import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass

from django.conf import settings

from compounds.references.lookup import NOT_FOUND, TIMEOUT, UNAVAILABLE, UNREADABLE, Failure

__all__ = [
    "CLINICAL_TRIALS",
    "CROSSREF",
    "DAILYMED",
    "NOT_FOUND",
    "PUBMED",
    "TIMEOUT",
    "UNAVAILABLE",
    "UNREADABLE",
    "Failure",
    "SourceClient",
    "quote_doi",
]

logger = logging.getLogger(__name__)

PUBMED = "PubMed"
CROSSREF = "Crossref"
CLINICAL_TRIALS = "ClinicalTrials.gov"
DAILYMED = "DailyMed"

TIMEOUT_SECONDS = 15
# Search results and label histories are tens of kilobytes; a batch of 200 summaries a
# few hundred. Anything far larger is not what we asked for.
MAX_BODY_BYTES = 4 * 1024 * 1024
# Tries after the first, on 429 and 5xx.
RETRIES = 3
# Without Retry-After: 2, 4, 8 seconds.
FIRST_BACK_OFF_SECONDS = 2.0
# A source asking us to wait longer than this is better left until the next run.
LONGEST_WAIT_SECONDS = 120.0
RETRY_STATUSES = {429, 500, 502, 503, 504}


@dataclass(frozen=True)
class Source:
    name: str
    base: str
    # Seconds between the starts of two requests, at the least.
    interval: float
    # Query parameters every request carries (tool, contact, key).
    identity: dict


def quote_doi(doi):
    """A DOI as a path segment: it may hold ";", "#", "?" or "<"; all but "/" are escaped."""
    return urllib.parse.quote(doi, safe="/")


def contact():
    return settings.WATCH_CONTACT_EMAIL


def user_agent():
    """The site and a contact, as NCBI's and Crossref's etiquette asks."""
    about = f"{settings.SITE_URL}; mailto:{contact()}" if contact() else settings.SITE_URL
    return f"InsightSwarmCMS/1.0 (Insight Swarm CMS evidence watch; {about})"


def sources():
    """The sources as the settings make them: a key or a contact buys a faster pool."""
    ncbi = {"tool": "insightswarm-cms"}
    if contact():
        ncbi["email"] = contact()
    if settings.NCBI_API_KEY:
        ncbi["api_key"] = settings.NCBI_API_KEY
    crossref = {"mailto": contact()} if contact() else {}
    return {
        PUBMED: Source(
            PUBMED,
            "https://eutils.ncbi.nlm.nih.gov/entrez/eutils/",
            # NCBI: 3 requests a second without a key, 10 with one; a hair under either.
            interval=0.11 if settings.NCBI_API_KEY else 0.34,
            identity=ncbi,
        ),
        CROSSREF: Source(
            CROSSREF,
            "https://api.crossref.org/",
            # Crossref: 10 a second in the polite pool, 5 in the public one.
            interval=0.1 if contact() else 0.2,
            identity=crossref,
        ),
        CLINICAL_TRIALS: Source(
            CLINICAL_TRIALS,
            "https://clinicaltrials.gov/api/v2/",
            # ClinicalTrials.gov asks for about 50 requests a minute.
            interval=1.2,
            identity={},
        ),
        DAILYMED: Source(
            DAILYMED,
            "https://dailymed.nlm.nih.gov/dailymed/services/v2/",
            # DailyMed states no limit; NLM's servers are shared, so one a second.
            interval=1.0,
            identity={},
        ),
    }


class SystemClock:
    def monotonic(self):
        return time.monotonic()

    def sleep(self, seconds):
        time.sleep(seconds)

    def now(self):
        return datetime.datetime.now(datetime.UTC)


class SourceClient:
    """Asks the sources, keeping to their limits; see the module's docstring."""

    def __init__(self, clock=None):
        self.clock = clock or SystemClock()
        self.sources = sources()
        self._last_request = {}
        # Crossref says in each answer how many requests an interval it grants.
        self._granted_interval = {}
        self.requests_made = 0

    def json(self, source, path, params=None):
        """The decoded JSON answer of `path` under the source's base address, or a Failure."""
        return self._get(source, path, params, "application/json", json.loads)

    def xml(self, source, path, params=None):
        """The parsed XML answer (its root element), or a Failure."""
        return self._get(source, path, params, "application/xml", ElementTree.fromstring)

    def _get(self, source_name, path, params, accept, decode):
        source = self.sources[source_name]
        query = {**(params or {}), **source.identity}
        address = source.base + path + ("?" + urllib.parse.urlencode(query) if query else "")
        request = urllib.request.Request(
            address, headers={"User-Agent": user_agent(), "Accept": accept}
        )
        back_off = FIRST_BACK_OFF_SECONDS
        for attempt in range(RETRIES + 1):
            self._keep_interval(source)
            outcome = self._once(source, request)
            if not isinstance(outcome, _Retry):
                break
            if attempt == RETRIES:
                return self._failed(source, UNAVAILABLE, f"{outcome.why}, {RETRIES + 1} times")
            wait = outcome.retry_after if outcome.retry_after is not None else back_off
            if wait > LONGEST_WAIT_SECONDS:
                return self._failed(
                    source, UNAVAILABLE, f"{outcome.why} and asks us to wait {wait:.0f} s"
                )
            logger.info("%s: %s; trying again in %.1f s", source.name, outcome.why, wait)
            self.clock.sleep(wait)
            back_off *= 2
        if isinstance(outcome, Failure):
            return outcome
        try:
            return decode(outcome)
        except (ValueError, ElementTree.ParseError):
            return self._failed(source, UNREADABLE, "sent an answer that could not be read")

    def _keep_interval(self, source):
        interval = max(source.interval, self._granted_interval.get(source.name, 0.0))
        last = self._last_request.get(source.name)
        if last is not None:
            wait = last + interval - self.clock.monotonic()
            if wait > 0:
                self.clock.sleep(wait)
        self._last_request[source.name] = self.clock.monotonic()
        self.requests_made += 1

    def _once(self, source, request):
        """The answer's body, a _Retry, or a Failure."""
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                self._read_grant(source, response.headers)
                body = response.read(MAX_BODY_BYTES + 1)
        except urllib.error.HTTPError as error:
            headers = error.headers
            error.close()
            if error.code in RETRY_STATUSES:
                return _Retry(
                    f"answered HTTP {error.code}", self._retry_after(headers.get("Retry-After"))
                )
            if error.code == 404:
                return self._failed(source, NOT_FOUND, "has no such record")
            return self._failed(source, UNAVAILABLE, f"answered HTTP {error.code}")
        except (TimeoutError, urllib.error.URLError, OSError, http.client.HTTPException) as error:
            reason = getattr(error, "reason", error)
            if isinstance(error, TimeoutError) or isinstance(reason, TimeoutError):
                return self._failed(
                    source, TIMEOUT, f"did not answer within {TIMEOUT_SECONDS} seconds"
                )
            return self._failed(source, UNAVAILABLE, f"could not be reached ({reason})")
        if len(body) > MAX_BODY_BYTES:
            return self._failed(source, UNREADABLE, "sent an answer larger than we accept")
        return body

    def _read_grant(self, source, headers):
        # "X-Rate-Limit-Limit: 10", "X-Rate-Limit-Interval: 1s": never faster than configured.
        limit, interval = headers.get("X-Rate-Limit-Limit"), headers.get("X-Rate-Limit-Interval")
        try:
            requests, seconds = int(limit), float(interval.removesuffix("s"))
        except (TypeError, ValueError, AttributeError):
            return
        if requests > 0 and seconds > 0:
            self._granted_interval[source.name] = seconds / requests

    def _retry_after(self, value):
        """Seconds to wait from a Retry-After header: a number of seconds or an HTTP date."""
        if not value:
            return None
        value = value.strip()
        if value.isdigit():
            return float(value)
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            return None
        return max(0.0, (when - self.clock.now()).total_seconds())

    def _failed(self, source, reason, what):
        message = f"{source.name} {what}."
        if reason != NOT_FOUND:
            logger.warning("Evidence watch: %s", message)
        return Failure(source.name, reason, message)


@dataclass(frozen=True)
class _Retry:
    why: str
    retry_after: float | None
