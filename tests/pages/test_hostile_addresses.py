"""Every address answers below 500, whatever its bytes.

Requests go through insightswarm.wsgi.application, page cache in front of Django,
with the WSGI variables a server sets: gunicorn (and runserver) pass PATH_INFO as
PEP 3333 asks, one latin-1 character per byte of the decoded path; some servers pass
the path decoded as UTF-8, characters outside latin-1 included. The hostile targets
are sent as bytes on the request line, so raw bytes that gunicorn itself refuses
(a 400 of its own) are tried here as other servers would pass them.

The same targets then go over a socket to gunicorn and to runserver, started here
as `make run` and README's "Production" start them.
"""

from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from django.core.cache import cache

from pages import cache as page_cache
from tests import served
from tests import site_wsgi as site

# Request targets as they appear on the request line.
HOSTILE_TARGETS = [
    # Characters outside latin-1, percent-encoded as browsers send them.
    b"/compounds/%E2%82%AC/",
    b"/admin/compounds/compound/%EF%BC%91/change/",
    b"/admin/compounds/compound/%C3%A9/change/",
    b"/conditions/%D7%A9%D7%9C%D7%95%D7%9D/",
    b"/compounds/%F0%9F%92%8A/",
    b"/compounds/ketamine/%E2%80%AEleukemia/does-it-work/",
    b"/research/%E2%82%AC/",
    b"/%E2%82%AC",
    b"/admin/%E2%82%AC/",
    b"/static/%E2%82%AC.css",
    b"/compounds/?letter=%E2%82%AC",
    b"/search/?q=%E2%82%AC",
    # Bytes that are not UTF-8: a lone byte, a broken pair, a surrogate, an overlong "/".
    b"/compounds/%FF/",
    b"/compounds/%C3%28/",
    b"/compounds/%ED%A0%80/",
    b"/compounds/%C0%AF/",
    b"/compounds/?letter=%FF",
    b"/search/?q=%C3%28",
    # The same, not percent-encoded: raw bytes on the request line.
    b"/compounds/\xe2\x82\xac/",
    b"/compounds/\xff/",
    b"/search/?q=\xff",
    b"/search/?q=\xe2\x82\xac",
    # Control characters.
    b"/compounds/%00/",
    b"/compounds/ketamine%00/",
    b"/compounds/%0A/",
    b"/compounds/%0D%0ASet-Cookie:%20x=1/",
    b"/%7F",
    b"/admin/login/?next=%00",
    b"/search/?q=%00%0A",
    # Dot segments and encoded slashes.
    b"/compounds/%2e%2e/%2e%2e/etc/passwd",
    b"/compounds/ketamine%2Fleukemia/",
    # Long: 8 KB and 30 KB paths, a 100 KB query.
    b"/compounds/" + b"a" * 8192 + b"/",
    b"/" + b"%E2%82%AC" * 3000,
    b"/search/?q=" + b"x" * 100_000,
]


def gunicorn_environ(target):
    """The WSGI variables gunicorn 27 (gunicorn/http/wsgi.py) and runserver set: the
    target read as latin-1, its path percent-decoded to bytes and those read as latin-1."""
    uri = target.decode("latin-1")
    parts = urlsplit(uri)
    return {
        "PATH_INFO": unquote_to_bytes(parts.path).decode("latin-1"),
        "QUERY_STRING": parts.query,
        "RAW_URI": uri,
    }


def utf8_environ(target):
    """A server that decodes the address as UTF-8: characters outside latin-1 in PATH_INFO
    and QUERY_STRING."""
    path, _, query = target.partition(b"?")
    return {
        "PATH_INFO": unquote_to_bytes(path).decode("utf-8", "surrogateescape"),
        "QUERY_STRING": query.decode("utf-8", "surrogateescape"),
        "RAW_URI": target.decode("utf-8", "surrogateescape"),
    }


SERVERS = {"gunicorn": gunicorn_environ, "utf-8": utf8_environ}


@pytest.fixture
def cache_on(settings, live_seed):
    # The page cache reads every address before Django does.
    settings.PAGE_CACHE_SECONDS = 3600
    cache.clear()
    page_cache._cache_down_until = 0.0
    yield
    cache.clear()


def answer(environ, where=False):
    """The status the site answers, 500 for an exception a server would turn into one;
    with `where`, also the address it redirects to."""
    try:
        response = site.get("/", environ=environ)
    except Exception:  # noqa: BLE001 - gunicorn and runserver answer any exception with 500
        return (500, None) if where else 500
    return (response.status_code, response.get("Location")) if where else response.status_code


@pytest.mark.usefixtures("cache_on")
@pytest.mark.parametrize("server", SERVERS)
def test_every_hostile_address_answers_below_500(server):
    answers = {target[:60]: answer(SERVERS[server](target)) for target in HOSTILE_TARGETS}
    assert {target: status for target, status in answers.items() if status >= 500} == {}
    assert len(answers) == len(HOSTILE_TARGETS)


