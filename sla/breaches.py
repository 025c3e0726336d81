"""Breaches of running targets, found by the worker's periodic check.

A target whose due time has passed while it runs is recorded once as an `sla_breached` event
(by the system), in a transaction with marking the clock; other systems hear of it as
`ticket.sla_breached`. Two workers checking at once record it once: each ticket is taken under
its row lock (skipping a ticket another transaction holds: it is looked at next time), and the
clock is marked with a conditional update that only one of them can win.
"""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sla.clocks import Outcome, record_outcome
from sla.models import SlaTarget, TicketClock
from tickets.models import Ticket

# At most this many tickets are looked at in one run (the longest overdue first).
BATCH = 500


def overdue(now: datetime.datetime):
    """Clocks with a running due time passed and not recorded (the partial indexes' query)."""
    return TicketClock.objects.filter(
        Q(reply_due__lte=now, reply_breached_at__isnull=True)
        | Q(resolution_due__lte=now, resolution_breached_at__isnull=True)
    )


def record_breaches(now: datetime.datetime | None = None) -> int:
    """Record each overdue target not yet recorded; the number of events recorded."""
    now = now or timezone.now()
    ticket_ids = list(overdue(now).order_by("next_due_at").values_list("ticket_id", flat=True)[:BATCH])
    return sum(_record_for(ticket_id, now) for ticket_id in ticket_ids)


def _record_for(ticket_id: int, now: datetime.datetime) -> int:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",), skip_locked=True)
            .select_related("assigned_to")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None:
            return 0
        clock = overdue(now).filter(ticket_id=ticket_id).first()
        if clock is None:
            return 0
        clocks = TicketClock.objects.filter(ticket_id=ticket_id)
        breaches = []
        running = (
            (clock.reply_target or SlaTarget.FIRST_REPLY, "reply_due", "reply_breached_at"),
            (SlaTarget.RESOLUTION, "resolution_due", "resolution_breached_at"),
        )
        for target, due_field, breached_field in running:
            due = getattr(clock, due_field)
            if due is None or due > now or getattr(clock, breached_field) is not None:
                continue
            # Marked only if still as read: a concurrent check that won leaves nothing to update.
            if clocks.filter(**{due_field: due, f"{breached_field}__isnull": True}).update(
                **{breached_field: due}
            ):
                breaches.append(Outcome(target, due))
        for breach in breaches:
            record_outcome(ticket, breach, at=now)
        return len(breaches)
