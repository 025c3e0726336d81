"""Typed readers for environment variables, used by settings."""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name, "").strip().lower()
    if not raw:
        return default
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (true/false), got {raw!r}.")


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}.") from None


def env_float(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not value > 0 or value == float("inf"):
        raise ImproperlyConfigured(f"{name} must be a positive number, got {raw!r}.")
    return value


def env_int_list(name: str, default: list[int]) -> list[int]:
    """Comma-separated whole numbers of 0 or more, e.g. `5,300,1800`."""
    items = env_list(name, [str(item) for item in default])
    if not all(item.isdigit() for item in items):
        raise ImproperlyConfigured(f"{name} must be whole numbers separated by commas, got {items!r}.")
    return [int(item) for item in items]


def env_list(name: str, default: list[str]) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return list(default)
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_keyed(name: str, *, max_name_length: int, min_key_length: int) -> dict[str, str]:
    """`name:key,name2:key2` as {name: key}; empty when unset. A malformed item (a name other than
    1 to `max_name_length` letters, digits, `-` or `_`), a repeated name or a key shorter than
    `min_key_length` stops the start-up, naming the item's name, never its key."""
    keys: dict[str, str] = {}
    for item in env_list(name, []):
        label, separator, key = (part.strip() for part in item.partition(":"))
        if not separator or not key or not re.fullmatch(rf"[A-Za-z0-9_-]{{1,{max_name_length}}}", label):
            raise ImproperlyConfigured(
                f"{name} must be name:key pairs separated by commas, each name 1 to {max_name_length} "
                "letters, digits, '-' or '_'."
            )
        if label in keys:
            raise ImproperlyConfigured(f"{name} names '{label}' twice.")
        if len(key) < min_key_length:
            raise ImproperlyConfigured(
                f"{name}: the key of '{label}' must be at least {min_key_length} characters."
            )
        keys[label] = key
    return keys


def env_renamed(old: str, new: str) -> None:
    """Refuse to start with a variable under its old name: ignoring it would silently drop what
    the operator configured (a throttle rate, say)."""
    if old in os.environ:
        raise ImproperlyConfigured(f"{old} is now called {new}: rename it in the environment.")


def env_rate(name: str, default: str) -> str | None:
    """A throttle rate such as `120/min` (requests per s, min, hour or day); empty means off."""
    raw = env_str(name, default)
    if not raw:
        return None
    count, _, period = raw.partition("/")
    if not count.isdigit() or int(count) < 1 or period[:1] not in ("s", "m", "h", "d"):
        raise ImproperlyConfigured(f"{name} must be a rate like 120/min, got {raw!r}.")
    return raw
