"""A store that answers but is stuck is bounded like one that is gone (CONTRACT §8): with the
ticket-number counter locked by another transaction, a create waits DB_LOCK_TIMEOUT_MS (2 s), then
answers the `Downstream error` envelope and writes nothing. Real PostgreSQL, a real second session."""

import contextlib
import time

import psycopg
import pytest
from django.db import connection
from django.db.models.signals import post_migrate

from crmapi import messages
from tests.support.client import assert_error
from tests.support.commands import run_command
from tests.support.endpoints import E5, TICKET_BODY
from tests.support.live_server import postgres_url
from tickets.models import Ticket, TicketNumberCounter
from tickets.numbering import TICKET_SEQUENCE

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@contextlib.contextmanager
def counter_locked():
    """Another session holds the counter row's lock, as a stuck create would."""
    with psycopg.connect(postgres_url()) as other, other.transaction():
        other.execute(
            f"SELECT 1 FROM {TicketNumberCounter._meta.db_table} WHERE name = %s FOR UPDATE",
            [TICKET_SEQUENCE],
        )
        yield


def session_setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return cursor.fetchone()[0]


def test_connections_carry_the_statement_and_lock_timeouts():
    assert (session_setting("statement_timeout"), session_setting("lock_timeout")) == ("5s", "2s")


def test_create_while_the_counter_is_locked_is_downstream_error_within_the_lock_timeout(api):
    assert api.call(E5, body=TICKET_BODY).status_code == 200  # the counter row exists
    with counter_locked():
        started = time.monotonic()
        response = api.call(E5, body=TICKET_BODY)
        elapsed = time.monotonic() - started
    assert_error(response, 500, messages.DOWNSTREAM_MESSAGE, messages.DOWNSTREAM_ERROR_CODE)
    assert 1.5 < elapsed < 4
    assert Ticket.objects.count() == 1


def test_migrate_runs_without_the_statement_timeout_but_with_the_lock_timeout():
    during: list[tuple[str, str]] = []

    def record(**kwargs):
        during.append((session_setting("statement_timeout"), session_setting("lock_timeout")))

    post_migrate.connect(record, dispatch_uid="during-migrate")
    try:
        run_command("migrate", "--verbosity", "0")
    finally:
        post_migrate.disconnect(dispatch_uid="during-migrate")
    assert set(during) == {("0", "2s")}
    assert (session_setting("statement_timeout"), session_setting("lock_timeout")) == ("5s", "2s")
