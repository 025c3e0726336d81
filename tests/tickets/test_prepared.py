"""tickets.prepared: a queryset compiled once answers what the queryset itself answers, for any
values, page and time zone, with one query per call and no second compilation; an insert
compiled once stores what `save()` stores, in one statement."""

import datetime

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import Subquery, Value
from django.db.models.functions import Coalesce
from django.db.models.signals import post_save
from django.db.transaction import TransactionManagementError
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from sla.models import TicketClock
from tests.factories import IssueTypeFactory, TicketFactory
from tickets.models import IssueType, Ticket, TicketEvent, TicketNumberCounter, TicketStatus
from tickets.prepared import (
    _UNCHANGED_TYPE,
    PreparedInsert,
    PreparedQuery,
    Source,
    Statement,
    _db_value,
    insert,
)

pytestmark = pytest.mark.django_db

FIELDS = ("id", "ticket_number", "ticket_status", "created_at", "effective_date")


def page(contact_number, status):
    tickets = Ticket.objects.filter(contact_number=contact_number)
    if status is not None:
        tickets = tickets.filter(ticket_status=status)
    return tickets.order_by("-created_at", "-id").values(*FIELDS)


@pytest.fixture
def tickets():
    for contact in (7, 8):
        TicketFactory.create_batch(3, contact_number=contact)
        TicketFactory.create_batch(2, contact_number=contact, ticket_status=TicketStatus.CLOSED)


@pytest.mark.parametrize("status", [None, TicketStatus.CLOSED])
@pytest.mark.parametrize(("limit", "offset"), [(None, 0), (2, 0), (2, 3), (10, 4)])
def test_rows_are_the_querysets_own(tickets, status, limit, offset):
    prepared = PreparedQuery(page, contact_number=-1, status=None if status is None else "\x00")
    expected = list(page(8, status))[offset : None if limit is None else offset + limit]
    assert prepared.values(contact_number=8, status=status, limit=limit, offset=offset) == expected


@override_settings(TIME_ZONE="Asia/Kolkata")
def test_columns_are_converted_as_the_queryset_converts_them(tickets):
    prepared = PreparedQuery(page, contact_number=-1, status=None)
    assert prepared.values(contact_number=7, status=None) == list(page(7, None))


def test_each_call_is_one_query_and_the_sql_is_written_once(tickets):
    build_calls = []

    def build(contact_number):
        build_calls.append(contact_number)
        return page(contact_number, None)

    prepared = PreparedQuery(build, contact_number=-1)
    for contact in (7, 8, 7):
        with CaptureQueriesContext(connection) as queries:
            prepared.values(contact_number=contact)
        assert len(queries) == 1
    assert build_calls == [-1]


def test_a_constant_of_the_query_is_kept():
    prepared = PreparedQuery(lambda: Ticket.objects.filter(from_portal=True).values("id"))
    portal = TicketFactory(from_portal=True)
    TicketFactory(from_portal=False)
    assert prepared.values() == [{"id": portal.id}]


def test_placeholders_with_one_value_are_refused():
    prepared = PreparedQuery(
        lambda a, b: Ticket.objects.filter(contact_number=a, ticket_number=b).values("id"), a=-1, b=-1
    )
    with pytest.raises(ValueError, match="share the value"):
        prepared.values(a=1, b=2)


def new_ticket(**values) -> Ticket:
    at = datetime.datetime(2026, 3, 1, 12, 30, tzinfo=datetime.UTC)
    fields = dict(
        ticket_number=91,
        contact_number=7,
        title="Router",
        description="Down",
        ticket_categories="Request",
        category="cat1",
        subcategory="sub1",
        status="New",
        source="app",
        effective_date=datetime.date(2026, 2, 1),
        created_at=at,
        modified_at=at,
        waiting_since=at,
    )
    return Ticket(**{**fields, **values})


def stored(ticket: Ticket) -> dict:
    row = Ticket.objects.filter(pk=ticket.pk).values().get()
    del row["id"], row["ticket_number"]
    return row


def test_an_insert_stores_what_save_stores_in_one_statement():
    saved = new_ticket(ticket_number=90)
    saved.save(force_insert=True)
    inserted = new_ticket()
    with CaptureQueriesContext(connection) as queries:
        insert(inserted)
    assert len(queries) == 1
    assert inserted.pk is not None
    assert not inserted._state.adding
    assert stored(inserted) == stored(saved)


def test_an_insert_on_the_drivers_own_cursor_stores_what_save_stores():
    saved = new_ticket(ticket_number=90)
    saved.save(force_insert=True)
    inserted = new_ticket()
    assert not connection.queries_logged  # nothing watches: the statement skips Django's cursor
    insert(inserted)
    assert stored(inserted) == stored(saved)


