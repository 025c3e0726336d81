"""The worker's SLA tasks: the periodic breach check, and recomputing open tickets' clocks
after a supervisor changes a policy or calendar."""

import datetime

from django.conf import settings
from django_tasks import task

from sla import breaches, clocks
from tickets.periodic import ensure_scheduled


def check_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CRM_SLA_CHECK_INTERVAL)


@task()
def check_breaches() -> None:
    """`breaches.record_breaches()`, then the next run (also after a failure of this one)."""
    try:
        breaches.record_breaches()
    finally:
        ensure_scheduled(check_breaches, check_interval())


@task()
def recompute_open_clocks() -> None:
    clocks.recompute_open()


def schedule_recompute(delay: datetime.timedelta) -> None:
    """Recompute open tickets' clocks after `delay`, unless a recompute is already queued."""
    ensure_scheduled(recompute_open_clocks, delay)


def keep_scheduled() -> None:
    """The breach check queued (one of `settings.WORKER_PERIODIC_TASKS`)."""
    ensure_scheduled(check_breaches, check_interval())
