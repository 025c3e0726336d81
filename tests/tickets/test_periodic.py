"""Periodic tasks: queued once however many workers start, and again after a killed run."""

import datetime

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.support.task_worker import queued
from tickets import periodic
from webhooks import recovery

pytestmark = pytest.mark.django_db


def test_a_periodic_task_is_queued_once_however_many_workers_ask():
    assert periodic.ensure_scheduled(recovery.recover, datetime.timedelta(seconds=60)) is True
    assert periodic.ensure_scheduled(recovery.recover, datetime.timedelta(seconds=60)) is False
    [row] = queued(recovery.recover)
    assert row.run_after > timezone.now() + datetime.timedelta(seconds=59)


def test_a_run_left_running_by_a_killed_worker_does_not_stop_the_next_being_queued():
    result = recovery.recover.enqueue()
    DBTaskResult.objects.filter(pk=result.id).update(status=TaskResultStatus.RUNNING)
    assert periodic.ensure_scheduled(recovery.recover, datetime.timedelta(seconds=60)) is True
