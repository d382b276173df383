"""Whole public pages in Django's cache, refreshed exactly when an approval changes them.

Each cached page is filed under the tags of what it shows, read from its
address alone: a review page under its compound, its condition and its pair; a
compound page under the compound and its list of pairs; and so on
(`tags_of`, with the tags of compounds/site_tags.py, which also says which tags a
recorded change touches). Every tag has a token in the cache, and a page is stored with the
tokens its tags had when it was rendered; it is served only while they are
still current, which one round trip to the cache tells (the page and its tags'
tokens in one get_many). A page rendered from the old content by a request
that raced an approval carries the old tokens, and is never served.

Nothing outlives its withdrawal, whatever fails. An approval, a withdrawal or a
rebuild of the read model records, in its own transaction, what it changed on
the site (compounds.models.PublicationChange). `refresh_pending` gives the tags
of the pages that show each recorded change new tokens, and notes in the cache
the last change it applied. It runs when the decision commits, and every app
process runs it again before it serves from the cache if it has not in the last
PAGE_REFRESH_SECONDS: a change whose refresh failed (the cache was unreachable,
or slow) is applied by the next request of any process, and a cache that comes
back with old entries (a Redis restarted from an older snapshot, or a database
restored under the site) is found behind by its note and refreshed, every page
at once where it cannot tell which. So a page outlives the decision that
changed it by at most PAGE_REFRESH_SECONDS once the cache can be reached, and a
process that cannot reach the cache, or the database, serves nothing from it.

The cache answers in the WSGI application (CachedPages, insightswarm/wsgi.py),
before Django handles the request; views are marked for it with `cached_page`.

Keys are made of text and a hash of the code and templates that render the
pages (`RELEASE`), never of per-process values: every app process sharing the
cache computes the same keys, and a deploy that changes how pages look starts
from fresh keys. If the cache fails, pages are served uncached (fail open) and
the cache is left alone for a few seconds, so a cache outage costs at most one
short time-out per process.
"""

import hashlib
import logging
import secrets
import time
from functools import wraps
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import DisallowedHost
from django.core.handlers.wsgi import WSGIRequest
from django.urls import Resolver404, get_resolver
from django.utils.http import parse_etags, parse_http_date_safe, quote_etag

from compounds import site_tags
from compounds.models import PublicationChange

from . import addresses, edge, replication

logger = logging.getLogger(__name__)

PREFIX = "page"
# The last PublicationChange applied to the cache: "<id> <time>".
APPLIED_KEY = f"{PREFIX}:applied"
# How many recorded changes one refresh reads at a time.
REFRESH_BATCH = 2000
# Query parameters that make part of a page's address; any other makes it uncached.
ADDRESS_PARAMETERS = {"page", "letter"}
# How long the cache is left alone after it failed.
BACKOFF_SECONDS = 5.0
_cache_down_until = 0.0
# When this process last made sure the cache has every recorded change.
_refreshed_at = float("-inf")


def _release():
    """A digest of what renders the pages: their code and templates."""
    root = Path(settings.BASE_DIR)
    digest = hashlib.sha256()
    for folder in ("pages", "templates", "compounds"):
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in {".py", ".html", ".txt", ".xml"} and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


RELEASE = _release()


def _cache():
    return caches[settings.PAGE_CACHE_ALIAS]


def _usable():
    return settings.PAGE_CACHE_SECONDS > 0 and time.monotonic() >= _cache_down_until


def _failed(error):
    global _cache_down_until
    _cache_down_until = time.monotonic() + BACKOFF_SECONDS
    logger.warning("Page cache unavailable, serving pages uncached: %s", error)


def tags_of(url_name, kwargs, query):
    """The tags of the page at a public address: what it shows (compounds/site_tags.py)."""
    match url_name:
        case "review":
            compound, condition = kwargs["compound"], kwargs["condition"]
            return [
                site_tags.page("compound", compound),
                site_tags.page("condition", condition),
                site_tags.pair(compound, condition),
            ]
        case "compound" | "condition":
            return [
                site_tags.page(url_name, kwargs["slug"]),
                site_tags.hub(url_name, kwargs["slug"]),
            ]
        case "compound_list" | "condition_list":
            kind = url_name.removesuffix("_list")
            if "letter" not in query:
                return [site_tags.a_to_z(kind), site_tags.letters(kind)]
            letter = addresses.letter_of_param(query["letter"])
            # No such letter: the view answers 404, which is not cached.
            return (
                None
                if letter is None
                else [site_tags.a_to_z(kind, letter), site_tags.letters(kind)]
            )
        case "research":
            return [site_tags.update(kwargs["slug"])]
        case "research_list":
            return [site_tags.RESEARCH]
        case "home":
            return [site_tags.HOME, site_tags.letters("compound"), site_tags.letters("condition")]
        case "grading":
            return []
        case "about" | "editorial_policy" | "funding" | "contact":
            return [site_tags.site_page(kwargs["kind"], kwargs["kind"])]
        case "advisor":
            return [site_tags.site_page("advisor", kwargs["slug"]), site_tags.ADVISORS]
        case "advisor_list":
            return [site_tags.ADVISORS]
    return None


