"""Reads from the store, each with a fixed number of queries whatever the data size."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Window

from tickets.formats import TicketReference
from tickets.models import Comment, IssueType, Ticket, TicketEvent, TicketRating
from tickets.prepared import PreparedQuery
from tickets.versions import TicketListVersion, ticket_list_version, ticket_list_version_checked

# The columns of one E1 item, as `ticket_list_for_contact` returns them, and what its version
# is made of (`modified_at`).
TICKET_LIST_FIELDS = (
    "id",
    "ticket_number",
    "ticket_status",
    "description",
    "created_at",
    "ticket_categories",
    "modified_at",
)


def _contact_tickets(contact_number: int, status: str | None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.filter(contact_number=contact_number)
    return tickets if status is None else tickets.filter(ticket_status=status)


def _ticket_page(contact_number: int, status: str | None) -> QuerySet[Ticket]:
    return _contact_tickets(contact_number, status).order_by("-created_at", "-id").values(*TICKET_LIST_FIELDS)


# E1's page and E2's catalogue, compiled once (tickets/prepared.py): the hot path's reads.
_TICKET_PAGES = {
    False: PreparedQuery(_ticket_page, contact_number=-1, status=None),
    True: PreparedQuery(_ticket_page, contact_number=-1, status="\x00status"),
}
_ISSUE_TYPE_NAMES = PreparedQuery(
    lambda: IssueType.objects.filter(is_active=True).order_by("sort_order", "name").values("name")
)


def ticket_list_for_contact(
    *,
    contact_number: int,
    status: str | None,
    limit: int,
    offset: int,
    version: TicketListVersion | None = None,
) -> tuple[list[dict], TicketListVersion]:
    """One page of a contact's tickets, newest first, as `.values()` rows, and the version of the
    whole list (its `count` the total that matches the filter): at most two queries, served by
    the (contact, created) index.

    The version is never newer than the page: `version` when the caller read it first, else read
    before the rows (a later page), taken from the rows (a first page that holds them all: one
    query), or read after a full first page and checked against it (unconfirmed when the list
    changed in between)."""
    if version is None and offset > 0:
        version = ticket_list_version(contact_number=contact_number, status=status)
    rows = _TICKET_PAGES[status is not None].values(
        contact_number=contact_number, status=status, limit=limit, offset=offset
    )
    if version is not None:
        return rows, version
    if len(rows) < limit:
        return rows, TicketListVersion.of_rows(rows)
    return rows, ticket_list_version_checked(contact_number=contact_number, status=status, first_page=rows)


def issue_type_names() -> list[str]:
    """Active issue types by configured order, then name (E2)."""
    return [row["name"] for row in _ISSUE_TYPE_NAMES.values()]


def ticket_events_prefetch() -> Prefetch:
    """A ticket's events in order, loaded into `Ticket.loaded_events`: one query for any number
    of tickets and events, and `update_log` renders without another."""
    return Prefetch("events", queryset=TicketEvent.objects.order_by("pk"), to_attr="loaded_events")


def ticket_get_for_contact(
    *, reference: TicketReference, contact_number: int, with_history: bool = False
) -> Ticket | None:
    """The contact's ticket, or None when it does not exist *or* belongs to someone else:
    the two must be indistinguishable to the caller (CONTRACT §5). `with_history` loads its
    events too (the full record, E7): two queries whatever the history's length."""
    tickets = Ticket.objects.filter(contact_number=contact_number)
    if with_history:
        tickets = tickets.prefetch_related(ticket_events_prefetch())
    if reference.record_id is not None:
        tickets = tickets.filter(pk=reference.record_id)
    else:
        assert reference.ticket_number is not None  # a reference names one or the other
        tickets = tickets.filter(ticket_number=reference.ticket_number)
    return tickets.first()


def public_comments_for_ticket(*, ticket: Ticket) -> list[Comment]:
    """The conversation a customer may see, oldest first: internal notes never leave (§10)."""
    return list(
        Comment.objects.filter(ticket=ticket, is_internal=False)
        .select_related("author_user")
        .order_by("created_at", "id")
    )


@dataclass(frozen=True)
class ContactHistory:
    """What a contact has asked and said before, beside the ticket an agent is working: its other
    tickets, latest activity first, and the ratings it gave, newest first, each list cut at the
    caller's limit with the total it was cut from."""

    # Rows of id, ticket_number, ticket_status, modified_at and the window's total.
    tickets: Sequence[Mapping[str, Any]]
    ticket_count: int
    # Rows of ticket_id, ticket__ticket_number, rating, comment, created_at and the total.
    ratings: Sequence[Mapping[str, Any]]
    rating_count: int


def contact_history(*, contact_number: int, exclude_ticket_id: int, limit: int) -> ContactHistory:
    """The contact's tickets other than `exclude_ticket_id` and every rating it gave (that
    ticket's included), only ever that contact's: two queries whatever their number, each list's
    total counted by a window over the rows before the limit cuts them."""
    total = Window(Count("pk"))
    tickets = list(
        Ticket.objects.filter(contact_number=contact_number)
        .exclude(pk=exclude_ticket_id)
        .annotate(total=total)
        .order_by("-modified_at", "-pk")
        .values("id", "ticket_number", "ticket_status", "modified_at", "total")[:limit]
    )
    ratings = list(
        TicketRating.objects.filter(ticket__contact_number=contact_number)
        .annotate(total=total)
        .order_by("-created_at", "-pk")
        .values("ticket_id", "ticket__ticket_number", "rating", "comment", "created_at", "total")[:limit]
    )
    return ContactHistory(
        tickets=tickets,
        ticket_count=tickets[0]["total"] if tickets else 0,
        ratings=ratings,
        rating_count=ratings[0]["total"] if ratings else 0,
    )
