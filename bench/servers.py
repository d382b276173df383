"""The servers under measurement: gunicorn with the site, nginx and Varnish in front of it.

Both run in the foreground as children of the bench, on 127.0.0.1 only, with
their pid files, logs, caches and temporary files in the bench's own work
directory, and are stopped when the bench ends, however it ends
(`Servers` is a context manager; bench/run.py turns SIGTERM and SIGINT into
an exit so that it unwinds).

nginx runs deploy/nginx.conf itself: the sample's ports, upstream and
directories are replaced, and each replacement must find its line, so a
sample that drifts from what the bench expects fails loudly instead of
measuring something else. Varnish runs deploy/varnish.vcl the same way.
"""

import http.client
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "deploy" / "nginx.conf"
VARNISH_SAMPLE = ROOT / "deploy" / "varnish.vcl"

GUNICORN_PORT = 8088
NGINX_PORT = 8089
STATIC_COPY_PORT = 8090
FLOOR_PORT = 8091
VARNISH_PORT = 8092


def find_tool(name):
    found = shutil.which(name) or shutil.which(name, path="/usr/sbin:/usr/local/sbin:/sbin")
    if not found:
        raise SystemExit(f"make bench needs {name}: install it (Debian: apt-get install {name}).")
    return found


def wait_for(port, path="/", timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", path, headers={"Host": "127.0.0.1"})
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)


class Servers:
    def __init__(self, work, env):
        self.work = Path(work)
        self.env = env
        self.processes = []

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.stop()

    def _start(self, name, command, **kwargs):
        log = open(self.work / f"{name}.log", "ab")  # noqa: SIM115 - kept open for the child
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=self.env, cwd=ROOT, **kwargs
        )
        self.processes.append((name, process, log))
        return process

    def gunicorn(self, workers=2):
        self._gunicorn("gunicorn", "insightswarm.wsgi:application", GUNICORN_PORT, workers)
        wait_for(GUNICORN_PORT, "/robots.txt")

    def floor(self, workers=2):
        """bench/floor.py under the same gunicorn as the site, on FLOOR_PORT."""
        self._gunicorn("floor", "bench.floor:application", FLOOR_PORT, workers)
        wait_for(FLOOR_PORT)

    def _gunicorn(self, name, application, port, workers):
        self._start(
            name,
            [
                str(Path(sys.executable).with_name("gunicorn")),
                application,
                "--workers",
                str(workers),
                "--worker-class",
                "sync",
                "--bind",
                f"127.0.0.1:{port}",
                "--pid",
                str(self.work / f"{name}.pid"),
                "--log-level",
                "warning",
            ],
        )

    def nginx(self, static_root, static_copy):
        """nginx with the deploy/ sample on NGINX_PORT, and a plain server of the static
        copy of a page on STATIC_COPY_PORT."""
        prefix = self.work / "nginx"
        for sub in ("cache", "temp", "logs"):
            (prefix / sub).mkdir(parents=True, exist_ok=True)
        site = render_sample(
            SAMPLE.read_text(),
            {
                "/var/cache/nginx/insightswarm": str(prefix / "cache"),
                "server 127.0.0.1:8000;": f"server 127.0.0.1:{GUNICORN_PORT};",
                "listen 80;": f"listen 127.0.0.1:{NGINX_PORT};",
                "server_name www.example.org;": "server_name 127.0.0.1;",
                "/srv/insightswarm/static/": f"{static_root}/",
            },
        )
        (prefix / "site.conf").write_text(site)
        temp = prefix / "temp"
        user = "user root;\n" if os.geteuid() == 0 else ""
        (prefix / "nginx.conf").write_text(
            f"""{user}daemon off;
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 1024; }}
http {{
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_timeout 65;
    client_body_temp_path {temp}/body;
    proxy_temp_path {temp}/proxy;
    fastcgi_temp_path {temp}/fastcgi;
    uwsgi_temp_path {temp}/uwsgi;
    scgi_temp_path {temp}/scgi;
    include {prefix}/site.conf;
    # The anchor: nginx serving a saved copy of a page from disk.
    server {{
        listen 127.0.0.1:{STATIC_COPY_PORT};
        root {Path(static_copy).parent};
        location / {{ default_type text/html; }}
    }}
}}
"""
        )
        nginx = find_tool("nginx")
        test = subprocess.run(
            [nginx, "-t", "-p", str(prefix), "-c", str(prefix / "nginx.conf")],
            capture_output=True,
            text=True,
        )
        if test.returncode:
            raise SystemExit(f"nginx refused the configuration:\n{test.stderr}")
        self._start("nginx", [nginx, "-p", str(prefix), "-c", str(prefix / "nginx.conf")])
        wait_for(STATIC_COPY_PORT, "/" + Path(static_copy).name)
        wait_for(NGINX_PORT, "/robots.txt")

    def varnish(self):
        """Varnish with the deploy/ sample on VARNISH_PORT, in front of the site's gunicorn."""
        command = varnish_command(
            find_tool("varnishd"), self.work / "varnish", VARNISH_PORT, GUNICORN_PORT
        )
        self._start("varnish", command)
        wait_for(VARNISH_PORT, "/robots.txt")

    def stop(self):
        # Newest first: nginx before the app it proxies to.
        while self.processes:
            name, process, log = self.processes.pop()
            if process.poll() is None:
                # gunicorn and nginx both stop their workers on SIGTERM / SIGQUIT.
                # varnishd -F stops its child on SIGTERM too.
                process.send_signal(signal.SIGQUIT if name == "nginx" else signal.SIGTERM)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()


def render_sample(text, replacements, sample="deploy/nginx.conf"):
    for old, new in replacements.items():
        if old not in text:
            raise SystemExit(f"{sample} no longer contains {old!r}: update bench/servers.py")
        text = text.replace(old, new)
    return text


def varnish_command(varnishd, work, port, app_port, replacements=None):
    """varnishd in the foreground running deploy/varnish.vcl as it is, but for the app's
    port (and `replacements`), listening on 127.0.0.1:`port`, its state in `work`."""
    work = Path(work)
    work.mkdir(parents=True, exist_ok=True)
    vcl = work / "insightswarm.vcl"
    vcl.write_text(
        render_sample(
            VARNISH_SAMPLE.read_text(),
            {'.port = "8000";': f'.port = "{app_port}";', **(replacements or {})},
            "deploy/varnish.vcl",
        )
    )
    return [
        varnishd,
        "-F",
        "-a",
        f"127.0.0.1:{port}",
        "-f",
        str(vcl),
        "-n",
        str(work / "state"),
        # No management port: it is stopped by a signal.
        "-T",
        "none",
        # No change of user: it reads its files where the bench or the test wrote them.
        "-j",
        "none",
        "-s",
        "malloc,256m",
    ]
