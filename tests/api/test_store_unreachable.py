"""CONTRACT §8: a store that cannot be reached is the document's "Downstream error", for real.

The default connection is swapped for a new wrapper of the same backend class whose settings
point at a closed port (PostgreSQL) or a path that cannot be opened (SQLite); no ORM mocking.
"""

import contextlib
import copy
import socket
import time

import pytest
from django.db import connections

from tests.conftest import E1, E2, E3, E4, E5, TICKET_BODY, envelope_error, valid_body
from tickets import exceptions as errors
from tickets.models import Ticket, TicketNumberCounter

pytestmark = pytest.mark.django_db


def closed_port() -> int:
    """A local TCP port nobody listens on: bound, then released."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def silent_port():
    """A local port that completes the TCP handshake and then never answers: a hung server."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


@contextlib.contextmanager
def unreachable_store(port: int | None = None):
    original = connections["default"]
    settings_dict = copy.deepcopy(original.settings_dict)
    if original.vendor == "sqlite":
        settings_dict["NAME"] = "/nonexistent-directory/crm.sqlite3"
    else:
        settings_dict.update(HOST="127.0.0.1", PORT=str(port or closed_port()))
    broken = type(original)(settings_dict, alias="default")
    connections["default"] = broken
    try:
        yield
    finally:
        broken.close()
        connections["default"] = original


@pytest.mark.parametrize("endpoint", [E1, E2, E3, E4, E5], ids=lambda e: e.path)
def test_unreachable_store_is_500_downstream_error_within_5_seconds(api, endpoint):
    with unreachable_store():
        started = time.monotonic()
        response = api.call(endpoint, body=valid_body(endpoint))
        elapsed = time.monotonic() - started
    assert response.status_code == 500
    error = envelope_error(response)
    assert (error["errorCode"], error["errorMessage"]) == (
        errors.DOWNSTREAM_ERROR_CODE,
        errors.DOWNSTREAM_MESSAGE,
    )
    assert elapsed < 5


@pytest.mark.postgres
def test_store_that_never_answers_is_downstream_error_within_5_seconds(api):
    with silent_port() as port, unreachable_store(port):
        started = time.monotonic()
        response = api.call(E1)
        elapsed = time.monotonic() - started
    assert envelope_error(response)["errorCode"] == errors.DOWNSTREAM_ERROR_CODE
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
    assert envelope_error(response)["errorMessage"] == errors.HEADER_MISSING.format(name="source")


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
