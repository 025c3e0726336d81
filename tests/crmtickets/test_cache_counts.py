"""The shared cache's window counter (`FailFastRedisCache.count`), on the local Redis: what the
throttles count with (crmapi/throttling.py `window_count`)."""

import redis

from crmtickets.cache import FailFastRedisCache
from tests.support.shared_cache import LOCAL_REDIS_URL

WINDOW = 61


def shared_cache(prefix: str) -> FailFastRedisCache:
    return FailFastRedisCache(
        LOCAL_REDIS_URL,
        {"KEY_PREFIX": prefix, "OPTIONS": {"SOCKET_TIMEOUT": 0.5, "IGNORE_EXCEPTIONS": True}},
    )


def stored(cache: FailFastRedisCache, key: str) -> tuple[int, int]:
    """The counter's value and seconds to live, read straight from Redis."""
    client = redis.Redis.from_url(LOCAL_REDIS_URL)
    name = cache.make_key(key)
    return int(client.get(name) or 0), client.ttl(name)


def test_each_count_adds_one(redis_prefix):
    cache = shared_cache(redis_prefix)
    assert [cache.count("caller:1", WINDOW) for _ in range(3)] == [1, 2, 3]


def test_a_new_counter_expires_after_its_window(redis_prefix):
    cache = shared_cache(redis_prefix)
    cache.count("caller:1", WINDOW)
    value, seconds_to_live = stored(cache, "caller:1")
    assert value == 1
    assert WINDOW - 2 <= seconds_to_live <= WINDOW


def test_a_later_count_does_not_extend_the_window(redis_prefix):
    cache = shared_cache(redis_prefix)
    cache.count("caller:1", WINDOW)
    cache.count("caller:1", WINDOW * 10)
    assert stored(cache, "caller:1")[1] <= WINDOW


def test_counts_go_on_after_the_server_forgot_the_script(redis_prefix):
    cache = shared_cache(redis_prefix)
    cache.count("caller:1", WINDOW)
    redis.Redis.from_url(LOCAL_REDIS_URL).script_flush()
    assert cache.count("caller:1", WINDOW) == 2


def test_counts_of_two_processes_caches_add_up(redis_prefix):
    first, second = shared_cache(redis_prefix), shared_cache(redis_prefix)
    assert [first.count("caller:1", WINDOW), second.count("caller:1", WINDOW)] == [1, 2]
