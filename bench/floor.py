"""The least a cached answer can cost on this stack: the floor the cached targets meet.

A bare WSGI application under the same gunicorn (2 sync workers): one round trip
to the same Redis for four keys (a page and three tags, as a cached review page
asks), with redis-py alone, and the page's bytes sent back. No Django, no check
of host, method or address: nothing a correct page cache can do without. Its rate
over the minimal view's uncached rate is the most any cache in gunicorn can
reach against that anchor (bench/report.py prints it beside the 8x target).
"""

import os

import redis

CACHE_URL = os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/13")
PAGE_BYTES = int(os.environ.get("BENCH_PAGE_BYTES", "12000"))
KEYS = ["bench:floor:page", "bench:floor:tag:0", "bench:floor:tag:1", "bench:floor:tag:2"]

client = redis.Redis.from_url(CACHE_URL)
client.set(KEYS[0], b"x" * PAGE_BYTES)


def application(environ, start_response):
    page = client.mget(KEYS)[0]
    start_response(
        "200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]
    )
    return [page]
