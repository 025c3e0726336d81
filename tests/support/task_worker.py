"""The queued tasks run as a worker runs them: django-tasks-db's own worker, in this process."""

from unittest import mock

from django.db import connection
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands import db_worker
from django_tasks_db.models import DBTaskResult


def run_queued_tasks() -> int:
    """Run every task due now, one after another, as `db_worker --batch` does, and return how
    many ran; a task queued for later stays queued. Signals are left alone: this is not a process.

    Inside a test's transaction (pytest-django's `db`) the worker's connection recycling between
    tasks (`close_old_connections`, which closes a connection whose autocommit is not the
    configured one) would close that transaction's connection on PostgreSQL, so it is skipped
    there; everything else is the worker's own loop."""
    worker = db_worker.Worker(
        queue_names=["default"],
        interval=0,
        batch=True,
        backend_name="default",
        startup_delay=False,
        max_tasks=None,
        worker_id="tests",
        excluded_queue_names=[],
    )
    if connection.in_atomic_block:
        with mock.patch.object(db_worker, "close_old_connections", return_value=None):
            worker.run()
    else:
        worker.run()
    return worker._run_tasks


def queued(task) -> list[DBTaskResult]:
    """The rows of `task` waiting to run (now or later), oldest first."""
    return list(
        DBTaskResult.objects.filter(task_path=task.module_path, status=TaskResultStatus.READY).order_by(
            "enqueued_at"
        )
    )
