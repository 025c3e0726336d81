"""A ticket's history as events: the kinds, who may act, how each kind reads in the update log,
how services record one, and how the text of the old `update_log` column is read back into events.

The update log of the record (CONTRACT §7) is rendered from the events, never stored: the line
templates below are its one source. Each event is one row written by a service in the same
transaction as the change it records; a ticket's events are read in primary-key order, which is
the order they were written in while the service held the ticket's row lock (or had just
inserted the ticket).

This module imports no model: `Ticket` and `TicketEvent` import the kinds from here, and the
data migration that converted the old text column uses `parse_update_log`/`render_update_log`
on its historical models. Keep the text functions pure.
"""

import datetime
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, cast

from django.db import models
from django.utils import timezone

from tickets import signals
from tickets.formats import format_datetime, user_display_name
from tickets.prepared import insert

if TYPE_CHECKING:
    from tickets.models import Comment, Ticket, TicketEvent


class EventKind(models.TextChoices):
    """What happened. A later feature adds its kind here (and a line template below if the update
    log shows it); kinds without a template render no line."""

    CREATED = "created", "Ticket created"
    STATUS_CHANGED = "status_changed", "Status changed"
    ASSIGNEE_CHANGED = "assignee_changed", "Assignee changed"
    COMMENT_ADDED = "comment_added", "Comment added"
    # A staff-only note (CONTRACT §10): its own kind, so a reader that shows events to customers
    # can leave it out by kind without looking at the comment.
    NOTE_ADDED = "note_added", "Internal note added"
    # Text of the old `update_log` column that matched no known line form, kept verbatim.
    LEGACY = "legacy", "Earlier update log text"
    PRIORITY_CHANGED = "priority_changed", "Priority changed"
    # The customer's rating of a closed ticket: `new_value` the rating, `old_value` the one it
    # replaced ("" for the first). The update log shows no line for it (the contract's log is
    # the status, assignment and priority history).
    RATED = "rated", "Ticket rated"
    # A file attached to the public conversation (by the customer, or to an agent's public
    # reply): `new_value` the file's name. An attachment on an internal note records no event.
    ATTACHMENT_ADDED = "attachment_added", "Attachment added"
    # A service level target ran out before it was met (the sla app's periodic check; actor the
    # system): `old_value` the target (first_reply, next_reply, resolution), `new_value` when it
    # was due (ISO 8601 UTC). No update-log line: the log is the status, assignment and priority
    # history.
    SLA_BREACHED = "sla_breached", "SLA target breached"


class ActorKind(models.TextChoices):
    CUSTOMER = "customer", "Customer"
    STAFF = "staff", "Staff user"
    SYSTEM = "system", "System"


# Kinds that never leave the support desk.
INTERNAL_KINDS = frozenset({EventKind.NOTE_ADDED})
# Kinds that point at the comment they record.
COMMENT_KINDS = frozenset({EventKind.COMMENT_ADDED, EventKind.NOTE_ADDED})

UPDATE_LOG_CREATED = "Ticket created."
UPDATE_LOG_STATUS = "Status changed from {old} to {new} by {by} on {when}."
UPDATE_LOG_ASSIGNEE = "Assignee changed from {old} to {new} by {by} on {when}."
UPDATE_LOG_PRIORITY = "Priority changed from {old} to {new} by {by} on {when}."
UPDATE_LOG_ATTACHMENT = "Attachment '{name}' added by {by} on {when}."
# How the update log names "no assignee" (stored as "").
UPDATE_LOG_NOBODY = "nobody"
# How the update log names who made a change that no staff user made (CONTRACT §11).
UPDATE_LOG_ACTORS = {ActorKind.CUSTOMER: "the customer", ActorKind.SYSTEM: "the system"}


