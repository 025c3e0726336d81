"""`manage.py run_worker`: the process that runs the queued tasks (webhook deliveries, emails).

django-tasks' database worker, in `--threads` threads of one process, each with its own database
connection: a receiver that hangs holds one thread while the others go on delivering. Run as
many processes as needed, on any machines; the database hands each task to one of them. First
the interrupted deliveries are queued again (webhooks.recovery), then the threads start.

SIGINT or SIGTERM: no new task is taken, the attempts under way finish, then the process exits;
a second signal exits at once (an attempt cut short is delivered again later).
"""

import logging
import os
import signal
import socket
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.db import DatabaseError, connections
from django_tasks_db.management.commands.db_worker import Worker, valid_interval

from tickets import periodic
from webhooks import recovery

logger = logging.getLogger("webhooks.worker")

# In the log line that says the threads run (tests wait for it).
STARTED = ", looking for tasks every "
# After an unexpected error (the database gone away, say) a thread waits this long, then polls again.
RETRY_AFTER_ERROR = 1.0


def positive_int(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = "Run the background worker: webhook deliveries and emails, in several threads."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--threads",
            type=positive_int,
            default=settings.CRM_WORKER_THREADS,
            help="tasks run at once (default: CRM_WORKER_THREADS, %(default)s)",
        )
        parser.add_argument(
            "--interval",
            type=valid_interval,
            default=settings.CRM_WORKER_INTERVAL,
            help="seconds an idle thread waits before looking for a task again "
            "(default: CRM_WORKER_INTERVAL, %(default)s)",
        )

    def handle(self, *args, threads: int, interval: float, **options) -> None:
        recovery.on_worker_start()
        connections.close_all()  # the threads open their own
        name = f"{socket.gethostname()}-{os.getpid()}"[:56]
        workers = [
            Worker(
                queue_names=list(settings.TASKS["default"]["QUEUES"]),
                interval=interval,
                batch=False,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id=f"{name}-{number}",
                excluded_queue_names=[],
            )
            for number in range(threads)
        ]
        stopping = threading.Event()
        self._handle_signals(workers, stopping)
        running = [
            threading.Thread(target=serve, args=(worker, stopping), name=worker.worker_id, daemon=True)
            for worker in workers
        ]
        for thread in running:
            thread.start()
        logger.info("Worker %s: %d threads%s%s s.", name, threads, STARTED, interval)
        for thread in running:
            while thread.is_alive():
                thread.join(timeout=0.5)  # short waits, so the main thread handles signals at once
        logger.info("Worker %s stopped.", name)

    @staticmethod
    def _handle_signals(workers: list[Worker], stopping: threading.Event) -> None:
        def stop(signum: int, frame) -> None:
            if stopping.is_set():
                logger.warning("%s again: exiting now.", signal.strsignal(signum))
                os._exit(1)
            logger.warning(
                "%s: finishing the attempts under way (again to exit now).", signal.strsignal(signum)
            )
            stopping.set()
            for worker in workers:
                worker.running = False

        signal.signal(signal.SIGTERM, stop)
        # A worker started in the background of a script (make run) ignores Ctrl-C, which the
        # terminal sends to the whole group: the script stops it with one SIGTERM instead.
        if signal.getsignal(signal.SIGINT) is not signal.SIG_IGN:
            signal.signal(signal.SIGINT, stop)


def serve(worker: Worker, stopping: threading.Event) -> None:
    """One thread: django-tasks' worker loop, started again after an error until told to stop."""
    failed = False
    try:
        while not stopping.is_set():
            try:
                if failed:
                    periodic.keep_scheduled()
                    failed = False
                worker.run()
            except DatabaseError as error:
                logger.warning(
                    "Database error in %s: %s; polling again in %s s.",
                    worker.worker_id,
                    error,
                    RETRY_AFTER_ERROR,
                )
            except Exception:
                logger.exception(
                    "Worker thread %s failed; polling again in %s s.", worker.worker_id, RETRY_AFTER_ERROR
                )
            else:
                continue
            failed = True
            connections.close_all()
            stopping.wait(RETRY_AFTER_ERROR)
    finally:
        connections.close_all()
