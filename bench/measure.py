"""The measurements: latency over HTTP, queries in-process, throughput with wrk.

Latency is what a reader waits for: sequential requests to gunicorn over one
keep-alive client (gunicorn's sync workers close each connection; the client
reconnects, which costs tens of microseconds on 127.0.0.1). Pages are
measured uncached: each request carries a query parameter of its own
(`nocache=`), which the page cache does not serve (pages/cache.py serves only
addresses made of `page` and `letter`), and pair pages are random pairs.
Query counts, the sitemap and the admin are measured in-process with Django's
test client, where queries can be captured and memory traced.
"""

import http.client
import json
import statistics
import subprocess
import time
import tracemalloc
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .servers import find_tool

BUST = "nocache"
WRK_SCRIPT = Path(__file__).with_name("wrk.lua")


def bust(path, n):
    return f"{path}{'&' if '?' in path else '?'}{BUST}=b{n}"


@dataclass
class Series:
    """Latency of one kind of page over sequential requests."""

    label: str
    times_ms: list = field(default_factory=list)
    statuses: set = field(default_factory=set)
    size: int = 0
    queries: list = field(default_factory=list)
    expected_status: int = 200
    found: bool = True  # search: the expected result was on the page

    @property
    def p50(self):
        return statistics.median(self.times_ms)

    @property
    def p95(self):
        return statistics.quantiles(self.times_ms, n=20)[-1]


class Http:
    """A keep-alive HTTP/1.1 client to 127.0.0.1 that reconnects when the server closes."""

    def __init__(self, port):
        self.port = port
        self.connection = None

    def get(self, path, headers=None):
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            try:
                start = time.perf_counter()
                self.connection.request(
                    "GET", path, headers={"Host": "127.0.0.1", **(headers or {})}
                )
                response = self.connection.getresponse()
                body = response.read()
                elapsed = time.perf_counter() - start
            except (http.client.RemoteDisconnected, ConnectionError, http.client.BadStatusLine):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
                continue
            if response.will_close:
                self.connection.close()
                self.connection = None
            return response.status, body, dict(response.getheaders()), elapsed
        raise AssertionError("unreachable")


def latency(http, label, paths, count=200, uncached=True, warm=6, expected_status=200):
    """p50/p95 of count sequential requests cycling through paths."""
    series = Series(label, expected_status=expected_status)
    for n in range(warm):
        http.get(bust(paths[n % len(paths)], f"w{n}") if uncached else paths[n % len(paths)])
    for n in range(count):
        path = paths[n % len(paths)]
        status, body, _, elapsed = http.get(bust(path, n) if uncached else path)
        series.times_ms.append(elapsed * 1000)
        series.statuses.add(status)
        series.size = max(series.size, len(body))
    return series


def count_queries(client, paths):
    """Queries each of up to three sample addresses costs, rendered in-process uncached."""
    counts = []
    for n, path in enumerate(paths[:3]):
        with CaptureQueriesContext(connection) as captured:
            response = client.get(bust(path, f"q{n}"))
            if response.streaming:
                b"".join(response.streaming_content)
        counts.append(len(captured))
    return counts


@dataclass
class Throughput:
    label: str
    requests_per_second: float
    requests: int
    non2xx: int
    socket_errors: int
    p50_ms: float


