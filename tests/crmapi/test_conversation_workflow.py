"""CONTRACT §11 and §15 as a client sees them: how a customer's comment (E4), an agent's reply
and note and a staff change move the ticket, read back through E7; and the priority of new
tickets (E3, E5)."""

import datetime

import pytest

from crmapi import messages
from tests.factories import IssueTypeFactory, TicketFactory, UserFactory
from tests.support.client import assert_error, envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E3, E4, E5, E6, E7, TICKET_BODY
from tests.support.queries import OUTBOX_QUERIES_PER_EVENT, SLA_QUERIES_PER_CHANGE
from tickets import services
from tickets.formats import format_datetime
from tickets.models import Comment, Ticket, TicketEvent, TicketPriority, TicketStatus
from tickets.workflow import WaitingOn

pytestmark = pytest.mark.django_db

EARLIER = NOW - datetime.timedelta(hours=3)


@pytest.fixture
def agent(db):
    return UserFactory(username="sam", first_name="Sam", last_name="Okafor")


def own(status=TicketStatus.OPEN, **fields) -> Ticket:
    fields.setdefault("created_at", EARLIER - datetime.timedelta(days=1))
    return TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=status, **fields)


def comment(api, text="Porting failed again, please reopen"):
    return api.call(E4, body={"ticketNo": "TT1130", "comment": text, "contactId": str(CONTACT)})


def record(api) -> dict:
    return envelope_result(api.call(E7, query={"ticketNo": "TT1130"}))


def at(clock, moment, change):
    clock.now = moment
    result = change()
    clock.now = NOW
    return result


# --- E4 moves the ticket ----------------------------------------------------------------------------


def test_a_comment_turns_wait_for_response_into_open_naming_the_customer(api, clock):
    own(TicketStatus.WAIT_FOR_RESPONSE)
    assert comment(api).status_code == 200
    result = record(api)
    assert result["ticketstatus"] == "Open"
    assert result["update_log"].split("\n")[-1] == (
        f"Status changed from Wait For Response to Open by the customer on {format_datetime(NOW)}."
    )


def test_a_comment_reopens_a_recently_closed_ticket(api, clock, agent):
    ticket = own()
    at(
        clock,
        NOW - datetime.timedelta(days=29),
        lambda: services.ticket_update(ticket=ticket, by=agent, ticket_status="Closed"),
    )
    assert comment(api).status_code == 200
    assert record(api)["ticketstatus"] == "Open"
    assert Comment.objects.filter(ticket=ticket).count() == 1


def test_a_comment_on_a_ticket_closed_30_days_ago_is_409_and_stores_nothing(api, clock, agent):
    ticket = own()
    at(
        clock,
        NOW - datetime.timedelta(days=30),
        lambda: services.ticket_update(ticket=ticket, by=agent, ticket_status="Closed"),
    )
    before = (Ticket.objects.values().get(pk=ticket.pk), TicketEvent.objects.count())
    assert_error(comment(api), 409, messages.TICKET_CLOSED.format(ticket_no="TT1130"), "409 CONFLICT")
    assert (Ticket.objects.values().get(pk=ticket.pk), TicketEvent.objects.count()) == before
    assert not Comment.objects.exists()


def test_the_e4_409_comes_after_the_404(api, clock):
    own(TicketStatus.CLOSED, created_at=NOW - datetime.timedelta(days=90))
    response = api.call(E4, body={"ticketNo": "TT9999", "comment": "x", "contactId": str(CONTACT)})
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT9999"))


def test_a_comment_on_an_open_ticket_changes_no_status(api, clock):
    own(TicketStatus.IN_PROGRESS)
    comment(api)
    assert (record(api)["ticketstatus"], record(api)["update_log"]) == ("In Progress", "Ticket created.")


def test_a_customer_comment_sets_modifiedtime_and_empties_modifiedby(api, clock, agent):
    ticket = own()
    at(clock, EARLIER, lambda: services.ticket_update(ticket=ticket, by=agent, assignee=agent))
    assert record(api)["modifiedby"] == f"19x{agent.pk}"
    comment(api)
    assert (record(api)["modifiedtime"], record(api)["modifiedby"]) == (format_datetime(NOW), "")


# --- Agents ------------------------------------------------------------------------------------------


def test_an_agents_public_reply_sets_modifiedtime_and_modifiedby(api, clock, agent):
    ticket = own()
    services.comment_create_by_agent(ticket=ticket, author=agent, text="Fixed.", is_internal=False)
    assert (record(api)["modifiedtime"], record(api)["modifiedby"]) == (
        format_datetime(NOW),
        f"19x{agent.pk}",
    )


def test_an_internal_note_changes_nothing_a_customer_can_see(api, clock, agent):
    ticket = own(TicketStatus.WAIT_FOR_RESPONSE)
    before_record = record(api)
    before_row = Ticket.objects.values().get(pk=ticket.pk)
    services.comment_create_by_agent(ticket=ticket, author=agent, text="Check the HLR.", is_internal=True)
    assert record(api) == before_record
    assert Ticket.objects.values().get(pk=ticket.pk) == before_row
    assert envelope_result(api.call(E6, query={"ticketNo": "TT1130"})) == []


def test_staff_status_lines_keep_their_form(api, clock, agent):
    ticket = own()
    services.ticket_update(ticket=ticket, by=agent, ticket_status="In Progress", assignee=agent)
    assert record(api)["update_log"] == (
        "Ticket created.\n"
        f"Status changed from Open to In Progress by Sam Okafor on {format_datetime(NOW)}.\n"
        f"Assignee changed from nobody to Sam Okafor by Sam Okafor on {format_datetime(NOW)}."
    )


