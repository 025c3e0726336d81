"""Who waits for whom, in the queue: a column that says it at a glance, the default order that
puts the customers who wrote last and have waited longest first, and a "waiting on us" filter."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk.forms import ReplyAction
from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory, UserFactory
from tests.support.desk import CHANGELIST, change_url, listed, send_reply
from tests.support.endpoints import CONTACT, E4, valid_body
from tickets import services
from tickets.formats import format_datetime, format_ticket_number
from tickets.models import TicketStatus
from tickets.workflow import WaitingOn

pytestmark = pytest.mark.django_db


def waiting(on: str, hours_ago: float, **fields):
    status = {
        WaitingOn.AGENT: TicketStatus.OPEN,
        WaitingOn.CUSTOMER: TicketStatus.WAIT_FOR_RESPONSE,
        WaitingOn.NOBODY: TicketStatus.CLOSED,
    }[on]
    since = timezone.now() - datetime.timedelta(hours=hours_ago)
    return TicketFactory(ticket_status=status, waiting_on=on, waiting_since=since, **fields)


def row_of(client, ticket) -> str:
    """The queue row of `ticket`, as HTML."""
    page = client.get(CHANGELIST).content.decode()
    start = page.index(f">{format_ticket_number(ticket.ticket_number)}<")
    return page[page.rindex("<tr", 0, start) : page.index("</tr>", start)]


def test_queue_shows_a_ticket_waiting_on_us_and_for_how_long(agent_client):
    ticket = waiting(WaitingOn.AGENT, hours_ago=3.5)
    row = row_of(agent_client, ticket)
    assert "On us</span> for 3\xa0hours" in row
    assert f'title="Waiting on us since {format_datetime(ticket.waiting_since)}"' in row


def test_queue_shows_a_ticket_waiting_on_the_customer(agent_client):
    ticket = waiting(WaitingOn.CUSTOMER, hours_ago=50)
    row = row_of(agent_client, ticket)
    assert "On the customer</span> for 2\xa0days" in row
    assert f'title="Waiting on the customer since {format_datetime(ticket.waiting_since)}"' in row


def test_queue_shows_nobody_waiting_on_a_closed_ticket(agent_client):
    ticket = waiting(WaitingOn.NOBODY, hours_ago=1)
    assert "desk-waiting" not in row_of(agent_client, ticket)


def test_default_order_is_waiting_on_us_longest_first_then_the_customer_then_closed(agent_client):
    closed_long_ago = waiting(WaitingOn.NOBODY, hours_ago=300)
    on_customer_recently = waiting(WaitingOn.CUSTOMER, hours_ago=2)
    on_us_recently = waiting(WaitingOn.AGENT, hours_ago=1)
    closed_recently = waiting(WaitingOn.NOBODY, hours_ago=1)
    on_us_longest = waiting(WaitingOn.AGENT, hours_ago=30)
    on_customer_longest = waiting(WaitingOn.CUSTOMER, hours_ago=90)
    assert listed(agent_client) == [
        on_us_longest,
        on_us_recently,
        on_customer_longest,
        on_customer_recently,
        closed_long_ago,
        closed_recently,
    ]


def test_a_customer_comment_on_a_ticket_waiting_for_them_puts_it_among_those_waiting_on_us(agent_client, api):
    """It waits on us from the customer's message, and its SLA reply target runs from then."""
    on_us = waiting(WaitingOn.AGENT, hours_ago=1)
    on_customer_longer = waiting(WaitingOn.CUSTOMER, hours_ago=90)
    answered = waiting(WaitingOn.CUSTOMER, hours_ago=48, contact_number=CONTACT, ticket_number=1130)
    assert listed(agent_client) == [on_us, on_customer_longer, answered]
    api.call(E4, body=valid_body(E4, "TT1130"))
    # The soonest due comes first (desk/sla.py): the message started its SLA reply target, while
    # the other tickets, made without the services, run none and keep the whose-turn order.
    assert listed(agent_client) == [answered, on_us, on_customer_longer]


def test_a_customer_reopening_a_closed_ticket_puts_it_first_when_nobody_else_waits_on_us(agent_client, api):
    on_customer = waiting(WaitingOn.CUSTOMER, hours_ago=90)
    reopened = waiting(WaitingOn.NOBODY, hours_ago=2, contact_number=CONTACT, ticket_number=1130)
    assert listed(agent_client) == [on_customer, reopened]
    api.call(E4, body=valid_body(E4, "TT1130"))
    assert listed(agent_client) == [reopened, on_customer]


def test_a_reply_with_wait_for_response_moves_the_ticket_below_those_waiting_on_us(agent_client):
    answered = waiting(WaitingOn.AGENT, hours_ago=48)
    other = waiting(WaitingOn.AGENT, hours_ago=1)
    send_reply(agent_client, answered, ReplyAction.SEND_AND_WAIT, "Which number is it about?")
    assert listed(agent_client) == [other, answered]


def test_filter_waiting_on_us(agent_client):
    on_us = waiting(WaitingOn.AGENT, hours_ago=1)
    waiting(WaitingOn.CUSTOMER, hours_ago=1)
    waiting(WaitingOn.NOBODY, hours_ago=1)
    assert listed(agent_client, "waiting=agent") == [on_us]


def test_filter_waiting_on_the_customer(agent_client):
    waiting(WaitingOn.AGENT, hours_ago=1)
    on_customer = waiting(WaitingOn.CUSTOMER, hours_ago=1)
    waiting(WaitingOn.NOBODY, hours_ago=1)
    assert listed(agent_client, "waiting=customer") == [on_customer]


def test_waiting_filter_is_offered_as_us_and_the_customer(agent_client):
    changelist = agent_client.get(CHANGELIST).context["cl"]
    [spec] = [spec for spec in changelist.filter_specs if spec.title == "waiting on"]
    assert [choice["display"] for choice in spec.choices(changelist)] == ["All", "Us", "The customer"]


@pytest.mark.parametrize("value", ["nobody", "AGENT", "1"])
def test_waiting_filter_with_another_value_filters_nothing(agent_client, value):
    everyone = [waiting(WaitingOn.AGENT, hours_ago=1)]
    assert listed(agent_client, f"waiting={value}") == everyone


def test_ticket_page_says_who_it_waits_on_since_when(agent_client):
    ticket = waiting(WaitingOn.CUSTOMER, hours_ago=26)
    page = agent_client.get(change_url(ticket)).content.decode()
    assert (
        f"Waiting on the customer since {format_datetime(ticket.waiting_since)} (1\xa0day, 2\xa0hours)."
        in page
    )


def test_queue_query_count_does_not_grow_with_waiting_priority_and_ratings(agent_client):
    """Every new column and filter included: waiting, priority, rating."""

    def fill(count):
        for index in range(count):
            ticket = waiting(list(WaitingOn)[index % 3], hours_ago=index + 1, assigned_to=UserFactory())
            CommentFactory(ticket=ticket)
            AgentCommentFactory(ticket=ticket, is_internal=True)
            if ticket.ticket_status == TicketStatus.CLOSED:
                services.ticket_rate_by_contact(ticket=ticket, rating=4, comment="Fine.")

    fill(3)
    with CaptureQueriesContext(connection) as few:
        agent_client.get(CHANGELIST)
    fill(12)
    with CaptureQueriesContext(connection) as many:
        assert len(agent_client.get(CHANGELIST).context["cl"].result_list) == 15
    assert len(many) == len(few)
