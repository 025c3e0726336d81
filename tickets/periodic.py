"""Tasks the worker keeps queued for ever (each runs, then queues its next run), for any app.

`settings.WORKER_PERIODIC_TASKS` lists, by dotted path, each app's function that makes sure its
periodic tasks are queued (with `ensure_scheduled`); the worker (`manage.py run_worker`) calls
`keep_scheduled` when it starts and again once its database is back after an error. The
project's settings name the apps, so the worker's app imports none of them.
"""

import datetime

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django_tasks.base import Task, TaskResultStatus
from django_tasks_db.models import DBTaskResult

# pg_advisory_xact_lock key: one worker at a time decides whether a periodic task is queued.
SCHEDULE_LOCK = int.from_bytes(b"periodic")


def ensure_scheduled(periodic: Task, delay: datetime.timedelta) -> bool:
    """Queue `periodic` to run after `delay` unless a run of it is already queued; True if queued.

    Decided under a lock (PostgreSQL's advisory lock; SQLite's write transactions take turns
    anyway), so workers starting together queue one run, not one each. A RUNNING row is not
    counted: it may belong to a worker that was killed."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [SCHEDULE_LOCK])
        queued = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path=periodic.module_path)
        if queued.exists():
            return False
        periodic.using(run_after=timezone.now() + delay).enqueue()
    return True


def keep_scheduled() -> None:
    """Every app's periodic tasks queued (`settings.WORKER_PERIODIC_TASKS`)."""
    for path in settings.WORKER_PERIODIC_TASKS:
        import_string(path)()
