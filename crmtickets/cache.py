"""The shared cache (Redis) that fails fast: after one failure or timeout a process leaves Redis
alone for `CRM_CACHE_RETRY_SECONDS`, so a hung Redis costs each process one socket timeout per
interval, not one per request.

What lives in the cache may be lost (throttle and failed-login counters: they fail open,
docs/abuse-protection.md), so while Redis is skipped every read misses and every write is dropped,
as django-redis's IGNORE_EXCEPTIONS does for one failed call. `/readyz` reports the cache as
unreachable meanwhile, still ready: the API serves without it.
"""

import functools
import hashlib
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache  # type: ignore[import-untyped]
from django_redis.exceptions import ConnectionInterrupted  # type: ignore[import-untyped]
from redis.exceptions import NoScriptError, RedisError

logger = logging.getLogger("tickets.cache")

# A key nobody writes: `/readyz` asks for it to learn whether Redis answers.
PROBE_KEY = "readyz:probe"


class _Pause:
    """When this process may try Redis again; shared by its threads (Django keeps one cache
    object per thread)."""

    def __init__(self) -> None:
        self.until = 0.0
        self.lock = threading.Lock()

    def active(self) -> bool:
        return time.monotonic() < self.until

    def start(self, error: Exception) -> None:
        with self.lock:
            if self.active():
                return
            self.until = time.monotonic() + settings.CRM_CACHE_RETRY_SECONDS
        logger.warning("Cache unreachable (%s); not used for %s s.", error, settings.CRM_CACHE_RETRY_SECONDS)


_PAUSES: dict[str, _Pause] = {}
_PAUSES_LOCK = threading.Lock()


def _pause_for(server: str) -> _Pause:
    with _PAUSES_LOCK:
        return _PAUSES.setdefault(server, _Pause())


class _WatchedClient:
    """django-redis's client, each call of which starts the pause when it fails."""

    def __init__(self, client, pause: _Pause) -> None:
        self._client, self._pause = client, pause

    def __getattr__(self, name: str):
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        @functools.wraps(attribute)
        def call(*args, **kwargs):
            try:
                return attribute(*args, **kwargs)
            except ConnectionInterrupted as error:
                self._pause.start(error)
                raise

        return call


class FailFastRedisCache(RedisCache):
    """django-redis's cache, skipped while its server's pause lasts. Every cache method goes
    through `client`; raising ConnectionInterrupted there makes it answer as for a failed call
    (IGNORE_EXCEPTIONS: a miss, a dropped write) without a round trip."""

    @property
    def client(self):
        pause = _pause_for(self._server)
        if pause.active():
            raise ConnectionInterrupted(connection=None)
        return _WatchedClient(super().client, pause)

    _counting_connection = None  # see `count`

    def count(self, key: str, timeout: int) -> int | None:
        """Count one more at `key`, a counter that expires `timeout` seconds after its first
        count, and return the count; None while Redis is skipped or when it fails (the throttles
        fail open).

        One command and one round trip, on a connection of this cache's own, kept open (Django
        keeps a cache object per thread, so it is never shared; after an error it reconnects on
        its next command). django-redis's `incr` sends a Lua script's whole text each time and
        goes through redis-py's client, its connection pool and retries (docs/performance.md)."""
        pause = _pause_for(self._server)
        if pause.active():
            return None
        redis_key = self.make_key(key)  # built by the throttles; django-redis's own calls skip the check too
        if self._counting_connection is None:
            pool = super().client.get_client(write=True).connection_pool
            self._counting_connection = pool.make_connection()
        connection = self._counting_connection
        try:
            try:
                connection.send_command("EVALSHA", _COUNT_SHA, 1, redis_key, timeout)
                return connection.read_response()
            except NoScriptError:  # a new or restarted server: the script's text, once
                connection.send_command("EVAL", _COUNT_SCRIPT, 1, redis_key, timeout)
                return connection.read_response()
        except (RedisError, OSError) as error:
            connection.disconnect()  # a late answer must not be read as the next command's
            pause.start(error)
            return None


# Atomic, so a counter is never left without its expiry (its window's key would then stay).
_COUNT_SCRIPT = """
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return count
"""
_COUNT_SHA = hashlib.sha1(_COUNT_SCRIPT.encode()).hexdigest()


def cache_reachable() -> bool:
    """False while Redis is being skipped, or when it fails to answer now; True for a cache of
    this process's own memory."""
    backend = caches["default"]
    if not isinstance(backend, FailFastRedisCache):
        return True
    backend.has_key(PROBE_KEY)
    return not _pause_for(backend._server).active()
