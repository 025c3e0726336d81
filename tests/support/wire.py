"""What a PostgreSQL connection puts on the wire, read from libpq's own protocol trace."""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager

from psycopg import pq


@contextmanager
def messages_sent(connection) -> Iterator[list[str]]:
    """The query messages Django's `connection` sends to the server while inside, one item per
    message (each a round trip), filled in on the way out."""
    connection.ensure_connection()
    pgconn = connection.connection.pgconn
    sent: list[str] = []
    with tempfile.TemporaryFile() as trace:
        pgconn.trace(trace.fileno())
        pgconn.set_trace_flags(pq.Trace.SUPPRESS_TIMESTAMPS)
        try:
            yield sent
        finally:
            pgconn.untrace()
            trace.seek(0)
            for line in trace.read().decode().splitlines():
                direction, _, kind, text = line.split("\t", 3)
                if direction == "F" and kind == "Query":
                    sent.append(text.strip()[1:-1])