def test_a_refused_statement_raises_djangos_error_and_breaks_its_transaction():
    insert(new_ticket(ticket_number=90))
    with transaction.atomic():
        with pytest.raises(IntegrityError):
            insert(new_ticket(ticket_number=90))
        with pytest.raises(TransactionManagementError):
            insert(new_ticket(ticket_number=92))
        transaction.set_rollback(True)
    assert list(Ticket.objects.values_list("ticket_number", flat=True)) == [90]


def issue_type_priority(name):
    issue_type = IssueType.objects.filter(name=Value(name)).values("default_priority")[:1]
    return Coalesce(Subquery(issue_type), Value("Normal"))


PRIORITY_BY_INSERT = PreparedInsert(Ticket, computed={"priority": issue_type_priority}, name="\x00")


@pytest.mark.parametrize(("name", "priority"), [("Roaming", "High"), ("Unknown", "Normal")])
def test_a_computed_field_is_worked_out_by_the_insert_and_set_from_what_it_returns(name, priority):
    IssueTypeFactory(name="Roaming", default_priority="High")
    ticket = new_ticket(priority="Low")
    PRIORITY_BY_INSERT.insert(ticket, name=name)
    assert ticket.priority == priority
    assert Ticket.objects.get(pk=ticket.pk).priority == priority


def test_a_computed_field_of_a_row_that_save_inserts_is_read_back():
    IssueTypeFactory(name="Roaming", default_priority="High")
    ticket = new_ticket()
    ticket.pk = 5000  # its own key: save() does the insert
    PRIORITY_BY_INSERT.insert(ticket, name="Roaming")
    assert ticket.priority == "High"
    assert Ticket.objects.get(pk=5000).priority == "High"


def test_an_insert_sends_post_save_like_save():
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((instance, created))

    post_save.connect(receiver, sender=Ticket)
    try:
        ticket = new_ticket()
        insert(ticket)
    finally:
        post_save.disconnect(receiver, sender=Ticket)
    assert seen == [(ticket, True)]


def test_a_row_without_an_auto_key_is_inserted_with_its_own_key():
    counter = TicketNumberCounter(name="other", last_number=4)
    insert(counter)
    assert TicketNumberCounter.objects.get(name="other").last_number == 4


SAMPLE_VALUES = (
    "text",
    "",
    True,
    False,
    None,
    7,
    datetime.date(2026, 12, 2),
    datetime.datetime(2026, 12, 2, 9, 30, 15, 123456, tzinfo=datetime.UTC),
)


@pytest.mark.parametrize("model", [Ticket, TicketEvent, TicketClock])
def test_the_short_way_gives_each_field_what_its_own_prep_gives(model):
    for field in model._meta.local_concrete_fields:
        unchanged = _UNCHANGED_TYPE.get(type(field))
        for value in SAMPLE_VALUES:
            if value is not None and type(value) is not unchanged:
                continue  # the short way hands it to the field's own prep
            assert _db_value(field, value, unchanged, connection) == field.get_db_prep_save(
                value, connection
            ), (field.name, value)


def test_a_naive_datetime_still_gets_djangos_warning():
    field = Ticket._meta.get_field("created_at")
    with pytest.warns(RuntimeWarning, match="naive datetime"):
        _db_value(field, datetime.datetime(2026, 12, 2, 9, 30), datetime.datetime, connection)


TICKET_WITH_EVENT = PreparedInsert(Ticket)


def first_event(ticket: Ticket, kind: str = "created") -> TicketEvent:
    return TicketEvent(ticket=ticket, kind=kind, actor_kind="customer", created_at=ticket.created_at)


def test_a_row_and_its_dependent_are_stored_as_two_saves_store_them():
    saved = new_ticket(ticket_number=90)
    saved.save(force_insert=True)
    saved_event = first_event(saved)
    saved_event.save(force_insert=True)
    ticket = new_ticket()
    event = first_event(ticket)
    TICKET_WITH_EVENT.insert_with(ticket, event)
    assert stored(ticket) == stored(saved)
    assert event.pk is not None
    assert not event._state.adding
    assert TicketEvent.objects.filter(pk=event.pk, ticket=ticket).values("kind", "created_at").get() == {
        "kind": "created",
        "created_at": saved_event.created_at,
    }


