"""The support desk when a service refuses a change (Django's ValidationError or PermissionDenied):
the agent reads why, on the page they were on; nothing of the change is saved, not even half of
it; the admin's own 403 for a page without permission stays a 403.

No service refuses a desk change today that the desk's forms let through, so these tests let the
real service do its work and then refuse, the way a later rule (a closed ticket, an SLA lock)
would: what was written must be rolled back.
"""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import ERROR, get_messages
from django.core.exceptions import PermissionDenied, ValidationError

from desk.forms import ReplyAction
from tests.factories import TicketFactory, UserFactory
from tests.support.desk import CHANGELIST, change_url, refreshed, run_action, save_ticket, send_reply
from tickets import services
from tickets.models import Comment, TicketStatus

pytestmark = pytest.mark.django_db

REFUSAL = "Replies are closed on this ticket."


def refusing_after(monkeypatch, name: str, exc: Exception) -> None:
    """`services.<name>` does its real work, then refuses with `exc`."""
    real = getattr(services, name)

    def refusing(**kwargs):
        real(**kwargs)
        raise exc

    monkeypatch.setattr(services, name, refusing)


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == ERROR]


def test_refused_reply_returns_to_the_ticket_page_with_the_reason(agent_client, ticket, monkeypatch):
    refusing_after(monkeypatch, "comment_create_by_agent", ValidationError(REFUSAL))
    response = send_reply(agent_client, ticket, ReplyAction.SEND, "On it.")
    assert response.status_code == 302
    assert response["Location"] == change_url(ticket)
    assert error_messages(response) == [REFUSAL]


def test_refused_reply_saves_neither_the_reply_nor_the_status_change(agent_client, ticket, monkeypatch):
    refusing_after(monkeypatch, "comment_create_by_agent", ValidationError(REFUSAL))
    send_reply(agent_client, ticket, ReplyAction.SEND, "Done, closing.", ticket_status="Closed")
    stored = refreshed(ticket)
    assert stored.ticket_status == TicketStatus.OPEN
    assert stored.modified_by is None
    assert stored.update_log == "Ticket created."
    assert not Comment.objects.filter(ticket=ticket).exists()
    assert not LogEntry.objects.exists()


def test_refused_status_change_says_why_and_saves_nothing(agent_client, ticket, monkeypatch):
    refusing_after(monkeypatch, "ticket_update", PermissionDenied("Only the assignee may close this ticket."))
    response = save_ticket(agent_client, ticket, ticket_status="Closed")
    assert error_messages(response) == ["Only the assignee may close this ticket."]
    assert refreshed(ticket).ticket_status == TicketStatus.OPEN
    assert not LogEntry.objects.exists()


def test_several_refusal_messages_are_shown_as_one(agent_client, ticket, monkeypatch):
    refusal = ValidationError(["The ticket is closed.", "Reopen it first."])
    refusing_after(monkeypatch, "ticket_update", refusal)
    response = save_ticket(agent_client, ticket, ticket_status="Closed")
    assert error_messages(response) == ["The ticket is closed. Reopen it first."]


@pytest.mark.parametrize(
    ("action", "service"),
    [("set_status_closed", "ticket_bulk_set_status"), ("assign_to_me", "ticket_bulk_assign")],
)
def test_refused_bulk_action_says_why_and_changes_no_ticket(agent_client, monkeypatch, action, service):
    tickets = [TicketFactory(), TicketFactory()]
    refusing_after(monkeypatch, service, ValidationError(REFUSAL))
    response = run_action(agent_client, action, tickets)
    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [REFUSAL]
    for ticket in tickets:
        stored = refreshed(ticket)
        assert (stored.ticket_status, stored.assigned_to, stored.update_log) == (
            TicketStatus.OPEN,
            None,
            "Ticket created.",
        )


def test_the_admins_own_permission_refusal_stays_a_403(client, ticket):
    client.force_login(UserFactory(username="no-group"))  # staff, but no permission on tickets
    assert client.get(change_url(ticket)).status_code == 403
    assert client.post(change_url(ticket), {"ticket_status": "Closed"}).status_code == 403
    assert client.get(CHANGELIST).status_code == 403
