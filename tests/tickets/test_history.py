"""A ticket's history as events (tickets/history.py): each change writes its event in the change's
transaction, and the update log rendered from the events reads exactly as the text column did."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from tests.factories import TicketEventFactory, TicketFactory, UserFactory
from tests.support.endpoints import TICKET_BODY
from tickets import history, services, signals
from tickets.formats import format_datetime
from tickets.history import ActorKind, EventKind, parse_update_log, render_update_log
from tickets.models import Comment, Ticket, TicketEvent, TicketNumberCounter, TicketStatus

WHEN = datetime.datetime(2021, 9, 11, 10, 42, 7, tzinfo=datetime.UTC)
CREATED = datetime.datetime(2021, 9, 11, 9, 0, tzinfo=datetime.UTC)


def events_of(ticket: Ticket) -> list[TicketEvent]:
    return list(TicketEvent.objects.filter(ticket=ticket).order_by("pk"))


def kinds_of(ticket: Ticket) -> list[str]:
    return [event.kind for event in events_of(ticket)]


def stored_log(ticket: Ticket) -> str:
    return Ticket.objects.get(pk=ticket.pk).update_log


def create_values(**changes) -> dict:
    values = {
        "ticket_status": TicketStatus.OPEN,
        "title": TICKET_BODY["ticket_title"],
        "description": TICKET_BODY["description"],
        "ticket_categories": TICKET_BODY["ticketcategories"],
        "category": TICKET_BODY["category"],
        "subcategory": TICKET_BODY["subcategory"],
        "status": TICKET_BODY["status"],
        "source": TICKET_BODY["source"],
    }
    return {**values, **changes}


# --- Written by the services ---------------------------------------------------------------------


@pytest.mark.django_db
def test_created_ticket_has_one_created_event_by_its_customer():
    ticket = services.ticket_create(contact_number=649797, from_portal=True, **create_values())
    [event] = events_of(ticket)
    assert (event.kind, event.actor_kind, event.actor_user, event.actor_name, event.created_at) == (
        EventKind.CREATED,
        ActorKind.CUSTOMER,
        None,
        "",
        ticket.created_at,
    )


@pytest.mark.django_db
def test_ticket_without_a_contact_is_created_by_the_system():
    ticket = services.ticket_create(contact_number=None, from_portal=False, **create_values())
    assert events_of(ticket)[0].actor_kind == ActorKind.SYSTEM


@pytest.mark.django_db
def test_created_ticket_renders_its_log_without_reading_the_events_back():
    ticket = services.ticket_create(contact_number=649797, from_portal=True, **create_values())
    with CaptureQueriesContext(connection) as queries:
        assert ticket.update_log == "Ticket created."
    assert len(queries) == 0


@pytest.mark.django_db
def test_a_create_hands_each_receivers_expected_answer_back_with_its_event():
    asked, heard = [], []

    def expecting(sender, kind, ticket, **kwargs):
        asked.append((kind, ticket.pk))  # before the ticket is written
        return "read before the locks"

    def recorded(sender, event, expected, **kwargs):
        heard.append((event.kind, expected.get(expecting)))

    signals.event_expected.connect(expecting, sender=TicketEvent)
    signals.event_recorded.connect(recorded, sender=TicketEvent)
    try:
        services.ticket_create(contact_number=649797, from_portal=True, **create_values())
    finally:
        signals.event_expected.disconnect(expecting, sender=TicketEvent)
        signals.event_recorded.disconnect(recorded, sender=TicketEvent)
    assert asked == [(EventKind.CREATED, None)]
    assert heard == [(EventKind.CREATED, "read before the locks")]


@pytest.mark.django_db
def test_failed_create_leaves_neither_ticket_nor_event(monkeypatch):
    def fail(*args, **kwargs):
        raise RuntimeError("store down")

    monkeypatch.setattr(history, "announce", fail)
    with pytest.raises(RuntimeError):
        services.ticket_create(contact_number=649797, from_portal=True, **create_values())
    assert (Ticket.objects.count(), TicketEvent.objects.count(), TicketNumberCounter.objects.count()) == (
        0,
        0,
        0,
    )


@pytest.mark.django_db
def test_status_change_writes_an_event_with_actor_values_and_time(ticket, dana):
    updated = services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED)
    event = events_of(ticket)[-1]
    assert (
        event.kind,
        event.actor_kind,
        event.actor_user,
        event.actor_name,
        event.old_value,
        event.new_value,
        event.created_at,
    ) == (
        EventKind.STATUS_CHANGED,
        ActorKind.STAFF,
        dana,
        "Dana Reyes",
        "Open",
        "Closed",
        updated.modified_at,
    )


@pytest.mark.django_db
def test_assignee_event_holds_display_names_and_empty_for_nobody(ticket, dana):
    colleague = UserFactory(first_name="Sam", last_name="Lee")
    services.ticket_update(ticket=ticket, by=dana, assignee=colleague)
    services.ticket_update(ticket=Ticket.objects.get(pk=ticket.pk), by=dana, assignee=None)
    assignments = [
        (e.old_value, e.new_value) for e in events_of(ticket) if e.kind == EventKind.ASSIGNEE_CHANGED
    ]
    assert assignments == [("", "Sam Lee"), ("Sam Lee", "")]


@pytest.mark.django_db
def test_status_and_assignee_in_one_update_are_two_events_in_that_order(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED, assignee=dana)
    assert kinds_of(ticket) == [EventKind.CREATED, EventKind.STATUS_CHANGED, EventKind.ASSIGNEE_CHANGED]


@pytest.mark.django_db
def test_a_change_to_the_current_value_writes_no_event(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.OPEN, assignee=None)
    assert kinds_of(ticket) == [EventKind.CREATED]


@pytest.mark.django_db
def test_failed_event_write_undoes_the_change_and_its_other_events(ticket, dana, monkeypatch):
    written = []
    record_event = history.record_event

    def second_fails(**kwargs):
        if written:
            raise RuntimeError("store down")
        written.append(record_event(**kwargs))

    monkeypatch.setattr(history, "record_event", second_fails)
    with pytest.raises(RuntimeError):
        services.ticket_update(ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED, assignee=dana)
    stored = Ticket.objects.get(pk=ticket.pk)
    assert (stored.ticket_status, stored.assigned_to, kinds_of(ticket)) == (
        TicketStatus.OPEN,
        None,
        [EventKind.CREATED],
    )


@pytest.mark.django_db
def test_refused_change_writes_no_event(ticket, dana):
    customer_login = UserFactory(is_staff=False)
    with pytest.raises(ValidationError):
        services.ticket_update(
            ticket=ticket, by=dana, ticket_status=TicketStatus.CLOSED, assignee=customer_login
        )
    assert kinds_of(ticket) == [EventKind.CREATED]


@pytest.mark.django_db
def test_customer_comment_writes_comment_added_by_the_customer(ticket):
    comment = services.comment_create_by_contact(ticket=ticket, contact_number=649797, text="Still broken")
    event = events_of(ticket)[-1]
    assert (event.kind, event.actor_kind, event.comment, event.created_at) == (
        EventKind.COMMENT_ADDED,
        ActorKind.CUSTOMER,
        comment,
        comment.created_at,
    )


@pytest.mark.django_db
def test_public_agent_reply_writes_comment_added_by_staff(ticket, dana):
    comment = services.comment_create_by_agent(ticket=ticket, author=dana, text="On it", is_internal=False)
    event = events_of(ticket)[-1]
    assert (event.kind, event.actor_kind, event.actor_user, event.actor_name, event.comment) == (
        EventKind.COMMENT_ADDED,
        ActorKind.STAFF,
        dana,
        "Dana Reyes",
        comment,
    )


@pytest.mark.django_db
def test_internal_note_writes_note_added_and_no_line_in_the_log(ticket, dana):
    note = services.comment_create_by_agent(
        ticket=ticket, author=dana, text="Refund raised", is_internal=True
    )
    assert (events_of(ticket)[-1].kind, events_of(ticket)[-1].comment) == (EventKind.NOTE_ADDED, note)
    assert stored_log(ticket) == "Ticket created."


@pytest.mark.django_db
def test_comments_add_no_line_to_the_log(ticket, dana):
    services.comment_create_by_contact(ticket=ticket, contact_number=649797, text="Hello")
    services.comment_create_by_agent(ticket=ticket, author=dana, text="Hi", is_internal=False)
    assert stored_log(ticket) == "Ticket created."


@pytest.mark.django_db
def test_failed_comment_event_leaves_no_comment(ticket, monkeypatch):
    def fail(**kwargs):
        raise RuntimeError("store down")

    monkeypatch.setattr(history, "record_comment", fail)
    with pytest.raises(RuntimeError):
        services.comment_create_by_contact(ticket=ticket, contact_number=649797, text="Hello")
    assert (Comment.objects.count(), kinds_of(ticket)) == (0, [EventKind.CREATED])


# --- Rendered as the text column read ------------------------------------------------------------


@pytest.mark.django_db
def test_log_of_a_workflow_is_byte_identical_to_the_text_lines(dana):
    colleague = UserFactory(first_name="Sam", last_name="Lee")
    ticket = services.ticket_create(contact_number=649797, from_portal=True, **create_values())
    steps = [
        {"ticket_status": TicketStatus.IN_PROGRESS},
        {"assignee": colleague},
        {"ticket_status": TicketStatus.WAIT_FOR_RESPONSE, "assignee": dana},
        {"assignee": None},
        {"ticket_status": TicketStatus.CLOSED},
    ]
    times = []
    for step in steps:
        ticket = services.ticket_update(ticket=ticket, by=dana, **step)
        times.append(format_datetime(ticket.modified_at))
    assert stored_log(ticket) == (
        "Ticket created.\n"
        f"Status changed from Open to In Progress by Dana Reyes on {times[0]}.\n"
        f"Assignee changed from nobody to Sam Lee by Dana Reyes on {times[1]}.\n"
        f"Status changed from In Progress to Wait For Response by Dana Reyes on {times[2]}.\n"
        f"Assignee changed from Sam Lee to Dana Reyes by Dana Reyes on {times[2]}.\n"
        f"Assignee changed from Dana Reyes to nobody by Dana Reyes on {times[3]}.\n"
        f"Status changed from Wait For Response to Closed by Dana Reyes on {times[4]}."
    )


@pytest.mark.django_db
def test_renaming_a_user_never_changes_the_rendered_log(ticket, dana):
    services.ticket_update(ticket=ticket, by=dana, assignee=dana)
    before = stored_log(ticket)
    dana.first_name, dana.last_name = "Dana", "Okafor"
    dana.save()
    assert stored_log(ticket) == before


@pytest.mark.django_db
def test_deleting_a_staff_user_keeps_their_name_in_the_log(ticket):
    leaver = UserFactory(first_name="Lee", last_name="Park")
    services.ticket_update(ticket=ticket, by=leaver, ticket_status=TicketStatus.CLOSED)
    before = stored_log(ticket)
    leaver.delete()
    assert (stored_log(ticket), events_of(ticket)[-1].actor_user) == (before, None)


@pytest.mark.django_db
def test_legacy_event_renders_its_text_verbatim():
    ticket = TicketFactory(created_event=None)
    TicketEventFactory(
        ticket=ticket, kind=EventKind.LEGACY, actor_kind=ActorKind.SYSTEM, text="odd\r\n  line"
    )
    TicketEventFactory(ticket=ticket, kind=EventKind.LEGACY, actor_kind=ActorKind.SYSTEM, text="")
    assert stored_log(ticket) == "odd\r\n  line\n"


@pytest.mark.django_db
def test_factory_ticket_has_its_created_event(ticket):
    assert kinds_of(ticket) == [EventKind.CREATED]


def test_log_time_is_in_the_configured_time_zone():
    event = history.ParsedEvent(
        kind=EventKind.STATUS_CHANGED,
        actor_kind=ActorKind.STAFF,
        created_at=WHEN,
        actor_name="Dana Reyes",
        old_value="Open",
        new_value="Closed",
    )
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        assert (
            history.render_line(event)
            == "Status changed from Open to Closed by Dana Reyes on 2021-09-11 16:12:07."
        )


def test_an_empty_history_renders_an_empty_log():
    assert render_update_log([]) == ""


# --- Parsing the old text ------------------------------------------------------------------------


def parsed(text: str, created_by: str = ActorKind.CUSTOMER) -> list[history.ParsedEvent]:
    return parse_update_log(text, created_at=CREATED, created_by=created_by)


def test_parsed_created_line_takes_the_tickets_time_and_creator():
    assert parsed("Ticket created.", ActorKind.SYSTEM) == [
        history.ParsedEvent(kind=EventKind.CREATED, actor_kind=ActorKind.SYSTEM, created_at=CREATED)
    ]


def test_parsed_status_line_names_values_actor_and_time():
    [_, event] = parsed(
        "Ticket created.\nStatus changed from Open to In Progress by Dana Reyes on 2021-09-11 10:42:07."
    )
    assert event == history.ParsedEvent(
        kind=EventKind.STATUS_CHANGED,
        actor_kind=ActorKind.STAFF,
        created_at=WHEN,
        actor_name="Dana Reyes",
        old_value="Open",
        new_value="In Progress",
    )


def test_parsed_assignee_line_reads_nobody_as_empty():
    [event] = parsed("Assignee changed from nobody to Sam Lee by Dana Reyes on 2021-09-11 10:42:07.")
    assert (event.kind, event.old_value, event.new_value, event.actor_name) == (
        EventKind.ASSIGNEE_CHANGED,
        "",
        "Sam Lee",
        "Dana Reyes",
    )


def test_parsed_time_is_read_in_the_configured_time_zone():
    with override_settings(TIME_ZONE="Asia/Kolkata"):
        [event] = parsed("Status changed from Open to Closed by Dana Reyes on 2021-09-11 16:12:07.")
    assert event.created_at == WHEN


def test_consecutive_unknown_lines_are_one_legacy_event_with_the_time_before():
    text = (
        "Ticket created.\nImported from the old CRM\nby hand.\n"
        "Status changed from Open to Closed by X on 2021-09-11 10:42:07."
    )
    events = parsed(text)
    assert [(e.kind, e.text, e.created_at) for e in events[:2]] == [
        (EventKind.CREATED, "", CREATED),
        (EventKind.LEGACY, "Imported from the old CRM\nby hand.", CREATED),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Status changed from Open to Closed by Dana Reyes on 2021-13-40 10:00:00.",  # no such date
        "Status changed from Open to Closed by Dana Reyes on 2021-09-11 10:00:00",  # no full stop
        "status changed from Open to Closed by Dana Reyes on 2021-09-11 10:00:00.",
        "Assignee changed from  to Sam by Dana on 2021-09-11 10:00:00.",  # renders "nobody"
        "Ticket created. ",
        "Ticket created.\r",
        "",
    ],
)
def test_a_line_that_does_not_render_back_is_kept_as_legacy(line):
    assert [(e.kind, e.text) for e in parsed(f"Ticket created.\n{line}")] == [
        (EventKind.CREATED, ""),
        (EventKind.LEGACY, line),
    ]


def test_ticket_created_after_the_first_line_is_legacy():
    assert [e.kind for e in parsed("Ticket created.\nTicket created.")] == [
        EventKind.CREATED,
        EventKind.LEGACY,
    ]


def test_a_time_skipped_by_daylight_saving_is_kept_as_legacy():
    with override_settings(TIME_ZONE="America/New_York"):
        events = parsed("Status changed from Open to Closed by Dana on 2021-03-14 02:30:00.")
    assert [e.kind for e in events] == [EventKind.LEGACY]


def test_empty_text_has_no_events():
    assert parsed("") == []


@pytest.mark.parametrize(
    "text",
    [
        "Ticket created.",
        "Ticket created.\n",
        "\n",
        "\n\nTicket created.",
        "Ticket created.\nStatus changed from Open to Closed by Zoë Ångström on 2021-09-11 10:42:07.\n\nfree",
        "Assignee changed from Sam to Lee to Kim by Dana by Night on 2021-09-11 10:42:07.",
        "Ticket created.\nNo fields changed.",
    ],
)
def test_parsed_events_render_the_text_byte_for_byte(text):
    assert render_update_log(parsed(text)) == text
