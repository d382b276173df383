"""Where the primary's write-ahead log stood at the last decision: how new the data of a
public page must be.

With read replicas (DATABASE_REPLICA_URLS, insightswarm/replicas.py), a public page may be
read from a replica only once that replica has replayed the last decision about what the
site shows. After each decision commits, and each time a process applies recorded
changes to the page cache (pages/cache.py, refresh_pending), the primary's position is
noted in the shared cache, before the pages' tags get new tokens: a request reads its
page's tokens (pages.cache) before it reads this position, so a page rendered from a
replica that had not replayed a decision is stored under the tokens from before it and
is never served.

One position for the whole site, not one per page: a decision sends every public read to
the primary until the replicas have replayed it (normally milliseconds), which is
simpler than finding the last decision about each page and costs little, as decisions
are rare against reads.

Without replicas nothing here runs: SQLite and single-database sites are as before.
"""

import logging
import time

from django.conf import settings
from django.core.cache import caches
from django.db import DEFAULT_DB_ALIAS, connections, transaction

from compounds.models import PublicationChange

logger = logging.getLogger(__name__)

# The primary's position (a pg_lsn as text, "16/B374D848") at the last decision noted, and
# the id of the last PublicationChange it covers: "16/B374D848 1234".
POSITION_KEY = "replicas:decision-position"
# An advisory lock held while a position is read and noted, so that two processes noting
# at once cannot leave an older position after a newer one.
NOTING_LOCK = 0x1D5C_0001
# When this process last made sure the noted position covers every recorded decision.
_checked_at = float("-inf")


def in_use():
    return bool(settings.DATABASE_REPLICAS)


def lsn(text):
    """A write-ahead log position ("16/B374D848") as a number that orders as it does."""
    high, low = text.split("/")
    return (int(high, 16) << 32) | int(low, 16)


def _last_change():
    last = PublicationChange.objects.using(DEFAULT_DB_ALIAS).order_by("-id")
    return last.values_list("id", flat=True).first() or 0


def note_decision():
    """Note where the primary's log stands now, past the commit of every decision already
    recorded, with the last one recorded. The insert position, not the flushed one: with
    synchronous_commit off a commit is visible before its record is flushed, never before
    it is inserted."""
    if not in_use():
        return None
    with transaction.atomic(using=DEFAULT_DB_ALIAS):
        with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [NOTING_LOCK])
            # The last change first: the position read after it is past its commit.
            last = _last_change()
            cursor.execute("SELECT pg_current_wal_insert_lsn()::text")
            noted = f"{cursor.fetchone()[0]} {last}"
        caches[settings.PAGE_CACHE_ALIAS].set(POSITION_KEY, noted, timeout=None)
    return noted


def decision_position():
    """The position noted at the last decision, as a number. If the cache lost it, the
    primary's position now is noted instead: later than any decision, so always safe."""
    noted = caches[settings.PAGE_CACHE_ALIAS].get(POSITION_KEY) or note_decision()
    return lsn(noted.split()[0])


def make_current():
    """Note the position again if a decision was recorded after the last one noted (its
    noting failed): at most every PAGE_REFRESH_SECONDS in each process, whether or not
    the page cache is on."""
    global _checked_at
    now = time.monotonic()
    if now - _checked_at < settings.PAGE_REFRESH_SECONDS:
        return
    _checked_at = now
    noted = caches[settings.PAGE_CACHE_ALIAS].get(POSITION_KEY)
    if noted is None or int(noted.split()[1]) < _last_change():
        note_decision()


def on_publication_changed(sender, change, **kwargs):
    """Once a decision commits, before the page cache hears of it: note the position.
    If it cannot be noted now (the cache or the primary failed), it is noted by the next
    request of any process within PAGE_REFRESH_SECONDS (make_current), and before the page
    cache gives the decision's pages new tokens (pages.cache.refresh_pending); a request
    that cannot reach the cache reads the primary."""
    try:
        note_decision()
    except Exception as error:  # noqa: BLE001 - a cache or database failure: noted later
        logger.error("Could not note the position of change %s: %s", change.pk, error)
