"""The migrations that turn the `update_log` text column into events (tickets 0005-0007), run for
real: the store is taken back to 0004, tickets are written with the historical model, and the
store is migrated forward (and back). No history may be lost or altered."""

import datetime
import importlib

import pytest
from django.test.utils import override_settings

from tests.support.migrations import CREATED, historical_ticket, latest, migrate
from tickets.history import ActorKind, EventKind
from tickets.models import Ticket, TicketEvent

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("tickets", "0004_move_idempotency_record_to_crmapi")]

TEXTS = {
    "created only": "Ticket created.",
    "workflow": (
        "Ticket created.\n"
        "Status changed from Open to In Progress by Dana Reyes on 2021-09-11 10:42:07.\n"
        "Assignee changed from nobody to Sam Lee by Dana Reyes on 2021-09-11 10:43:00.\n"
        "Assignee changed from Sam Lee to nobody by Zoë Ångström on 2021-09-12 08:00:59.\n"
        "Status changed from In Progress to Closed by Dana Reyes on 2021-09-12 08:01:00."
    ),
    "odd lines": (
        "Imported from the old CRM\r\n"
        "  by hand\n"
        "Ticket created.\n"
        "\n"
        "Status changed from Open to Closed by Dana Reyes on 2021-13-40 10:00:00.\n"
        "Status changed from Open to Closed by Dana Reyes on 2021-09-11 10:00:00.\n"
    ),
    "empty": "",
}


@pytest.fixture
def old_store():
    """The store at 0004 (text column, no events), migrated back to the latest afterwards; yields
    a function that writes a ticket with the historical model and returns its id."""
    executor = migrate(BEFORE)
    HistoricalTicket = executor.loader.project_state(BEFORE).apps.get_model("tickets", "Ticket")
    numbers = iter(range(9000, 10_000))

    def old_ticket(update_log: str, *, contact_number: int | None = 649797) -> int:
        return historical_ticket(
            HistoricalTicket,
            ticket_number=next(numbers),
            contact_number=contact_number,
            update_log=update_log,
        ).pk

    try:
        yield old_ticket
    finally:
        migrate(latest())


def events(pk: int) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket_id=pk).order_by("pk"))


def test_every_update_log_renders_back_byte_for_byte(old_store):
    pks = {name: old_store(text) for name, text in TEXTS.items()}
    migrate(latest())
    assert {name: Ticket.objects.get(pk=pk).update_log for name, pk in pks.items()} == TEXTS


def test_known_lines_become_their_events(old_store):
    pk = old_store(TEXTS["workflow"])
    migrate(latest())
    assert [(e.kind, e.actor_kind, e.actor_name, e.old_value, e.new_value) for e in events(pk)] == [
        (EventKind.CREATED, ActorKind.CUSTOMER, "", "", ""),
        (EventKind.STATUS_CHANGED, ActorKind.STAFF, "Dana Reyes", "Open", "In Progress"),
        (EventKind.ASSIGNEE_CHANGED, ActorKind.STAFF, "Dana Reyes", "", "Sam Lee"),
        (EventKind.ASSIGNEE_CHANGED, ActorKind.STAFF, "Zoë Ångström", "Sam Lee", ""),
        (EventKind.STATUS_CHANGED, ActorKind.STAFF, "Dana Reyes", "In Progress", "Closed"),
    ]


def test_event_times_are_the_lines_times_and_the_tickets_creation(old_store):
    pk = old_store(TEXTS["workflow"])
    migrate(latest())
    assert [e.created_at for e in events(pk)][:2] == [
        CREATED,
        datetime.datetime(2021, 9, 11, 10, 42, 7, tzinfo=datetime.UTC),
    ]


def test_times_are_read_in_the_configured_time_zone(old_store):
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        pk = old_store("Status changed from Open to Closed by Dana Reyes on 2021-09-11 16:12:07.")
        migrate(latest())
        assert Ticket.objects.get(pk=pk).update_log.endswith("2021-09-11 16:12:07.")
    assert events(pk)[0].created_at == datetime.datetime(2021, 9, 11, 10, 42, 7, tzinfo=datetime.UTC)


def test_unparseable_lines_are_kept_verbatim_as_legacy_events(old_store):
    pk = old_store(TEXTS["odd lines"])
    migrate(latest())
    assert [(e.kind, e.text) for e in events(pk)] == [
        (
            EventKind.LEGACY,
            "Imported from the old CRM\r\n  by hand\nTicket created.\n\n"
            "Status changed from Open to Closed by Dana Reyes on 2021-13-40 10:00:00.",
        ),
        (EventKind.STATUS_CHANGED, ""),
        (EventKind.LEGACY, ""),
    ]


def test_empty_update_log_gives_no_events(old_store):
    pk = old_store("")
    migrate(latest())
    assert events(pk) == []


def test_ticket_without_a_contact_was_created_by_the_system(old_store):
    pk = old_store("Ticket created.", contact_number=None)
    migrate(latest())
    assert events(pk)[0].actor_kind == ActorKind.SYSTEM


def test_tickets_are_converted_across_batches(old_store, monkeypatch):
    migration = importlib.import_module("tickets.migrations.0006_update_log_to_events")
    monkeypatch.setattr(migration, "BATCH", 2)
    pks = [old_store(f"Ticket created.\nnote {n}") for n in range(5)]
    migrate(latest())
    assert [Ticket.objects.get(pk=pk).update_log for pk in pks] == [
        f"Ticket created.\nnote {n}" for n in range(5)
    ]


def test_migrating_back_renders_the_text_column_again(old_store):
    pks = {name: old_store(text) for name, text in TEXTS.items()}
    migrate(latest())
    executor = migrate(BEFORE)
    HistoricalTicket = executor.loader.project_state(BEFORE).apps.get_model("tickets", "Ticket")
    assert {name: HistoricalTicket.objects.get(pk=pk).update_log for name, pk in pks.items()} == TEXTS
