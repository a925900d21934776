"""The shared cache on Redis (config.cache): one client per pool, the cache's operations intact."""

import pytest
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

pytestmark = pytest.mark.services


def test_the_redis_cache_keeps_one_client_and_still_adds_only_once(services):
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        pytest.skip("the cache is on Redis only when REDIS_URL is set")
    client = cache._cache
    assert client.get_client(write=True) is client.get_client(write=True)

    cache.delete("test-cache-add")
    assert cache.add("test-cache-add", 1, timeout=30) is True
    assert cache.add("test-cache-add", 2, timeout=30) is False
    assert cache.get("test-cache-add") == 1
    cache.delete("test-cache-add")
    assert cache.get("test-cache-add") is None
