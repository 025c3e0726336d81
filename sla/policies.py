"""The SLA policies and their calendars, kept in each process.

Every ticket change reads its priority's targets; reading them from the database would cost
queries on every create and comment. So a process loads all policies and calendars at once
(three queries) and keeps them `CRM_SLA_SETTINGS_TTL` seconds. A save or delete of a policy,
calendar, interval or holiday drops this process's copy at once and, after the commit, queues
`tasks.recompute_open_clocks` to run once the TTL has passed: by then every process has reloaded,
so the tickets that another process changed with the old settings meanwhile are recomputed too.
No shared-cache lookup on the hot path, and no staleness that outlives the recompute.
"""

import datetime
import threading
import time
import zoneinfo
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models.signals import post_delete, post_save

from sla.clock import BusinessHours, Interval
from sla.models import BusinessCalendar, Holiday, OpeningHours, SlaPolicy, SlaTarget


@dataclass(frozen=True)
class Targets:
    """One priority's targets in business seconds, and the hours they are counted in."""

    first_reply: int
    next_reply: int
    resolution: int
    hours: BusinessHours

    def reply(self, target: str) -> int:
        return self.first_reply if target == SlaTarget.FIRST_REPLY else self.next_reply


_lock = threading.Lock()
_loaded: tuple[float, dict[str, Targets]] | None = None


def business_hours(calendar: BusinessCalendar) -> BusinessHours:
    """A calendar with its `opening_hours` and `holidays` (prefetched) as arithmetic."""
    weekly: dict[int, list[Interval]] = {}
    for hours in calendar.opening_hours.all():
        weekly.setdefault(hours.weekday, []).append(Interval(hours.start_minute, hours.end_minute))
    holidays = frozenset(holiday.date for holiday in calendar.holidays.all())
    return BusinessHours(zoneinfo.ZoneInfo(calendar.time_zone), weekly, holidays)


def _load() -> dict[str, Targets]:
    policies = SlaPolicy.objects.select_related("calendar").prefetch_related(
        "calendar__opening_hours", "calendar__holidays"
    )
    hours: dict[int, BusinessHours] = {}
    targets = {}
    for policy in policies:
        if policy.calendar_id not in hours:
            hours[policy.calendar_id] = business_hours(policy.calendar)
        targets[policy.priority] = Targets(
            first_reply=policy.first_reply_minutes * 60,
            next_reply=policy.next_reply_minutes * 60,
            resolution=policy.resolution_minutes * 60,
            hours=hours[policy.calendar_id],
        )
    return targets


def targets_for(priority: str) -> Targets | None:
    """The priority's targets, or None when no policy covers it (its tickets have no clock)."""
    global _loaded
    loaded = _loaded
    if loaded is None or time.monotonic() - loaded[0] > settings.CRM_SLA_SETTINGS_TTL:
        with _lock:
            loaded = (time.monotonic(), _load())
            _loaded = loaded
    return loaded[1].get(priority)


def forget() -> None:
    """Drop this process's copy: the next `targets_for` reads the database."""
    global _loaded
    _loaded = None


def settings_changed(**kwargs) -> None:
    forget()
    transaction.on_commit(_schedule_recompute)


def _schedule_recompute() -> None:
    from sla import tasks

    tasks.schedule_recompute(datetime.timedelta(seconds=settings.CRM_SLA_SETTINGS_TTL))


def connect() -> None:
    for model in (BusinessCalendar, OpeningHours, Holiday, SlaPolicy):
        post_save.connect(settings_changed, sender=model, dispatch_uid=f"sla.policies.{model.__name__}.save")
        post_delete.connect(
            settings_changed, sender=model, dispatch_uid=f"sla.policies.{model.__name__}.delete"
        )
