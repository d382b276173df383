"""make faults: the site under load while PostgreSQL restarts and while Redis is down.

    .venv/bin/python -m bench.faults [--seconds N]

A small catalogue in a database of its own (insightswarm_faults_bench, dropped and
created again), a Redis database of its own (db 14), gunicorn with 2 workers on
127.0.0.1:8088. Each scenario runs wrk for N seconds (at most 30) over review pages
and hubs, with a probe asking for one page every 50 ms, and after a few seconds
breaks a service:

- PostgreSQL restarted (`pg_ctlcluster VERSION main restart`), pages served uncached
  so that every request needs the database;
- Redis stopped (`redis-cli shutdown nosave`) for a few seconds, then started again,
  pages served from the Redis page cache when it is there.

It prints, for each, wrk's requests and errors, the probe's failed requests, how
long the fault lasted and how long after the service was back the site answered
again. Whatever happens, the services it stopped are started again (finally).
"""

import argparse
import http.client
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from .run import bench_environment

ROOT = Path(__file__).resolve().parent.parent
PROBE_EVERY = 0.05
FAULT_AFTER = 5.0
REDIS_DOWN_FOR = 5.0
REDIS_START = [
    "redis-server",
    "--daemonize",
    "yes",
    "--bind",
    "127.0.0.1",
    "-::1",
    "--port",
    "6379",
    "--save",
    "",
    "--appendonly",
    "no",
    "--dir",
    "/var/lib/redis",
    "--logfile",
    "/var/log/redis/ci.log",
]


def _stop(signum, frame):
    raise SystemExit(128 + signum)


def postgres_version():
    versions = sorted(os.listdir("/etc/postgresql"), key=float)
    if not versions:
        raise SystemExit("make faults needs a local PostgreSQL cluster (/etc/postgresql).")
    return versions[-1]


def _pg_ctl(action):
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", postgres_version(), "main", action],
        capture_output=True,
        text=True,
        timeout=120,
    )


def postgres_up():
    status = _pg_ctl("status")
    return status.returncode == 0


def ensure_postgres():
    if not postgres_up():
        print("  starting PostgreSQL again")
        _pg_ctl("start")


def redis_up():
    ping = subprocess.run(["redis-cli", "ping"], capture_output=True, text=True, timeout=10)
    return ping.stdout.strip() == "PONG"


def ensure_redis():
    if not redis_up():
        print("  starting Redis again")
        subprocess.run(REDIS_START, check=False, timeout=30)
        deadline = time.monotonic() + 10
        while not redis_up() and time.monotonic() < deadline:
            time.sleep(0.1)


class Probe(threading.Thread):
    """One request every PROBE_EVERY seconds; remembers when each failed."""

    def __init__(self, port, path):
        super().__init__(daemon=True)
        self.port, self.path = port, path
        self.results = []  # (monotonic time, ok)
        self.running = True

    def run(self):
        while self.running:
            started = time.monotonic()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
                connection.request("GET", self.path, headers={"Host": "127.0.0.1"})
                ok = connection.getresponse().status == 200
                connection.close()
            except OSError:
                ok = False
            self.results.append((started, ok))
            time.sleep(max(0.0, PROBE_EVERY - (time.monotonic() - started)))

    def stop(self):
        self.running = False
        self.join(timeout=10)

    def failures(self):
        return [t for t, ok in self.results if not ok]

    def answering_again(self, after):
        """When the first successful probe at or after `after` was sent."""
        return next((t for t, ok in self.results if ok and t >= after), None)


