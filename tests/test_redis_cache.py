"""The Redis cache backend: Django's, with its Redis client kept between operations."""

import pytest
import redis

from insightswarm.redis_cache import RedisCache

LOCATION = "redis://127.0.0.1:6379/14"


@pytest.fixture
def cache():
    backend = RedisCache(LOCATION, {"OPTIONS": {"socket_timeout": 1}})
    try:
        backend.clear()
    except redis.ConnectionError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    yield backend
    backend.clear()


def test_one_client_serves_every_operation(cache):
    cache.set("page", b"<html>", 60)
    assert cache.get_many(["page", "missing"]) == {"page": b"<html>"}
    assert cache._cache.get_client() is cache._cache.get_client(write=True)


def test_a_second_backend_on_the_same_redis_sees_the_same_values(cache):
    cache.set_many({"tag:pair": "token-1"}, timeout=None)
    other = RedisCache(LOCATION, {})
    assert other.get("tag:pair") == "token-1"


def test_keys_memcached_would_refuse_are_taken_without_a_warning(cache, recwarn):
    key = "page:" + "x" * 300 + " with spaces"
    cache.set(key, 1, 60)
    assert cache.get(key) == 1
    assert not [w for w in recwarn if "memcached" in str(w.message)]
