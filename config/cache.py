"""The shared cache on Redis, with one Redis client per connection pool.

Django's RedisCache builds a new `redis.Redis` object for every operation, and
redis-py copies its table of ~170 response callbacks into each one: about a
quarter of a millisecond of CPU per cache call, paid by every publication (the
screening hint, hub.screening.services). A client is only a handle on its
connection pool and is safe to share between threads, so we keep one per pool.
"""

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class SharedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, object] = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class SharedClientRedisCache(RedisCache):
    """django.core.cache.backends.redis.RedisCache, its clients kept (see the module)."""

    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._class = SharedClientRedisCacheClient
