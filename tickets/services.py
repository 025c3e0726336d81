"""Writes to the store. Every function is atomic: it fully happens or not at all (CONTRACT §8)."""

import datetime
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Upper
from django.utils import timezone

from tickets import history, numbering, workflow
from tickets.history import ActorKind, EventKind
from tickets.models import (
    COMMENT_MAX_LENGTH,
    RATING_COMMENT_MAX_LENGTH,
    RATING_MAX,
    RATING_MIN,
    Comment,
    IssueType,
    Ticket,
    TicketEvent,
    TicketPriority,
    TicketRating,
    TicketStatus,
)
from tickets.prepared import PreparedInsert

# Created by migration 0003_support_agent_group, which also fixes its permissions.
SUPPORT_AGENT_GROUP = "Support agent"
# Created by migration 0011_sla_breached_supervisor_group: support agents who also edit the
# desk's settings (SLA calendars and policies, canned replies); each app grants its permissions.
SUPERVISOR_GROUP = "Supervisor"

COMMENT_BLANK = "A reply must not be blank."
COMMENT_TOO_LONG = f"A reply must be at most {COMMENT_MAX_LENGTH} characters."
NOT_STAFF = "Only staff users can {what}."
UNKNOWN_STATUS = "'{status}' is not a ticket status."
UNKNOWN_PRIORITY = "'{priority}' is not a ticket priority."
CUSTOMER_STATUSES = (TicketStatus.OPEN, TicketStatus.CLOSED)
NOT_A_CUSTOMER_STATUS = "A customer can only open or close a ticket, not set '{status}'."
RATING_OUT_OF_RANGE = f"A rating is a whole number from {RATING_MIN} to {RATING_MAX}."
RATING_COMMENT_TOO_LONG = f"A rating's comment must be at most {RATING_COMMENT_MAX_LENGTH} characters."
AGENT_GROUP_MISSING = f"The '{SUPPORT_AGENT_GROUP}' group is missing: run `manage.py migrate`."
AGENT_PASSWORD_BLANK = "The password must not be blank."

# `assignee` left out of ticket_update: keep the current one (None means "unassign").
_KEEP = object()


class CustomerRequestRefused(Exception):
    """A customer's request that the conversation rule refuses (CONTRACT §11); nothing of it is
    stored. The API answers each with its 409."""


class TicketClosedForGood(CustomerRequestRefused):
    """The ticket was closed `CRM_REOPEN_DAYS` days ago or more: a customer's comment or reopen
    is refused; the customer creates a new ticket instead."""


class TicketNotClosed(CustomerRequestRefused):
    """Only a closed ticket can be rated."""


# --- The conversation rule (CONTRACT §11) -----------------------------------------------------


def lock_ticket(ticket: Ticket) -> Ticket:
    """The ticket's row, locked and re-read: concurrent changes queue on it, and the events that
    render lines follow in the order they happened."""
    return Ticket.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=ticket.pk)


def _closed_at(ticket: Ticket) -> datetime.datetime:
    """When the ticket was last closed: its last change to Closed, or its creation if it was
    created closed."""
    closed = (
        TicketEvent.objects.filter(
            ticket=ticket, kind=EventKind.STATUS_CHANGED, new_value=TicketStatus.CLOSED
        )
        .order_by("-pk")
        .values_list("created_at", flat=True)
        .first()
    )
    return ticket.created_at if closed is None else closed


def _reopen_or_refuse(ticket: Ticket, now: datetime.datetime) -> None:
    """A closed ticket may be reopened by its customer for `CRM_REOPEN_DAYS` days after closing."""
    if now - _closed_at(ticket) >= datetime.timedelta(days=settings.CRM_REOPEN_DAYS):
        raise TicketClosedForGood(ticket.ticket_number)


def _waiting(ticket: Ticket) -> workflow.Waiting:
    return workflow.Waiting(ticket.waiting_on, ticket.waiting_since)


def _set_waiting(ticket: Ticket, waiting: workflow.Waiting) -> None:
    ticket.waiting_on, ticket.waiting_since = waiting.on, waiting.since


def _change_status(
    ticket: Ticket, new: str, *, at: datetime.datetime, actor_kind: ActorKind, actor=None
) -> None:
    """Set a locked ticket's status, its waiting side, and record the change (one update log
    line). The caller saves the ticket."""
    old = ticket.ticket_status
    ticket.ticket_status = new
    _set_waiting(ticket, workflow.waiting_after_status(_waiting(ticket), old=old, new=new, at=at))
    history.record_event(
        ticket=ticket,
        kind=EventKind.STATUS_CHANGED,
        at=at,
        actor_kind=actor_kind,
        actor=actor,
        old_value=old,
        new_value=new,
    )


_VISIBLE_CHANGE_FIELDS = ["ticket_status", "waiting_on", "waiting_since", "modified_by", "modified_at"]


