"""E11 `POST /crm/v1/ticket/status`: the customer closes or reopens its ticket (CONTRACT §11)."""

import datetime

import pytest

from crmapi import messages
from tests.factories import TicketFactory, UserFactory
from tests.support.client import assert_error, envelope_result
from tests.support.clock import NOW
from tests.support.endpoints import CONTACT, E7, E11, OTHER_CONTACT
from tests.support.queries import OUTBOX_QUERIES_PER_EVENT, SLA_QUERIES_PER_CHANGE
from tickets import services
from tickets.formats import format_datetime
from tickets.models import Ticket, TicketEvent, TicketStatus
from tickets.workflow import WaitingOn

pytestmark = pytest.mark.django_db


def status_body(**fields) -> dict:
    body = {"ticketNo": "TT1130", "ticketStatus": "Closed", "contactId": str(CONTACT), **fields}
    return {name: value for name, value in body.items() if value is not None}


def own(status=TicketStatus.OPEN, **fields) -> Ticket:
    return TicketFactory(ticket_number=1130, contact_number=CONTACT, ticket_status=status, **fields)


def closed_by_agent(*, days_ago: float, clock) -> Ticket:
    """TT1130 closed by an agent `days_ago` days before NOW; the clock is back at NOW after."""
    ticket = own(created_at=NOW - datetime.timedelta(days=days_ago + 1))
    clock.at(NOW - datetime.timedelta(days=days_ago))
    services.ticket_update(ticket=ticket, by=UserFactory(), ticket_status=TicketStatus.CLOSED)
    clock.at(NOW)
    return ticket


def status_of(ticket: Ticket) -> str:
    ticket.refresh_from_db()
    return ticket.ticket_status


# --- Closing ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "status", [TicketStatus.OPEN, TicketStatus.IN_PROGRESS, TicketStatus.WAIT_FOR_RESPONSE]
)
def test_closed_closes_the_ticket_from_any_status(api, status):
    ticket = own(status)
    record = envelope_result(api.call(E11, body=status_body()))
    assert (record["ticketstatus"], status_of(ticket)) == ("Closed", "Closed")


def test_result_is_the_full_record_as_e7_reads_it(api):
    own()
    record = envelope_result(api.call(E11, body=status_body()))
    assert record == envelope_result(api.call(E7, query={"ticketNo": "TT1130"}))


def test_a_customers_close_is_one_update_log_line_naming_the_customer(api, clock):
    own(created_at=NOW - datetime.timedelta(hours=2))
    record = envelope_result(api.call(E11, body=status_body()))
    assert record["update_log"] == (
        f"Ticket created.\nStatus changed from Open to Closed by the customer on {format_datetime(NOW)}."
    )


def test_a_customers_close_sets_modifiedtime_and_empties_modifiedby(api, clock):
    ticket = own(created_at=NOW - datetime.timedelta(hours=2))
    services.ticket_update(ticket=ticket, by=UserFactory(), assignee=None, priority="High")
    record = envelope_result(api.call(E11, body=status_body()))
    assert (record["modifiedtime"], record["modifiedby"]) == (format_datetime(NOW), "")


def test_closing_makes_the_ticket_wait_on_nobody(api, clock):
    ticket = own()
    api.call(E11, body=status_body())
    ticket.refresh_from_db()
    assert (ticket.waiting_on, ticket.waiting_since) == (WaitingOn.NOBODY, NOW)


def test_closing_a_closed_ticket_is_200_and_changes_nothing(api):
    ticket = own(TicketStatus.CLOSED)
    before = Ticket.objects.values().get(pk=ticket.pk)
    response = api.call(E11, body=status_body())
    assert envelope_result(response)["ticketstatus"] == "Closed"
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


# --- Opening ----------------------------------------------------------------------------------------


def test_open_turns_wait_for_response_into_open(api):
    ticket = own(TicketStatus.WAIT_FOR_RESPONSE)
    api.call(E11, body=status_body(ticketStatus="Open"))
    assert status_of(ticket) == "Open"


@pytest.mark.parametrize("status", [TicketStatus.OPEN, TicketStatus.IN_PROGRESS])
def test_open_on_an_open_or_in_progress_ticket_changes_nothing(api, status):
    ticket = own(status)
    before = Ticket.objects.values().get(pk=ticket.pk)
    record = envelope_result(api.call(E11, body=status_body(ticketStatus="Open")))
    assert record["ticketstatus"] == status
    assert Ticket.objects.values().get(pk=ticket.pk) == before
    assert TicketEvent.objects.filter(ticket=ticket).count() == 1


