"""The targets of issue 7, as issue 22 restated them, judged against their anchors, and
bench/results.md.

Every target is a ratio: a figure over its anchor measured in the same run (the
minimal Django view, the floor of a cached answer, nginx serving a static file), or
over the issue's fixed limit where the target is absolute (search under 50 ms, admin
under 300 ms, the edge fresh within 1 s of an approval).
"""

import datetime
import os
import platform
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import django

from .servers import find_tool

RESULTS = Path(__file__).with_name("results.md")
MIB = 1024 * 1024


@dataclass
class Target:
    name: str
    figure: float
    unit: str
    anchor: float
    anchor_name: str
    limit: float  # the ratio figure / anchor must stay at or under it (over it if at_least)
    at_least: bool = False
    valid: bool = True  # False when the figure could not be measured as the target means
    note: str = ""

    @property
    def ratio(self):
        return self.figure / self.anchor if self.anchor else float("inf")

    @property
    def passed(self):
        if not self.valid:
            return False
        return self.ratio >= self.limit if self.at_least else self.ratio <= self.limit

    def line(self):
        rule = f"{'>=' if self.at_least else '<='} {self.limit:g}x"
        note = f"  {self.note}" if self.note else ""
        return (
            f"{'PASS' if self.passed else 'MISS'}  {self.name:<40} "
            f"{_figure(self.figure, self.unit):>13}  vs {_figure(self.anchor, self.unit):>13} "
            f"{self.anchor_name:<26} {self.ratio:6.2f}x {rule}{note}"
        )


def _figure(value, unit):
    if unit == "req/s":
        return f"{value:,.0f} {unit}"
    if unit in ("queries", "URLs"):
        return f"{value:g} {unit}"
    return f"{value:,.1f} {unit}"


def targets(r):
    out = []
    minimal = r["minimal"]
    for series in r["pages"]:
        expected = series.expected_status
        ok = series.statuses == {expected}
        out.append(
            Target(
                f"p50 {series.label}",
                series.p50,
                "ms",
                minimal.p50,
                "minimal view p50",
                2,
                valid=ok,
                note="" if ok else f"statuses {sorted(series.statuses)}, expected {expected}",
            )
        )
        fixed = len(set(series.queries)) == 1
        out.append(
            Target(
                f"queries {series.label}",
                max(series.queries),
                "queries",
                6,
                "limit",
                1,
                valid=fixed,
                note="" if fixed else f"varies with the object: {series.queries}",
            )
        )
    t = r["throughput"]
    cache_note = "" if r["page_cache"] else "no page cache answered (X-Page-Cache: hit)"
    edge = r["edge"]
    out += [
        # Parity within this machine's noise: runs of the same code differ by up to a tenth.
        Target(
            "uncached review pages, random pairs",
            t["review uncached"].requests_per_second,
            "req/s",
            t["minimal uncached"].requests_per_second,
            "minimal view uncached",
            0.9,
            at_least=True,
            valid=_clean(t["review uncached"], t["minimal uncached"]),
        ),
        # The most any cache in gunicorn can do is the floor (bench/floor.py): a bare
        # WSGI application with one Redis round trip.
        Target(
            "cached review page vs floor",
            t["review cached"].requests_per_second,
            "req/s",
            t[FLOOR].requests_per_second,
            "floor: WSGI + 1 Redis trip",
            0.85,
            at_least=True,
            valid=bool(r["page_cache"]) and _clean(t["review cached"], t[FLOOR]),
            note=cache_note,
        ),
        Target(
            "cached review page vs minimal cached",
            t["review cached"].requests_per_second,
            "req/s",
            t["minimal cached"].requests_per_second,
            "minimal view cached",
            0.85,
            at_least=True,
            valid=bool(r["page_cache"]) and _clean(t["review cached"], t["minimal cached"]),
            note=cache_note,
        ),
        Target(
            "review page behind deploy/ nginx cache",
            t["nginx proxy cache"].requests_per_second,
            "req/s",
            t["nginx static file"].requests_per_second,
            "nginx static copy",
            0.5,
            at_least=True,
            valid=r["proxy_cache"] and _clean(t["nginx proxy cache"], t["nginx static file"]),
            note="" if r["proxy_cache"] else "nginx did not answer X-Proxy-Cache: HIT",
        ),
        Target(
            "review page behind deploy/ Varnish cache",
            t["varnish cache"].requests_per_second,
            "req/s",
            t["nginx static file"].requests_per_second,
            "nginx static copy",
            0.5,
            at_least=True,
            valid=edge["hit"] and _clean(t["varnish cache"], t["nginx static file"]),
            note="asked with Accept-Encoding: gzip"
            + ("" if edge["hit"] else "; Varnish did not answer X-Cache: HIT"),
        ),
        Target(
            "Varnish page fresh after an approval",
            edge["fresh_ms"],
            "ms",
            1000,
            "limit",
            1,
            valid=edge["hit"] and edge["kept_after"],
            note=f"after a withdrawal {edge['withdrawn_ms']:.0f} ms"
            + ("" if edge["kept_after"] else "; the other pages did not stay cached"),
        ),
    ]
    for series in r["search"]:
        out.append(
            Target(
                f"search {series.label}",
                series.p50,
                "ms",
                50,
                "limit",
                1,
                valid=series.statuses == {200} and series.found,
                note="" if series.found else "expected result missing",
            )
        )
    s = r["sitemap"]
    out += [
        Target("sitemap index", s["index_s"] * 1000, "ms", 100, "limit", 1),
        Target(
            f"sitemap first file ({s['first_urls']:,} URLs)",
            s["first_s"] * 1000,
            "ms",
            300,
            "limit",
            1,
        ),
        Target(
            f"sitemap last file ({s['last_urls']:,} URLs)",
            s["last_s"] * 1000,
            "ms",
            300,
            "limit",
            1,
        ),
        Target(
            "sitemap slowest file", s["slowest_s"] * 1000, "ms", 300, "limit", 1, note=s["slowest"]
        ),
        Target("sitemap first file peak memory", s["first_memory"] / MIB, "MiB", 100, "limit", 1),
        Target("sitemap last file peak memory", s["last_memory"] / MIB, "MiB", 100, "limit", 1),
        # "As fast as the first": within a quarter, the noise of one timing on a shared machine.
        Target(
            "sitemap last file vs first",
            s["last_s"] * 1000,
            "ms",
            s["first_s"] * 1000,
            "first file",
            1.25,
        ),
        Target(f"sitemap all {s['files']} files", s["all_s"], "s", 30, "limit", 1),
    ]
    for label, figures in r["admin"].items():
        out.append(
            Target(
                label,
                figures["p50_ms"],
                "ms",
                300,
                "limit",
                1,
                note=f"{figures['queries']} queries",
            )
        )
    for label, figures in r.get("approvals", {}).items():
        out.append(
            Target(
                label,
                figures["ms"],
                "ms",
                1000,
                "limit",
                1,
                note=f"{figures['queries']} queries, {figures['summaries']} published summaries",
            )
        )
    return out