def _default_priority(name: str):
    """The priority of the issue type named `name` (case-insensitive), else Normal (CONTRACT
    §15), as the database works it out in the ticket's INSERT. UPPER on both sides is
    PostgreSQL's `iexact` itself and, like SQLite's (ASCII-only LIKE), folds ASCII letters only
    there; without LIKE, the name needs no escaping."""
    issue_type = (
        IssueType.objects.alias(upper_name=Upper("name"))
        .filter(upper_name=Upper(Value(name)))
        .order_by("pk")
        .values("default_priority")[:1]
    )
    return Coalesce(Subquery(issue_type), Value(TicketPriority.NORMAL))


# The ticket's INSERT, its priority looked up in it: compiled once (tickets/prepared.py).
_TICKET_INSERT = PreparedInsert(Ticket, computed={"priority": _default_priority}, name="\x00name")


def ticket_create(
    *,
    contact_number: int | None,
    from_portal: bool,
    ticket_status: str,
    title: str,
    description: str,
    ticket_categories: str,
    category: str,
    subcategory: str,
    status: str,
    source: str,
    effective_date=None,
    voucher_type: str = "",
    voucher_id_format: str = "",
    password_pattern: str = "",
) -> Ticket:
    """Create a ticket and its `created` event. API tickets start unassigned (CONTRACT §7), with
    their issue type's default priority (§15), waiting on an agent (unless created closed or
    waiting for the customer).

    The returned ticket carries the event it was created with, so its record renders the update
    log without reading it back.

    The values are checked before the transaction: creates queue on the counter's lock (on
    SQLite on the database's write lock from the transaction's start), so only the writes wait
    in that queue, and as few round trips as can be: the priority is looked up by the ticket's
    INSERT itself, and on PostgreSQL the number and creation time (`numbering.allocation`), the
    ticket and its event are one statement, so the counter's lock is taken there.
    """
    ticket = Ticket(
        contact_number=contact_number,
        from_portal=from_portal,
        ticket_status=ticket_status,
        title=title,
        description=description,
        ticket_categories=ticket_categories,
        category=category,
        subcategory=subcategory,
        status=status,
        source=source,
        effective_date=effective_date,
        voucher_type=voucher_type,
        voucher_id_format=voucher_id_format,
        password_pattern=password_pattern,
    )
    ticket.full_clean(exclude=_SET_UNDER_LOCK, validate_unique=False, validate_constraints=False)
    expected = history.expect(ticket=ticket, kind=history.EventKind.CREATED)
    with transaction.atomic():
        # The time the create began (on SQLite, under the write lock); the allocation makes it
        # the last ticket's when that is later, so creation times follow ticket numbers.
        began = timezone.now()
        ticket.waiting_on = workflow.waiting_at_creation(ticket_status, began).on
        event = history.created_event(ticket=ticket, at=began)
        # The ticket and its `created` event in one statement where the store allows it.
        while not _TICKET_INSERT.insert_with(
            ticket,
            event,
            source=numbering.allocation(began),
            feeds=_ALLOCATED,
            dependent_feeds=_EVENT_ALLOCATED,
            name=ticket_categories.strip(),
        ):
            numbering.create_counter()  # the first ticket ever: nothing was written
        history.announce(event, expected=expected)
        ticket.loaded_events = [event]
    return ticket


# A new ticket's fields the allocation sets: the creation time is also its last change and the
# start of its wait (`workflow.waiting_at_creation`).
_ALLOCATED = {
    "ticket_number": numbering.NUMBER,
    "created_at": numbering.CREATED_AT,
    "modified_at": numbering.CREATED_AT,
    "waiting_since": numbering.CREATED_AT,
}
_EVENT_ALLOCATED = {"created_at": numbering.CREATED_AT}

# What `ticket_create` sets in its transaction, after the values are checked: no client's.
_SET_UNDER_LOCK = [*_ALLOCATED, "waiting_on", "priority"]


@contextmanager
def customer_activity(*, ticket: Ticket) -> Iterator[tuple[Ticket, datetime.datetime]]:
    """What a customer's message does to its ticket (CONTRACT §11, §13), whatever the message is
    (a comment, an attachment): in one transaction, with the ticket's row locked. A `Closed`
    ticket closed `CRM_REOPEN_DAYS` days ago or more raises `TicketClosedForGood` before
    anything is written; else `Wait For Response` and a recently `Closed` ticket become `Open`,
    `modified_at` is now and `modified_by` nobody (the customer's change). The body of the
    `with` gets the locked ticket and the time, writes the message and its event (an error there
    rolls everything back); then the ticket waits on an agent and is saved."""
    with transaction.atomic():
        locked = lock_ticket(ticket)
        now = timezone.now()
        if locked.ticket_status == TicketStatus.CLOSED:
            _reopen_or_refuse(locked, now)
        locked.modified_by, locked.modified_at = None, now
        if locked.ticket_status in (TicketStatus.CLOSED, TicketStatus.WAIT_FOR_RESPONSE):
            _change_status(locked, TicketStatus.OPEN, at=now, actor_kind=ActorKind.CUSTOMER)
        yield locked, now
        _set_waiting(
            locked,
            workflow.waiting_after_comment(
                _waiting(locked), by_customer=True, ticket_status=locked.ticket_status, at=now
            ),
        )
        locked.save(update_fields=_VISIBLE_CHANGE_FIELDS)


