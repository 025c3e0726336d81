"""Fingerprints of what a customer's reads show, for conditional reads: each changes whenever
the read's result would, and the cheap ones are read without the result.

A fingerprint is a tuple of plain values (ints, strings, ISO times), so the API can hash it into
an entity tag. It never holds anything a customer may not see: internal notes and their events
are left out, so a note changes no fingerprint.
"""

import dataclasses
import datetime
import functools
from collections.abc import Iterable, Mapping, Sequence

from django.db import connection

from tickets.history import INTERNAL_KINDS
from tickets.models import Comment, Ticket, TicketStatus

# A status's weight in a list's checksum: a ticket changing status moves the checksum by its id
# times the difference, which a clock cannot hide (unlike the largest `modified_at`).
_STATUS_WEIGHTS = {status: weight for weight, status in enumerate(TicketStatus.values, start=1)}


def _iso(moment: datetime.datetime | None) -> str:
    return "" if moment is None else moment.astimezone(datetime.UTC).isoformat()


@dataclasses.dataclass(frozen=True)
class TicketListVersion:
    """A list of tickets as E1 shows it: how many, the newest id, a checksum of ids and statuses,
    and the latest `modified_at`. A ticket created or deleted, entering or leaving a status filter
    or changing status, and any change the services time-stamp, all move it (an E1 item shows
    nothing else that can change). `count` is the list's size before paging (`X-Total-Count`).
    An unconfirmed version is one read after a page that it no longer matched: its count is the
    list's, its fingerprint no other read's."""

    count: int
    last_id: int | None
    checksum: int
    last_modified: datetime.datetime | None
    confirmed: bool = True

    def fingerprint(self) -> tuple:
        return (self.count, self.last_id, self.checksum, _iso(self.last_modified), self.confirmed)

    @classmethod
    def of_rows(cls, rows: Iterable[Mapping]) -> "TicketListVersion":
        """The version of exactly these `.values()` rows (with `ticket_status` and `modified_at`),
        the same as the one read in SQL over the same tickets."""
        rows = list(rows)
        return cls(
            count=len(rows),
            last_id=max((row["id"] for row in rows), default=None),
            checksum=sum(row["id"] * _STATUS_WEIGHTS[row["ticket_status"]] for row in rows),
            last_modified=max((row["modified_at"] for row in rows), default=None),
        )

    @classmethod
    def _of_aggregate(cls, values: Sequence) -> "TicketListVersion":
        count, last_id, checksum, last_modified = values
        return cls(
            count=count,
            last_id=last_id,
            checksum=int(checksum or 0),  # SUM of nothing is NULL; PostgreSQL's SUM is numeric
            last_modified=_modified_at_from_db(last_modified),
        )


# The version is read in SQL written once per shape (with or without a status filter), not
# built by the ORM on each request: building a query with conditional aggregates costs more
# than running it, and this one answers every poll.


def _modified_at_from_db(value):
    """`MAX(modified_at)` as the ORM reads the column (SQLite answers it as text)."""
    column = Ticket._meta.get_field("modified_at").get_col(Ticket._meta.db_table)
    for converter in connection.ops.get_db_converters(column):
        value = converter(value, column, connection)
    return value


@functools.cache
def _list_sql(with_status: bool) -> tuple[str, str, list]:
    """(the contact's tickets as a FROM source, the version's four aggregates, their params):
    `WHERE contact_number = %s [AND ticket_status = %s]`, params after the aggregates'."""
    quote = connection.ops.quote_name
    table, status = quote(Ticket._meta.db_table), quote("ticket_status")
    source = f"{table} WHERE {quote('contact_number')} = %s"
    if with_status:
        source += f" AND {status} = %s"
    weight = "CASE " + " ".join(f"WHEN {status} = %s THEN {weight}" for weight in _STATUS_WEIGHTS.values())
    aggregates = (
        f"COUNT(*), MAX({quote('id')}), SUM({quote('id')} * ({weight} END)), MAX({quote('modified_at')})"
    )
    return source, aggregates, list(_STATUS_WEIGHTS)


def _list_params(contact_number: int, status: str | None) -> list:
    return [contact_number] if status is None else [contact_number, status]


def ticket_list_version(*, contact_number: int, status: str | None) -> TicketListVersion:
    """The version of a contact's ticket list (E1) without its rows: one aggregate query."""
    source, aggregates, weights = _list_sql(status is not None)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {aggregates} FROM {source}", [*weights, *_list_params(contact_number, status)]
        )
        return TicketListVersion._of_aggregate(cursor.fetchone())


def ticket_list_version_checked(
    *, contact_number: int, status: str | None, first_page: list[dict]
) -> TicketListVersion:
    """The version of the list read after a full first page of it was, unconfirmed when the list
    changed in between: one query that also takes the version of the list's first page as it is
    now, which must be the page's. So a version never describes a newer list than the page it is
    sent with."""
    source, aggregates, weights = _list_sql(status is not None)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(name) for name in ("id", "ticket_status", "modified_at"))
    order = f"{quote('created_at')} DESC, {quote('id')} DESC"
    params = _list_params(contact_number, status)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT * FROM (SELECT {aggregates} FROM {source}) whole_list, "
            f"(SELECT {aggregates} FROM (SELECT {columns} FROM {source} ORDER BY {order} LIMIT %s) page) "
            "first_page",
            [*weights, *params, *weights, *params, len(first_page)],
        )
        values = cursor.fetchone()
    version = TicketListVersion._of_aggregate(values[:4])
    if TicketListVersion._of_aggregate(values[4:]) != TicketListVersion.of_rows(first_page):
        return dataclasses.replace(version, confirmed=False)
    return version


def comments_fingerprint(comments: Iterable[Comment]) -> tuple:
    """What E6 shows of loaded comments that could change: which comments, and their agents'
    names (an E6 item names its agent as the agent is named now). Texts and times never change."""
    return tuple(
        sorted(
            (comment.pk, *_names(comment.author_user))
            if comment.author_user is not None
            else (comment.pk, None, None, None)
            for comment in comments
        )
    )


def public_comments_fingerprint(*, ticket: Ticket) -> tuple:
    """`comments_fingerprint` of the ticket's public comments, read without their texts."""
    return tuple(
        sorted(
            Comment.objects.filter(ticket=ticket, is_internal=False).values_list(
                "pk", "author_user__first_name", "author_user__last_name", "author_user__username"
            )
        )
    )


def _names(user) -> tuple[str, str, str]:
    return (user.first_name, user.last_name, user.username)


def record_fingerprint(ticket: Ticket) -> tuple:
    """What E7's record is made of, from a ticket loaded with its events: every column of the
    ticket and the events the customer's history is rendered from (events are only ever added)."""
    columns = tuple(
        _iso(value) if isinstance(value, datetime.datetime) else value
        for value in (getattr(ticket, field.attname) for field in Ticket._meta.concrete_fields)
    )
    events = tuple(event.pk for event in ticket.loaded_events if event.kind not in INTERNAL_KINDS)
    return (columns, events)