def _page_key(request):
    # The scheme is part of the address: the headers of a page fetched over HTTPS
    # (Strict-Transport-Security) are not those of the same page over HTTP.
    address = hashlib.sha256(f"{request.scheme}:{request.get_full_path()}".encode()).hexdigest()
    return f"{PREFIX}:{RELEASE}:{address}"


def _tag_key(tag):
    return f"{PREFIX}:tag:{tag}"


def _lookup(request, tags):
    """The stored page, if its tags still have the tokens it was stored under, and the
    tags' current tokens: one round trip to the cache."""
    key = _page_key(request)
    found = _cache().get_many([key, *(_tag_key(tag) for tag in tags)])
    tokens = [found.get(_tag_key(tag)) for tag in tags]
    if None in tokens:
        # A tag nobody has filed a page under yet: give it a token. add, not set, so two
        # processes that both found none agree on the first.
        for n, tag in enumerate(tags):
            if tokens[n] is None:
                _cache().add(_tag_key(tag), secrets.token_hex(8), timeout=None)
                tokens[n] = _cache().get(_tag_key(tag))
        return None, tokens
    stored = found.get(key)
    if stored is None or stored[0] != tokens:
        return None, tokens
    return stored, tokens


def cached_page(view, tags=None):
    """Mark a public view's pages as cached: CachedPages serves and stores them, filed
    under `tags(url_name, kwargs, query)` (tags_of by default). Its responses carry
    validators and caching rules, also when the cache is off."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        response = _headers(view(request, *args, **kwargs))
        match = request.resolver_match
        if response.status_code == 200 and not response.streaming and match is not None:
            page_tags = tags_of_address(cached.page_tags, match, request.GET)
            if page_tags is not None:
                # For the edge cache in front (pages/edge.py), which purges by them.
                name, value = edge.tag_header(page_tags)
                response[name] = value
                for header, lifetime in edge.lifetime_headers().items():
                    response[header] = lifetime
        return response

    cached.page_tags = tags or tags_of
    return cached


def tags_of_address(tags_of_page, match, query):
    """The tags of a cached page at an address (its resolver match and query), "site"
    included; None if the address is not one of a cached page (another query parameter
    than ADDRESS_PARAMETERS, or an address its view answers 404)."""
    if set(query) - ADDRESS_PARAMETERS:
        return None
    tags = tags_of_page(match.url_name, match.kwargs, query)
    return None if tags is None else [*tags, site_tags.SITE]


class CachedPages:
    """The WSGI application with the page cache in front of Django.

    A cached page is answered here, before Django handles the request: a hit costs
    one round trip to the cache and none of Django's request cycle (middleware,
    view). With the cache in the view, gunicorn's two workers answered 1,991 cached
    review pages a second (make bench SCALE=small); here, 3,580.

    What is stored is the response as Django sent it, with every header its
    middleware added, so a hit answers exactly what a miss did. An address is served
    from the cache only if it is one of a `cached_page` view, asked for with GET or
    HEAD, with no query parameter but those of ADDRESS_PARAMETERS, from a host
    Django accepts and, if HTTPS is required, over HTTPS: anything else is Django's.
    """

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        try:
            address = _cacheable(environ)
        except Exception:  # noqa: BLE001 - a request Django must judge (a malformed query)
            address = None
        if address is None:
            return self.application(environ, start_response)
        request, tags = address
        try:
            _make_current()
            stored, tokens = _lookup(request, tags)
        except Exception as error:  # noqa: BLE001 - any cache or database failure: uncached
            _failed(error)
            return self.application(environ, start_response)
        if stored is not None:
            return _answer(request, stored, start_response)
        return self._render_and_store(environ, start_response, request, tokens)

    def _render_and_store(self, environ, start_response, request, tokens):
        sent = {}

        def remember(status, headers, exc_info=None):
            sent.update(status=status, headers=headers)
            return start_response(status, [*headers, ("X-Page-Cache", "miss")], exc_info)

        result = self.application(environ, remember)
        if not sent.get("status", "").startswith("200 ") or request.method != "GET":
            return result
        headers = [(name, value) for name, value in sent["headers"]]
        names = {name.lower(): value for name, value in headers}
        # Never stored: a response that sets a cookie or varies with one is someone's.
        if "set-cookie" in names or "cookie" in names.get("vary", "").lower():
            return result
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        try:
            # Stored with the tokens its tags had before it was rendered: if an
            # approval changed them meanwhile, the copy is never served.
            _cache().set(
                _page_key(request), (tokens, content, headers), settings.PAGE_CACHE_SECONDS
            )
        except Exception as error:  # noqa: BLE001
            _failed(error)
        return [content]


def _cacheable(environ):
    """The request and the tags of its page, if the page cache may answer it."""
    if environ.get("REQUEST_METHOD") not in ("GET", "HEAD") or not _usable():
        return None
    # A copy: WSGIRequest writes its decoding of the address into the environ it is
    # given, which Django, reading the environ again, would decode a second time.
    request = WSGIRequest(environ.copy())
    try:
        match = get_resolver().resolve(request.path_info)
    except Resolver404:
        return None
    tags_of_page = getattr(match.func, "page_tags", None)
    if tags_of_page is None:
        return None
    tags = tags_of_address(tags_of_page, match, request.GET)
    if tags is None:
        return None
    try:
        request.get_host()
    except DisallowedHost:
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None
    return request, tags


def _answer(request, stored, start_response):
    """The stored page, or 304 Not Modified when the browser's copy is still it."""
    _, content, headers = stored
    names = {name.lower(): value for name, value in headers}
    if _not_modified(request, names.get("etag"), names.get("last-modified")):
        kept = [(n, v) for n, v in headers if n.lower() not in ("content-type", "content-length")]
        start_response("304 Not Modified", [*kept, ("X-Page-Cache", "hit")])
        return []
    start_response("200 OK", [*headers, ("X-Page-Cache", "hit")])
    return [b"" if request.method == "HEAD" else content]


