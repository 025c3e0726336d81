"""Fingerprints of what a customer's reads show, for conditional reads: each changes whenever
the read's result would, and the cheap ones are read without the result.

A fingerprint is a tuple of plain values (ints, strings, ISO times), so the API can hash it into
an entity tag. It never holds anything a customer may not see: internal notes and their events
are left out, so a note changes no fingerprint.
"""

import dataclasses
import datetime
from collections.abc import Iterable, Mapping

from django.db.models import BigIntegerField, Case, Count, F, Max, Q, QuerySet, Sum, Value, When

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
    or changing status, and any change the services time-stamp, all move it. `count` is the
    list's size before paging (`X-Total-Count`). An unconfirmed version is one read after a page
    that it no longer matched: its count is the list's, its fingerprint no other read's."""

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
        the same as `of_queryset` over the same tickets."""
        rows = list(rows)
        return cls(
            count=len(rows),
            last_id=max((row["id"] for row in rows), default=None),
            checksum=sum(row["id"] * _STATUS_WEIGHTS[row["ticket_status"]] for row in rows),
            last_modified=max((row["modified_at"] for row in rows), default=None),
        )

    @classmethod
    def of_queryset(cls, tickets: QuerySet[Ticket], *, within: Q | None = None) -> "TicketListVersion":
        """The version of `tickets` (or of those matching `within`), in one aggregate query."""
        values = tickets.aggregate(**_version_aggregates(within))
        return cls._from_aggregate(values)

    @classmethod
    def _from_aggregate(cls, values: Mapping, prefix: str = "") -> "TicketListVersion":
        return cls(
            count=values[f"{prefix}count"],
            last_id=values[f"{prefix}last_id"],
            checksum=int(values[f"{prefix}checksum"] or 0),  # SUM of nothing is NULL; PostgreSQL's is numeric
            last_modified=values[f"{prefix}last_modified"],
        )


def _version_aggregates(within: Q | None, prefix: str = "") -> dict:
    weight = Case(
        *(When(ticket_status=status, then=Value(weight)) for status, weight in _STATUS_WEIGHTS.items()),
        output_field=BigIntegerField(),
    )
    return {
        f"{prefix}count": Count("id", filter=within),
        f"{prefix}last_id": Max("id", filter=within),
        f"{prefix}checksum": Sum(F("id") * weight, filter=within),
        f"{prefix}last_modified": Max("modified_at", filter=within),
    }


def ticket_list_version_checked(tickets: QuerySet[Ticket], *, first_page: list[dict]) -> TicketListVersion:
    """The version of `tickets` read after a full first page of them was, unconfirmed when the
    list changed in between: one query that also takes the version of the tickets from the top of
    the list down to the page's last row, which must be exactly the page. So a version never
    describes a newer list than the page it is sent with."""
    last = first_page[-1]
    head = Q(created_at__gt=last["created_at"]) | Q(created_at=last["created_at"], id__gte=last["id"])
    values = tickets.aggregate(**_version_aggregates(None), **_version_aggregates(head, prefix="head_"))
    version = TicketListVersion._from_aggregate(values)
    if TicketListVersion._from_aggregate(values, "head_") != TicketListVersion.of_rows(first_page):
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
