"""crmtickets.postgresql: a transaction's BEGIN, and the writes deferred in it, travel with the
statement after them; nothing is lost, reordered or half-written on the way."""

import time

import psycopg
import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError, IntegrityError, connection, transaction

from crmtickets.postgresql.base import DatabaseWrapper, _quiet, begin_statement
from sla.models import TicketClock
from tests.factories import TicketFactory, WebhookEndpointFactory
from tests.support.sla import create_ticket
from tests.support.wire import messages_sent
from tickets.models import Ticket
from tickets.prepared import Statement, execute, insert
from webhooks.models import WebhookDelivery

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def statements_prepared():
    """What earlier tests compiled is prepared on this connection before the test, not inside
    the messages it counts."""
    connection.ensure_connection()
    connection.prepare_registered()


def clock_of(ticket: Ticket) -> TicketClock:
    return TicketClock(ticket=ticket, reply_target="first_reply")


class Abandoned(Exception):
    pass


def defer_clock_then_abandon(ticket: Ticket) -> None:
    with transaction.atomic():
        insert(clock_of(ticket), deferred=True)
        raise Abandoned


def rename_and_defer_a_second_clock(ticket: Ticket) -> None:
    with transaction.atomic():
        Ticket.objects.filter(pk=ticket.pk).update(title="After")
        insert(clock_of(ticket), deferred=True)  # the same primary key: refused at the COMMIT


def test_a_transaction_sends_its_begin_with_its_first_statement():
    with messages_sent(connection) as sent, transaction.atomic():
        Ticket.objects.count()
    assert [message.split(" ")[:3] for message in sent] == [["BEGIN;", "SELECT", "COUNT(*)"], ["COMMIT"]]


def test_a_transaction_that_ran_no_statement_sends_nothing():
    with messages_sent(connection) as sent, transaction.atomic():
        pass
    assert sent == []


def test_a_create_is_two_messages_endpoints_and_the_ticket_then_its_clock_with_the_commit():
    create_ticket()  # the first create also makes the number counter's row, and registers its SQL
    create_ticket()  # prepared before this one's first statement
    with messages_sent(connection) as sent:
        ticket = create_ticket()
    messages = [[prepared_sql(part) for part in message.split("; ")] for message in sent]
    assert len(messages) == 2
    begin, endpoints, numbered = messages[0]
    assert begin == "BEGIN"
    assert endpoints.startswith('SELECT "webhooks_webhookendpoint"."id"')  # before the counter's lock
    # The counter's UPDATE, the ticket and its event: one statement.
    assert numbered.startswith('WITH "crm_source" AS (UPDATE tickets_ticketnumbercounter')
    assert '"crm_parent" AS (INSERT INTO "tickets_ticket"' in numbered
    assert messages[1][0].startswith('INSERT INTO "sla_ticketclock"')
    assert messages[1][1] == "COMMIT"
    assert TicketClock.objects.filter(ticket=ticket).exists()


def prepared_sql(sent: str) -> str:
    """What a statement sent as `EXECUTE crm_N(…)` runs, from the server's own list."""
    if not sent.startswith("EXECUTE crm_"):
        return sent
    name = sent.removeprefix("EXECUTE ").partition("(")[0]
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements WHERE name = %s", [name])
        (statement,) = cursor.fetchone()
    return statement.partition(" AS ")[2]


def test_a_statement_compiled_once_is_prepared_between_requests_then_executed():
    statement = Statement.of("SELECT title FROM tickets_ticket WHERE id = %s", connection)
    with messages_sent(connection) as sent:
        execute(connection, statement, [1], fetch="fetchall")
        connection.prepare_registered()
        execute(connection, statement, [2], fetch="fetchall")
    name = sent[2].removeprefix("EXECUTE ").partition("(")[0]
    assert sent[0] == "SELECT title FROM tickets_ticket WHERE id = 1"
    assert sent[1] == f"PREPARE {name} AS SELECT title FROM tickets_ticket WHERE id = $1"
    assert sent[2] == f"EXECUTE {name}(2)"
    assert name.startswith("crm_")


def test_a_create_executes_only_prepared_statements():
    create_ticket()
    create_ticket()
    with messages_sent(connection) as sent:
        create_ticket()
    statements = [part for message in sent for part in message.split("; ")]
    assert [part.split()[0] for part in statements] == ["BEGIN", *["EXECUTE"] * 3, "COMMIT"]


