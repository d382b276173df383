"""The site under real servers, for tests that must see what a server does with bytes:
gunicorn, runserver, and nginx and Varnish with the deploy/ samples, each on a free port of
127.0.0.1 with a database of its own, and requests sent to them as raw bytes.

gunicorn is in the production extra, nginx and Varnish (with varnish-modules) are
Debian's: where one is missing the tests that need it are skipped with the reason,
unless REQUIRE_E2E is set (.ci/run installs them).
"""

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings

from bench.servers import render_sample
from bench.servers import varnish_command as _varnish_command
from tests.e2e.judges import need
from tests.test_settings import CLEAN_ENV

ROOT = Path(settings.BASE_DIR)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def send(port, target, method=b"GET", headers=b""):
    """A request for `target` sent as raw bytes: the status and the headers of the answer
    ([(name, value)], names in lower case), status None if there is no answer."""
    request = (
        method
        + b" "
        + target
        + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
        + headers
        + b"\r\n"
    )
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        answer = b""
        while b"\r\n\r\n" not in answer and (chunk := sock.recv(65536)):
            answer += chunk
    status_line, *lines = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1").split("\r\n")
    status = status_line.split()[1:2]
    fields = [line.split(":", 1) for line in lines if ":" in line]
    return (
        int(status[0]) if status and status[0].isdigit() else None,
        [(name.strip().lower(), value.strip()) for name, value in fields],
    )


def site_env(work):
    """The variables of a site with a migrated SQLite database and collected static files
    in `work`, DEBUG off and plain HTTP, as on a machine trying production."""
    env = {
        **CLEAN_ENV,
        # gunicorn may be on a path of its own rather than in the virtual environment.
        **({"PYTHONPATH": os.environ["PYTHONPATH"]} if "PYTHONPATH" in os.environ else {}),
        "SECRET_KEY": "a-long-random-key-for-the-served-site-tests-" + "x7" * 10,
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
            cwd=ROOT,
            check=True,
            timeout=300,
        )
    return env


def gunicorn_command(port):
    need(importlib.util.find_spec("gunicorn"), 'gunicorn (pip install -e ".[production]")')
    # As README's "Production" starts it.
    return [sys.executable, "-m", "gunicorn", "insightswarm.wsgi", "--bind", f"127.0.0.1:{port}"]


def runserver_command(port):
    # As `make run` starts it.
    return [sys.executable, "manage.py", "runserver", "--noreload", f"127.0.0.1:{port}"]


@contextmanager
def running(command, env, port, log):
    """`command` running until the block ends, answering on `port`."""
    # A file, not a pipe: a server blocks once a pipe nobody reads is full of its log.
    with log.open("wb") as output:
        process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"{command[:4]} did not start: {log.read_text()[-2000:]}")
                time.sleep(0.2)
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def nginx_command(work, port, app_port, static_root):
    """nginx running deploy/nginx.conf as it is, but for its ports and directories (as
    make bench runs it), in front of the app on `app_port`."""
    nginx = shutil.which("nginx") or shutil.which("nginx", path="/usr/sbin:/usr/local/sbin:/sbin")
    need(nginx, "nginx (Debian: apt-get install nginx)")
    prefix = work / "nginx"
    for sub in ("cache", "temp", "logs"):
        (prefix / sub).mkdir(parents=True, exist_ok=True)
    site = render_sample(
        (ROOT / "deploy" / "nginx.conf").read_text(),
        {
            "/var/cache/nginx/insightswarm": str(prefix / "cache"),
            "server 127.0.0.1:8000;": f"server 127.0.0.1:{app_port};",
            "listen 80;": f"listen 127.0.0.1:{port};",
            "server_name www.example.org;": "server_name 127.0.0.1;",
            "/srv/insightswarm/static/": f"{static_root}/",
        },
    )
    temp = prefix / "temp"
    (prefix / "nginx.conf").write_text(
        ("user root;\n" if os.geteuid() == 0 else "")
        + f"""daemon off;
worker_processes 1;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 64; }}
http {{
    access_log off;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
{site}
}}
"""
    )
    return [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")]


def varnish_command(work, port, app_port, replacements=None):
    """varnishd running deploy/varnish.vcl as it is, but for its ports (as make bench runs
    it) and `replacements`, in front of the app on `app_port`."""
    varnishd = shutil.which("varnishd") or shutil.which("varnishd", path="/usr/sbin:/sbin")
    need(varnishd, "varnishd (Debian: apt-get install varnish varnish-modules)")
    found = subprocess.run(
        [varnishd, "-C", "-f", str(ROOT / "deploy" / "varnish.vcl"), "-n", str(work / "check")],
        capture_output=True,
        text=True,
    )
    need(
        found.returncode == 0 or "xkey" not in found.stderr,
        "varnish-modules' xkey (Debian: apt-get install varnish-modules)",
    )
    assert found.returncode == 0, found.stderr[-2000:]
    return _varnish_command(varnishd, work / "varnish", port, app_port, replacements)
