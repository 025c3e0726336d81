"""Writes to the store. Every function is atomic: it fully happens or not at all (CONTRACT §8)."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from tickets import history
from tickets.history import ActorKind, EventKind
from tickets.models import COMMENT_MAX_LENGTH, Comment, Ticket, TicketNumberCounter, TicketStatus

TICKET_SEQUENCE = "ticket"

# Created by migration 0003_support_agent_group, which also fixes its permissions.
SUPPORT_AGENT_GROUP = "Support agent"

COMMENT_BLANK = "A reply must not be blank."
COMMENT_TOO_LONG = f"A reply must be at most {COMMENT_MAX_LENGTH} characters."
NOT_STAFF = "Only staff users can {what}."
UNKNOWN_STATUS = "'{status}' is not a ticket status."
AGENT_GROUP_MISSING = f"The '{SUPPORT_AGENT_GROUP}' group is missing: run `manage.py migrate`."
AGENT_PASSWORD_BLANK = "The password must not be blank."

# `assignee` left out of ticket_update: keep the current one (None means "unassign").
_KEEP = object()


def _next_ticket_number() -> int:
    """Allocate the next ticket number inside the caller's transaction.

    One UPDATE ... RETURNING on the counter row: the row lock is held only until the creating
    transaction commits, concurrent creates queue on it, and a rolled-back create gives its
    number back, so numbers are unique, increasing and never skipped by failed creates.
    `CRM_TICKET_NUMBER_START` raises the floor at any time (a migrated store continues its
    numbering).
    """
    start = settings.CRM_TICKET_NUMBER_START
    greatest = "MAX" if connection.vendor == "sqlite" else "GREATEST"
    table = TicketNumberCounter._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET last_number = {greatest}(last_number + 1, %s) "
            "WHERE name = %s RETURNING last_number",
            [start, TICKET_SEQUENCE],
        )
        row = cursor.fetchone()
    if row is not None:
        return row[0]
    # First ticket ever: create the counter. A concurrent first create that loses the race
    # on the primary key retries through the UPDATE above.
    _, created = TicketNumberCounter.objects.get_or_create(
        name=TICKET_SEQUENCE, defaults={"last_number": start}
    )
    return start if created else _next_ticket_number()


@transaction.atomic
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
    """Create a ticket and its `created` event. API tickets start unassigned (CONTRACT §7).

    The returned ticket carries the event it was created with, so its record renders the update
    log without reading it back.
    """
    now = timezone.now()
    ticket = Ticket(
        ticket_number=_next_ticket_number(),
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
        created_at=now,
        modified_at=now,
    )
    ticket.full_clean(validate_unique=False, validate_constraints=False)
    ticket.save(force_insert=True)
    ticket.loaded_events = [history.record_created(ticket=ticket, at=now)]
    return ticket


@transaction.atomic
def comment_create_by_contact(*, ticket: Ticket, contact_number: int, text: str) -> Comment:
    """A customer's public comment on its own ticket (E4)."""
    comment = Comment(ticket=ticket, author_contact=contact_number, text=text, created_at=timezone.now())
    comment.save(force_insert=True)
    history.record_comment(comment=comment)
    return comment


def _require_staff(user, what: str) -> None:
    if not (user.is_staff and user.is_active):
        raise ValidationError(NOT_STAFF.format(what=what))


@transaction.atomic
def ticket_update(*, ticket: Ticket, by, ticket_status: str | None = None, assignee=_KEEP) -> Ticket:
    """A staff user's change of status and/or assignee (the support desk, single or bulk).

    Each real change records one event with who and when (one line of the update log), and
    sets `modified_by`/`modified_at`, which E7's record shows (CONTRACT §7). A change to the
    current value is no change: nothing is recorded or saved. The row is locked and re-read so
    concurrent agents see each other's changes and their events follow in the order they happened.
    """
    _require_staff(by, "change tickets")
    if ticket_status is not None and ticket_status not in TicketStatus.values:
        raise ValidationError(UNKNOWN_STATUS.format(status=ticket_status))
    locked = Ticket.objects.select_for_update(of=("self",)).select_related("assigned_to").get(pk=ticket.pk)
    changes: list[tuple[EventKind, str, str]] = []
    if ticket_status is not None and ticket_status != locked.ticket_status:
        changes.append((EventKind.STATUS_CHANGED, locked.ticket_status, ticket_status))
        locked.ticket_status = ticket_status
    if assignee is not _KEEP and getattr(assignee, "pk", None) != locked.assigned_to_id:
        if assignee is not None:
            _require_staff(assignee, "be assigned tickets")
        old, new = history.assignee_value(locked.assigned_to), history.assignee_value(assignee)
        changes.append((EventKind.ASSIGNEE_CHANGED, old, new))
        locked.assigned_to = assignee
    if not changes:
        return locked
    now = timezone.now()
    locked.modified_by = by
    locked.modified_at = now
    locked.save(update_fields=["ticket_status", "assigned_to", "modified_by", "modified_at"])
    for kind, before, after in changes:
        history.record_event(
            ticket=locked,
            kind=kind,
            at=now,
            actor_kind=ActorKind.STAFF,
            actor=by,
            old_value=before,
            new_value=after,
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
    the support desk, CONTRACT §10). Same length limit as a customer's comment."""
    _require_staff(author, "reply to tickets")
    if not text.strip():
        raise ValidationError(COMMENT_BLANK)
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(COMMENT_TOO_LONG)
    comment = Comment(
        ticket=ticket, author_user=author, text=text, is_internal=is_internal, created_at=timezone.now()
    )
    comment.save(force_insert=True)
    history.record_comment(comment=comment)
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
