"""make bench: build the catalogue, verify it, measure it, judge the targets.

    .venv/bin/python -m bench.run --scale small|full [--seconds N]

Everything runs against a database of its own (insightswarm_bench, dropped and
created again), a Redis database of its own (db 13, flushed) and servers on
127.0.0.1 ports 8088-8092, started and stopped here: gunicorn, nginx and Varnish
with the deploy/ samples, which the site purges after a decision. BENCH_DATABASE_URL and
BENCH_CACHE_URL point elsewhere; the database's name must end in _bench.
"""

import argparse
import math
import os
import random
import re
import secrets
import shutil
import signal
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
SECONDS = {"small": 8, "full": 20}  # each wrk run; the issue allows at most 30


def bench_environment(work):
    """The app servers' settings: production-like, over plain HTTP, on the bench's stores."""
    return {
        # The developer's .env (DEBUG=on) must not leak in.
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": os.environ.get(
            "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/insightswarm_bench"
        ),
        "CACHE_URL": os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/13"),
        "DEBUG": "off",
        "HTTPS": "off",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SITE_URL": "http://127.0.0.1:8089",
        "STATIC_ROOT": str(Path(work) / "static"),
        "LOG_LEVEL": "ERROR",
        "PYTHONPATH": str(ROOT),
    }


def _stop(signum, frame):
    # Unwind through the finally blocks, which stop the servers.
    raise SystemExit(128 + signum)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", choices=["small", "full"], default="small")
    parser.add_argument("--seconds", type=int, help="length of each wrk run (at most 30)")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    work = Path(tempfile.mkdtemp(prefix="insightswarm-bench-"))
    os.environ.update(bench_environment(work))
    from .servers import VARNISH_PORT

    # The decisions the bench takes purge the Varnish it runs (pages/edge.py).
    os.environ["EDGE_PURGE_URLS"] = f"http://127.0.0.1:{VARNISH_PORT}/"
    sys.path.insert(0, str(ROOT))
    ok = False
    try:
        run(args.scale, min(args.seconds or SECONDS[args.scale], 30), work)
        ok = True
    finally:
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(f"Logs of the servers are kept in {work}", file=sys.stderr)


