"""Reads from the store, each with a fixed number of queries whatever the data size."""

from django.db.models import Prefetch

from tickets.formats import TicketReference
from tickets.models import Comment, IssueType, Ticket, TicketEvent

# The columns of one E1 item, as `ticket_list_for_contact` returns them.
TICKET_LIST_FIELDS = (
    "id",
    "ticket_number",
    "ticket_status",
    "description",
    "created_at",
    "ticket_categories",
)


def ticket_list_for_contact(
    *, contact_number: int, status: str | None, limit: int, offset: int
) -> tuple[list[dict], int]:
    """One page of a contact's tickets, newest first, as `.values()` rows, and the total that
    matches the filter: two queries, both served by the (contact, created) index."""
    tickets = Ticket.objects.filter(contact_number=contact_number)
    if status is not None:
        tickets = tickets.filter(ticket_status=status)
    rows = list(tickets.order_by("-created_at", "-id").values(*TICKET_LIST_FIELDS)[offset : offset + limit])
    if offset == 0 and len(rows) < limit:
        return rows, len(rows)  # the page holds them all: no COUNT needed
    return rows, tickets.count()


def issue_type_names() -> list[str]:
    """Active issue types by configured order, then name (E2)."""
    return list(
        IssueType.objects.filter(is_active=True).order_by("sort_order", "name").values_list("name", flat=True)
    )


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
