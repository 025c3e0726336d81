"""The shared cache (Redis) that fails fast: after one failure or timeout a process leaves Redis
alone for `CRM_CACHE_RETRY_SECONDS`, so a hung Redis costs each process one socket timeout per
interval, not one per request.

What lives in the cache may be lost (throttle and failed-login counters: they fail open,
docs/abuse-protection.md), so while Redis is skipped every read misses and every write is dropped,
as django-redis's IGNORE_EXCEPTIONS does for one failed call. `/readyz` reports the cache as
unreachable meanwhile, still ready: the API serves without it.
"""

import functools
import logging
import threading
import time

from django.conf import settings
from django.core.cache import caches
from django_redis.cache import RedisCache  # type: ignore[import-untyped]
from django_redis.exceptions import ConnectionInterrupted  # type: ignore[import-untyped]

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

    def start(self, error: ConnectionInterrupted) -> None:
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


def cache_reachable() -> bool:
    """False while Redis is being skipped, or when it fails to answer now; True for a cache of
    this process's own memory."""
    backend = caches["default"]
    if not isinstance(backend, FailFastRedisCache):
        return True
    backend.has_key(PROBE_KEY)
    return not _pause_for(backend._server).active()
