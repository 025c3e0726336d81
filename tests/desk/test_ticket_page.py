"""The ticket page's layout (admin/tickets/ticket/change_form.html): the conversation and the reply
box before the ticket's other fields, the channel's own fields folded away, the reply buttons and
"Save" in one action bar; and the customer's history beside them: the contact's other tickets and
the ratings it gave, never another contact's, in a fixed number of queries."""

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from desk.customer_history import HISTORY_SHOWN, NO_CONTACT
from desk.forms import REPLY_BUTTON
from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory
from tests.support.desk import CHANGELIST, change_url
from tickets import services
from tickets.formats import format_datetime, format_ticket_number
from tickets.models import Ticket, TicketStatus

pytestmark = pytest.mark.django_db

CONTACT = 649797
OTHER_CONTACT = 111111
CHANNEL_FIELDS = (
    "source",
    "from_portal",
    "category",
    "subcategory",
    "status",
    "effective_date",
    "voucher_type",
    "voucher_id_format",
    "password_pattern",
)


def page_of(client, ticket: Ticket) -> str:
    response = client.get(change_url(ticket))
    assert response.status_code == 200
    return response.content.decode()


def section(page: str, element_id: str) -> str:
    """The HTML of the element with `element_id`, up to the end of its own tag's closing."""
    start = page.index(f'id="{element_id}"')
    tag = page.rindex("<", 0, start)
    name = re.match(r"<(\w+)", page[tag:]).group(1)
    depth, position = 0, tag
    for match in re.finditer(rf"<(/?){name}\b", page[tag:]):
        depth += -1 if match.group(1) else 1
        if depth == 0:
            position = tag + match.end()
            break
    return page[tag:position]


def rated(mark: int, comment: str = "", **fields) -> Ticket:
    ticket = TicketFactory(ticket_status=TicketStatus.CLOSED, **fields)
    services.ticket_rate_by_contact(ticket=ticket, rating=mark, comment=comment)
    return ticket


# --- Layout ------------------------------------------------------------------------------------


def test_the_conversation_and_the_reply_box_come_before_the_tickets_fields(agent_client, ticket):
    CommentFactory(ticket=ticket, text="the question of the customer")
    page = page_of(agent_client, ticket)
    order = [
        page.index("field-description"),  # the summary on top
        page.index('id="comments-group"'),
        page.index("the question of the customer"),
        page.index('id="comments-2-group"'),
        page.index("field-ticket_status"),
        page.index("field-source"),
        page.index("field-update_log"),
    ]
    assert order == sorted(order)


def test_the_channels_own_fields_are_in_a_collapsed_section(agent_client, ticket):
    page = page_of(agent_client, ticket)
    folded = re.search(r'<fieldset class="module aligned collapse".*?</fieldset>', page, re.DOTALL)
    assert folded is not None
    assert "<details>" in folded.group(0)
    assert "<details open" not in folded.group(0)
    for name in CHANNEL_FIELDS:
        assert f"field-{name}" in folded.group(0), name
    for name in ("ticket_status", "title", "description", "contact"):
        assert f"field-{name}" not in folded.group(0), name


def test_the_reply_buttons_and_save_share_the_action_bar(agent_client, ticket):
    bar = section(page_of(agent_client, ticket), "desk-action-bar")
    assert len(re.findall(rf'<button type="submit" name="{REPLY_BUTTON}"', bar)) == 3
    assert 'name="_save"' in bar


def test_each_message_is_marked_as_the_customers_a_public_reply_or_an_internal_note(agent_client, ticket):
    now = timezone.now()
    CommentFactory(ticket=ticket, text="from the customer", created_at=now - datetime.timedelta(minutes=2))
    AgentCommentFactory(ticket=ticket, text="public answer", created_at=now - datetime.timedelta(minutes=1))
    AgentCommentFactory(ticket=ticket, text="among staff", is_internal=True, created_at=now)
    messages = re.findall(
        r'<li class="desk-message (desk-message-\w+)".*?</li>',
        section(page_of(agent_client, ticket), "desk-messages"),
        re.DOTALL,
    )
    assert messages == ["desk-message-customer", "desk-message-staff", "desk-message-note"]


# --- The customer's history ----------------------------------------------------------------------


