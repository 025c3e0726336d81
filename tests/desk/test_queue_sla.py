"""Service levels in the queue: the "Due" column and its highlight, the default order by next
due, the SLA filter, and each target on the ticket page."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla.models import TicketClock
from tests.factories import TicketFactory
from tests.support.clock import NOW
from tests.support.desk import CHANGELIST, change_url, listed, sorted_by
from tests.support.sla import create_ticket
from tickets.formats import format_datetime, format_ticket_number
from tickets.models import TicketStatus

pytestmark = pytest.mark.django_db

MINUTE = datetime.timedelta(minutes=1)


def due_in(delta: datetime.timedelta | None, **fields):
    """A ticket whose next target is due `delta` from NOW (None: nothing runs)."""
    ticket = TicketFactory(**fields)
    due = None if delta is None else NOW + delta
    TicketClock.objects.create(ticket=ticket, reply_target="first_reply", reply_due=due, next_due_at=due)
    return ticket


def row_of(client, ticket) -> str:
    page = client.get(CHANGELIST).content.decode()
    start = page.index(f">{format_ticket_number(ticket.ticket_number)}<")
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_the_due_column_says_how_soon_with_the_time_in_the_tooltip(agent_client, clock):
    ticket = due_in(25 * MINUTE)
    row = row_of(agent_client, ticket)
    assert "in 25 min" in row
    assert f'title="Due {format_datetime(NOW + 25 * MINUTE)}"' in row
    assert "desk-due-soon" in row


def test_an_overdue_ticket_is_marked_breached(agent_client, clock):
    row = row_of(agent_client, due_in(-3 * 60 * MINUTE))
    assert "overdue 3 h" in row
    assert "desk-due-breached" in row


def test_a_ticket_due_later_is_not_highlighted(agent_client, clock):
    row = row_of(agent_client, due_in(5 * 60 * MINUTE))
    assert "in 5 h" in row
    assert "desk-due-on-time" in row


def test_nothing_running_shows_a_dash(agent_client, clock):
    assert '<td class="field-due">—</td>' in row_of(agent_client, due_in(None))


def test_the_warning_window_is_a_setting(agent_client, clock, settings):
    settings.CRM_SLA_WARNING_MINUTES = 10
    assert "desk-due-on-time" in row_of(agent_client, due_in(25 * MINUTE))


def test_default_order_is_soonest_due_first_then_nothing_running(agent_client, clock):
    later = due_in(5 * 60 * MINUTE)
    nothing = due_in(None)
    overdue = due_in(-10 * MINUTE)
    soon = due_in(20 * MINUTE)
    assert listed(agent_client) == [overdue, soon, later, nothing]


def test_the_due_column_sorts(agent_client, clock):
    due_in(5 * 60 * MINUTE)
    due_in(-10 * MINUTE)
    assert "o=" in sorted_by(agent_client, "due")


def test_filter_breached(agent_client, clock):
    overdue = due_in(-MINUTE)
    due_in(20 * MINUTE)
    due_in(None)
    assert listed(agent_client, "sla=breached") == [overdue]


def test_filter_due_within_the_warning(agent_client, clock):
    due_in(-MINUTE)
    soon = due_in(59 * MINUTE)
    due_in(61 * MINUTE)
    assert listed(agent_client, "sla=soon") == [soon]


def test_the_sla_filter_is_offered_as_breached_and_due_within_1_h(agent_client):
    changelist = agent_client.get(CHANGELIST).context["cl"]
    [spec] = [spec for spec in changelist.filter_specs if spec.title == "SLA"]
    assert [choice["display"] for choice in spec.choices(changelist)] == ["All", "Breached", "Due within 1 h"]


def test_the_queue_reads_the_clocks_in_its_one_query(agent_client, clock):
    for minutes in (10, 20):
        due_in(minutes * MINUTE)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(CHANGELIST)
    for minutes in range(30, 40):
        due_in(minutes * MINUTE)
    with CaptureQueriesContext(connection) as many:
        agent_client.get(CHANGELIST)
    assert len(many) == len(few)


def test_the_ticket_page_shows_each_running_target(agent_client, clock):
    ticket = create_ticket()
    page = agent_client.get(change_url(ticket)).content.decode()
    assert "Service level" in page
    assert f"due {format_datetime(NOW + 4 * 60 * MINUTE)} (in 4 h)" in page
    assert "<strong>Resolution</strong>" in page


def test_the_ticket_page_says_when_the_clock_is_paused(agent_client, clock):
    ticket = create_ticket(ticket_status=TicketStatus.WAIT_FOR_RESPONSE)
    assert "paused: nothing is due" in agent_client.get(change_url(ticket)).content.decode()
