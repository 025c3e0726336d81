"""CONTRACT §8: a store that cannot be reached is the document's "Downstream error", for real.

The default connection is swapped for a new wrapper of the same backend class whose settings
point at a closed port (PostgreSQL) or a path that cannot be opened (SQLite); no ORM mocking.
"""

import time

import pytest

from crmapi import messages
from tests.support.client import assert_error, envelope_error
from tests.support.endpoints import E1, E2, E3, E4, E5, TICKET_BODY, valid_body
from tests.support.store import silent_port, unreachable_store
from tickets.models import Ticket, TicketNumberCounter

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("endpoint", [E1, E2, E3, E4, E5], ids=lambda e: e.path)
def test_unreachable_store_is_500_downstream_error_within_5_seconds(api, endpoint):
    with unreachable_store():
        started = time.monotonic()
        response = api.call(endpoint, body=valid_body(endpoint))
        elapsed = time.monotonic() - started
    assert_error(response, 500, messages.DOWNSTREAM_MESSAGE, messages.DOWNSTREAM_ERROR_CODE)
    assert elapsed < 5


@pytest.mark.postgres
def test_store_that_never_answers_is_downstream_error_within_5_seconds(api):
    with silent_port() as port, unreachable_store(port):
        started = time.monotonic()
        response = api.call(E1)
        elapsed = time.monotonic() - started
    assert envelope_error(response)["errorCode"] == messages.DOWNSTREAM_ERROR_CODE
    assert elapsed < 5


def test_unreachable_store_gives_the_documented_words(api):
    with unreachable_store():
        response = api.call(E1)
    assert envelope_error(response) == {
        "statusCode": "500",
        "errorCode": "Downstream error",
        "errorMessage": "- Not Able to connect with CRM.",
    }


def test_unreachable_store_still_echoes_the_correlation_id(api):
    with unreachable_store():
        response = api.call(E2, headers={"correlationId": "trace-9"})
    assert response["correlationId"] == "trace-9"


def test_header_errors_are_answered_without_the_store(api):
    with unreachable_store():
        response = api.call(E1, headers={"source": None})
    assert envelope_error(response)["errorMessage"] == messages.HEADER_MISSING.format(name="source")


def test_create_that_fails_stores_nothing(api):
    """The insert fails after the number was allocated (a row already holds that number):
    the counter update is rolled back with it, and no ticket is stored."""
    api.call(E5, body=TICKET_BODY)
    counter_before = TicketNumberCounter.objects.get().last_number
    Ticket.objects.update(ticket_number=counter_before + 1)  # the next number is taken
    response = api.call(E5, body=TICKET_BODY)
    assert response.status_code == 500
    assert envelope_error(response)["errorCode"] == "500 INTERNAL_SERVER_ERROR"
    assert Ticket.objects.count() == 1
    assert TicketNumberCounter.objects.get().last_number == counter_before
