"""The hot path's budget (docs/performance.md): what `make bench` measures, held by tests.

E1 is called every time a customer opens the support screen. Its SQL count must not depend on
the data, and the shortcuts taken for speed (no `Accept` negotiation, fast datetime formatting)
must not change what a client sees.
"""

import datetime
import re

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from tests.factories import IssueTypeFactory, TicketFactory
from tests.support.client import envelope_result
from tests.support.endpoints import CONTACT, E1, E3, E5, TICKET_BODY

pytestmark = pytest.mark.django_db


def test_e1_uses_at_most_two_queries_for_a_page_of_many_tickets(api, django_assert_max_num_queries):
    TicketFactory.create_batch(30, contact_number=CONTACT)
    with django_assert_max_num_queries(2):
        response = api.call(E1, query={"limit": "10", "offset": "10"})
    assert response.headers["X-Total-Count"] == "30"


def test_e1_uses_one_query_when_the_first_page_holds_every_ticket(api, django_assert_num_queries):
    TicketFactory.create_batch(3, contact_number=CONTACT)
    with django_assert_num_queries(1):
        response = api.call(E1)
    assert response.headers["X-Total-Count"] == "3"


@pytest.mark.parametrize("endpoint", [E3, E5], ids=["E3", "E5"])
def test_a_create_reads_the_endpoints_before_the_counter_then_writes_ticket_event_clock(api, endpoint):
    """Five statements; three on PostgreSQL, where the counter, the ticket and its event go in
    one. The webhook endpoints are read before the counter's lock, which every create queues on."""
    IssueTypeFactory(name=TICKET_BODY["ticketcategories"])
    api.call(endpoint, body=TICKET_BODY)  # the first create also makes the counter's row
    with CaptureQueriesContext(connection) as queries:
        api.call(endpoint, body=TICKET_BODY)
    statements = [query["sql"] for query in queries if "SAVEPOINT" not in query["sql"]]
    assert "webhooks_webhookendpoint" in statements[0]
    assert "tickets_ticketnumbercounter" in statements[1]
    if connection.vendor == "postgresql":
        assert [sql.split()[0] for sql in statements] == ["SELECT", "WITH", "INSERT"]
        assert re.findall(r"\((UPDATE|INSERT INTO) (\S+)", statements[1]) == [
            ("UPDATE", "tickets_ticketnumbercounter"),
            ("INSERT INTO", '"tickets_ticket"'),
            ("INSERT INTO", '"tickets_ticketevent"'),
        ]
    else:
        assert [sql.split()[0] for sql in statements] == ["SELECT", "UPDATE", "INSERT", "INSERT", "INSERT"]
    priority_read_by = [
        re.search(r"INSERT INTO (\S+)", sql)[1] for sql in statements if "tickets_issuetype" in sql
    ]
    assert priority_read_by == ['"tickets_ticket"']


@pytest.mark.parametrize("accept", ["text/html", "application/xml", "*/*", "application/json; q=0"])
def test_e1_answers_the_json_envelope_whatever_accept_says(api, accept):
    response = api.call(E1, headers={"Accept": accept})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert envelope_result(response) == []


@pytest.mark.parametrize(
    ("zone", "expected"),
    [
        ("UTC", "2021-09-11 22:30:05"),
        ("Asia/Kolkata", "2021-09-12 04:00:05"),
        ("America/New_York", "2021-09-11 18:30:05"),
    ],
)
def test_e1_createdtime_is_in_the_configured_time_zone(api, zone, expected):
    created = datetime.datetime(2021, 9, 11, 22, 30, 5, 999_999, tzinfo=datetime.UTC)
    TicketFactory(contact_number=CONTACT, created_at=created)
    with override_settings(TIME_ZONE=zone):
        assert envelope_result(api.call(E1))[0]["createdtime"] == expected
