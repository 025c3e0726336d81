"""The queue's search box (desk/search.py, TicketAdmin.get_search_results): the domain's search
over the whole conversation, through the admin as an agent uses it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from tests.factories import AgentCommentFactory, CommentFactory, TicketFactory
from tests.support.desk import CHANGELIST, listed, sorted_by
from tickets.search import SEARCH_SYNTAX_HELP

pytestmark = pytest.mark.django_db


def test_the_search_box_finds_a_ticket_by_a_word_only_a_customers_comment_holds(agent_client):
    wanted = CommentFactory(text="The hotspot drops every evening").ticket
    TicketFactory(title="Billing", description="Charged twice")
    assert listed(agent_client, "q=hotspot") == [wanted]


def test_the_search_box_finds_a_ticket_by_a_word_of_an_internal_note(agent_client):
    wanted = AgentCommentFactory(text="Customer agreed to a callback", is_internal=True).ticket
    TicketFactory(title="Billing", description="Charged twice")
    assert listed(agent_client, "q=callback") == [wanted]


def test_the_best_match_is_listed_first(agent_client):
    in_message = CommentFactory(text="about the hotspot").ticket
    in_title = TicketFactory(title="Hotspot", description="nothing else")
    assert listed(agent_client, "q=hotspot") == [in_title, in_message]


def test_a_column_sort_orders_the_search_results_by_that_column(agent_client):
    first = TicketFactory(title="Hotspot", ticket_number=9001)
    second = CommentFactory(text="hotspot", ticket=TicketFactory(ticket_number=9002)).ticket
    assert listed(agent_client, f"q=hotspot&{sorted_by(agent_client, 'ticket_no', descending=True)}") == [
        second,
        first,
    ]


def test_a_blank_search_lists_the_queue(agent_client):
    tickets = {TicketFactory(), TicketFactory()}
    assert set(listed(agent_client, "q=+++")) == tickets


@pytest.mark.parametrize("text", ['"', "-", "OR", "NEAR(", "a*", "%00", "😀", "x" * 5000])
def test_odd_searches_answer(agent_client, text):
    TicketFactory()
    assert agent_client.get(CHANGELIST, {"q": text}).status_code == 200


def test_the_search_box_says_what_it_accepts(agent_client):
    page = agent_client.get(CHANGELIST).content.decode()
    assert 'id="searchbar"' in page
    assert escape(SEARCH_SYNTAX_HELP) in page


def test_a_search_costs_the_same_queries_whatever_it_finds(agent_client):
    def search_queries() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert agent_client.get(CHANGELIST, {"q": "hotspot"}).status_code == 200
        return len(queries)

    CommentFactory(text="hotspot")
    few = search_queries()
    for _ in range(10):
        CommentFactory(text="hotspot again", ticket=TicketFactory(title="hotspot"))
    assert search_queries() == few
