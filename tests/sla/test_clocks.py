"""Each ticket's clock, kept by the services' changes (the default policies: Normal is 4 h first
reply, 8 h next reply, 40 h resolution, Monday to Friday 08:00 to 18:00 UTC)."""

import datetime

import pytest

from sla.models import SlaOutcome, SlaPolicy, SlaTarget
from tests.support.clock import NOW
from tests.support.sla import agent_reply, clock_of, create_ticket, customer_comment
from tickets import services
from tickets.history import EventKind
from tickets.models import TicketPriority, TicketStatus

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)
# NOW is Monday 30 November 2026, 12:00 UTC.
MONDAY_NOON = NOW


def test_a_new_ticket_is_due_its_first_reply_in_business_hours(clock):
    ticket = create_ticket()
    row = clock_of(ticket)
    assert row.reply_target == SlaTarget.FIRST_REPLY
    assert row.reply_due == MONDAY_NOON + 4 * HOUR
    # 40 business hours: Monday 6 h, Tuesday to Thursday 30 h, Friday 4 h.
    assert row.resolution_due == datetime.datetime(2026, 12, 4, 12, 0, tzinfo=datetime.UTC)
    assert row.next_due_at == row.reply_due


def test_a_ticket_created_waiting_for_the_customer_runs_no_clock(clock):
    row = clock_of(create_ticket(ticket_status=TicketStatus.WAIT_FOR_RESPONSE))
    assert (row.reply_due, row.resolution_due, row.next_due_at) == (None, None, None)


def test_the_first_public_reply_stops_the_reply_clock_and_pauses_resolution(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + 2 * HOUR)
    agent_reply(ticket, dana)
    row = clock_of(ticket)
    assert row.first_replied_at == MONDAY_NOON + 2 * HOUR
    assert (row.reply_due, row.resolution_due, row.next_due_at) == (None, None, None)
    assert row.resolution_used == 2 * 3600


def test_an_internal_note_is_no_reply(clock, dana):
    ticket = create_ticket()
    agent_reply(ticket, dana, internal=True)
    assert clock_of(ticket).reply_due == MONDAY_NOON + 4 * HOUR


def test_the_customers_answer_starts_the_next_reply_target_and_resumes_resolution(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + 2 * HOUR)
    agent_reply(ticket, dana)
    tuesday_nine = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    clock.at(tuesday_nine)
    customer_comment(ticket)
    row = clock_of(ticket)
    assert row.reply_target == SlaTarget.NEXT_REPLY
    assert row.reply_due == tuesday_nine + 8 * HOUR
    # 38 business hours left from Tuesday 09:00: Tuesday 9, Wednesday and Thursday 20, Friday 9.
    assert row.resolution_due == datetime.datetime(2026, 12, 4, 17, 0, tzinfo=datetime.UTC)


def test_waiting_for_the_customer_pauses_resolution_and_a_reopen_resumes_it(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + HOUR)
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.WAIT_FOR_RESPONSE)
    assert clock_of(ticket).next_due_at is None
    clock.at(MONDAY_NOON + 5 * HOUR)  # closed hours pass uncounted too
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.OPEN)
    row = clock_of(ticket)
    assert row.resolution_used == 3600
    assert row.reply_target == SlaTarget.FIRST_REPLY
    assert row.resolution_due is not None


def test_closing_stops_every_clock(clock, dana):
    ticket = create_ticket()
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    assert clock_of(ticket).next_due_at is None


def test_a_priority_change_counts_with_the_new_policy(clock, dana):
    ticket = create_ticket()
    services.ticket_update(ticket=ticket, by=dana, priority=TicketPriority.URGENT)
    assert clock_of(ticket).reply_due == MONDAY_NOON + HOUR


def test_a_priority_without_policy_runs_no_clock(clock, dana):
    SlaPolicy.objects.filter(priority=TicketPriority.NORMAL).delete()
    assert clock_of(create_ticket()).next_due_at is None


def test_a_reply_after_its_due_time_is_recorded_as_a_breach_when_the_check_has_not(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + 5 * HOUR)
    agent_reply(ticket, dana)
    [event] = ticket.events.filter(kind=EventKind.SLA_BREACHED)
    assert (event.old_value, event.new_value) == ("first_reply", (MONDAY_NOON + 4 * HOUR).isoformat())
    assert clock_of(ticket).reply_breached_at == MONDAY_NOON + 4 * HOUR


def test_a_second_customer_message_moves_no_due_time(clock):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + HOUR)
    customer_comment(ticket)
    assert clock_of(ticket).reply_due == MONDAY_NOON + 4 * HOUR


def test_closing_in_time_meets_the_resolution_target(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + HOUR)
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    [outcome] = SlaOutcome.objects.filter(ticket=ticket)
    assert (outcome.target, outcome.in_time, outcome.decided_at) == (
        SlaTarget.RESOLUTION,
        True,
        MONDAY_NOON + HOUR,
    )


def test_a_reopen_after_closing_resumes_with_the_time_used(clock, dana):
    ticket = create_ticket()
    clock.at(MONDAY_NOON + 2 * HOUR)
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    tuesday_eight = datetime.datetime(2026, 12, 1, 8, 0, tzinfo=datetime.UTC)
    clock.at(tuesday_eight)
    customer_comment(ticket, "It broke again.")
    row = clock_of(ticket)
    assert row.resolution_used == 2 * 3600
    # 38 hours left from Tuesday 08:00: Tuesday to Thursday 30, Friday 8.
    assert row.resolution_due == datetime.datetime(2026, 12, 4, 16, 0, tzinfo=datetime.UTC)