def wrk(label, port, paths, seconds, work, uncached=False, connections=16, threads=2, headers=()):
    """Requests a second over `seconds` (at most 30) against 127.0.0.1:port, each request
    with `headers` ("Name: value")."""
    seconds = min(int(seconds), 30)
    paths_file = Path(work) / f"wrk-{label.replace(' ', '-')}.txt"
    paths_file.write_text("\n".join(paths) + "\n")
    command = [
        find_tool("wrk"),
        f"-t{threads}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--timeout",
        "10s",
        *(option for header in headers for option in ("-H", header)),
        "-s",
        str(WRK_SCRIPT),
        f"http://127.0.0.1:{port}",
        "--",
        str(paths_file),
        "bust" if uncached else "keep",
    ]
    output = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 30)
    line = next((x for x in output.stdout.splitlines() if x.startswith("BENCH ")), None)
    if line is None:
        raise RuntimeError(f"wrk gave no result for {label}:\n{output.stdout}\n{output.stderr}")
    figures = json.loads(line.removeprefix("BENCH "))
    return Throughput(
        label,
        figures["requests"] / (figures["duration_us"] / 1e6),
        figures["requests"],
        figures["non2xx"],
        figures["socket_errors"],
        figures["p50_us"] / 1000,
    )


# -- in-process: sitemap and admin ------------------------------------------------------


def _consume(client, path):
    response = client.get(path)
    assert response.status_code == 200, (path, response.status_code)
    if response.streaming:
        return sum(len(chunk) for chunk in response.streaming_content)
    return len(response.content)


def timed(client, path, repeat=3):
    """Median seconds to answer path in-process, body consumed, and its size."""
    times = []
    size = 0
    for _ in range(repeat):
        start = time.perf_counter()
        size = _consume(client, path)
        times.append(time.perf_counter() - start)
    return statistics.median(times), size


def peak_memory(client, path):
    """Peak Python memory (bytes) allocated while answering path, traced by tracemalloc
    in a pass of its own: tracing slows Python down, so timings come from other passes."""
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base = tracemalloc.get_traced_memory()[0]
        _consume(client, path)
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def sitemap(client, review_section):
    """The index, the first and last file of a review section, and every file in turn."""
    client.get("/sitemap.xml")  # connection and URL resolver warm
    index_s, _ = timed(client, "/sitemap.xml", repeat=5)
    index = b"".join(client.get("/sitemap.xml").streaming_content).decode()
    files = [urlsplit(loc.split("</loc>")[0]).path for loc in index.split("<loc>")[1:]]
    review_files = [path for path in files if path.startswith(f"/sitemap-{review_section}-")]
    first, last = review_files[0], review_files[-1]
    result = {
        "files": len(files),
        "index_s": index_s,
        "index_memory": peak_memory(client, "/sitemap.xml"),
        "first": first,
        "last": last,
    }
    for name, path in (("first", first), ("last", last)):
        seconds, size = timed(client, path)
        result[f"{name}_s"] = seconds
        result[f"{name}_urls"] = _count_urls(client, path)
        result[f"{name}_bytes"] = size
        result[f"{name}_memory"] = peak_memory(client, path)
    start = time.perf_counter()
    slowest = (0.0, "")
    for path in files:
        began = time.perf_counter()
        _consume(client, path)
        slowest = max(slowest, (time.perf_counter() - began, path))
    result["all_s"] = time.perf_counter() - start
    result["slowest_s"], result["slowest"] = slowest
    return result


def _count_urls(client, path):
    return b"".join(client.get(path).streaming_content).count(b"<url>")


def admin(client, summary_pk):
    """Server time of the evidence-summary admin pages, signed in as a superuser."""
    base = "/admin/compounds/evidencesummary/"
    pages = {
        "admin list": base,
        "admin search": f"{base}?q=meniere",
        "admin filter": f"{base}?evidence_level__exact=level_2",
        "admin change form": f"{base}{summary_pk}/change/",
    }
    results = {}
    for label, path in pages.items():
        client.get(path)
        times = []
        for _ in range(10):
            start = time.perf_counter()
            response = client.get(path)
            times.append(time.perf_counter() - start)
            assert response.status_code == 200, (path, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(path)
        results[label] = {
            "path": path,
            "p50_ms": statistics.median(times) * 1000,
            "queries": len(captured),
        }
    return results


def in_process_client(user=None):
    client = Client(HTTP_HOST="127.0.0.1")
    if user is not None:
        client.force_login(user)
    return client