def test_a_dependent_keeps_the_row_it_was_given_as_its_related_one():
    ticket = new_ticket()
    event = first_event(ticket)
    TICKET_WITH_EVENT.insert_with(ticket, event)
    with CaptureQueriesContext(connection) as queries:
        assert event.ticket is ticket
    assert event.ticket_id == ticket.pk
    assert len(queries) == 0


@pytest.mark.postgres
def test_on_postgresql_a_row_and_its_dependent_go_in_one_statement():
    ticket = new_ticket()
    with CaptureQueriesContext(connection) as queries:
        TICKET_WITH_EVENT.insert_with(ticket, first_event(ticket))
    assert len(queries) == 1
    sql = queries[0]["sql"].removeprefix("BEGIN; ")  # the test's transaction begins with it
    assert sql.startswith('WITH "crm_parent" AS (INSERT INTO "tickets_ticket"')


def test_a_refused_dependent_leaves_neither_row():
    ticket = new_ticket()
    with pytest.raises(IntegrityError), transaction.atomic():
        TICKET_WITH_EVENT.insert_with(ticket, first_event(ticket, kind="no such kind"))
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (0, 0)


def test_a_dependent_that_save_must_insert_follows_the_row():
    ticket = new_ticket()
    event = first_event(ticket)
    event.pk = 7000  # its own key: save() inserts it, after the ticket's own INSERT
    TICKET_WITH_EVENT.insert_with(ticket, event)
    assert TicketEvent.objects.get(pk=7000).ticket_id == ticket.pk


def test_a_row_and_its_dependent_each_send_post_save():
    seen = []

    def receiver(sender, instance, created, **kwargs):
        seen.append((sender, created))

    post_save.connect(receiver)
    try:
        ticket = new_ticket()
        TICKET_WITH_EVENT.insert_with(ticket, first_event(ticket))
    finally:
        post_save.disconnect(receiver)
    assert seen == [(Ticket, True), (TicketEvent, True)]


COUNTER_BUMP = (
    "UPDATE tickets_ticketnumbercounter SET last_number = last_number + 1 "
    "WHERE name = %s RETURNING last_number"
)


def other_counter(last_number: int) -> Source:
    """A source: the next number of a counter of the tests' own."""
    TicketNumberCounter.objects.create(name="other", last_number=last_number)
    return Source(Statement.of(COUNTER_BUMP, connection), ["other"], ("last_number",))


def test_a_source_row_sets_the_fields_it_feeds_before_they_are_stored():
    ticket = new_ticket()
    fed = TICKET_WITH_EVENT.insert_with(
        ticket, first_event(ticket), source=other_counter(41), feeds={"ticket_number": "last_number"}
    )
    assert fed == {"last_number": 42}
    assert ticket.ticket_number == 42
    assert Ticket.objects.filter(pk=ticket.pk).values_list("ticket_number", flat=True).get() == 42


def test_a_source_row_sets_the_dependent_s_fields_too():
    ticket = new_ticket()
    event = first_event(ticket)
    TICKET_WITH_EVENT.insert_with(
        ticket, event, source=other_counter(6), dependent_feeds={"new_value": "last_number"}
    )
    assert TicketEvent.objects.filter(pk=event.pk).values_list("new_value", flat=True).get() == "7"


def test_a_source_without_a_row_writes_nothing():
    sql = "UPDATE tickets_ticketnumbercounter SET last_number = 1 WHERE name = %s RETURNING last_number"
    nothing = Source(Statement.of(sql, connection), ["no such counter"], ("last_number",))
    ticket = new_ticket()
    fed = TICKET_WITH_EVENT.insert_with(
        ticket, first_event(ticket), source=nothing, feeds={"ticket_number": "last_number"}
    )
    assert fed is None
    assert (Ticket.objects.count(), TicketEvent.objects.count()) == (0, 0)


@pytest.mark.postgres
def test_on_postgresql_the_source_is_the_first_part_of_the_rows_statement():
    source = other_counter(1)
    ticket = new_ticket()
    with CaptureQueriesContext(connection) as queries:
        TICKET_WITH_EVENT.insert_with(
            ticket, first_event(ticket), source=source, feeds={"ticket_number": "last_number"}
        )
    assert len(queries) == 1
    assert queries[0]["sql"].removeprefix("BEGIN; ").startswith('WITH "crm_source" AS (UPDATE')


def test_rows_read_later_are_the_rows_read_now(tickets):
    prepared = PreparedQuery(page, contact_number=-1, status="\x00")
    later = prepared.values_later(contact_number=8, status=TicketStatus.CLOSED)
    assert later() == prepared.values(contact_number=8, status=TicketStatus.CLOSED) == list(page(8, "Closed"))
