"""How often something may happen in a window of time, counted in Django's cache.

The public report form is limited per client address, and its acknowledgement per
recipient, without any script or service of another site. What is counted is named by
a keyed hash, never stored as it is: an address in the cache is gone when its window
ends. The counter is the cache's own atomic increment, so every app process sharing the
cache (Redis in production) counts together. A cache that cannot be reached allows
(logged): readers may still report a problem while it is down, and the form's other
guards (a field bots fill, size limits, the origin check) still hold.
"""

import hashlib
import hmac
import logging
import time

from django.conf import settings
from django.core.cache import cache

log = logging.getLogger(__name__)

PREFIX = "limit"


def fingerprint(value):
    """A keyed hash of value: the same for the same value, meaningless without the key."""
    key = settings.SECRET_KEY.encode()
    return hmac.new(key, str(value).encode("utf-8", "surrogatepass"), hashlib.sha256).hexdigest()[
        :32
    ]


def allow(kind, value, limit, seconds):
    """Count one more `kind` event for `value` in the current window of `seconds`; False
    once more than `limit` have been counted in it."""
    window = int(time.time() // seconds)
    key = f"{PREFIX}:{kind}:{fingerprint(value)}:{window}"
    try:
        cache.add(key, 0, seconds)
        try:
            count = cache.incr(key)
        except ValueError:
            # Evicted between the two calls: this is the window's first.
            cache.set(key, 1, seconds)
            count = 1
    except Exception as error:  # noqa: BLE001 - any cache failure: allow, and say so
        log.warning("Could not count %s in the cache, allowed: %s", kind, error)
        return True
    return count <= limit