FLOOR = "floor: bare WSGI, one Redis round trip"


def _clean(*runs):
    """A throughput figure counts only when every response was a 2xx and no socket failed."""
    return all(run.non2xx == 0 and run.socket_errors == 0 for run in runs)


def measurement_table(r):
    lines = [
        f"{'page (uncached, over HTTP)':<40} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} "
        f"{'KiB':>7}  status"
    ]
    for series in [r["minimal"], *r["pages"], *r["search"]]:
        queries = "/".join(str(q) for q in series.queries) if series.queries else "-"
        lines.append(
            f"{series.label:<40} {series.p50:8.1f} {series.p95:8.1f} {queries:>8} "
            f"{series.size / 1024:7.1f}  {','.join(str(s) for s in sorted(series.statuses))}"
        )
    for series in r["cached"]:
        lines.append(
            f"{series.label:<40} {series.p50:8.1f} {series.p95:8.1f} {'-':>8} "
            f"{series.size / 1024:7.1f}  {','.join(str(s) for s in sorted(series.statuses))}"
        )
    lines.append("")
    lines.append(f"{'throughput (wrk, 127.0.0.1)':<40} {'req/s':>9} {'p50 ms':>8} {'non-2xx':>8}")
    for run in r["throughput"].values():
        lines.append(
            f"{run.label:<40} {run.requests_per_second:9.0f} {run.p50_ms:8.1f} "
            f"{run.non2xx + run.socket_errors:8}"
        )
    edge = r["edge"]
    lines += [
        "",
        f"edge (deploy/varnish.vcl): the page Varnish serves is the approved one "
        f"{edge['fresh_ms']:.0f} ms after the approval's commit, gone "
        f"{edge['withdrawn_ms']:.0f} ms after the withdrawal's; other pages "
        f"{'stayed' if edge['kept_after'] else 'did not stay'} cached",
    ]
    s = r["sitemap"]
    lines += [
        "",
        f"sitemap: {s['files']} files; index {s['index_s'] * 1000:.1f} ms "
        f"(+{s['index_memory'] / MIB:.1f} MiB); first {s['first']} {s['first_s'] * 1000:.1f} ms "
        f"(+{s['first_memory'] / MIB:.1f} MiB, {s['first_bytes'] / 1024:.0f} KiB); last "
        f"{s['last']} {s['last_s'] * 1000:.1f} ms (+{s['last_memory'] / MIB:.1f} MiB); "
        f"all files {s['all_s']:.1f} s",
    ]
    for label, figures in r["admin"].items():
        lines.append(f"{label}: {figures['p50_ms']:.1f} ms, {figures['queries']} queries")
    for label, figures in r.get("approvals", {}).items():
        lines.append(
            f"{label}: {figures['ms']:.0f} ms, {figures['queries']} queries, "
            f"{figures['summaries']} published summaries"
        )
    return lines


