"""What a worker finds again when it starts, and every CRM_WORKER_RECOVER_INTERVAL seconds: the
deliveries whose attempt was cut short (lease run out), the task rows such attempts left
RUNNING, deliveries that lost their task; and the periodic tasks that keep themselves queued,
one run at a time. The process-level faults are in test_worker.py."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.factories import WebhookDeliveryFactory
from tests.support.task_worker import queued, run_queued_tasks
from tests.support.webhook_receiver import WebhookReceiver
from webhooks import recovery, tasks
from webhooks.models import DeliveryState

pytestmark = pytest.mark.django_db

SECOND = datetime.timedelta(seconds=1)


def running_task_row(delivery, started_at: datetime.datetime) -> DBTaskResult:
    """The row of a `deliver` task a worker claimed at `started_at` and never finished."""
    result = tasks.deliver.enqueue(delivery.pk)
    row = DBTaskResult.objects.get(pk=result.id)
    row.status, row.started_at, row.worker_ids = TaskResultStatus.RUNNING, started_at, ["gone"]
    row.save()
    return row


def test_a_delivery_whose_lease_ran_out_is_queued_again_with_the_lease_released():
    delivery = WebhookDeliveryFactory(lease_until=timezone.now() - SECOND)
    assert recovery.recover_deliveries() == 1
    delivery.refresh_from_db()
    assert delivery.lease_until is None
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]


def test_a_delivery_under_a_live_lease_is_left_to_the_attempt_holding_it():
    WebhookDeliveryFactory(lease_until=timezone.now() + datetime.timedelta(seconds=30))
    assert recovery.recover_deliveries() == 0
    assert queued(tasks.deliver) == []


@pytest.mark.parametrize("finished", [DeliveryState.SUCCEEDED, DeliveryState.FAILED, DeliveryState.CANCELLED])
def test_a_finished_delivery_is_never_queued_again(finished):
    WebhookDeliveryFactory(state=finished, lease_until=timezone.now() - SECOND)
    assert recovery.recover_deliveries() == 0
    assert queued(tasks.deliver) == []


def test_the_task_row_of_an_abandoned_attempt_is_marked_failed():
    delivery = WebhookDeliveryFactory(lease_until=timezone.now() - SECOND)
    row = running_task_row(delivery, timezone.now() - recovery.attempt_limit() - SECOND)
    recovery.recover_deliveries()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.FAILED
    assert row.exception_class_path == "webhooks.recovery.AttemptInterrupted"
    assert row.finished_at is not None


def test_a_task_row_running_for_less_than_an_attempt_may_last_is_left_running():
    delivery = WebhookDeliveryFactory(lease_until=timezone.now() + datetime.timedelta(seconds=30))
    row = running_task_row(
        delivery, timezone.now() - recovery.attempt_limit() + datetime.timedelta(seconds=5)
    )
    recovery.recover_deliveries()
    row.refresh_from_db()
    assert row.status == TaskResultStatus.RUNNING


def test_a_pending_delivery_overdue_with_no_task_is_queued_again():
    """Its task failed outside the attempt (the database gone in the middle of it, say)."""
    delivery = WebhookDeliveryFactory(next_attempt_at=timezone.now() - recovery.LOST_AFTER - SECOND)
    assert recovery.recover_deliveries() == 1
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]


def test_an_overdue_delivery_whose_task_is_queued_gets_no_second_one():
    """A backlog: the worker has not reached its task yet."""
    delivery = WebhookDeliveryFactory(next_attempt_at=timezone.now() - recovery.LOST_AFTER - SECOND)
    tasks.deliver.enqueue(delivery.pk)
    assert recovery.recover_deliveries() == 0
    assert len(queued(tasks.deliver)) == 1


def test_a_delivery_due_less_than_the_lost_delay_ago_is_left_to_its_task():
    WebhookDeliveryFactory(
        next_attempt_at=timezone.now() - recovery.LOST_AFTER + datetime.timedelta(seconds=30)
    )
    assert recovery.recover_deliveries() == 0


def test_a_delivery_whose_abandoned_attempt_left_no_lease_is_queued_again_once_overdue():
    """The worker died after claiming the task and before leasing the delivery: the row is
    failed first, so it no longer counts as the delivery's task."""
    delivery = WebhookDeliveryFactory(next_attempt_at=timezone.now() - recovery.LOST_AFTER - SECOND)
    running_task_row(delivery, timezone.now() - recovery.attempt_limit() - SECOND)
    assert recovery.recover_deliveries() == 1
    assert len(queued(tasks.deliver)) == 1


def test_the_recover_task_recovers_and_queues_its_next_run_a_recover_interval_later(settings):
    settings.CRM_WORKER_RECOVER_INTERVAL = 30
    with WebhookReceiver() as receiver:
        delivery = WebhookDeliveryFactory(endpoint__url=receiver.url, lease_until=timezone.now() - SECOND)
        recovery.recover.enqueue()
        before = timezone.now()
        run_queued_tasks()  # the recover task, then the deliver task it queued
        [request] = receiver.requests
    assert request.headers["webhook-id"] == delivery.webhook_id
    [next_run] = queued(recovery.recover)
    assert before + datetime.timedelta(seconds=30) <= next_run.run_after <= timezone.now() + 30 * SECOND


def test_prune_deletes_finished_task_rows_older_than_the_kept_days_and_queues_the_next_prune(settings):
    settings.CRM_TASK_RESULTS_KEEP_DAYS = 14
    old, recent = (recovery.recover.enqueue() for _ in range(2))
    now = timezone.now()
    DBTaskResult.objects.filter(pk=old.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now - datetime.timedelta(days=15)
    )
    DBTaskResult.objects.filter(pk=recent.id).update(
        status=TaskResultStatus.SUCCESSFUL, finished_at=now - datetime.timedelta(days=13)
    )
    recovery.prune.call()
    left = DBTaskResult.objects.filter(task_path=recovery.recover.module_path).values_list("pk", flat=True)
    assert [str(pk) for pk in left] == [recent.id]
    [next_run] = queued(recovery.prune)
    assert next_run.run_after > now + recovery.PRUNE_EVERY - SECOND
