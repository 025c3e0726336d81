"""Writes to the store. Every function is atomic: it fully happens or not at all (CONTRACT §8)."""

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from tickets.models import Comment, Ticket, TicketNumberCounter

TICKET_SEQUENCE = "ticket"
UPDATE_LOG_CREATED = "Ticket created."


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
    """Create a ticket and its history. API tickets start unassigned (CONTRACT §7)."""
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
        update_log=UPDATE_LOG_CREATED,
        created_at=now,
        modified_at=now,
    )
    ticket.full_clean(validate_unique=False, validate_constraints=False)
    ticket.save(force_insert=True)
    return ticket


@transaction.atomic
def comment_create_by_contact(*, ticket: Ticket, contact_number: int, text: str) -> Comment:
    """A customer's public comment on its own ticket (E4)."""
    comment = Comment(ticket=ticket, author_contact=contact_number, text=text, created_at=timezone.now())
    comment.save(force_insert=True)
    return comment
