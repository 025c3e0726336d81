"""The ticket page shows the admin's empty value ("-") for what a ticket does not have, in its
computed fields as in its model fields: an API-created ticket has no "modified by" yet, a social
ticket no contact."""

import pytest

from tests.factories import TicketFactory
from tests.support.desk import CHANGELIST, change_url

pytestmark = pytest.mark.django_db

EMPTY = "-"


def readonly_values(client, ticket) -> dict[str, str]:
    """Each read-only field of the ticket page as the page shows it."""
    values = {}
    for fieldset in client.get(change_url(ticket)).context["adminform"]:
        for line in fieldset:
            for field in line:
                if field.is_readonly:
                    values[field.field["name"]] = str(field.contents())
    return values


def test_unmodified_ticket_shows_the_empty_value_for_modified_by(agent_client, ticket):
    assert readonly_values(agent_client, ticket)["modified_by_name"] == EMPTY


def test_ticket_without_a_contact_shows_the_empty_value_for_contact(agent_client):
    social = TicketFactory(contact_number=None, from_portal=False)
    assert readonly_values(agent_client, social)["contact"] == EMPTY


def test_no_read_only_field_of_a_bare_ticket_shows_none(agent_client):
    bare = TicketFactory(contact_number=None, from_portal=False)
    shown = readonly_values(agent_client, bare)
    assert [name for name, value in shown.items() if value == "None"] == []


def test_modified_by_names_the_agent_once_modified(agent_client, support_agent, ticket):
    agent_client.post(CHANGELIST, {"action": "assign_to_me", "_selected_action": [ticket.pk]})
    assert readonly_values(agent_client, ticket)["modified_by_name"] == "Dana Reyes"
