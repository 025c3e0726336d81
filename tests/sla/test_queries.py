"""What the SLA clock costs the hot paths: a create inserts one row, a
comment that leaves who the ticket waits on as it was costs nothing."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sla import policies
from tests.support.endpoints import E3, E4, E5, TICKET_BODY, valid_body
from tests.support.queries import SLA_QUERIES_PER_CHANGE
from tests.support.sla import agent_reply, create_ticket

pytestmark = pytest.mark.django_db


def sla_queries(captured: CaptureQueriesContext) -> list[str]:
    return [query["sql"] for query in captured.captured_queries if "sla_" in query["sql"]]


@pytest.fixture(autouse=True)
def _settings_loaded(db):
    """The policies as a running process holds them (loaded once, then kept)."""
    policies.targets_for("Normal")


@pytest.mark.parametrize("endpoint", [E5, E3], ids=["E5", "E3"])
def test_creating_a_ticket_inserts_its_clock_in_one_query(api, endpoint):
    with CaptureQueriesContext(connection) as captured:
        assert api.call(endpoint, body=TICKET_BODY).status_code == 200
    [insert] = sla_queries(captured)
    assert insert.startswith("INSERT")


def test_a_second_customer_message_costs_no_sla_query(api, clock):
    ticket = create_ticket()
    with CaptureQueriesContext(connection) as captured:
        assert api.call(E4, body=valid_body(E4, f"TT{ticket.ticket_number}")).status_code == 200
    assert sla_queries(captured) == []


def test_the_customers_answer_reads_and_updates_the_clock(api, clock, dana):
    ticket = create_ticket()
    agent_reply(ticket, dana)
    with CaptureQueriesContext(connection) as captured:
        assert api.call(E4, body=valid_body(E4, f"TT{ticket.ticket_number}")).status_code == 200
    assert len(sla_queries(captured)) == SLA_QUERIES_PER_CHANGE
