"""Ticket numbers: `TT` + a number, unique, increasing and never reused (CONTRACT §7)."""

from django.conf import settings
from django.db import connection

from tickets.models import TicketNumberCounter
from tickets.prepared import Statement, execute

TICKET_SEQUENCE = "ticket"


def next_ticket_number() -> int:
    """Allocate the next ticket number inside the caller's transaction.

    One UPDATE ... RETURNING on the counter row: the row lock is held only until the creating
    transaction commits, concurrent creates queue on it, and a rolled-back create gives its
    number back, so numbers are unique, increasing and never skipped by failed creates.
    `CRM_TICKET_NUMBER_START` raises the floor at any time (a migrated store continues its
    numbering).
    """
    start = settings.CRM_TICKET_NUMBER_START
    row = execute(connection, _bump(connection), [start, TICKET_SEQUENCE], fetch="fetchone")
    if row is not None:
        return row[0]
    # First ticket ever: create the counter. A concurrent first create that loses the race
    # on the primary key retries through the UPDATE above.
    _, created = TicketNumberCounter.objects.get_or_create(
        name=TICKET_SEQUENCE, defaults={"last_number": start}
    )
    return start if created else next_ticket_number()


_BUMPS: dict[str, Statement] = {}


def _bump(connection) -> Statement:
    """The counter's UPDATE in the vendor's words, written once per vendor."""
    if connection.vendor not in _BUMPS:
        greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
        sql = (
            f"UPDATE {TicketNumberCounter._meta.db_table} SET last_number = {greatest}(last_number + 1, %s) "
            "WHERE name = %s RETURNING last_number"
        )
        _BUMPS[connection.vendor] = Statement.of(sql, connection)
    return _BUMPS[connection.vendor]
