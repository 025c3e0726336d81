"""Saving the ticket page with nothing changed says so and leaves no trace: no "was changed
successfully", no "No fields changed." in the admin's history. A save that only adds a reply is
a change and is logged like one."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.messages import INFO, SUCCESS

from desk.forms import ReplyAction
from tests.support.desk import change_url, save_ticket, send_reply

pytestmark = pytest.mark.django_db


def shown(response) -> list[tuple[int, str]]:
    return [(m.level, str(m)) for m in response.context["messages"]]


def test_saving_nothing_says_there_is_nothing_to_save(agent_client, ticket):
    response = save_ticket(agent_client, ticket)
    assert shown(agent_client.get(response["Location"])) == [(INFO, "No changes to save.")]


def test_saving_nothing_and_continuing_stays_on_the_page_saying_so(agent_client, ticket):
    response = save_ticket(agent_client, ticket, _continue="Save and continue editing")
    assert response["Location"] == change_url(ticket)
    assert shown(agent_client.get(response["Location"])) == [(INFO, "No changes to save.")]


def test_saving_nothing_writes_nothing_to_the_admin_history(agent_client, ticket):
    save_ticket(agent_client, ticket)
    assert not LogEntry.objects.exists()


def test_a_status_change_is_logged_and_reported_as_a_change(agent_client, ticket):
    response = save_ticket(agent_client, ticket, ticket_status="Closed")
    [entry] = LogEntry.objects.all()
    assert entry.get_change_message() == "Changed Ticket status."
    [(level, text)] = shown(agent_client.get(response["Location"]))
    assert level == SUCCESS
    assert "was changed successfully" in text


def test_a_reply_alone_is_logged_and_reported_as_a_change(agent_client, ticket):
    response = send_reply(agent_client, ticket, ReplyAction.SEND, "We are on it.")
    [entry] = LogEntry.objects.all()
    assert entry.get_change_message().startswith("Added comment")
    [(level, text)] = shown(agent_client.get(response["Location"]))
    assert level == SUCCESS
    assert "was changed successfully" in text
