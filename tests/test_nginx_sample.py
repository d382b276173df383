"""The sample nginx in front (deploy/nginx.conf) keeps the one rule: a page it stores outlives
an approval or withdrawal by seconds, whatever fails behind it."""

import re
from pathlib import Path

from django.conf import settings

CONF = (Path(settings.BASE_DIR) / "deploy" / "nginx.conf").read_text()


def _directives(name):
    return [line.split(None, 1)[1].rstrip(";") for line in _lines() if line.split()[0] == name]


def _lines():
    for raw in CONF.splitlines():
        line = raw.split("#", 1)[0].strip()
        if line:
            yield line


def test_a_stored_page_is_never_served_because_the_app_fails():
    """With `error`, `timeout` or `http_5xx`, a page withdrawn just before the app went down
    would be served for as long as readers ask for it."""
    (stale,) = _directives("proxy_cache_use_stale")
    assert stale.split() == ["updating"]


def test_pages_are_stored_only_as_long_as_the_app_says():
    # The app's X-Accel-Expires (PROXY_CACHE_SECONDS) is the only lifetime of a 200.
    assert not [v for v in _directives("proxy_cache_valid") if not re.match(r"404 ", v)]
    assert "X-Accel-Expires" not in " ".join(_directives("proxy_ignore_headers"))