def comment_create_by_contact(*, ticket: Ticket, contact_number: int, text: str) -> Comment:
    """A customer's public comment on its own ticket (E4), with what `customer_activity` does to
    the ticket."""
    with customer_activity(ticket=ticket) as (locked, now):
        comment = Comment(ticket=locked, author_contact=contact_number, text=text, created_at=now)
        comment.save(force_insert=True)
        history.record_comment(comment=comment)
    return comment


@transaction.atomic
def ticket_set_status_by_contact(*, ticket: Ticket, ticket_status: str) -> Ticket:
    """A customer closes or reopens its ticket (E11, CONTRACT §11). `Closed` closes it from any
    status; `Open` reopens a `Closed` ticket (the `CRM_REOPEN_DAYS` rule of a comment, raising
    `TicketClosedForGood`) and turns `Wait For Response` into `Open`; on an `Open` or
    `In Progress` ticket, and for the status it already has, nothing changes. Returns the
    ticket as stored."""
    if ticket_status not in CUSTOMER_STATUSES:
        raise ValidationError(NOT_A_CUSTOMER_STATUS.format(status=ticket_status))
    locked = lock_ticket(ticket)
    current = locked.ticket_status
    if ticket_status == TicketStatus.CLOSED:
        changes = current != TicketStatus.CLOSED
    else:
        changes = current in (TicketStatus.CLOSED, TicketStatus.WAIT_FOR_RESPONSE)
    if not changes:
        return locked
    now = timezone.now()
    if current == TicketStatus.CLOSED:
        _reopen_or_refuse(locked, now)
    locked.modified_by, locked.modified_at = None, now
    _change_status(locked, ticket_status, at=now, actor_kind=ActorKind.CUSTOMER)
    locked.save(update_fields=_VISIBLE_CHANGE_FIELDS)
    return locked


@transaction.atomic
def ticket_rate_by_contact(*, ticket: Ticket, rating: int, comment: str = "") -> TicketRating:
    """The customer's rating of its closed ticket (E12, CONTRACT §11), replacing an earlier one;
    `TicketNotClosed` for any other status. Recorded as a `rated` event whose old value is the
    rating replaced ("" for the first). A rating changes nothing else of the ticket."""
    if isinstance(rating, bool) or not RATING_MIN <= rating <= RATING_MAX:
        raise ValidationError(RATING_OUT_OF_RANGE)
    if len(comment) > RATING_COMMENT_MAX_LENGTH:
        raise ValidationError(RATING_COMMENT_TOO_LONG)
    locked = lock_ticket(ticket)
    if locked.ticket_status != TicketStatus.CLOSED:
        raise TicketNotClosed(locked.ticket_number)
    now = timezone.now()
    previous = TicketRating.objects.filter(ticket=locked).first()
    replaced = "" if previous is None else str(previous.rating)
    stored = previous or TicketRating()
    stored.ticket = locked
    stored.rating, stored.comment, stored.created_at = rating, comment, now
    stored.save()
    history.record_event(
        ticket=locked,
        kind=EventKind.RATED,
        at=now,
        actor_kind=ActorKind.CUSTOMER,
        old_value=replaced,
        new_value=str(rating),
    )
    return stored


def _require_staff(user, what: str) -> None:
    if not (user.is_staff and user.is_active):
        raise ValidationError(NOT_STAFF.format(what=what))


