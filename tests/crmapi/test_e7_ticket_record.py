"""E7 (CONTRACT §10): one of the contact's tickets as the full record of §7.
Headers, token, ticketNo and authorization: test_ticket_reads.py."""

import pytest

from tests.factories import AgentCommentFactory, UserFactory
from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E3, E5, E7, TICKET_BODY
from tickets import history, services
from tickets.formats import format_datetime
from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db


def record(api, ticket_no: str):
    return envelope_result(api.call(E7, query={"ticketNo": ticket_no}))


@pytest.fixture
def created(api):
    """The record E5 returned when the contact created the ticket."""
    return envelope_result(api.call(E5, body=TICKET_BODY))


def test_record_equals_the_one_returned_at_creation(api, created):
    assert record(api, created["ticket_no"]) == created


def test_record_keys_are_the_create_records_keys_in_order(api, created):
    assert list(record(api, created["ticket_no"])) == list(created)


def test_every_value_is_a_string(api, created):
    assert all(isinstance(value, str) for value in record(api, created["ticket_no"]).values())


@pytest.mark.parametrize("form", ["number", "digits", "record id"])
def test_every_ticket_no_form_reads_the_same_record(api, created, form):
    ticket_no = {
        "number": created["ticket_no"],
        "digits": created["ticket_no"].removeprefix("TT"),
        "record id": created["id"],
    }[form]
    assert record(api, ticket_no) == created


def test_social_ticket_linked_to_the_contact_is_readable(api):
    social = envelope_result(api.call(E3, body={**TICKET_BODY, "contactId": f"12x{CONTACT}"}))
    assert record(api, social["ticket_no"])["from_portal"] == "0"


def test_status_change_by_an_agent_shows_with_its_history(api, created, dana):
    ticket = Ticket.objects.get(pk=created["id"].removeprefix("17x"))
    updated = services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    read = record(api, created["ticket_no"])
    assert read["ticketstatus"] == "Closed"
    assert read["update_log"] == "\n".join(
        [
            history.UPDATE_LOG_CREATED,
            history.UPDATE_LOG_STATUS.format(
                old="Open", new="Closed", by="Dana Reyes", when=format_datetime(updated.modified_at)
            ),
        ]
    )


def test_assignment_shows_as_assigned_user_and_modified_by(api, created):
    agent = UserFactory()
    ticket = Ticket.objects.get(pk=created["id"].removeprefix("17x"))
    updated = services.ticket_update(ticket=ticket, by=agent, assignee=agent)
    read = record(api, created["ticket_no"])
    assert read["assigned_user_id"] == f"19x{agent.pk}"
    assert read["modifiedby"] == f"19x{agent.pk}"
    assert read["modifiedtime"] == format_datetime(updated.modified_at)
    assert read["createdtime"] == created["createdtime"]


def test_comments_do_not_change_the_record(api, created):
    ticket = Ticket.objects.get(pk=created["id"].removeprefix("17x"))
    AgentCommentFactory(ticket=ticket, text="note text", is_internal=True)
    AgentCommentFactory(ticket=ticket, text="reply text")
    assert record(api, created["ticket_no"]) == created