def run(scale, seconds, work):
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection

    from compounds.models import FormerSlug, PublishedResearchUpdate, PublishedSummary
    from pages.registry import page_types

    from . import approvals, catalogue, measure, report, servers, verify

    started = time.perf_counter()
    compounds, conditions = catalogue.SCALES[scale]
    print(f"make bench SCALE={scale}: {compounds:,} compounds x {conditions:,} conditions")
    call_command("collectstatic", "--no-input", verbosity=0)
    load_s = catalogue.Catalogue(compounds, conditions).build()
    pairs = compounds * conditions
    print(f"catalogue of {pairs:,} pairs loaded in {load_s:.1f} s")
    kinds = [page_type.slug for page_type in page_types()]
    checks = verify.verify(compounds, conditions, kinds)
    print("verified: " + ", ".join(f"{n} {what}" for what, n in checks.items()))
    # Nothing cached by an earlier run may answer for this catalogue.
    cache.clear()

    rng = random.Random(11)
    addresses = _addresses(rng, pairs, compounds, conditions, kinds)
    client = measure.in_process_client()
    static_copy = work / "copy" / "review.html"
    static_copy.parent.mkdir()
    review_page = addresses["cached review"]
    page = client.get(review_page)
    static_copy.write_bytes(page.content)
    server_env = {**os.environ, "BENCH_PAGE_BYTES": str(len(page.content))}

    results = {"scale": scale, "pairs": pairs, "load_s": load_s, "checks": checks}
    connection.close()
    with servers.Servers(work, server_env) as running:
        running.gunicorn()
        running.floor()
        running.nginx(os.environ["STATIC_ROOT"], static_copy)
        running.varnish()
        http = measure.Http(servers.GUNICORN_PORT)
        print("measuring latency over HTTP ...")
        results["minimal"] = measure.latency(http, "minimal Django view", addresses["minimal"])
        results["minimal"].queries = measure.count_queries(client, addresses["minimal"])
        results["pages"] = []
        for label, paths, status in addresses["pages"]:
            count = 200 if label.startswith(("review", "404", "301")) else 100
            series = measure.latency(http, label, paths, count=count, expected_status=status)
            series.queries = measure.count_queries(client, paths)
            results["pages"].append(series)
            print(f"  {label}: p50 {series.p50:.1f} ms, {series.queries[0]} queries")
        results["search"] = []
        for label, query, expected, shown in [
            (f"{query!r}", query, expected, _shows) for query, expected in SEARCHES
        ] + [(f"pair {query!r}", query, page, _first_review) for query, page in PAIR_SEARCHES]:
            path = f"/search/?{urlencode({'q': query})}"
            series = measure.latency(http, label, [path], count=50, uncached=False)
            series.found = shown(http.get(path)[1], expected)
            series.queries = measure.count_queries(client, [path])
            results["search"].append(series)
        cached_minimal = addresses["minimal cached"]
        results["cached"] = [
            measure.latency(http, "cached: minimal view cached", [cached_minimal], 100, False),
            measure.latency(http, "cached: review page", [review_page], 100, False),
        ]
        results["page_cache"] = http.get(review_page)[2].get("X-Page-Cache") == "hit"
        nginx = measure.Http(servers.NGINX_PORT)
        nginx.get(review_page)
        time.sleep(0.2)
        results["proxy_cache"] = nginx.get(review_page)[2].get("X-Proxy-Cache") in (
            "HIT",
            "STALE",
            "UPDATING",
            "REVALIDATED",
        )
        print(f"measuring throughput with wrk, {seconds} s a run ...")
        results["throughput"] = _throughput(addresses, review_page, seconds, work)
        print("measuring the edge's freshness after an approval and a withdrawal ...")
        results["edge"] = _edge_freshness(addresses, client, kinds[0])
    connection.close()
    print("measuring the sitemap and the admin in-process ...")
    results["sitemap"] = measure.sitemap(client, kinds[0])
    admin = measure.in_process_client(
        get_user_model().objects.get(username=catalogue.ADMIN_USERNAME)
    )
    results["admin"] = measure.admin(admin, PublishedSummary.objects.order_by("-pk").first().pk)
    print("measuring approvals in-process ...")
    results["approvals"] = approvals.measure()

    judged = report.targets(results)
    passed = sum(target.passed for target in judged)
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        postgres = cursor.fetchone()[0]
    header = report.environment(postgres) + [
        f"catalogue: {pairs:,} pairs ({compounds:,} compounds x {conditions:,} conditions, "
        f"{PublishedResearchUpdate.objects.count()} research updates, "
        f"{FormerSlug.objects.count()} former slugs), loaded in {load_s:.0f} s; verified: "
        + ", ".join(f"{n} {what}" for what, n in checks.items()),
        f"bench run: {time.perf_counter() - started:.0f} s in all; wrk runs of {seconds} s, "
        "2 threads, 16 connections",
    ]
    body = (
        report.measurement_table(results)
        + [""]
        + [target.line() for target in judged]
        + [f"targets: {passed} passed, {len(judged) - passed} missed"]
    )
    print()
    print("\n".join(header))
    print()
    print("\n".join(body))
    report.write_results(scale, header, body)


# Queries readers type, and a name each must find.
SEARCHES = [
    ("meniere", "Ménière"),
    ("5-HT1A", "Buspirone (5-HT1A agonist)"),
    ("coq10", "CoQ10 (Ubiquinone)"),
    ("st john", "St. John"),
    ("b12/folate", "Vitamin B12/folate"),
    ("syndrome", "syndrome"),
]

# Questions readers type about a pair, and the page each must list first: found by the
# names in any order, other names ("spravato"), a synonym ("leukaemia"), the question
# asked ("is ... safe": the safety page), and a broad one, whose words name many
# compounds' and conditions' names.
PAIR_SEARCHES = [
    (
        "ketamine stage iv cancer",
        "/compounds/ketamine-iv-esketamine/stage-iv-cancer/does-it-work/",
    ),
    ("does spravato help crohns", "/compounds/ketamine-iv-esketamine/crohns-disease/does-it-work/"),
    ("is coq10 safe for sjogren", "/compounds/coq10-ubiquinone/sjogrens-syndrome/safety/"),
    (
        "ketamine leukaemia",
        "/compounds/ketamine-iv-esketamine/chronic-lymphocytic-leukemia/does-it-work/",
    ),
    ("b12 syndrome", "/compounds/vitamin-b12folate/"),
]


def _shows(body, expected):
    return expected.encode() in body


def _first_review(body, expected):
    """Whether the first review listed starts with expected (a broad search: any of the
    compound's pairs)."""
    _, found, reviews = body.partition(b'id="found-reviews"')
    first = re.search(rb'href="([^"]+)"', reviews) if found else None
    return bool(first) and first.group(1).decode().startswith(expected)


