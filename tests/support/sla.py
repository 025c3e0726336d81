"""Tickets made through the services, so their SLA clocks are kept as in production."""

from sla.models import TicketClock
from tickets import services
from tickets.models import Ticket, TicketStatus


def create_ticket(*, ticket_status: str = TicketStatus.OPEN, contact_number: int | None = 649797) -> Ticket:
    return services.ticket_create(
        contact_number=contact_number,
        from_portal=True,
        ticket_status=ticket_status,
        title="Cannot log in",
        description="The app says my password is wrong.",
        ticket_categories="Request",
        category="cat1",
        subcategory="sub1",
        status="New",
        source="app",
    )


def clock_of(ticket: Ticket) -> TicketClock:
    return TicketClock.objects.get(ticket_id=ticket.pk)


def customer_comment(ticket: Ticket, text: str = "Still broken.") -> None:
    services.comment_create_by_contact(ticket=ticket, contact_number=ticket.contact_number, text=text)


def agent_reply(ticket: Ticket, agent, *, internal: bool = False) -> None:
    services.comment_create_by_agent(ticket=ticket, author=agent, text="Try again now.", is_internal=internal)
