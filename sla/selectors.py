"""Reads of the service levels for the desk's reports."""

import datetime
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from sla.models import SlaOutcome


@dataclass(frozen=True)
class WeekAttainment:
    """One ISO week (Monday `week` in settings.TIME_ZONE): the targets decided in it and how
    many of them were met in time."""

    week: datetime.date
    targets: int
    met_in_time: int

    @property
    def percent(self) -> float | None:
        """Met in time as a percentage; None for a week without targets."""
        return None if self.targets == 0 else 100.0 * self.met_in_time / self.targets


def attainment_by_week(weeks: int, *, now: datetime.datetime | None = None) -> list[WeekAttainment]:
    """SLA attainment of the last `weeks` ISO weeks (this one included, oldest first, a week
    without targets as zeros), in settings.TIME_ZONE.

    A target is counted once, in the week it was decided (`SlaOutcome.decided_at`): a reply
    target when the public reply came, a resolution target when the ticket was closed (each
    close), or either when its due time passed first — then it is breached, and counted in the
    week of its due time even if it was met later. `met_in_time` counts those met before their
    due time. A reply period that ended without a reply (Wait For Response, closing) and
    before its due time decides nothing. One aggregate query."""
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    today = (now or timezone.now()).astimezone(zone).date()
    this_monday = today - datetime.timedelta(days=today.weekday())
    mondays = [this_monday - datetime.timedelta(weeks=back) for back in range(weeks - 1, -1, -1)]
    start = datetime.datetime.combine(mondays[0], datetime.time(), tzinfo=zone)
    rows = (
        SlaOutcome.objects.filter(decided_at__gte=start)
        .annotate(week=TruncWeek("decided_at", tzinfo=zone))
        .values("week")
        .annotate(targets=Count("pk"), met_in_time=Count("pk", filter=Q(in_time=True)))
        .order_by("week")
    )
    counted = {_as_date(row["week"]): (row["targets"], row["met_in_time"]) for row in rows}
    return [WeekAttainment(monday, *counted.get(monday, (0, 0))) for monday in mondays]


def _as_date(week: datetime.datetime | datetime.date) -> datetime.date:
    return week.date() if isinstance(week, datetime.datetime) else week


# --- The queue: how soon a ticket is due ---------------------------------------------------------

BREACHED, DUE_SOON, ON_TIME = "breached", "soon", "on-time"


def warning() -> datetime.timedelta:
    """How close to its due time a ticket counts as nearly breached (CRM_SLA_WARNING_MINUTES):
    the queue's highlight and its "due soon" filter."""
    return datetime.timedelta(minutes=settings.CRM_SLA_WARNING_MINUTES)


def due_state(next_due_at: datetime.datetime | None, now: datetime.datetime) -> str | None:
    """`BREACHED` (the due time has passed), `DUE_SOON` (within `warning()`), `ON_TIME`, or None
    when no target runs."""
    if next_due_at is None:
        return None
    if next_due_at <= now:
        return BREACHED
    return DUE_SOON if next_due_at <= now + warning() else ON_TIME


def tickets_breached(tickets: QuerySet, now: datetime.datetime) -> QuerySet:
    """Tickets with a running target past its due time."""
    return tickets.filter(sla_clock__next_due_at__lte=now)


def tickets_due_soon(tickets: QuerySet, now: datetime.datetime) -> QuerySet:
    """Tickets whose next target is due within `warning()` and not yet past."""
    return tickets.filter(sla_clock__next_due_at__gt=now, sla_clock__next_due_at__lte=now + warning())
