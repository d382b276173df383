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

import importlib.util
import os
import socket
import subprocess
import sys
import time
from urllib.parse import unquote_to_bytes, urlsplit

import pytest
from django.conf import settings as django_settings
from django.core.cache import cache

from pages import cache as page_cache
from tests import site_wsgi as site
from tests.e2e.judges import need
from tests.test_settings import CLEAN_ENV

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


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _send(port, target):
    """The status a server answers a GET of `target`, sent as raw bytes; None if it
    answers nothing."""
    request = b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n" not in answer and (chunk := sock.recv(4096)):
            answer += chunk
    status_line = answer.split(b"\r\n", 1)[0].split()
    return int(status_line[1]) if len(status_line) > 1 and status_line[1].isdigit() else None


@pytest.fixture(scope="module")
def server_env(tmp_path_factory):
    """A migrated SQLite database and collected static files of the servers' own."""
    work = tmp_path_factory.mktemp("served")
    env = {
        **CLEAN_ENV,
        # gunicorn may be on a path of its own rather than in the virtual environment.
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        "SECRET_KEY": "a-long-random-key-for-the-served-address-tests-" + "x7" * 10,
        "DATABASE_URL": f"sqlite:///{work / 'db.sqlite3'}",
        "STATIC_ROOT": str(work / "static"),
        "ALLOWED_HOSTS": "127.0.0.1",
        "HTTPS": "off",
        "DEBUG": "off",
    }
    for command in (["migrate", "--no-input"], ["collectstatic", "--no-input"]):
        subprocess.run(
            [sys.executable, "manage.py", *command, "-v0"],
            env=env,
            cwd=django_settings.BASE_DIR,
            check=True,
            timeout=300,
        )
    return env


SERVER_COMMANDS = {
    # As README's "Production" starts it, DEBUG off.
    "gunicorn": (["-m", "gunicorn", "insightswarm.wsgi", "--workers", "1", "--bind"], "off"),
    # As `make run` starts it, DEBUG on.
    "runserver": (["manage.py", "runserver", "--noreload"], "on"),
}


@pytest.fixture(params=SERVER_COMMANDS)
def served(request, server_env, tmp_path):
    """The port of a running server of the site."""
    if request.param == "gunicorn":
        need(importlib.util.find_spec("gunicorn"), 'gunicorn (pip install -e ".[production]")')
    arguments, debug = SERVER_COMMANDS[request.param]
    port = _free_port()
    # A file, not a pipe: a server blocks once a pipe nobody reads is full of its log.
    log = tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, *arguments, f"127.0.0.1:{port}"],
            env={**server_env, "DEBUG": debug},
            cwd=django_settings.BASE_DIR,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{request.param} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_every_hostile_address_answers_below_500_from_a_real_server(served):
    answers = {target[:60]: _send(served, target) for target in HOSTILE_TARGETS}
    assert {t: status for t, status in answers.items() if status is None or status >= 500} == {}
