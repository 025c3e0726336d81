"""Request throttling: the 429 envelope plus `Retry-After` (CONTRACT §8).

Two scopes, with rates in `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]` (docs/abuse-protection.md):
- `contact`: the token's contact, on every token endpoint (E1, E2, E4-E7, E11, E12),
  `CRM_THROTTLE_CONTACT_RATE`;
- `address`: the client address, on the tokenless E3, `CRM_THROTTLE_ADDRESS_RATE`.

Throttles run where DRF runs them, after the header and token checks, so a contact is only
known once its token is verified and requests refused earlier (which never reach the store) are
not counted.

Counting is a fixed window per scope and caller: one atomic count on the shared cache per
request (`window_count`). DRF's own SimpleRateThrottle keeps a list of timestamps with
get-then-set, which loses counts when several processes race on one caller. A fixed window lets
a caller send up to twice the rate across a window boundary, which is fine for shedding abuse.
"""

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


def window_count(cache, key: str, timeout: int) -> int | None:
    """Count one more at `key`, a counter that expires `timeout` seconds after its first count,
    and return the count (None: the cache is unreachable). A cache that counts in one step of
    its own does (`count`: the project's Redis cache, crmtickets/cache.py); any other is
    incremented, and added to on a window's first request."""
    count = getattr(cache, "count", None)
    if count is not None:
        return count(key, timeout)
    try:
        return cache.incr(key)
    except ValueError:  # the window's first request: no key yet (or it just expired)
        return 1 if cache.add(key, 1, timeout=timeout) else cache.incr(key)


class FixedWindowRateThrottle(SimpleRateThrottle):
    """`rate` requests per window; `get_cache_key` names the caller (None: not throttled)."""

    cache_format = "throttle:%(scope)s:%(ident)s"
    scope: str
    # Set by SimpleRateThrottle.__init__ from the rate; only read when the rate is not None.
    num_requests: int
    duration: int
    seconds_left: float

    def get_rate(self):
        """Read per request, not at import, so a changed setting applies (tests override it)."""
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if self.rate is None:
            return True
        caller_key = self.get_cache_key(request, view)
        if caller_key is None:
            return True
        now = self.timer()
        window = int(now // self.duration)
        key = f"{caller_key}:{window}"
        count = window_count(self.cache, key, timeout=self.duration + 1)
        self.seconds_left = (window + 1) * self.duration - now
        # None: the cache is unreachable and its errors are ignored (settings): fail open.
        return count is None or count <= self.num_requests

    def wait(self) -> float:
        return self.seconds_left


class ContactRateThrottle(FixedWindowRateThrottle):
    """Per contact of a verified token; endpoints without a token are not counted here."""

    scope = "contact"

    def get_cache_key(self, request, view):
        contact = request.user
        if contact is None:
            return None
        return self.cache_format % {"scope": self.scope, "ident": contact.number}


class ClientAddressRateThrottle(FixedWindowRateThrottle):
    """Per client address: the socket's peer, or the address the trusted proxies saw when
    `NUM_PROXIES` (CRM_TRUSTED_PROXIES) says how many there are. X-Forwarded-For is never
    trusted by default: a client could send a new address with every request."""

    scope = "address"

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