def test_prepared_statements_store_what_plain_ones_store():
    plain = create_ticket()
    prepared = create_ticket(), create_ticket()
    assert [ticket.ticket_number for ticket in prepared] == [plain.ticket_number + 1, plain.ticket_number + 2]
    fields = ["title", "priority", "waiting_on", "events__kind", "sla_clock__reply_target"]
    rows = [Ticket.objects.filter(pk=ticket.pk).values_list(*fields).get() for ticket in (plain, *prepared)]
    assert rows[0] == rows[1] == rows[2]


def test_a_statement_the_server_cannot_prepare_runs_as_it_is():
    statement = Statement.of("SELECT %s + %s", connection)  # the server cannot tell the types
    assert execute(connection, statement, [1, 2], fetch="fetchone") == (3,)
    connection.prepare_registered()
    with messages_sent(connection) as sent:
        assert execute(connection, statement, [2, 3], fetch="fetchone") == (5,)
    assert sent == ["SELECT 2 + 3"]


def test_a_page_is_never_prepared():
    statement = Statement.of("SELECT title FROM tickets_ticket", connection).followed_by("LIMIT 1")
    execute(connection, statement, [], fetch="fetchall")
    connection.prepare_registered()
    with messages_sent(connection) as sent:
        execute(connection, statement, [], fetch="fetchall")
    assert sent == ["SELECT title FROM tickets_ticket LIMIT 1"]


def test_no_statement_is_prepared_when_the_settings_say_so():
    connection.close()  # a new connection, nothing prepared on it
    connection.settings_dict["PREPARE_STATEMENTS"] = False
    try:
        create_ticket()
        with messages_sent(connection) as sent:
            create_ticket()
    finally:
        connection.settings_dict["PREPARE_STATEMENTS"] = True
    assert not any("PREPARE" in message or "EXECUTE" in message for message in sent)


def test_a_connection_whose_prepared_statements_were_discarded_prepares_them_again():
    create_ticket()
    create_ticket()
    connection.connection.execute("DEALLOCATE ALL")
    with pytest.raises(DatabaseError, match="does not exist"):
        create_ticket()
    ticket = create_ticket()  # prepared anew before its first statement
    assert Ticket.objects.filter(pk=ticket.pk).exists()


def test_a_create_still_queues_a_delivery_to_an_endpoint_read_with_the_counter():
    create_ticket()
    endpoint = WebhookEndpointFactory(event_types=["ticket.created"])
    ticket = create_ticket()
    deliveries = WebhookDelivery.objects.values_list("endpoint", "event__ticket")
    assert list(deliveries) == [(endpoint.pk, ticket.pk)]


def titles_later():
    return connection.read_later("SELECT title FROM tickets_ticket WHERE title LIKE %s", ["100%%"])


def test_a_held_read_travels_with_the_next_statement_and_gets_its_rows():
    TicketFactory(title="100% down")
    with messages_sent(connection) as sent:
        later = titles_later()
        assert Ticket.objects.count() == 1
    assert len(sent) == 1
    assert sent[0].startswith("SELECT title FROM tickets_ticket")
    assert later.rows() == [("100% down",)]


def test_a_held_read_asked_for_before_anything_follows_it_is_sent_then():
    TicketFactory(title="100% down")
    with messages_sent(connection) as sent:
        assert titles_later().rows() == [("100% down",)]
    assert len(sent) == 1


def test_a_held_read_opens_the_transaction_after_it_on_the_same_message():
    TicketFactory(title="100% down")
    later = titles_later()
    with messages_sent(connection) as sent, transaction.atomic():
        Ticket.objects.update(title="100% up")
    begin, read, update = sent[0].split("; ")
    assert (begin, read.split()[:2], update.split()[0]) == ("BEGIN", ["SELECT", "title"], "UPDATE")
    assert later.rows() == [("100% down",)]  # read before the change


def hold_a_read_then_abandon(held: list) -> None:
    with transaction.atomic():
        held.append(titles_later())
        raise Abandoned


def test_a_held_read_dropped_by_a_rollback_is_read_when_asked_for():
    TicketFactory(title="100% down")
    held: list = []
    with pytest.raises(Abandoned):
        hold_a_read_then_abandon(held)
    assert held[0].rows() == [("100% down",)]


def test_a_transaction_holding_only_a_read_sends_nothing_at_its_commit():
    with messages_sent(connection) as sent, transaction.atomic():
        later = titles_later()
    assert sent == []
    assert later.rows() == []


def test_a_deferred_write_is_seen_by_the_next_statement():
    ticket = TicketFactory()
    with transaction.atomic():
        insert(clock_of(ticket), deferred=True)
        with messages_sent(connection) as sent:
            assert TicketClock.objects.filter(ticket=ticket).exists()
    assert len(sent) == 1
    begin, clock, _ = sent[0].split("; ")
    assert (begin, prepared_sql(clock).split()[:2]) == ("BEGIN", ["INSERT", "INTO"])