def test_open_reopens_a_ticket_closed_less_than_the_reopen_period_ago(api, clock):
    ticket = closed_by_agent(days_ago=29.9, clock=clock)
    record = envelope_result(api.call(E11, body=status_body(ticketStatus="Open")))
    assert (record["ticketstatus"], status_of(ticket)) == ("Open", "Open")
    assert record["update_log"].endswith(
        f"Status changed from Closed to Open by the customer on {format_datetime(NOW)}."
    )


def test_a_reopened_ticket_waits_on_an_agent_from_the_reopen(api, clock):
    ticket = closed_by_agent(days_ago=3, clock=clock)
    api.call(E11, body=status_body(ticketStatus="Open"))
    ticket.refresh_from_db()
    assert (ticket.waiting_on, ticket.waiting_since) == (WaitingOn.AGENT, NOW)


def test_reopen_one_second_before_the_period_ends_goes_through(api, clock):
    closed_by_agent(days_ago=30 - 1 / 86400, clock=clock)
    assert api.call(E11, body=status_body(ticketStatus="Open")).status_code == 200


def test_reopen_exactly_the_period_after_closing_is_409_and_stores_nothing(api, clock):
    ticket = closed_by_agent(days_ago=30, clock=clock)
    before = (Ticket.objects.values().get(pk=ticket.pk), TicketEvent.objects.count())
    response = api.call(E11, body=status_body(ticketStatus="Open"))
    assert_error(response, 409, messages.TICKET_CLOSED.format(ticket_no="TT1130"), "409 CONFLICT")
    assert (Ticket.objects.values().get(pk=ticket.pk), TicketEvent.objects.count()) == before


def test_the_409_echoes_the_ticket_no_as_sent(api, clock):
    ticket = closed_by_agent(days_ago=31, clock=clock)
    response = api.call(E11, body=status_body(ticketNo=f"17x{ticket.pk}", ticketStatus="open"))
    assert_error(response, 409, messages.TICKET_CLOSED.format(ticket_no=f"17x{ticket.pk}"))


def test_reopen_period_counts_from_the_last_close(api, clock):
    ticket = closed_by_agent(days_ago=40, clock=clock)
    agent = UserFactory()
    clock.at(NOW - datetime.timedelta(days=35))
    services.ticket_update(ticket=ticket, by=agent, ticket_status=TicketStatus.OPEN)
    clock.at(NOW - datetime.timedelta(days=2))
    services.ticket_update(ticket=ticket, by=agent, ticket_status=TicketStatus.CLOSED)
    clock.at(NOW)
    assert api.call(E11, body=status_body(ticketStatus="Open")).status_code == 200


def test_a_ticket_created_closed_counts_from_its_creation(api, clock):
    own(TicketStatus.CLOSED, created_at=NOW - datetime.timedelta(days=31))
    assert_error(
        api.call(E11, body=status_body(ticketStatus="Open")),
        409,
        messages.TICKET_CLOSED.format(ticket_no="TT1130"),
    )


def test_reopen_period_is_configurable(api, clock, settings):
    settings.CRM_REOPEN_DAYS = 5
    closed_by_agent(days_ago=6, clock=clock)
    assert api.call(E11, body=status_body(ticketStatus="Open")).status_code == 409


def test_closing_a_ticket_closed_long_ago_is_still_200(api, clock):
    closed_by_agent(days_ago=90, clock=clock)
    assert api.call(E11, body=status_body()).status_code == 200


# --- The body, in the order ticketNo, ticketStatus, contactId; then 403, 404 ----------------------------


@pytest.mark.parametrize("value", ["closed", "CLOSED", " Closed ", "cLoSeD"])
def test_ticket_status_is_case_insensitive(api, value):
    ticket = own()
    assert api.call(E11, body=status_body(ticketStatus=value)).status_code == 200
    assert status_of(ticket) == "Closed"


@pytest.mark.parametrize("value", ["open", "OPEN", "Open"])
def test_open_is_case_insensitive(api, value):
    ticket = own(TicketStatus.WAIT_FOR_RESPONSE)
    assert api.call(E11, body=status_body(ticketStatus=value)).status_code == 200
    assert status_of(ticket) == "Open"


@pytest.mark.parametrize(
    "value", ["In Progress", "Wait For Response", "", "Reopen", 1, True, ["Closed"]], ids=repr
)
def test_any_other_ticket_status_is_400_open_or_closed(api, value):
    own()
    response = api.call(E11, body=status_body(ticketStatus=value))
    assert_error(response, 400, messages.FIELD_BAD_CUSTOMER_STATUS.format(name="ticketStatus"))


