"""Service levels in the queue and on the ticket page: the "Due" column, its highlight, the
queue's default order and the ticket page's summary of each target. The rules (when a ticket is
breached or nearly) are the sla app's; this is how the desk shows them."""

import datetime

from django.contrib import admin
from django.db.models import F
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from sla.models import SlaTarget, TicketClock
from sla.selectors import due_state
from tickets.formats import format_datetime

# Soonest due first (nothing running last), then whose turn it is, longest waiting first.
NEXT_DUE = F("sla_clock__next_due_at").asc(nulls_last=True)
QUEUE_ORDER = (NEXT_DUE, "waiting_on", "waiting_since", "pk")
NOTHING_RUNS = "—"


def duration(span: datetime.timedelta) -> str:
    """A short, rounded-down length: `25 min`, `3 h`, `2 days`."""
    minutes = int(span.total_seconds() // 60)
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h"
    return f"{minutes // (24 * 60)} days"


def due_text(due: datetime.datetime, now: datetime.datetime) -> str:
    return f"in {duration(due - now)}" if due > now else f"overdue {duration(now - due)}"


def _clock(ticket) -> TicketClock | None:
    try:
        return ticket.sla_clock
    except TicketClock.DoesNotExist:
        return None


class SlaColumns:
    """The ticket admin's SLA column and read-only field; the queue joins the clock
    (`list_select_related`), so the column costs no query per row."""

    @admin.display(description="due", ordering=NEXT_DUE)
    def due(self, ticket):
        """ "in 25 min", "overdue 3 h", or "—" when nothing runs; the exact time in the tooltip.
        The class marks breached and nearly breached rows (desk/sla.css)."""
        clock = _clock(ticket)
        due = clock.next_due_at if clock is not None else None
        now = timezone.now()
        state = due_state(due, now)
        if due is None or state is None:
            return NOTHING_RUNS
        return format_html(
            '<span class="desk-due desk-due-{}" title="Due {}">{}</span>',
            state,
            format_datetime(due),
            due_text(due, now),
        )

    @admin.display(description="service level")
    def service_level(self, ticket):
        """Each target: due (and when), breached, or met; nothing when no policy covers it."""
        clock = _clock(ticket)
        if clock is None:
            return NOTHING_RUNS
        now = timezone.now()
        lines = []
        if clock.first_replied_at is not None:
            lines.append((SlaTarget.FIRST_REPLY.label, f"replied {format_datetime(clock.first_replied_at)}"))
        if clock.reply_due is not None:
            lines.append((SlaTarget(clock.reply_target).label, _due_line(clock.reply_due, now)))
        if clock.resolution_due is not None:
            lines.append((SlaTarget.RESOLUTION.label, _due_line(clock.resolution_due, now)))
        elif clock.resolution_breached_at is not None:
            lines.append(
                (
                    SlaTarget.RESOLUTION.label,
                    f"breached (was due {format_datetime(clock.resolution_breached_at)})",
                )
            )
        if clock.next_due_at is None:
            lines.append(
                ("Clock", "paused: nothing is due while the ticket waits on the customer or is closed")
            )
        return format_html_join(mark_safe("<br>"), "<strong>{}</strong>: {}", lines)


def _due_line(due: datetime.datetime, now: datetime.datetime) -> str:
    return f"due {format_datetime(due)} ({due_text(due, now)})"
