"""Deliveries a worker lost, found again (CONTRACT §12: at least once).

A worker killed in the middle of an attempt leaves its delivery leased (`lease_until`) and its
task row RUNNING for ever. `recover()` runs when a worker starts and then every
CRM_WORKER_RECOVER_INTERVAL seconds as the self-rescheduling `recover` task: it queues a new
attempt for every delivery whose lease ran out, marks the task rows of those attempts failed so
they do not pile up as RUNNING, and queues any pending delivery long overdue that has no task
at all (its task failed outside the attempt, say the database went away in the middle).
"""

import datetime
import logging
import traceback

from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tickets import periodic
from tickets.periodic import ensure_scheduled
from webhooks import delivery, tasks
from webhooks.models import DeliveryState, WebhookDelivery

logger = logging.getLogger("webhooks.recovery")

# A pending delivery due this long ago with no task queued or running has lost its task.
LOST_AFTER = datetime.timedelta(minutes=5)
# At most this many such deliveries are looked at in one run (the oldest first).
LOST_BATCH = 1000
# How often finished task rows older than CRM_TASK_RESULTS_KEEP_DAYS are deleted.
PRUNE_EVERY = datetime.timedelta(days=1)


class AttemptInterrupted(Exception):
    """Recorded on the task row of an attempt whose worker stopped in the middle of it."""


def attempt_limit() -> datetime.timedelta:
    """The longest an attempt's task can run, its lease: a RUNNING row older was abandoned."""
    return datetime.timedelta(seconds=settings.CRM_WEBHOOK_TIMEOUT) + delivery.LEASE_MARGIN


def recover_deliveries() -> int:
    """Queue an attempt for each interrupted or lost delivery; the number queued."""
    now = timezone.now()
    queued = 0
    interrupted = WebhookDelivery.objects.filter(state=DeliveryState.PENDING, lease_until__lt=now)
    for delivery_id in interrupted.values_list("pk", flat=True):
        queued += _queue_again(delivery_id, now)
    _fail_abandoned_task_rows(now)
    for delivery_id in _lost_delivery_ids(now):
        queued += _queue_again(delivery_id, now)
    if queued:
        logger.warning("Queued %d interrupted or lost webhook deliveries again.", queued)
    return queued


def _queue_again(delivery_id: int, now: datetime.datetime) -> int:
    """Release the lease and queue an attempt now, unless another worker got there first."""
    with transaction.atomic():
        delivery = (
            WebhookDelivery.objects.select_for_update(skip_locked=True)
            .filter(pk=delivery_id, state=DeliveryState.PENDING)
            .first()
        )
        if delivery is None or (delivery.lease_until is not None and delivery.lease_until >= now):
            return 0
        delivery.lease_until = None
        delivery.save(update_fields=["lease_until"])
        tasks.deliver.enqueue(delivery.pk)
    return 1


def _fail_abandoned_task_rows(now: datetime.datetime) -> None:
    """RUNNING `deliver` rows started longer ago than any attempt lasts belong to a worker that
    is gone: failed, so they neither pile up nor hide their delivery from `_lost_delivery_ids`."""
    error = AttemptInterrupted("The worker stopped during this attempt.")
    DBTaskResult.objects.running().filter(
        task_path=tasks.deliver.module_path, started_at__lt=now - attempt_limit()
    ).update(
        status=TaskResultStatus.FAILED,
        finished_at=now,
        exception_class_path=f"{AttemptInterrupted.__module__}.{AttemptInterrupted.__qualname__}",
        traceback="".join(traceback.format_exception_only(error)),
    )


def _lost_delivery_ids(now: datetime.datetime) -> list[int]:
    """Pending, unleased, overdue by LOST_AFTER, with no deliver task ready or running."""
    overdue = WebhookDelivery.objects.filter(
        state=DeliveryState.PENDING, lease_until__isnull=True, next_attempt_at__lt=now - LOST_AFTER
    )
    candidates = set(overdue.order_by("next_attempt_at").values_list("pk", flat=True)[:LOST_BATCH])
    if not candidates:
        return []
    queued = DBTaskResult.objects.filter(
        task_path=tasks.deliver.module_path,
        status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING],
        args_kwargs__args__0__in=candidates,
    ).values_list("args_kwargs", flat=True)
    return sorted(candidates - {args_kwargs["args"][0] for args_kwargs in queued})


def recover_interval() -> datetime.timedelta:
    return datetime.timedelta(seconds=settings.CRM_WORKER_RECOVER_INTERVAL)


@task()
def recover() -> None:
    """`recover_deliveries()`, then the next run (also after a failure of this one)."""
    try:
        recover_deliveries()
    finally:
        ensure_scheduled(recover, recover_interval())


@task()
def prune() -> None:
    """Delete finished task rows older than CRM_TASK_RESULTS_KEEP_DAYS, then the next run."""
    try:
        call_command(
            "prune_db_task_results",
            queue_name="*",
            min_age_days=settings.CRM_TASK_RESULTS_KEEP_DAYS,
            verbosity=0,
        )
    finally:
        ensure_scheduled(prune, PRUNE_EVERY)


def keep_scheduled() -> None:
    """Both periodic tasks queued (listed in `settings.WORKER_PERIODIC_TASKS`, so the worker
    calls this when it starts, and again once its database is back after an error: a run that
    failed with the database could not queue its next one)."""
    ensure_scheduled(recover, recover_interval())
    ensure_scheduled(prune, PRUNE_EVERY)


def on_worker_start() -> None:
    """What a worker does before taking tasks: the lost deliveries queued again, and every
    app's periodic tasks queued."""
    recover_deliveries()
    periodic.keep_scheduled()