def _run(command):
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired, SystemExit):
        return "?"
    return (done.stdout + done.stderr).strip().splitlines()[0]


def environment(postgres_version):
    cpu = "?"
    memory = "?"
    try:
        cpu = next(
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        )
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        pass
    import gunicorn

    wrk_version = _run([find_tool("wrk"), "-v"])
    nginx_version = _run([find_tool("nginx"), "-v"]).removeprefix("nginx version: ")
    varnish_version = _run([find_tool("varnishd"), "-V"]).removeprefix("varnishd (")
    return [
        f"date: {datetime.datetime.now().astimezone():%Y-%m-%d %H:%M %Z}",
        f"machine: {os.cpu_count()} cores ({cpu}), {memory} memory, {platform.platform()}",
        # Above the number of cores, other work shared the machine: figures are slower.
        "load average at the end (1, 5, 15 min): "
        + ", ".join(f"{load:.1f}" for load in os.getloadavg()),
        f"versions: Python {platform.python_version()}, Django {django.get_version()}, "
        f"PostgreSQL {postgres_version}, gunicorn {gunicorn.__version__}, {nginx_version}, "
        f"{varnish_version.split(' revision')[0]}, {wrk_version.split(' [')[0]}",
    ]


def write_results(scale, header, body):
    """Replace this scale's section of bench/results.md (or add it), keeping the others."""
    intro = (
        "# Benchmark results\n\n"
        "`make bench SCALE=small` (200 compounds x 100 conditions) or `SCALE=full` (2,000 x "
        "500 = 1,000,000 pairs) builds the synthetic catalogue, measures it behind gunicorn "
        "(2 sync workers), nginx and Varnish, and judges the targets of issue 7 (as issue 22 "
        "restated them) against anchors "
        "measured in the same run. Each line: PASS or MISS, the figure, its anchor, the "
        "ratio and the rule. Sections are replaced by the next run of the same scale.\n"
    )
    text = RESULTS.read_text() if RESULTS.exists() else intro
    section = (
        f"## SCALE={scale}\n\n" + "\n".join(header) + "\n\n```\n" + "\n".join(body) + "\n```\n"
    )
    _replace_section(rf"## SCALE={scale}", section, text)


def _replace_section(title, section, text):
    """Put `section` in place of the one headed `title`, or at the end; others stay."""
    pattern = re.compile(rf"^{re.escape(title)}\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text).rstrip() + "\n"
    else:
        text = text.rstrip() + "\n\n" + section
    RESULTS.write_text(text)


def write_faults(results, seconds):
    """The "Faults" section of bench/results.md (make faults), replaced by the next run."""
    header = [
        f"date: {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M UTC}",
        f"machine: {os.cpu_count()} cores; gunicorn 2 sync workers on 127.0.0.1; wrk {seconds} s,"
        " 2 threads, 8 connections, over 400 review pages and the hubs; a probe every 50 ms",
        "PostgreSQL restart: pages uncached, so every request needs the database."
        " Redis stopped for 5 s: pages cached in Redis while it is there.",
    ]
    body = [
        f"{'fault':<22}{'requests':>9}{'errors':>8}{'probes failed':>15}{'away s':>8}"
        f"{'recovered s':>13}",
    ]
    for r in results:
        body.append(
            f"{r['scenario']:<22}{r['requests']:>9}{r['errors']:>8}"
            f"{str(r['probe_failures']) + '/' + str(r['probes']):>15}{r['fault_s']:>8.1f}"
            f"{r['recovered_after_s']:>13.2f}"
        )
    section = (
        "## Faults\n\n`make faults` (bench/faults.py): errors while a service is away, and"
        " how long after it is back the site answers again (the first good probe after the"
        " last failed one).\n\n" + "\n".join(header) + "\n\n```\n" + "\n".join(body) + "\n```\n"
    )
    text = RESULTS.read_text()
    _replace_section("## Faults", section, text)
