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


def test_a_stored_page_is_never_served_stale():
    """With use_stale `error`, `timeout` or `http_5xx`, a page withdrawn just before the app
    went down would be served for as long as readers ask for it; with `updating` and a
    background update, the same once an update fails."""
    assert _directives("proxy_cache_use_stale") in ([], ["off"])
    assert _directives("proxy_cache_background_update") in ([], ["off"])


def test_pages_are_stored_only_as_long_as_the_app_says():
    # The app's X-Accel-Expires (PROXY_CACHE_SECONDS) is the only lifetime of a 200.
    assert not [v for v in _directives("proxy_cache_valid") if not re.match(r"404 ", v)]
    assert "X-Accel-Expires" not in " ".join(_directives("proxy_ignore_headers"))


def test_behind_the_real_nginx_a_stored_page_is_not_served_once_the_app_is_down(
    tmp_path_factory, tmp_path
):
    """The sample run as it is in front of gunicorn: a page it stored is served while the
    app allows (PROXY_CACHE_SECONDS), and not once that has passed and the app is down."""
    import time

    from tests import served

    env = served.site_env(tmp_path_factory.mktemp("nginx-sample"))
    app_port, port = served.free_port(), served.free_port()
    nginx = served.nginx_command(tmp_path, port, app_port, env["STATIC_ROOT"])
    # Two seconds, so that the second request is a hit on a slow machine.
    app_env = {**env, "PROXY_CACHE_SECONDS": "2"}
    page = b"/how-we-grade-evidence/"
    with (
        served.running(
            served.gunicorn_command(app_port), app_env, app_port, tmp_path / "g.log"
        ) as app,
        served.running(nginx, env, port, tmp_path / "nginx.log"),
    ):
        assert served.send(port, page)[0] == 200
        status, headers = served.send(port, page)
        assert (status, dict(headers).get("x-proxy-cache")) == (200, "HIT")
        app.terminate()
        app.wait(timeout=30)
        # nginx counts a lifetime in whole seconds: a page kept for 2 s may be served for
        # up to 3.
        time.sleep(3.2)
        for _ in range(3):
            status, headers = served.send(port, page)
            assert status == 502, headers
