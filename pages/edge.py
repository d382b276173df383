"""The edge cache in front of the site keeps public pages until a decision changes them.

Every cacheable public page (a `cached_page` view's 200, at an address the page cache
would serve) carries the tags it is filed under in pages/cache.py, in the header the
edge purges by: `xkey` for Varnish with varnish-modules (deploy/varnish.vcl),
`Surrogate-Key` for Fastly, `Cache-Tag` for Cloudflare (EDGE_CACHE). Every page also
carries the tag "site", so purging it empties the edge of the whole site.

After each decision's commit, the tags of the pages it changed are purged at the edge
from the same durable record the page cache refreshes from (PublicationChange): each
change stays `edge_pending` until a purge of its tags succeeded, so a purge that failed
(the edge unreachable, an API error) is sent again, by a timer in the process that made
the decision and by `manage.py refresh_pages` (cron, every minute), never lost; and it
never fails the decision. A request that rendered a page from the content before the
decision may hand it to the edge after the purge; each change is therefore purged once
more EDGE_SETTLE_SECONDS after it was made.

The purge itself is one small class per edge (`purger`): anything with a
`purge(tags)` that raises when the edge did not take the purge.
"""

import json
import logging
import threading
import time
import urllib.error
import urllib.request
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils import timezone

from compounds import site_tags
from compounds.models import PublicationChange

logger = logging.getLogger(__name__)

# The header each edge reads a response's tags from, and what separates them there.
HEADERS = {
    "varnish": ("xkey", " "),
    "fastly": ("Surrogate-Key", " "),
    "cloudflare": ("Cache-Tag", ","),
}
# How many recorded changes one purge covers; past that, the whole site is purged.
PURGE_BATCH = 2000
# Waits between attempts after a purge failed, in seconds; cron covers the longer gaps.
RETRY_DELAYS = (1, 2, 4, 8, 16, 30)


class PurgeFailed(Exception):
    pass


def tag_header(tags):
    """The response header that files a page under `tags` at the configured edge."""
    name, separator = _header()
    return name, separator.join(tags)


def _header():
    try:
        return HEADERS[settings.EDGE_CACHE]
    except KeyError:
        raise ImproperlyConfigured(
            f"EDGE_CACHE is {settings.EDGE_CACHE!r}; it must be one of {', '.join(HEADERS)}."
        ) from None


def lifetime_headers():
    """How long a CDN keeps a page, in the header it reads for itself (browsers still get
    Cache-Control: no-cache). Varnish's lifetime is in deploy/varnish.vcl."""
    seconds = settings.EDGE_CACHE_SECONDS
    match settings.EDGE_CACHE:
        case "fastly":
            return {"Surrogate-Control": f"max-age={seconds}"}
        case "cloudflare":
            return {"Cloudflare-CDN-Cache-Control": f"max-age={seconds}"}
    return {}


def _send(request, what):
    """Send `request`; the answer's body, or PurgeFailed saying why not."""
    try:
        with urllib.request.urlopen(request, timeout=settings.EDGE_PURGE_TIMEOUT) as answer:  # noqa: S310 - the operator's URL
            return answer.read()
    except urllib.error.HTTPError as error:
        raise PurgeFailed(f"{what} answered {error.code} {error.reason}") from error
    except (OSError, ValueError) as error:
        raise PurgeFailed(f"{what} could not be reached: {error}") from error


def _chunks(tags, count, length=None):
    """`tags` in groups of at most `count`, and of at most `length` characters joined."""
    group, size = [], 0
    for tag in tags:
        if group and (len(group) == count or (length and size + len(tag) + 1 > length)):
            yield group
            group, size = [], 0
        group.append(tag)
        size += len(tag) + 1
    if group:
        yield group