def _not_modified(request, etag, last_modified):
    """As Django's ConditionalGetMiddleware judges: If-None-Match first, else
    If-Modified-Since."""
    wanted = request.META.get("HTTP_IF_NONE_MATCH")
    if wanted is not None:
        if etag is None:
            return False
        tags = parse_etags(wanted)
        return "*" in tags or etag.removeprefix("W/") in {t.removeprefix("W/") for t in tags}
    since = request.META.get("HTTP_IF_MODIFIED_SINCE")
    if since is None or last_modified is None:
        return False
    since, changed = parse_http_date_safe(since), parse_http_date_safe(last_modified)
    return since is not None and changed is not None and changed <= since


def _headers(response):
    """Validators and caching rules: browsers may keep a page but must ask again each
    time (a 304 when it has not changed), so an approval shows at once; the nginx in
    front (deploy/nginx.conf) keeps it for PROXY_CACHE_SECONDS; an edge cache that
    purges by tag (deploy/varnish.vcl, pages/edge.py) until a decision changes it."""
    if response.status_code == 200 and not response.streaming:
        if not response.has_header("ETag"):
            response["ETag"] = quote_etag(hashlib.md5(response.content).hexdigest())  # noqa: S324
        response["Cache-Control"] = "public, no-cache"
        response["X-Accel-Expires"] = str(settings.PROXY_CACHE_SECONDS)
    return response


def invalidate(tags):
    """Give the tags new tokens: the pages filed under them are read afresh."""
    _cache().set_many({_tag_key(tag): secrets.token_hex(8) for tag in tags}, timeout=None)


def _make_current():
    """Refresh the cache from the recorded changes, if this process has not lately."""
    global _refreshed_at
    now = time.monotonic()
    if now - _refreshed_at >= settings.PAGE_REFRESH_SECONDS:
        refresh_pending()
        _refreshed_at = now


def _note(change):
    return f"{change.id} {change.at.isoformat()}" if change else "0"


def refresh_pending():
    """Apply to the cache every recorded change it has not had yet.

    The cache notes the last change applied (APPLIED_KEY). The changes after it are
    applied in order; each gives the tags of the pages it touched a token named after
    it, so two processes applying the same change agree. If the note is missing, or
    names a change the database does not hold as noted (the cache lost it, came back
    from an older snapshot, or the database was restored), the cache cannot tell what
    it missed, and every page is refreshed.
    """
    changes = PublicationChange.objects.order_by("id")
    note = _cache().get(APPLIED_KEY)
    last_id = int(note.split()[0]) if note else None
    if last_id is None:
        everything = True
    elif last_id == 0:
        everything = False
    else:
        noted = changes.filter(id=last_id).first()
        everything = _note(noted) != note
    if everything:
        latest = changes.last()
        # Before the new tokens: no page is rendered from a replica behind what they say.
        replication.note_decision()
        invalidate([site_tags.SITE])
        _cache().set(APPLIED_KEY, _note(latest), timeout=None)
        return
    while True:
        batch = list(changes.filter(id__gt=last_id)[:REFRESH_BATCH])
        if not batch:
            return
        replication.note_decision()
        tokens = {}
        for change in batch:
            for tag in _tags_of_change(change):
                tokens[tag] = f"c{change.id}"
        _cache().set_many({_tag_key(tag): token for tag, token in tokens.items()}, timeout=None)
        _cache().set(APPLIED_KEY, _note(batch[-1]), timeout=None)
        last_id = batch[-1].id


def _tags_of_change(change):
    if change.model == change.EVERYTHING:
        return [site_tags.SITE]
    return site_tags.changed_by(change.model, change.before, change.after)


def on_publication_changed(sender, change, **kwargs):
    """Once a decision commits: refresh the pages it changed, and any change still pending."""
    if settings.PAGE_CACHE_SECONDS <= 0:
        return
    try:
        refresh_pending()
    except Exception as error:  # noqa: BLE001
        logger.error(
            "Could not refresh cached pages after change %s: %s. Every app process applies it "
            "before it serves from the cache again.",
            change.pk,
            error,
        )