def scenario(name, port, paths, probe_path, seconds, work, break_it, mend_it):
    from .measure import wrk

    figures = {}
    load = threading.Thread(
        target=lambda: figures.update(
            wrk=wrk(name, port, paths, seconds, work, connections=8, threads=2)
        )
    )
    probe = Probe(port, probe_path)
    probe.start()
    load.start()
    try:
        time.sleep(FAULT_AFTER)
        fault_start = time.monotonic()
        break_it()
        mend_it()
        service_back = time.monotonic()
        load.join(timeout=seconds + 60)
    finally:
        probe.stop()
    failures = probe.failures()
    last_failure = max(failures) if failures else None
    answering = probe.answering_again(last_failure or service_back)
    result = {
        "scenario": name,
        "requests": figures["wrk"].requests if "wrk" in figures else 0,
        "errors": (figures["wrk"].non2xx + figures["wrk"].socket_errors) if "wrk" in figures else 0,
        "probes": len(probe.results),
        "probe_failures": len(failures),
        "fault_s": service_back - fault_start,
        "recovered_after_s": (
            max(0.0, answering - service_back) if answering is not None else float("nan")
        ),
        "first_to_last_failure_s": (max(failures) - min(failures)) if failures else 0.0,
    }
    print(
        f"  {name}: {result['requests']} requests, {result['errors']} errors (non-2xx or "
        f"socket); probe {result['probe_failures']} of {result['probes']} failed; service "
        f"away {result['fault_s']:.1f} s; answering again {result['recovered_after_s']:.2f} s "
        "after it was back"
    )
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=20, help="each wrk run (at most 30)")
    args = parser.parse_args()
    seconds = min(args.seconds, 30)
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    for tool in ("wrk", "redis-cli", "redis-server", "pg_ctlcluster"):
        if not shutil.which(tool):
            raise SystemExit(f"make faults needs {tool}.")

    work = tempfile.mkdtemp(prefix="insightswarm-faults-")
    env = bench_environment(work)
    env["DATABASE_URL"] = os.environ.get(
        "FAULTS_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightswarm_faults_bench"
    )
    env["CACHE_URL"] = os.environ.get("FAULTS_CACHE_URL", "redis://127.0.0.1:6379/14")
    os.environ.update(env)
    try:
        results = run(seconds, work, env)
    finally:
        # Whatever happened, the services are left running.
        ensure_postgres()
        ensure_redis()
        shutil.rmtree(work, ignore_errors=True)
    from .report import write_faults

    write_faults(results, seconds)


def run(seconds, work, env):
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from compounds.models import PublishedSummary

    from . import catalogue, servers

    call_command("collectstatic", "--no-input", verbosity=0)
    catalogue.Catalogue(40, 25).build()
    cache.clear()
    rng = random.Random(7)
    pairs = list(PublishedSummary.objects.values_list("compound__slug", "condition__slug")[:400])
    kinds = ["does-it-work", "evidence-level", "interactions", "safety"]
    paths = [f"/compounds/{a}/{b}/{rng.choice(kinds)}/" for a, b in pairs]
    paths += ["/", "/compounds/", "/conditions/", "/research/"]
    probe_path = paths[0]
    results = []

    def restart_postgres():
        restarted = _pg_ctl("restart")
        if restarted.returncode:
            raise RuntimeError(f"PostgreSQL did not restart: {restarted.stderr}")

    print(f"make faults: gunicorn, 2 workers; wrk {seconds} s per scenario, 8 connections")
    uncached = {**env, "PAGE_CACHE_SECONDS": "0"}
    with servers.Servers(work, uncached) as app:
        app.gunicorn(workers=2)
        results.append(
            scenario(
                "PostgreSQL restart",
                servers.GUNICORN_PORT,
                paths,
                probe_path,
                seconds,
                work,
                restart_postgres,
                lambda: None,
            )
        )

    def stop_redis():
        subprocess.run(["redis-cli", "shutdown", "nosave"], capture_output=True, timeout=10)
        time.sleep(REDIS_DOWN_FOR)

    with servers.Servers(work, env) as app:
        app.gunicorn(workers=2)
        try:
            results.append(
                scenario(
                    "Redis stopped",
                    servers.GUNICORN_PORT,
                    paths,
                    probe_path,
                    seconds,
                    work,
                    stop_redis,
                    ensure_redis,
                )
            )
        finally:
            ensure_redis()
    return results


if __name__ == "__main__":
    sys.exit(main())