class Varnish:
    """Varnish with varnish-modules' xkey (deploy/varnish.vcl): a PURGE request naming the
    tags in its `xkey-purge` header, to each Varnish of EDGE_PURGE_URLS."""

    # Varnish refuses a request header over 8 KiB (http_req_hdr_len).
    HEADER_LENGTH = 4000

    def __init__(self, urls):
        self.urls = urls

    def purge(self, tags):
        failed = []
        for url in self.urls:
            for group in _chunks(tags, len(tags), self.HEADER_LENGTH):
                request = urllib.request.Request(
                    url, method="PURGE", headers={"xkey-purge": " ".join(group)}
                )
                try:
                    _send(request, f"Varnish at {url}")
                except PurgeFailed as error:
                    failed.append(str(error))
                    break
        if failed:
            raise PurgeFailed("; ".join(failed))


class Fastly:
    """Fastly's purge by surrogate key: POST /service/{id}/purge with the keys in a JSON
    body (at most 256 a request), authenticated by the Fastly-Key header
    (https://www.fastly.com/documentation/reference/api/purging/)."""

    KEYS_PER_REQUEST = 256

    def __init__(self, service_id, token, api):
        self.url = f"{api.rstrip('/')}/service/{service_id}/purge"
        self.token = token

    def purge(self, tags):
        for group in _chunks(tags, self.KEYS_PER_REQUEST):
            request = urllib.request.Request(
                self.url,
                data=json.dumps({"surrogate_keys": group}).encode(),
                method="POST",
                headers={
                    "Fastly-Key": self.token,
                    "Content-Type": "application/json",
                    "Accept": "application/json",
                },
            )
            _send(request, "Fastly")


class Cloudflare:
    """Cloudflare's purge by cache tag: POST /zones/{zone}/purge_cache with {"tags": [...]}
    (at most 30 a request), authenticated by an API token with the Cache Purge
    permission (https://developers.cloudflare.com/api/resources/cache/methods/purge/)."""

    TAGS_PER_REQUEST = 30

    def __init__(self, zone_id, token, api):
        self.url = f"{api.rstrip('/')}/zones/{zone_id}/purge_cache"
        self.token = token

    def purge(self, tags):
        for group in _chunks(tags, self.TAGS_PER_REQUEST):
            request = urllib.request.Request(
                self.url,
                data=json.dumps({"tags": group}).encode(),
                method="POST",
                headers={
                    "Authorization": f"Bearer {self.token}",
                    "Content-Type": "application/json",
                },
            )
            body = _send(request, "Cloudflare")
            try:
                success = json.loads(body).get("success") is True
            except (ValueError, AttributeError):
                success = False
            if not success:
                raise PurgeFailed(f"Cloudflare did not purge: {body[:300]!r}")


def purger():
    """The configured edge's purger, or None when there is no edge to purge."""
    _header()
    match settings.EDGE_CACHE:
        case "varnish":
            return Varnish(settings.EDGE_PURGE_URLS) if settings.EDGE_PURGE_URLS else None
        case "fastly":
            needed = (settings.FASTLY_SERVICE_ID, settings.FASTLY_API_TOKEN)
            if not all(needed):
                raise ImproperlyConfigured(
                    "EDGE_CACHE=fastly needs FASTLY_SERVICE_ID and FASTLY_API_TOKEN."
                )
            return Fastly(*needed, api=settings.FASTLY_API_URL)
        case "cloudflare":
            needed = (settings.CLOUDFLARE_ZONE_ID, settings.CLOUDFLARE_API_TOKEN)
            if not all(needed):
                raise ImproperlyConfigured(
                    "EDGE_CACHE=cloudflare needs CLOUDFLARE_ZONE_ID and CLOUDFLARE_API_TOKEN."
                )
            return Cloudflare(*needed, api=settings.CLOUDFLARE_API_URL)