@pytest.mark.parametrize("name", ["ticketNo", "ticketStatus", "contactId"])
def test_each_absent_field_is_required(api, name):
    own()
    response = api.call(E11, body=status_body(**{name: None}))
    assert_error(response, 400, messages.FIELD_REQUIRED.format(name=name))


def test_a_null_field_counts_as_absent(api):
    own()
    body = {"ticketNo": "TT1130", "ticketStatus": None, "contactId": str(CONTACT)}
    assert_error(api.call(E11, body=body), 400, messages.FIELD_REQUIRED.format(name="ticketStatus"))


def test_fields_are_checked_in_order_ticket_no_ticket_status_contact_id(api):
    own()
    assert_error(api.call(E11, body={}), 400, messages.FIELD_REQUIRED.format(name="ticketNo"))
    assert_error(
        api.call(E11, body={"ticketNo": "x", "contactId": "nope"}),
        400,
        messages.FIELD_REQUIRED.format(name="ticketStatus"),
    )
    assert_error(
        api.call(E11, body={"ticketNo": "x", "ticketStatus": "Closed", "contactId": "nope"}),
        400,
        messages.FIELD_BAD_CONTACT.format(name="contactId"),
    )


def test_keys_match_ignoring_case_and_underscores(api):
    ticket = own()
    body = {"ticket_no": "TT1130", "ticketstatus": "Closed", "CONTACT_ID": CONTACT}
    assert api.call(E11, body=body).status_code == 200
    assert status_of(ticket) == "Closed"


def test_another_contact_id_is_403_before_the_ticket_is_looked_up(api):
    response = api.call(E11, body=status_body(ticketNo="TT9999", contactId=str(OTHER_CONTACT)))
    assert_error(response, 403, messages.CONTACT_MISMATCH, "403 FORBIDDEN")


def test_another_contacts_ticket_is_404_and_unchanged(api):
    ticket = TicketFactory(ticket_number=1130, contact_number=OTHER_CONTACT)
    assert_error(api.call(E11, body=status_body()), 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT1130"))
    assert status_of(ticket) == "Open"


def test_404_comes_before_the_409(api, clock):
    closed_by_agent(days_ago=60, clock=clock)
    response = api.call(E11, body=status_body(ticketNo="TT9999", ticketStatus="Open"))
    assert_error(response, 404, messages.TICKET_NOT_FOUND.format(ticket_no="TT9999"))


# --- Retries and queries --------------------------------------------------------------------------------


def test_a_retry_with_the_same_key_replays_the_first_record(api, clock):
    own()
    key = {"Idempotency-Key": "close-1130"}
    first = api.call(E11, body=status_body(), headers=key)
    clock.at(NOW + datetime.timedelta(minutes=5))
    repeat = api.call(E11, body=status_body(), headers=key)
    assert (repeat.status_code, repeat.json()) == (200, first.json())
    assert repeat.headers["Idempotent-Replayed"] == "true"
    assert TicketEvent.objects.filter(kind="status_changed").count() == 1


def test_the_same_key_with_another_body_is_409(api):
    own()
    key = {"Idempotency-Key": "close-1130"}
    api.call(E11, body=status_body(), headers=key)
    response = api.call(E11, body=status_body(ticketStatus="Open"), headers=key)
    assert_error(response, 409, messages.IDEMPOTENCY_KEY_REUSED.format(key="close-1130"))


def test_a_refused_reopen_keeps_no_key_so_a_corrected_retry_goes_through(api, clock):
    closed_by_agent(days_ago=45, clock=clock)
    key = {"Idempotency-Key": "reopen-1130"}
    assert api.call(E11, body=status_body(ticketStatus="Open"), headers=key).status_code == 409
    assert api.call(E11, body=status_body(ticketStatus="Closed"), headers=key).status_code == 200


def test_e11_runs_a_bounded_number_of_queries(api, django_assert_max_num_queries, clock):
    ticket = closed_by_agent(days_ago=2, clock=clock)
    for number in range(30):
        services.comment_create_by_agent(
            ticket=ticket, author=UserFactory(), text=f"n{number}", is_internal=True
        )
    # The reopen moves the SLA clock: read once, updated once.
    with django_assert_max_num_queries(8 + OUTBOX_QUERIES_PER_EVENT + SLA_QUERIES_PER_CHANGE):
        assert api.call(E11, body=status_body(ticketStatus="Open")).status_code == 200