@transaction.atomic
def ticket_update(
    *, ticket: Ticket, by, ticket_status: str | None = None, assignee=_KEEP, priority: str | None = None
) -> Ticket:
    """A staff user's change of status, assignee and/or priority (the support desk, single or
    bulk).

    Each real change records one event with who and when (one line of the update log), and
    sets `modified_by`/`modified_at`, which E7's record shows (CONTRACT §7, §11, §15); a status
    change also moves who the ticket waits on. A change to the current value is no change:
    nothing is recorded or saved. The row is locked and re-read so concurrent agents see each
    other's changes and their events follow in the order they happened.
    """
    _require_staff(by, "change tickets")
    if ticket_status is not None and ticket_status not in TicketStatus.values:
        raise ValidationError(UNKNOWN_STATUS.format(status=ticket_status))
    if priority is not None and priority not in TicketPriority.values:
        raise ValidationError(UNKNOWN_PRIORITY.format(priority=priority))
    locked = lock_ticket(ticket)
    changes: list[tuple[EventKind, str, str]] = []
    assignee_ids: tuple[int | None, int | None] | None = None
    new_status = (
        ticket_status if ticket_status is not None and ticket_status != locked.ticket_status else None
    )
    if assignee is not _KEEP and getattr(assignee, "pk", None) != locked.assigned_to_id:
        if assignee is not None:
            _require_staff(assignee, "be assigned tickets")
        old, new = history.assignee_value(locked.assigned_to), history.assignee_value(assignee)
        changes.append((EventKind.ASSIGNEE_CHANGED, old, new))
        assignee_ids = (locked.assigned_to_id, getattr(assignee, "pk", None))
        locked.assigned_to = assignee
    if priority is not None and priority != locked.priority:
        changes.append((EventKind.PRIORITY_CHANGED, locked.priority, priority))
        locked.priority = priority
    if new_status is None and not changes:
        return locked
    now = timezone.now()
    locked.modified_by = by
    locked.modified_at = now
    if new_status is not None:
        _change_status(locked, new_status, at=now, actor_kind=ActorKind.STAFF, actor=by)
    locked.save(update_fields=[*_VISIBLE_CHANGE_FIELDS, "assigned_to", "priority"])
    for kind, before, after in changes:
        history.record_event(
            ticket=locked,
            kind=kind,
            at=now,
            actor_kind=ActorKind.STAFF,
            actor=by,
            old_value=before,
            new_value=after,
            assignee_ids=assignee_ids if kind == EventKind.ASSIGNEE_CHANGED else None,
        )
    return locked


@transaction.atomic
def ticket_bulk_set_status(*, tickets: QuerySet[Ticket], by, ticket_status: str) -> int:
    """`ticket_update` for each ticket not yet in `ticket_status`; returns how many changed."""
    changing = list(tickets.exclude(ticket_status=ticket_status).order_by("pk"))
    for ticket in changing:
        ticket_update(ticket=ticket, by=by, ticket_status=ticket_status)
    return len(changing)


@transaction.atomic
def ticket_bulk_assign(*, tickets: QuerySet[Ticket], by, assignee) -> int:
    """`ticket_update` for each ticket not yet assigned to `assignee`; returns how many changed."""
    changing = list(tickets.exclude(assigned_to=assignee).order_by("pk"))
    for ticket in changing:
        ticket_update(ticket=ticket, by=by, assignee=assignee)
    return len(changing)


@transaction.atomic
def comment_create_by_agent(*, ticket: Ticket, author, text: str, is_internal: bool) -> Comment:
    """A staff reply: public (the customer sees it through E6) or an internal note (never leaves
    the support desk, CONTRACT §10). Same length limit as a customer's comment.

    A public reply makes the ticket wait on the customer (unless it is closed) and sets
    `modified_at`/`modified_by` (§11); an internal note changes nothing a customer can see."""
    _require_staff(author, "reply to tickets")
    if not text.strip():
        raise ValidationError(COMMENT_BLANK)
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(COMMENT_TOO_LONG)
    now = timezone.now()
    if is_internal:
        comment = Comment(ticket=ticket, author_user=author, text=text, is_internal=True, created_at=now)
        comment.save(force_insert=True)
        history.record_comment(comment=comment)
        return comment
    locked = lock_ticket(ticket)
    locked.modified_by, locked.modified_at = author, now
    comment = Comment(ticket=locked, author_user=author, text=text, is_internal=False, created_at=now)
    comment.save(force_insert=True)
    history.record_comment(comment=comment)
    _set_waiting(
        locked,
        workflow.waiting_after_comment(
            _waiting(locked), by_customer=False, ticket_status=locked.ticket_status, at=now
        ),
    )
    locked.save(update_fields=_VISIBLE_CHANGE_FIELDS)
    return comment


@transaction.atomic
def agent_create(
    *, username: str, email: str, password: str | None, first_name: str = "", last_name: str = ""
):
    """A staff user in the `Support agent` group: may work tickets, nothing more (no superuser).

    The password goes through the configured password validators, like `createsuperuser`;
    None gives an unusable password (the agent cannot log in until one is set).
    """
    group = Group.objects.filter(name=SUPPORT_AGENT_GROUP).first()
    if group is None:
        raise ValidationError(AGENT_GROUP_MISSING)
    user = get_user_model()(
        username=username, email=email, first_name=first_name, last_name=last_name, is_staff=True
    )
    if password is None:
        user.set_unusable_password()
    else:
        if not password:
            raise ValidationError(AGENT_PASSWORD_BLANK)
        validate_password(password, user)
        user.set_password(password)
    user.full_clean()
    user.save()
    user.groups.add(group)
    return user