@pytest.mark.usefixtures("cache_on")
@pytest.mark.parametrize("server", SERVERS)
def test_an_address_outside_latin_1_is_not_found(server):
    for target in [b"/compounds/%E2%82%AC/", b"/research/%E2%82%AC/", b"/%E2%82%AC"]:
        assert answer(SERVERS[server](target)) == 404


@pytest.mark.usefixtures("cache_on")
@pytest.mark.parametrize("server", SERVERS)
def test_the_page_cache_changes_no_answer(settings, server):
    """The page cache reads every address before Django: Django must then read the
    address as it was sent, and redirect to it (a sign-in's `next`) as it was sent."""
    with_cache = {target: answer(SERVERS[server](target), where=True) for target in HOSTILE_TARGETS}
    settings.PAGE_CACHE_SECONDS = 0
    without = {target: answer(SERVERS[server](target), where=True) for target in HOSTILE_TARGETS}
    assert {t: a for t, a in with_cache.items() if a != without[t]} == {}


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    return served.site_env(tmp_path_factory.mktemp("served"))


@pytest.mark.parametrize("server", ["gunicorn", "runserver"])
def test_every_hostile_address_answers_below_500_from_a_real_server(server_env, tmp_path, server):
    port = served.free_port()
    if server == "gunicorn":
        command, env = served.gunicorn_command(port), server_env
    else:
        command, env = served.runserver_command(port), {**server_env, "DEBUG": "on"}
    with served.running(command, env, port, tmp_path / "server.log"):
        answers = {target[:60]: served.send(port, target)[0] for target in HOSTILE_TARGETS}
    assert {t: status for t, status in answers.items() if status is None or status >= 500} == {}


# The security headers of every response of the site (README "Production").
SECURITY_HEADERS = [
    "strict-transport-security",
    "content-security-policy",
    "x-frame-options",
    "x-content-type-options",
    "referrer-policy",
    "cross-origin-opener-policy",
    "cross-origin-resource-policy",
    "permissions-policy",
]


def test_behind_the_nginx_sample_every_error_page_carries_the_security_headers(
    server_env, tmp_path
):
    """nginx's own error pages and gunicorn's, which gunicorn cannot give headers, get the
    site's security headers from deploy/nginx.conf; the app's own are not doubled."""
    app_port, port = served.free_port(), served.free_port()
    nginx = served.nginx_command(tmp_path, port, app_port, server_env["STATIC_ROOT"])
    gunicorn = served.gunicorn_command(app_port)
    # Long enough that the second request for a page is a hit on a slow machine.
    app_env = {**server_env, "PROXY_CACHE_SECONDS": "60"}
    answers = {}
    with (
        served.running(gunicorn, app_env, app_port, tmp_path / "gunicorn.log") as app,
        served.running(nginx, server_env, port, tmp_path / "nginx.log"),
    ):
        answers["the app's 404"] = served.send(port, b"/no-such-page/")
        served.send(port, b"/how-we-grade-evidence/")
        answers["a page from nginx's cache"] = served.send(port, b"/how-we-grade-evidence/")
        # gunicorn refuses a raw byte that is not ASCII, and a request line longer than
        # its limit_request_line (4094); nginx passes both on.
        answers["gunicorn's 400"] = served.send(port, b"/compounds/\xff/")
        answers["gunicorn's 414"] = served.send(port, b"/" + b"a" * 5000)
        # nginx refuses a request line longer than its buffers (8 KB), an encoded NUL,
        # a body over client_max_body_size, and has no such static file.
        answers["nginx's 414"] = served.send(port, b"/" + b"a" * 10_000)
        answers["nginx's 400"] = served.send(port, b"/compounds/%00/")
        answers["nginx's 413"] = served.send(
            port, b"/admin/login/", b"POST", b"Content-Length: 20000000\r\n"
        )
        answers["nginx's 404 of a static file"] = served.send(port, b"/static/no-such.css")
        app.terminate()
        app.wait(timeout=30)
        answers["nginx's 502, the app down"] = served.send(port, b"/no-such-page-either/")

    statuses = {kind: status for kind, (status, _) in answers.items()}
    assert statuses == {
        "the app's 404": 404,
        "a page from nginx's cache": 200,
        "gunicorn's 400": 400,
        "gunicorn's 414": 414,
        "nginx's 414": 414,
        "nginx's 400": 400,
        "nginx's 413": 413,
        "nginx's 404 of a static file": 404,
        "nginx's 502, the app down": 502,
    }
    assert ("x-proxy-cache", "HIT") in answers["a page from nginx's cache"][1]
    expected = {name: value for name, value in answers["the app's 404"][1]}
    for kind, (_, headers) in answers.items():
        sent = [(name, value) for name, value in headers if name in SECURITY_HEADERS]
        assert sorted(sent) == sorted((name, expected.get(name)) for name in SECURITY_HEADERS), kind