def test_a_priority_change_by_staff_is_logged_and_shown(api, clock, agent):
    ticket = own()
    services.ticket_update(ticket=ticket, by=agent, priority=TicketPriority.URGENT)
    result = record(api)
    assert result["ticketpriorities"] == "Urgent"
    assert result["update_log"].split("\n")[-1] == (
        f"Priority changed from Normal to Urgent by Sam Okafor on {format_datetime(NOW)}."
    )
    assert (result["modifiedtime"], result["modifiedby"]) == (format_datetime(NOW), f"19x{agent.pk}")


def test_the_same_priority_again_is_no_change(api, clock, agent):
    ticket = own()
    services.ticket_update(ticket=ticket, by=agent, priority=TicketPriority.NORMAL)
    assert record(api)["update_log"] == "Ticket created."


# --- Who waits on whom --------------------------------------------------------------------------------


def waiting(ticket: Ticket) -> tuple[str, datetime.datetime]:
    ticket.refresh_from_db()
    return ticket.waiting_on, ticket.waiting_since


def test_a_new_ticket_waits_on_an_agent_since_its_creation(api, clock):
    number = envelope_result(api.call(E5, body=TICKET_BODY))["ticket_no"]
    assert waiting(Ticket.objects.get(ticket_number=int(number[2:]))) == (WaitingOn.AGENT, NOW)


def test_a_customer_comment_makes_the_ticket_wait_on_an_agent(api, clock, agent):
    ticket = own()
    at(
        clock,
        EARLIER,
        lambda: services.comment_create_by_agent(ticket=ticket, author=agent, text="?", is_internal=False),
    )
    assert waiting(ticket) == (WaitingOn.CUSTOMER, EARLIER)
    comment(api)
    assert waiting(ticket) == (WaitingOn.AGENT, NOW)


def test_a_second_customer_comment_keeps_the_first_waiting_time(api, clock):
    ticket = own(TicketStatus.WAIT_FOR_RESPONSE)
    at(clock, EARLIER, lambda: comment(api, "first"))
    comment(api, "second")
    assert waiting(ticket) == (WaitingOn.AGENT, EARLIER)


def test_setting_wait_for_response_makes_it_wait_on_the_customer(clock, agent):
    ticket = own()
    services.ticket_update(ticket=ticket, by=agent, ticket_status="Wait For Response")
    assert waiting(ticket) == (WaitingOn.CUSTOMER, NOW)


def test_a_reopen_by_a_comment_waits_on_an_agent_from_the_reopen(api, clock, agent):
    ticket = own()
    at(clock, EARLIER, lambda: services.ticket_update(ticket=ticket, by=agent, ticket_status="Closed"))
    assert waiting(ticket) == (WaitingOn.NOBODY, EARLIER)
    comment(api)
    assert waiting(ticket) == (WaitingOn.AGENT, NOW)


def test_open_and_in_progress_between_themselves_keep_who_waits(clock, agent):
    ticket = own()
    since = waiting(ticket)
    services.ticket_update(
        ticket=ticket, by=agent, ticket_status="In Progress", priority="High", assignee=agent
    )
    assert waiting(ticket) == since


def test_an_agent_reply_on_a_closed_ticket_leaves_it_waiting_on_nobody(clock, agent):
    ticket = own()
    at(clock, EARLIER, lambda: services.ticket_update(ticket=ticket, by=agent, ticket_status="Closed"))
    services.comment_create_by_agent(ticket=ticket, author=agent, text="Bye.", is_internal=False)
    assert waiting(ticket) == (WaitingOn.NOBODY, EARLIER)


# --- §15: the priority of a new ticket ----------------------------------------------------------------


@pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])
def test_a_new_ticket_gets_its_issue_types_default_priority_case_insensitively(api, endpoint):
    IssueTypeFactory(name="Plan Change", default_priority=TicketPriority.HIGH)
    result = envelope_result(api.call(endpoint, body={**TICKET_BODY, "ticketcategories": "plan CHANGE"}))
    assert result["ticketpriorities"] == "High"


@pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])
def test_a_new_ticket_of_no_known_issue_type_is_normal(api, endpoint):
    IssueTypeFactory(name="Roaming", default_priority=TicketPriority.URGENT)
    assert envelope_result(api.call(endpoint, body=TICKET_BODY))["ticketpriorities"] == "Normal"


def test_a_bodys_ticketpriorities_is_ignored(api):
    result = envelope_result(api.call(E5, body={**TICKET_BODY, "ticketpriorities": "Urgent"}))
    assert result["ticketpriorities"] == "Normal"


def test_e4_runs_a_bounded_number_of_queries_on_a_reopen(api, clock, agent, django_assert_max_num_queries):
    ticket = own()
    for number in range(20):
        services.comment_create_by_agent(ticket=ticket, author=agent, text=f"n{number}", is_internal=False)
    at(clock, EARLIER, lambda: services.ticket_update(ticket=ticket, by=agent, ticket_status="Closed"))
    # The reopen moves the SLA clock (read once, updated once; the comment then moves nothing).
    with django_assert_max_num_queries(9 + 2 * OUTBOX_QUERIES_PER_EVENT + SLA_QUERIES_PER_CHANGE):
        assert comment(api).status_code == 200
