"""A store that cannot be reached, for real: the default connection swapped for a new wrapper of
the same backend class pointing at a closed port (PostgreSQL) or a path that cannot be opened
(SQLite). Shared so that test modules never import one another."""

import contextlib
import copy
import socket

from django.db import connections


def free_port() -> int:
    """A local TCP port nobody listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def silent_port():
    """A local port that completes the TCP handshake and then never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@contextlib.contextmanager
def unreachable_store(port: int | None = None):
    original = connections["default"]
    settings_dict = copy.deepcopy(original.settings_dict)
    if original.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/crm.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(port or free_port()))
    broken = type(original)(settings_dict, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original