def _addresses(rng, pairs, compounds, conditions, kinds):
    """The addresses measured: random pairs, compounds and conditions, hubs, error paths."""
    from compounds.models import (
        FormerSlug,
        PublishedCompound,
        PublishedCondition,
        PublishedResearchUpdate,
        PublishedSummary,
    )
    from pages.views import LINKS_PER_PAGE

    ids = rng.sample(range(1, pairs + 1), min(400, pairs))
    pair_slugs = list(
        PublishedSummary.objects.filter(pk__in=ids).values_list("compound__slug", "condition__slug")
    )
    rng.shuffle(pair_slugs)
    compound_slugs = rng.sample(list(PublishedCompound.objects.values_list("slug", flat=True)), 50)
    condition_slugs = rng.sample(
        list(PublishedCondition.objects.values_list("slug", flat=True)), 50
    )
    update_slugs = list(PublishedResearchUpdate.objects.values_list("slug", flat=True)[:20])
    former = list(FormerSlug.objects.filter(kind="compound").values_list("slug", flat=True))

    def busiest_letter(model):
        letters = list(model.objects.values_list("letter", flat=True))
        letter = max(set(letters), key=letters.count)
        return "other" if letter == "#" else letter.lower()

    pages = [
        (
            f"review {kind}",
            [f"/compounds/{c}/{d}/{kind}/" for c, d in pair_slugs],
            200,
        )
        for kind in kinds
    ]
    pages += [
        ("home", ["/"], 200),
        ("compounds A-Z", ["/compounds/"], 200),
        (
            "compounds A-Z, by letter",
            [f"/compounds/?letter={busiest_letter(PublishedCompound)}"],
            200,
        ),
        ("compound page", [f"/compounds/{slug}/" for slug in compound_slugs], 200),
        ("conditions A-Z", ["/conditions/"], 200),
        (
            "conditions A-Z, by letter",
            [f"/conditions/?letter={busiest_letter(PublishedCondition)}"],
            200,
        ),
        ("condition page", [f"/conditions/{slug}/" for slug in condition_slugs], 200),
    ]
    # The last page of a paginated list costs what the first does only with keyset or
    # indexed paging; measure it wherever there is more than one page.
    for label, prefix, slugs, count in (
        ("compound page, last page", "/compounds/", compound_slugs, conditions),
        ("condition page, last page", "/conditions/", condition_slugs, compounds),
    ):
        last = math.ceil(count / LINKS_PER_PAGE)
        if last > 1:
            pages.append((label, [f"{prefix}{slug}/?page={last}" for slug in slugs], 200))
    last = math.ceil(compounds / LINKS_PER_PAGE)
    if last > 1:
        pages.append(("compounds A-Z, last page", [f"/compounds/?page={last}"], 200))
    pages += [
        ("research updates", ["/research/"], 200),
        ("research update", [f"/research/{slug}/" for slug in update_slugs], 200),
        ("how we grade evidence", ["/how-we-grade-evidence/"], 200),
        ("404 unknown compound", [f"/compounds/no-such-compound-{n}/" for n in range(50)], 404),
        (
            "404 unknown pair",
            [
                f"/compounds/{c}/no-such-condition-{n}/{kinds[0]}/"
                for n, (c, _) in enumerate(pair_slugs[:50])
            ],
            404,
        ),
        ("301 former compound slug", [f"/compounds/{slug}/" for slug in former], 301),
        (
            "301 former slug, review page",
            [f"/compounds/{slug}/{pair_slugs[0][1]}/{kinds[0]}/" for slug in former],
            301,
        ),
    ]
    first = PublishedSummary.objects.order_by("pk").values_list("pk", flat=True)[0]
    return {
        "pages": pages,
        "pairs": pair_slugs,
        "minimal": [f"/bench/minimal/{pk}/" for pk in ids],
        "minimal cached": f"/bench/minimal-cached/{first}/",
        "cached review": f"/compounds/{pair_slugs[0][0]}/{pair_slugs[0][1]}/{kinds[0]}/",
        "review": [f"/compounds/{c}/{d}/{k}/" for c, d in pair_slugs for k in kinds],
    }


