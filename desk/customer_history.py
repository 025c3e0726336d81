"""The ticket page's "Customer's history" panel: the contact's other tickets and the ratings it gave,
as the agent reads them (admin/tickets/ticket/customer_history.html)."""

from django.urls import reverse
from django.utils.text import slugify

from tickets.formats import format_datetime, format_ticket_number
from tickets.models import RATING_MAX, Ticket
from tickets.selectors import contact_history

# How many of each list the panel shows; the rest are behind the queue's search for the contact.
HISTORY_SHOWN = 10
NO_CONTACT = "No contact: a ticket from a social channel has no customer history."


def _ticket_link(ticket_id: int, ticket_number: int) -> dict:
    return {
        "ticket_no": format_ticket_number(ticket_number),
        "url": reverse("admin:tickets_ticket_change", args=[ticket_id]),
    }


def customer_history_panel(ticket: Ticket) -> dict:
    """The panel's context: `no_contact` for a ticket without one, else the rows and, when a
    list is longer than shown, how many more and the queue's search that lists them all."""
    if ticket.contact_number is None:
        return {"no_contact": NO_CONTACT}
    history = contact_history(
        contact_number=ticket.contact_number, exclude_ticket_id=ticket.pk, limit=HISTORY_SHOWN
    )
    tickets = [
        {
            **_ticket_link(row["id"], row["ticket_number"]),
            "status": row["ticket_status"],
            "status_class": slugify(row["ticket_status"]),
            "last_activity": format_datetime(row["modified_at"]),
        }
        for row in history.tickets
    ]
    ratings = [
        {
            **_ticket_link(row["ticket_id"], row["ticket__ticket_number"]),
            "this_ticket": row["ticket_id"] == ticket.pk,
            "rating": f"{row['rating']}/{RATING_MAX}",
            "comment": row["comment"],
            "given": format_datetime(row["created_at"]),
        }
        for row in history.ratings
    ]
    queue = reverse("admin:tickets_ticket_changelist")
    return {
        "contact": ticket.contact_number,
        "tickets": tickets,
        "more_tickets": history.ticket_count - len(tickets),
        "ratings": ratings,
        "more_ratings": history.rating_count - len(ratings),
        "all_tickets_url": f"{queue}?q={ticket.contact_number}",
    }