class EventLike(Protocol):
    """What rendering reads: a `TicketEvent`, its historical model in a migration, or a
    `ParsedEvent`."""

    @property
    def kind(self) -> str: ...
    @property
    def actor_kind(self) -> str: ...
    @property
    def actor_name(self) -> str: ...
    @property
    def old_value(self) -> str: ...
    @property
    def new_value(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def created_at(self) -> datetime.datetime: ...


def _who(event: EventLike) -> str:
    """The staff user's name at the time, or `the customer` / `the system`."""
    return UPDATE_LOG_ACTORS.get(event.actor_kind, event.actor_name)  # type: ignore[call-overload]


def _status_line(event: EventLike) -> str:
    return UPDATE_LOG_STATUS.format(
        old=event.old_value, new=event.new_value, by=_who(event), when=format_datetime(event.created_at)
    )


def _priority_line(event: EventLike) -> str:
    return UPDATE_LOG_PRIORITY.format(
        old=event.old_value, new=event.new_value, by=_who(event), when=format_datetime(event.created_at)
    )


def _attachment_line(event: EventLike) -> str:
    return UPDATE_LOG_ATTACHMENT.format(
        name=event.new_value, by=_who(event), when=format_datetime(event.created_at)
    )


def _assignee_line(event: EventLike) -> str:
    return UPDATE_LOG_ASSIGNEE.format(
        old=event.old_value or UPDATE_LOG_NOBODY,
        new=event.new_value or UPDATE_LOG_NOBODY,
        by=_who(event),
        when=format_datetime(event.created_at),
    )


_LINES = {
    EventKind.CREATED: lambda event: UPDATE_LOG_CREATED,
    EventKind.STATUS_CHANGED: _status_line,
    EventKind.ASSIGNEE_CHANGED: _assignee_line,
    EventKind.PRIORITY_CHANGED: _priority_line,
    EventKind.ATTACHMENT_ADDED: _attachment_line,
    EventKind.LEGACY: lambda event: event.text,
}


def render_line(event: EventLike) -> str | None:
    """The event's line of the update log, or None for a kind the log does not show."""
    line = _LINES.get(event.kind)  # type: ignore[call-overload]
    return None if line is None else line(event)


def render_update_log(events: Iterable[EventLike]) -> str:
    """The update log: one line per shown event, in the given (primary-key) order."""
    return "\n".join(line for event in events if (line := render_line(event)) is not None)


# --- Recording (services only, inside their transaction) ------------------------------------------


def record_event(
    *,
    ticket: "Ticket",
    kind: EventKind,
    at: datetime.datetime,
    actor_kind: ActorKind,
    actor=None,
    old_value: str = "",
    new_value: str = "",
    comment: "Comment | None" = None,
    assignee_ids: tuple[int | None, int | None] | None = None,
    subject=None,
) -> "TicketEvent":
    """One event of `ticket`, announced with `signals.event_recorded`. A staff actor's display
    name is kept as it is now, so renaming the user later never rewrites the history. Kinds that
    render a line must be recorded under the ticket's row lock (or in the transaction that created
    the ticket). Record an event once the in-memory ticket shows the change (status,
    `modified_at`): receivers describe the ticket from it. `subject` is what the event is about
    when no column of the event can point at it (an attachment: a feature app's row), handed to
    the receivers as it is."""
    event = new_event(
        ticket=ticket,
        kind=kind,
        at=at,
        actor_kind=actor_kind,
        actor=actor,
        old_value=old_value,
        new_value=new_value,
        comment=comment,
    )
    insert(event)  # save(force_insert=True), compiled once (tickets/prepared.py)
    announce(event, assignee_ids=assignee_ids, subject=subject)
    return event


def new_event(
    *,
    ticket: "Ticket",
    kind: EventKind,
    at: datetime.datetime,
    actor_kind: ActorKind,
    actor=None,
    old_value: str = "",
    new_value: str = "",
    comment: "Comment | None" = None,
) -> "TicketEvent":
    """An event of `ticket`, not yet written (`record_event` writes and announces one)."""
    return _event_model(ticket)(
        ticket=ticket,
        kind=kind,
        actor_kind=actor_kind,
        actor_user=actor,
        actor_name=user_display_name(actor) if actor is not None else "",
        old_value=old_value,
        new_value=new_value,
        comment=comment,
        created_at=at,
    )


def expect(*, ticket: "Ticket", kind: EventKind) -> dict:
    """Before a change takes its locks, let the apps built on the domain read what announcing an
    event of `kind` will need (`signals.event_expected`): a create queues on the ticket-number
    counter's lock, and a read done here is one the queue does not wait for. Hand the answer to
    `announce`."""
    answers = signals.event_expected.send(sender=_event_model(ticket), kind=kind, ticket=ticket)
    return {receiver: answer for receiver, answer in answers if answer is not None}


def announce(event: "TicketEvent", *, assignee_ids=None, subject=None, expected: dict | None = None) -> None:
    """Tell the apps built on the domain that `event` was written (`signals.event_recorded`);
    `expected`: what `expect` answered for it."""
    signals.event_recorded.send(
        sender=type(event), event=event, assignee_ids=assignee_ids, subject=subject, expected=expected or {}
    )


def _event_model(ticket: "Ticket") -> "type[TicketEvent]":
    # The event model through the field, not `ticket.events`, which builds a related manager
    # on every call just to name it (models.py imports this module, so not by import).
    return cast("type[TicketEvent]", ticket._meta.get_field("events").related_model)


def creator_kind(contact_number: int | None) -> ActorKind:
    """Who created a ticket: the customer when it names one (E5 always, E3 when the body gives a
    contact number), else the system (an anonymous social ticket has nobody to name)."""
    return ActorKind.SYSTEM if contact_number is None else ActorKind.CUSTOMER


def created_event(*, ticket: "Ticket", at: datetime.datetime) -> "TicketEvent":
    """The first event, written with the ticket (`services.ticket_create`), then announced."""
    return new_event(
        ticket=ticket, kind=EventKind.CREATED, at=at, actor_kind=creator_kind(ticket.contact_number)
    )


def record_comment(*, comment: "Comment") -> "TicketEvent":
    """A comment from the customer, a staff reply, or an internal note (its own kind)."""
    if comment.author_user is None:
        kind, actor_kind = EventKind.COMMENT_ADDED, ActorKind.CUSTOMER
    else:
        kind = EventKind.NOTE_ADDED if comment.is_internal else EventKind.COMMENT_ADDED
        actor_kind = ActorKind.STAFF
    return record_event(
        ticket=comment.ticket,
        kind=kind,
        at=comment.created_at,
        actor_kind=actor_kind,
        actor=comment.author_user,
        comment=comment,
    )


def assignee_value(user) -> str:
    """How an assignee is stored in an event: the display name at the time, "" for nobody."""
    return "" if user is None else user_display_name(user)


# --- Reading the old text column back (the data migration) ----------------------------------------

_WHEN = r"(?P<when>[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2})"
# Values are matched shortest first and the actor longest: a status never holds " to " or " by ".
# Whatever the split, a line is only kept as an event when it renders back to itself.
_STATUS = re.compile(rf"Status changed from (?P<old>.+?) to (?P<new>.+?) by (?P<by>.+) on {_WHEN}\.")
_ASSIGNEE = re.compile(rf"Assignee changed from (?P<old>.+?) to (?P<new>.+?) by (?P<by>.+) on {_WHEN}\.")


@dataclass(frozen=True)
class ParsedEvent:
    """An event read from the old text: the fields a `TicketEvent` row is made of."""

    kind: str
    actor_kind: str
    created_at: datetime.datetime
    actor_name: str = ""
    old_value: str = ""
    new_value: str = ""
    text: str = ""


def _parse_time(when: str) -> datetime.datetime | None:
    """`YYYY-MM-DD HH:MM:SS` in the configured time zone, as `format_datetime` wrote it, in UTC
    as the database gives it back: a local time that does not exist (skipped by a daylight
    saving change) then renders differently and stays text."""
    try:
        naive = datetime.datetime.strptime(when, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
    return naive.replace(tzinfo=timezone.get_default_timezone()).astimezone(datetime.UTC)


def _parse_line(line: str, *, first: bool, created_at: datetime.datetime, created_by: str):
    if line == UPDATE_LOG_CREATED and first:
        return ParsedEvent(kind=EventKind.CREATED, actor_kind=created_by, created_at=created_at)
    for kind, pattern in ((EventKind.STATUS_CHANGED, _STATUS), (EventKind.ASSIGNEE_CHANGED, _ASSIGNEE)):
        match = pattern.fullmatch(line)
        if match is None:
            continue
        when = _parse_time(match["when"])
        if when is None:
            return None
        old, new = match["old"], match["new"]
        if kind == EventKind.ASSIGNEE_CHANGED:
            old, new = ("" if old == UPDATE_LOG_NOBODY else old), ("" if new == UPDATE_LOG_NOBODY else new)
        return ParsedEvent(
            kind=kind,
            actor_kind=ActorKind.STAFF,
            created_at=when,
            actor_name=match["by"],
            old_value=old,
            new_value=new,
        )
    return None


def parse_update_log(text: str, *, created_at: datetime.datetime, created_by: str) -> list[ParsedEvent]:
    """The events that render exactly `text`.

    Each line of a known form (`Ticket created.` as the first line, the status and assignee
    lines) becomes its event if the event renders back to the same line; every run of other
    lines becomes one legacy event holding them verbatim. `created_at` and `created_by` (an
    `ActorKind`, see `creator_kind`) are the ticket's creation time and actor; a legacy event
    takes the time of the event before it. Staff actors are kept by name only: names do not
    identify users.
    """
    if text == "":
        return []
    events: list[ParsedEvent] = []
    unparsed: list[str] = []

    def keep_unparsed() -> None:
        if unparsed:
            at = events[-1].created_at if events else created_at
            events.append(
                ParsedEvent(
                    kind=EventKind.LEGACY,
                    actor_kind=ActorKind.SYSTEM,
                    created_at=at,
                    text="\n".join(unparsed),
                )
            )
            unparsed.clear()

    for index, line in enumerate(text.split("\n")):
        event = _parse_line(line, first=index == 0, created_at=created_at, created_by=created_by)
        if event is not None and render_line(event) == line:
            keep_unparsed()
            events.append(event)
        else:
            unparsed.append(line)
    keep_unparsed()
    if render_update_log(events) != text:  # holds by construction; a loss must never pass silently
        raise ValueError(f"update log does not render back: {text!r}")
    return events