def _throughput(addresses, review_page, seconds, work):
    from . import measure, report, servers

    app, proxy, static = servers.GUNICORN_PORT, servers.NGINX_PORT, servers.STATIC_COPY_PORT
    floor = servers.FLOOR_PORT
    runs = [
        ("minimal uncached", app, addresses["minimal"], False),
        ("review uncached", app, addresses["review"], True),
        ("review uncached, one page", app, [review_page], True),
        ("minimal cached", app, [addresses["minimal cached"]], False),
        ("review cached", app, [review_page], False),
        (report.FLOOR, floor, ["/"], False),
        ("nginx static file", static, ["/review.html"], False),
        ("nginx proxy cache", proxy, [review_page], False),
        ("varnish cache", servers.VARNISH_PORT, [review_page], False),
    ]
    # Varnish keeps pages compressed (deploy/varnish.vcl), and decompresses one for a
    # client that does not accept gzip: it is asked as browsers ask it.
    headers = {"varnish cache": ["Accept-Encoding: gzip"]}
    results = {}
    for label, port, paths, uncached in runs:
        results[label] = measure.wrk(
            label, port, paths, seconds, work, uncached=uncached, headers=headers.get(label, ())
        )
        print(f"  {label}: {results[label].requests_per_second:,.0f} req/s")
    return results


# The edit the bench approves: synthetic text, on the bench's synthetic catalogue only.
EDGE_EDIT = "Edited by make bench to time the purge of the edge cache ({})."
# How long a page may take to be fresh at the edge before the bench stops waiting.
EDGE_WAIT_SECONDS = 10


def _edge_freshness(addresses, client, kind):
    """How long after an approval's commit, and a withdrawal's, the page Varnish serves is
    the new one; whether another page stayed cached meanwhile. Taken as an advisor takes
    them, through the workflow, in this process (which purges Varnish on commit)."""
    from django.contrib.auth.models import Group
    from django.db import transaction

    from compounds.models import EvidenceSummary
    from compounds.review import workflow
    from pages import edge

    from . import measure, servers

    (compound, condition), (other_compound, other_condition) = addresses["pairs"][1:3]
    # What was recorded before Varnish ran (building the catalogue) is purged first, so
    # that the decisions below purge only what they change.
    edge.purge_pending()
    page = f"/compounds/{compound}/{condition}/{kind}/"
    other = f"/compounds/{other_compound}/{other_condition}/{kind}/"
    varnish = measure.Http(servers.VARNISH_PORT)
    for address in (page, other, page, other):
        varnish.get(address)
    hit = all(varnish.get(address)[2].get("X-Cache") == "HIT" for address in (page, other))
    editor = Group.objects.get(name="Editor").user_set.order_by("pk").first()
    advisor = Group.objects.get(name="Medical Advisor").user_set.order_by("pk").first()
    summary = EvidenceSummary.objects.get(compound__slug=compound, condition__slug=condition)
    marker = EDGE_EDIT.format(secrets.token_hex(4))
    summary.human_evidence = f"{summary.human_evidence} {marker}"
    workflow.record_edit(summary, editor)
    summary.save()
    workflow.submit(summary, editor)

    def decided(step):
        """The seconds from `step`'s commit to the page Varnish serves being new."""
        committed = []
        with transaction.atomic():
            # Registered first: it runs at the commit, before the purge.
            transaction.on_commit(lambda: committed.append(time.perf_counter()))
            step()
        return committed[0]

    def comment():
        approved = [summary, *workflow.companions(summary)]
        asked = any(map(workflow.grade_to_confirm, approved)) or any(
            map(workflow.checks_to_confirm, approved)
        )
        return "Grade and content checks read for the bench's edit." if asked else ""

    at = decided(lambda: workflow.approve(summary, advisor, comment=comment()))
    if marker.encode() not in client.get(page).content:
        raise SystemExit(f"The approved edit is not on {page}: the edge cannot be timed.")
    fresh_ms = _until(varnish, page, lambda status, body: marker.encode() in body, at)
    kept_after = varnish.get(other)[2].get("X-Cache") == "HIT"
    varnish.get(page)
    at = decided(lambda: workflow.withdraw(summary, advisor, comment="Withdrawn by make bench."))
    withdrawn_ms = _until(varnish, page, lambda status, body: status == 404, at)
    kept_after = kept_after and varnish.get(other)[2].get("X-Cache") == "HIT"
    print(
        f"  fresh {fresh_ms:.0f} ms after the approval, {withdrawn_ms:.0f} ms after the withdrawal"
    )
    return {
        "hit": hit,
        "fresh_ms": fresh_ms,
        "withdrawn_ms": withdrawn_ms,
        "kept_after": kept_after,
    }


def _until(http, path, fresh, since):
    """Milliseconds from `since` (time.perf_counter()) until `fresh(status, body)`."""
    while True:
        status, body, _, _ = http.get(path)
        now = time.perf_counter()
        if fresh(status, body):
            return (now - since) * 1000
        if now - since > EDGE_WAIT_SECONDS:
            return float("inf")
        time.sleep(0.005)


if __name__ == "__main__":
    main()