def test_a_deferred_write_keeps_a_percent_sign_beside_a_statement_with_parameters():
    ticket = TicketFactory(title="100% down")
    with transaction.atomic():
        clock = clock_of(ticket)
        clock.reply_target = "50%s"
        insert(clock, deferred=True)
        assert Ticket.objects.filter(pk=ticket.pk, title="100% down").exists()
    assert TicketClock.objects.get(ticket=ticket).reply_target == "50%s"


def test_a_rolled_back_transaction_sends_nothing_it_had_deferred():
    ticket = TicketFactory()
    with messages_sent(connection) as sent, pytest.raises(Abandoned):
        defer_clock_then_abandon(ticket)
    assert sent == []
    assert not TicketClock.objects.filter(ticket=ticket).exists()


def test_a_deferred_write_that_fails_rolls_the_whole_transaction_back():
    ticket = TicketFactory(title="Before")
    insert(clock_of(ticket))
    with pytest.raises(IntegrityError):
        rename_and_defer_a_second_clock(ticket)
    assert Ticket.objects.get(pk=ticket.pk).title == "Before"
    assert TicketClock.objects.filter(ticket=ticket).count() == 1


def test_a_savepoint_rolled_back_takes_its_deferred_writes_with_it():
    kept, dropped = TicketFactory(), TicketFactory()
    with transaction.atomic():
        insert(clock_of(kept), deferred=True)
        with pytest.raises(Abandoned):
            defer_clock_then_abandon(dropped)
    assert list(TicketClock.objects.values_list("ticket", flat=True)) == [kept.pk]


def test_a_named_cursor_reads_the_writes_deferred_before_it():
    ticket = TicketFactory()
    with transaction.atomic():
        insert(clock_of(ticket), deferred=True)
        assert [clock.pk for clock in TicketClock.objects.iterator(chunk_size=1)] == [ticket.pk]


def test_a_write_deferred_outside_a_transaction_is_written_at_once():
    ticket = TicketFactory()
    with messages_sent(connection) as sent:
        insert(clock_of(ticket), deferred=True)
    assert len(sent) == 1
    assert prepared_sql(sent[0]).startswith('INSERT INTO "sla_ticketclock"')


def test_begin_carries_the_transaction_characteristics_psycopg_would_send():
    with psycopg.connect(_dsn()) as raw:
        raw.isolation_level, raw.read_only = psycopg.IsolationLevel.SERIALIZABLE, True
        assert begin_statement(raw) == "BEGIN ISOLATION LEVEL SERIALIZABLE READ ONLY"


def test_server_side_binding_is_refused_with_the_reason():
    settings = {**connection.settings_dict, "OPTIONS": {"server_side_binding": True}}
    with pytest.raises(ImproperlyConfigured, match="client-side binding"):
        DatabaseWrapper(settings).get_connection_params()


def _dsn() -> str:
    params = connection.get_connection_params()
    return psycopg.conninfo.make_conninfo(
        **{
            key: value
            for key, value in params.items()
            if key in {"dbname", "host", "port", "user", "password"}
        }
    )


def start_of_a_request() -> None:
    connection.health_check_done = False  # as Django's request_started does
    connection.close_if_health_check_failed()


def test_the_health_check_of_a_quiet_connection_sends_nothing():
    connection.ensure_connection()
    before = connection.connection
    with messages_sent(connection) as sent:
        start_of_a_request()
    assert sent == []
    assert connection.connection is before


def test_the_health_check_replaces_a_connection_the_server_ended():
    connection.ensure_connection()
    ended = connection.connection
    with psycopg.connect(_dsn(), autocommit=True) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [ended.info.backend_pid])
    for _ in range(100):  # the server's goodbye reaches the socket
        if not _quiet(ended):
            break
        time.sleep(0.01)
    start_of_a_request()
    assert connection.connection is None  # closed: the next statement connects anew
    assert Ticket.objects.count() == 0


def test_the_health_check_asks_the_server_when_something_is_waiting():
    connection.ensure_connection()
    kept = connection.connection
    kept.execute("LISTEN crm_health_check")
    with psycopg.connect(_dsn(), autocommit=True) as other:
        other.execute("NOTIFY crm_health_check")
    for _ in range(100):
        if not _quiet(kept):
            break
        time.sleep(0.01)
    with messages_sent(connection) as sent:
        start_of_a_request()
    assert sent == ["SELECT 1"]
    assert connection.connection is kept