def test_the_history_lists_the_contacts_other_tickets_with_status_and_last_activity(agent_client):
    current = TicketFactory(contact_number=CONTACT)
    earlier = TicketFactory(
        contact_number=CONTACT,
        ticket_status=TicketStatus.WAIT_FOR_RESPONSE,
        modified_at=timezone.now() - datetime.timedelta(days=3),
    )
    history = section(page_of(agent_client, current), "desk-customer-history")
    assert f'<a href="{change_url(earlier)}">{format_ticket_number(earlier.ticket_number)}</a>' in history
    assert "Wait For Response" in history
    assert format_datetime(earlier.modified_at) in history
    assert format_ticket_number(current.ticket_number) not in history


def test_the_history_lists_the_latest_activity_first(agent_client):
    now = timezone.now()
    current = TicketFactory(contact_number=CONTACT)
    older = TicketFactory(contact_number=CONTACT, modified_at=now - datetime.timedelta(days=2))
    newer = TicketFactory(contact_number=CONTACT, modified_at=now - datetime.timedelta(hours=2))
    history = section(page_of(agent_client, current), "desk-customer-history")
    numbers = [format_ticket_number(ticket.ticket_number) for ticket in (newer, older)]
    assert history.index(numbers[0]) < history.index(numbers[1])


def test_the_history_lists_the_ratings_the_contact_gave(agent_client):
    current = TicketFactory(contact_number=CONTACT)
    earlier = rated(2, "Took a week.", contact_number=CONTACT)
    history = section(page_of(agent_client, current), "desk-customer-history")
    ratings = section(history, "desk-history-ratings")
    assert "2/5" in ratings
    assert "Took a week." in ratings
    assert format_ticket_number(earlier.ticket_number) in ratings


def test_the_history_never_shows_another_contacts_tickets_or_ratings(agent_client):
    current = TicketFactory(contact_number=CONTACT)
    theirs = rated(1, "Words of someone else.", contact_number=OTHER_CONTACT)
    social = TicketFactory(contact_number=None)
    history = section(page_of(agent_client, current), "desk-customer-history")
    for other in (theirs, social):
        assert format_ticket_number(other.ticket_number) not in history
    assert "Words of someone else." not in history
    assert "No other tickets." in history
    assert "No ratings given." in history


def test_a_ticket_without_a_contact_shows_no_contact(agent_client):
    TicketFactory(contact_number=CONTACT)
    social = TicketFactory(contact_number=None, from_portal=False)
    history = section(page_of(agent_client, social), "desk-customer-history")
    assert NO_CONTACT in history
    assert "<table" not in history


def test_the_history_shows_ten_and_links_the_rest_to_the_queue_searched_by_contact(agent_client):
    current = TicketFactory(contact_number=CONTACT)
    TicketFactory.create_batch(HISTORY_SHOWN + 3, contact_number=CONTACT)
    history = section(page_of(agent_client, current), "desk-customer-history")
    tickets = section(history, "desk-history-tickets")
    assert tickets.count("<tr><td>") == HISTORY_SHOWN
    assert f'<a href="{CHANGELIST}?q={CONTACT}">3 more in the queue</a>' in history


def test_the_queue_link_lists_all_the_contacts_tickets(agent_client):
    TicketFactory.create_batch(3, contact_number=CONTACT)
    TicketFactory(contact_number=OTHER_CONTACT)
    response = agent_client.get(f"{CHANGELIST}?q={CONTACT}")
    assert {ticket.contact_number for ticket in response.context["cl"].result_list} == {CONTACT}
    assert response.context["cl"].result_count == 3


def page_queries(client, ticket: Ticket) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(change_url(ticket)).status_code == 200
    return len(queries)


def test_the_pages_queries_do_not_grow_with_the_contacts_tickets_and_ratings(agent_client):
    current = TicketFactory(contact_number=CONTACT)
    rated(3, contact_number=CONTACT)
    few = page_queries(agent_client, current)
    TicketFactory.create_batch(HISTORY_SHOWN + 5, contact_number=CONTACT)
    for mark in range(1, 6):
        rated(mark, f"comment {mark}", contact_number=CONTACT)
    assert page_queries(agent_client, current) == few
