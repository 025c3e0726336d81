"""The record's `update_log` is rendered from the ticket's events (CONTRACT §7) at a fixed cost:
E7 loads them with the ticket, E3/E5 render the event they just wrote."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import TicketEventFactory
from tests.support.client import envelope_result
from tests.support.endpoints import E5, E7, TICKET_BODY
from tickets.history import ActorKind, EventKind
from tickets.models import TicketEvent

pytestmark = pytest.mark.django_db

EVENTS_TABLE = TicketEvent._meta.db_table


def e7_queries(api) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert api.call(E7, query={"ticketNo": "TT1130"}).status_code == 200
    return len(queries)


def test_e7_query_count_does_not_grow_with_the_history(api, own_ticket):
    short = e7_queries(api)
    TicketEventFactory.create_batch(
        20, ticket=own_ticket, kind=EventKind.LEGACY, actor_kind=ActorKind.SYSTEM, text="line"
    )
    assert e7_queries(api) == short


def test_e7_renders_every_event_in_order(api, own_ticket):
    for text in ("first", "second"):
        TicketEventFactory(ticket=own_ticket, kind=EventKind.LEGACY, actor_kind=ActorKind.SYSTEM, text=text)
    record = envelope_result(api.call(E7, query={"ticketNo": "TT1130"}))
    assert record["update_log"] == "Ticket created.\nfirst\nsecond"


def test_e5_answers_the_update_log_without_reading_events_back(api):
    with CaptureQueriesContext(connection) as queries:
        record = envelope_result(api.call(E5, body=TICKET_BODY))
    assert record["update_log"] == "Ticket created."
    assert not [q["sql"] for q in queries if q["sql"].startswith("SELECT") and EVENTS_TABLE in q["sql"]]