def purge_pending():
    """Purge at the edge the tags of every change still pending; clear those purged at
    least EDGE_SETTLE_SECONDS after they were made. Raises PurgeFailed if the edge did not
    take the purge (the changes stay pending). The number of changes purged."""
    edge = purger()
    if edge is None:
        return 0
    started = timezone.now()
    pending = PublicationChange.objects.filter(edge_pending=True)
    # The changes this purge covers: those committed now. One committed meanwhile is
    # purged by the next run, not cleared unpurged by this one.
    ids = list(pending.order_by("id").values_list("id", flat=True))
    if not ids:
        return 0
    if len(ids) > PURGE_BATCH:
        # More than a batch: purging everything is one request, and as good.
        tags = {site_tags.SITE}
    else:
        changes = PublicationChange.objects.filter(id__in=ids).only("model", "before", "after")
        tags = {tag for change in changes for tag in _tags_of_change(change)}
    global _last_attempt
    _last_attempt = (time.monotonic(), frozenset(ids))
    edge.purge(sorted(tags))
    settled = started - timedelta(seconds=settings.EDGE_SETTLE_SECONDS)
    for start in range(0, len(ids), PURGE_BATCH):
        pending.filter(id__in=ids[start : start + PURGE_BATCH], at__lte=settled).update(
            edge_pending=False
        )
    return len(ids)


def _tags_of_change(change):
    if change.model == change.EVERYTHING:
        return [site_tags.SITE]
    return site_tags.changed_by(change.model, change.before, change.after)


# The timer of this process that purges again, and when it is due (time.monotonic()).
_timer = None
_timer_due = float("inf")
_failures = 0
_lock = threading.Lock()
# When this process last tried a purge, and the changes it covered: the other changes of
# a commit that approved many things at once were purged with the first (or, if that
# failed, are left to the retry rather than each waiting for the failing edge).
_last_attempt = (float("-inf"), frozenset())
COALESCE_SECONDS = 2.0


def purge_now_and_later():
    """Purge what is pending; then, while anything is, purge again later: after a
    failure, at growing intervals; after a success, once the changes have settled."""
    global _failures
    try:
        purge_pending()
    except Exception as error:  # noqa: BLE001 - the edge or the database: try again later
        delay = RETRY_DELAYS[min(_failures, len(RETRY_DELAYS) - 1)]
        _failures += 1
        logger.error(
            "Could not purge the edge cache: %s. Trying again in %s s (and by "
            "manage.py refresh_pages).",
            error,
            delay,
        )
        _schedule(delay)
        return
    _failures = 0
    if settings.EDGE_SETTLE_SECONDS > 0 and _anything_pending():
        _schedule(settings.EDGE_SETTLE_SECONDS)


def _anything_pending():
    try:
        return PublicationChange.objects.filter(edge_pending=True).exists()
    except Exception:  # noqa: BLE001 - the database is gone: cron tries again
        return False


def _schedule(delay):
    """Run purge_now_and_later in `delay` seconds, unless a timer that has not fired yet
    will run it sooner. (A timer that has fired, and is running, schedules the next.)"""
    global _timer, _timer_due
    now = time.monotonic()
    due = now + delay
    with _lock:
        if _timer is not None and _timer.is_alive() and now < _timer_due <= due:
            return
        if _timer is not None:
            _timer.cancel()
        _timer = threading.Timer(delay, _in_thread)
        _timer.daemon = True
        _timer_due = due
        _timer.start()


def _in_thread():
    try:
        purge_now_and_later()
    finally:
        # This thread's own database connections: nobody else closes them.
        connections.close_all()


def on_publication_changed(sender, change, **kwargs):
    """Once a decision commits: purge at the edge what it changed, and anything pending.
    Never fails the decision: a failed purge is logged and tried again.

    A commit that changed many things calls this once for each: the first purges them
    all, or leaves them to the retry if it failed. Each later decision tries at once, so
    an edge that is back is purged with the next decision, not at the next retry."""
    try:
        if purger() is None:
            return
    except ImproperlyConfigured as error:
        logger.error("The edge cache is not purged: %s", error)
        return
    tried_at, covered = _last_attempt
    if change.pk in covered and time.monotonic() - tried_at < COALESCE_SECONDS:
        return
    purge_now_and_later()
