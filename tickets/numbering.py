"""Ticket numbers: `TT` + a number, unique, increasing and never reused (CONTRACT §7), and
creation times that follow them."""

import datetime

from django.conf import settings
from django.db import connection

from tickets.models import TicketNumberCounter
from tickets.prepared import Source, Statement

TICKET_SEQUENCE = "ticket"

# The allocation's columns: the number, then the creation time.
NUMBER, CREATED_AT = "last_number", "last_created_at"


def allocation(at: datetime.datetime) -> Source:
    """The next ticket's number and creation time, allocated inside the caller's transaction by
    one UPDATE ... RETURNING on the counter row (`PreparedInsert.insert_with` runs it, on
    PostgreSQL in the same statement as the ticket's INSERT).

    The row lock is held only until the creating transaction commits, concurrent creates queue
    on it, and a rolled-back create gives its number back, so numbers are unique, increasing and
    never skipped by failed creates. The creation time is `at`, or the last ticket's when that
    is later (a create that began earlier but got its number later): a ticket becomes visible
    only after every lower-numbered one has, with a creation time no earlier than theirs, so a
    client that reads E1 newest first never misses one. `CRM_TICKET_NUMBER_START` raises the
    floor at any time (a migrated store continues its numbering).
    """
    stamp = connection.ops.adapt_datetimefield_value(at)
    params = [settings.CRM_TICKET_NUMBER_START, stamp, stamp, TICKET_SEQUENCE]
    return Source(_bump(connection), params, (NUMBER, CREATED_AT), convert=_converted)


def create_counter() -> None:
    """The counter's row, before the first ticket ever (an allocation finds no row to update).
    A concurrent first create that wins the race has made it already."""
    TicketNumberCounter.objects.get_or_create(name=TICKET_SEQUENCE, defaults={"last_number": 0})


def _converted(row: tuple, connection) -> tuple:
    """The number and the time, as the model's fields read them (SQLite's backend makes its
    naive UTC times aware; PostgreSQL's are)."""
    number, created_at = row
    convert = getattr(connection.ops, "convert_datetimefield_value", None)
    return number, created_at if convert is None else convert(created_at, None, connection)


_BUMPS: dict[str, Statement] = {}


def _bump(connection) -> Statement:
    """The counter's UPDATE in the vendor's words, written once per vendor. A row created before
    it kept times has none: COALESCE gives it the new one."""
    if connection.vendor not in _BUMPS:
        greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
        sql = (
            f"UPDATE {TicketNumberCounter._meta.db_table} SET {NUMBER} = {greatest}({NUMBER} + 1, %s), "
            f"{CREATED_AT} = {greatest}(COALESCE({CREATED_AT}, %s), %s) "
            f"WHERE name = %s RETURNING {NUMBER}, {CREATED_AT}"
        )
        _BUMPS[connection.vendor] = Statement.of(sql, connection)
    return _BUMPS[connection.vendor]
