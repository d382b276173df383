"""Whole public pages in Django's cache, refreshed exactly when an approval changes them.

Each cached page is filed under the tags of what it shows, read from its
address alone: a review page under its compound, its condition and its pair; a
compound page under the compound and its list of pairs; and so on
(`tags_of`). Every tag has a token in the cache, and a page's key is made of
its address and the current tokens of its tags. When an approval or a
withdrawal commits, compounds.publishing says what the object looked like on
the site before and after; `invalidate` gives new tokens to exactly the tags
of the pages that show it, so those pages get new keys and the old copies are
never read again (they age out). Nothing is deleted, so a page rendered from
the old content by a request that raced the approval is stored under the old
key, where nobody looks.

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
from django.http import HttpResponse
from django.utils.http import quote_etag

logger = logging.getLogger(__name__)

PREFIX = "page"
# Query parameters that make part of a page's address; any other makes it uncached.
ADDRESS_PARAMETERS = {"page", "letter"}
# How long the cache is left alone after it failed.
BACKOFF_SECONDS = 5.0
_cache_down_until = 0.0


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
    """The tags of the page at a public address: what it shows, by slug."""
    match url_name:
        case "review":
            compound, condition = kwargs["compound"], kwargs["condition"]
            return [
                f"compound:{compound}",
                f"condition:{condition}",
                f"pair:{compound}/{condition}",
            ]
        case "compound" | "condition":
            return [f"{url_name}:{kwargs['slug']}", f"hub:{url_name}:{kwargs['slug']}"]
        case "compound_list" | "condition_list":
            kind = url_name.removesuffix("_list")
            if "letter" in query:
                return [f"az:{kind}:{query['letter']}", f"letters:{kind}"]
            return [f"az:{kind}", f"letters:{kind}"]
        case "research":
            return [f"research:{kwargs['slug']}"]
        case "research_list":
            return ["research"]
        case "home":
            return ["home", "letters:compound", "letters:condition"]
        case "grading":
            return []
    return None


def _key(request, tags):
    """The page's key under the tags' current tokens; a tag without one gets one."""
    tokens = _cache().get_many([f"{PREFIX}:tag:{tag}" for tag in tags]) if tags else {}
    fresh = {}
    for tag in tags:
        name = f"{PREFIX}:tag:{tag}"
        if name not in tokens:
            fresh[name] = tokens[name] = secrets.token_hex(8)
    if fresh:
        # add, not set: two processes that both found no token agree on the first one.
        for name, token in fresh.items():
            if not _cache().add(name, token, timeout=None):
                tokens[name] = _cache().get(name) or token
    state = "|".join(tokens[f"{PREFIX}:tag:{tag}"] for tag in tags)
    address = hashlib.sha256(f"{request.get_full_path()}|{state}".encode()).hexdigest()
    return f"{PREFIX}:{RELEASE}:{address}"


def cached_page(view):
    """Serve a public view's 200 responses from the cache, filed under its tags."""

    @wraps(view)
    def cached(request, *args, **kwargs):
        query = request.GET
        if not _usable() or set(query) - ADDRESS_PARAMETERS:
            return _headers(view(request, *args, **kwargs))
        tags = tags_of(request.resolver_match.url_name, kwargs, query)
        try:
            key = _key(request, tags)
            stored = _cache().get(key)
        except Exception as error:  # noqa: BLE001 - any cache failure: serve uncached
            _failed(error)
            return _headers(view(request, *args, **kwargs))
        if stored is not None:
            content, content_type, last_modified = stored
            response = HttpResponse(content, content_type=content_type)
            if last_modified:
                response["Last-Modified"] = last_modified
            response["X-Page-Cache"] = "hit"
            return _headers(response)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.streaming:
            try:
                _cache().set(
                    key,
                    (response.content, response["Content-Type"], response.get("Last-Modified")),
                    settings.PAGE_CACHE_SECONDS,
                )
            except Exception as error:  # noqa: BLE001
                _failed(error)
            response["X-Page-Cache"] = "miss"
        return _headers(response)

    return cached


def _headers(response):
    """Validators and caching rules: browsers and CDNs may keep a page but must ask again
    each time (a 304 when it has not changed), so an approval shows at once; the nginx
    in front (deploy/) keeps it for PROXY_CACHE_SECONDS."""
    if response.status_code == 200 and not response.streaming:
        if not response.has_header("ETag"):
            response["ETag"] = quote_etag(hashlib.md5(response.content).hexdigest())  # noqa: S324
        response["Cache-Control"] = "public, no-cache"
        response["X-Accel-Expires"] = str(settings.PROXY_CACHE_SECONDS)
    return response


def invalidate(tags):
    """Give the tags new tokens: the pages filed under them are read afresh."""
    if not tags or settings.PAGE_CACHE_SECONDS <= 0:
        return
    try:
        _cache().set_many(
            {f"{PREFIX}:tag:{tag}": secrets.token_hex(8) for tag in tags}, timeout=None
        )
    except Exception as error:  # noqa: BLE001
        # The pages under these tags may now be stale until they expire: say so loudly.
        logger.error("Could not refresh cached pages %s: %s", sorted(tags), error)


def tags_changed_by(kind, before, after):
    """The tags of every page that shows an object, before and after its change.

    kind is the working model's name; before and after are what
    compounds.publishing.footprint said (None: not on the site).
    """
    tags = set()
    for shown in (before, after):
        if shown is None:
            continue
        match kind:
            case "evidencesummary":
                compound, condition = shown["compound"], shown["condition"]
                tags |= {
                    f"pair:{compound}/{condition}",
                    f"hub:compound:{compound}",
                    f"hub:condition:{condition}",
                }
            case "compound" | "condition":
                other = "condition" if kind == "compound" else "compound"
                tags |= {f"{kind}:{shown['slug']}", f"az:{kind}", "home"}
                tags.add(f"az:{kind}:{_letter_param(shown['letter'])}")
                tags |= {f"hub:{other}:{slug}" for slug in shown["pairs"]}
                tags |= {f"research:{slug}" for slug in shown["updates"]}
            case "researchupdate":
                tags |= {f"research:{shown['slug']}", "research", "home"}
                tags |= {f"hub:compound:{slug}" for slug in shown["compounds"]}
                tags |= {f"hub:condition:{slug}" for slug in shown["conditions"]}
    if kind in ("compound", "condition") and _letters_changed(kind, before, after):
        tags.add(f"letters:{kind}")
    return tags


def _letter_param(letter):
    return "other" if letter == "#" else letter.lower()


def _letters_changed(kind, before, after):
    """Whether a letter of the A-Z index gained its first entry or lost its last."""
    from . import live

    old = before["letter"] if before else None
    new = after["letter"] if after else None
    if old == new:
        return False
    rows = live.PUBLISHED[kind].objects
    gained = new is not None and rows.filter(letter=new).count() == 1
    lost = old is not None and not rows.filter(letter=old).exists()
    return gained or lost


def on_publication_changed(sender, model, pk, before, after, **kwargs):
    invalidate(tags_changed_by(model._meta.model_name, before, after))
