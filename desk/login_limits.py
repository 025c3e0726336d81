"""Failed logins to the desk are limited, per username and per client address, so passwords
cannot be guessed and a flood of bad logins cannot keep the workers hashing.

Each check of a password costs a deliberately slow PBKDF2 hash on the same gunicorn workers that
serve the API. After `CRM_DESK_LOGIN_FAILURES_MAX` failures within `CRM_DESK_LOGIN_LOCKOUT_SECONDS`
the username (or the address) is locked for that long: the login form refuses it with
`LOGIN_LOCKED` before any password is checked, the right password included. A successful login
clears the username's failures. The counters live in the shared cache (Redis when set), so every
process counts together; like the throttles they fail open while Redis is away.
"""

import hashlib
from typing import cast

from django.conf import settings
from django.core.cache import cache

LOGIN_LOCKED = (
    "Too many failed logins for this username or from this address. "
    "Try again in {minutes} minutes, or ask an administrator to reset your password."
)


def locked_message() -> str:
    return LOGIN_LOCKED.format(minutes=max(1, settings.CRM_DESK_LOGIN_LOCKOUT_SECONDS // 60))


def _client_address(request) -> str:
    """As the E3 throttle counts it (CRM_TRUSTED_PROXIES): the socket's peer, or the address the
    outermost trusted proxy saw, never one the client wrote further left in X-Forwarded-For."""
    proxies = cast(int, settings.REST_FRAMEWORK.get("NUM_PROXIES") or 0)
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR")
    if not proxies or not forwarded:
        return request.META.get("REMOTE_ADDR", "")
    addresses = forwarded.split(",")
    return addresses[-min(proxies, len(addresses))].strip()


def _keys(request, username: str) -> list[str]:
    # Hashed: a username may hold anything, and cache keys are limited in length and alphabet.
    name = hashlib.sha256(username.strip().lower().encode("utf-8", "surrogatepass")).hexdigest()
    return [f"desk-login:user:{name}", f"desk-login:address:{_client_address(request)}"]


def login_locked(request, username: str) -> bool:
    return any(cache.get(f"{key}:locked") for key in _keys(request, username))


def login_failed(request, username: str) -> None:
    """Count a failure for the username and the address; lock either at the limit."""
    window = settings.CRM_DESK_LOGIN_LOCKOUT_SECONDS
    for key in _keys(request, username):
        count_key = f"{key}:failures"
        cache.add(count_key, 0, timeout=window)
        try:
            failures = cache.incr(count_key)
        except ValueError:  # expired between add and incr: this failure starts a new window
            cache.add(count_key, 1, timeout=window)
            failures = 1
        if failures is not None and failures >= settings.CRM_DESK_LOGIN_FAILURES_MAX:
            cache.set(f"{key}:locked", True, timeout=window)


def login_succeeded(request, username: str) -> None:
    user_key = _keys(request, username)[0]
    cache.delete(f"{user_key}:failures")
