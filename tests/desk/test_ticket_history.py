"""The ticket page's History shows the update log rendered from the ticket's events, read-only."""

import pytest

from tests.support.desk import change_url, save_ticket
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db


def test_ticket_page_shows_the_rendered_update_log_line_by_line(agent_client, ticket):
    save_ticket(agent_client, ticket, ticket_status="Closed")
    page = agent_client.get(change_url(ticket)).content.decode()
    assert "Update log" in page
    assert "Ticket created.<br>Status changed from Open to Closed by Dana Reyes on " in page


def test_saving_the_ticket_page_writes_one_event_per_change(agent_client, ticket):
    save_ticket(agent_client, ticket, ticket_status="Closed")
    assert TicketEvent.objects.filter(ticket=ticket).count() == 2
