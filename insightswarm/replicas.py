"""Public reads from streaming replicas (DATABASE_REPLICA_URLS), never older than the last
decision.

A public page (a GET or HEAD outside the admin) reads the published read model from a
replica that has replayed the primary's log at least as far as the position noted at the
last decision (pages/replication.py); if none has, from the primary. Everything else
reads and writes the primary: the admin, every write, sessions and accounts, the review
workflow and what it renders, the page cache's record of decisions.

How far each replica has replayed (pg_last_wal_replay_lsn) is asked at most every
CHECK_SECONDS per replica and process, never per query. A replica that cannot be reached,
or fails a query, is left alone for RETRY_SECONDS and the request is answered from the
primary: the reader sees no error.

`answered` counts, per database, the public requests whose reads it answered.
"""

import contextlib
import itertools
import logging
import time
from collections import Counter
from contextvars import ContextVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.urls import reverse

from compounds.models import PUBLISHABLE_MODELS, FormerSlug, ResearchUpdateLink
from pages import replication

logger = logging.getLogger(__name__)

# How long a replica's replayed position is trusted by a process before it is asked again.
CHECK_SECONDS = 0.25
# How long a replica that failed is left alone.
RETRY_SECONDS = 5.0
# Where the shared cache failed: the position cannot be read, so the primary answers.
_cache_down_until = 0.0

# What public pages read: the published read model, changed only by decisions.
PUBLIC_MODELS = frozenset(
    {model.published_model for model in PUBLISHABLE_MODELS} | {FormerSlug, ResearchUpdateLink}
)

answered = Counter()


class _Replica:
    def __init__(self):
        self.position = None
        self.checked_at = float("-inf")
        self.down_until = 0.0


_replicas = {}
_turns = itertools.count()


class _PublicRead:
    """A public request: how new its data must be, and the database that answers it."""

    def __init__(self, minimum):
        self.minimum = minimum
        self.alias = None


_public_read = ContextVar("public_read", default=None)


def _replica(alias):
    return _replicas.setdefault(alias, _Replica())


def _down(alias, error):
    replica = _replica(alias)
    replica.position, replica.checked_at = None, float("-inf")
    replica.down_until = time.monotonic() + RETRY_SECONDS
    with contextlib.suppress(DatabaseError):
        connections[alias].close()
    logger.warning("Replica %s left alone for %ss: %s", alias, RETRY_SECONDS, error)


def _has_replayed(alias, minimum, now):
    replica = _replica(alias)
    if now < replica.down_until:
        return False
    if now - replica.checked_at >= CHECK_SECONDS:
        try:
            with connections[alias].cursor() as cursor:
                cursor.execute("SELECT pg_last_wal_replay_lsn()::text")
                position = cursor.fetchone()[0]
        except DatabaseError as error:
            _down(alias, error)
            return False
        if position is None:
            _down(alias, "it is not a replica (it replays no log)")
            return False
        replica.position, replica.checked_at = replication.lsn(position), now
    return replica.position >= minimum


def _choose(read):
    if read.minimum is not None:
        aliases = settings.DATABASE_REPLICAS
        first = next(_turns) % len(aliases)
        now = time.monotonic()
        for alias in aliases[first:] + aliases[:first]:
            if _has_replayed(alias, read.minimum, now):
                return alias
    return DEFAULT_DB_ALIAS


class PublicReadRouter:
    """The published read model of a public request from a replica that has replayed the
    last decision; everything else from the primary."""

    def db_for_read(self, model, **hints):
        read = _public_read.get()
        if read is None or model not in PUBLIC_MODELS:
            return DEFAULT_DB_ALIAS
        if read.alias is None:
            read.alias = _choose(read)
            answered[read.alias] += 1
            logger.debug("Public reads from %s", read.alias)
        return read.alias

    def db_for_write(self, model, **hints):
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints):
        # Every database holds the same rows.
        return True

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        return db == DEFAULT_DB_ALIAS


def _decision_position():
    """The position noted at the last decision; None (the primary answers) while the
    shared cache cannot be read."""
    global _cache_down_until
    if time.monotonic() < _cache_down_until:
        return None
    try:
        replication.make_current()
        return replication.decision_position()
    except Exception as error:  # noqa: BLE001 - any cache or database failure: the primary
        _cache_down_until = time.monotonic() + RETRY_SECONDS
        logger.warning("Decision position unavailable, public reads from the primary: %s", error)
        return None


class PublicReadsFromReplicas:
    """Marks a public request's reads for a replica, and answers from the primary if the
    replica fails during the request."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin = reverse("admin:index")

    def __call__(self, request):
        if request.method not in ("GET", "HEAD") or request.path_info.startswith(self.admin):
            return self.get_response(request)
        marked = _public_read.set(_PublicRead(_decision_position()))
        try:
            return self.get_response(request)
        finally:
            _public_read.reset(marked)

    def process_view(self, request, view, args, kwargs):
        request.public_view = (view, args, kwargs)

    def process_exception(self, request, exception):
        read = _public_read.get()
        if (
            read is None
            or read.alias in (None, DEFAULT_DB_ALIAS)
            or not isinstance(exception, DatabaseError)
            or not hasattr(request, "public_view")
        ):
            return None
        _down(read.alias, exception)
        answered[read.alias] -= 1
        read.alias = DEFAULT_DB_ALIAS
        answered[read.alias] += 1
        view, args, kwargs = request.public_view
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        return response
