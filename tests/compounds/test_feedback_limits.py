"""The limits of the report form, counted in the shared cache: every app process counts
together, the value counted is never stored as it is, and a cache that is down allows."""

import logging

import pytest
import redis
from django.core.cache import cache

from compounds.feedback import limits

REDIS = "redis://127.0.0.1:6379/14"


@pytest.fixture
def on_redis(settings):
    settings.CACHES = {
        "default": {"BACKEND": "insightswarm.redis_cache.RedisCache", "LOCATION": REDIS}
    }
    try:
        cache.clear()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield
    cache.clear()


def test_the_limit_counts_each_value_apart(on_redis):
    assert [limits.allow("report", "192.0.2.1", 2, 3600) for _ in range(3)] == [True, True, False]
    assert limits.allow("report", "192.0.2.2", 2, 3600)
    assert limits.allow("acknowledgement", "192.0.2.1", 2, 3600)


def test_what_is_counted_is_kept_only_as_a_keyed_hash(on_redis):
    limits.allow("report", "192.0.2.1", 2, 3600)
    keys = [key.decode() for key in redis.Redis.from_url(REDIS).keys("*")]
    assert keys and not [key for key in keys if "192.0.2.1" in key]
    assert [key for key in keys if limits.fingerprint("192.0.2.1") in key]


def test_a_cache_that_is_down_allows_and_says_so(settings, caplog):
    settings.CACHES = {
        "default": {
            "BACKEND": "insightswarm.redis_cache.RedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",
            "OPTIONS": {"socket_connect_timeout": 0.2},
        }
    }
    with caplog.at_level(logging.WARNING, logger="compounds.feedback.limits"):
        assert limits.allow("report", "192.0.2.1", 0, 3600)
    assert "Could not count report in the cache, allowed" in caplog.text
