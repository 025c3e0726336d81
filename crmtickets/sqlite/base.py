"""Django's SQLite backend, with writers that take turns instead of sleeping in SQLite's busy handler.

SQLite lets one transaction write at a time. A transaction here begins with `BEGIN IMMEDIATE`
(the settings' `transaction_mode`), which takes that write lock at once or, when another
connection holds it, waits in SQLite's busy handler: it sleeps 1, 2, 5, 10, 15, 20, 25, 25, …
milliseconds between tries and does not notice the lock coming free in between. Two gunicorn
workers creating tickets spent most of their waits asleep: a create holds the lock for well under
a millisecond, but the one queued behind it woke 1 to 25 ms later (p99 45 to 70 ms in `make bench`).

Here a connection first takes its place in a queue beside the database file (`<file>-writers`,
an exclusive `flock`, released at the transaction's COMMIT or ROLLBACK, or by the kernel when its
process dies) and only then sends `BEGIN IMMEDIATE`. A queued writer retries the queue's lock at
intervals of at most `POLL_LIMIT` (Python's `flock` has no timeout, and a wait must have one),
so it starts within a fraction of a millisecond of the one before it committing, and gives up
after the settings' `timeout` with SQLite's own "database is locked".

The queue only orders writers; SQLite's lock still guards the data. A writer outside it (another
program on the file, a write outside a transaction, an in-memory database, a file whose directory
the queue's file cannot be created in) falls back to SQLite's own wait, as before.
"""

import os
import time

from django.db.backends.sqlite3 import base

try:
    import fcntl
except ImportError:  # Windows: no flock; SQLite's own wait, as Django's backend does.
    fcntl = None  # type: ignore[assignment]

# The longest sleep between two tries of the queue's lock: a writer starts at most this long
# after the one before it commits (SQLite's busy handler: up to 25 ms and then 100 ms).
POLL_LIMIT = 0.0002
_POLL_START = 0.00002

QUEUE_SUFFIX = "-writers"


class WriterQueue:
    """One connection's place in the queue of a database file's writers, through a file of its
    own opening: a `flock` belongs to an open file, so two connections of one process (threads)
    take turns too."""

    def __init__(self, path: str, timeout: float):
        self._path, self._timeout = path + QUEUE_SUFFIX, timeout
        self._fd: int | None = None
        self._held = False

    def enter(self) -> None:
        """Wait for this connection's turn; raise `TimeoutError` after the timeout. Without a
        queue (its file cannot be created, its file system has no flock), return at once."""
        fd = self._open()
        if fd is None:
            return
        deadline = time.monotonic() + self._timeout
        pause = _POLL_START
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:  # another writer's turn
                pass
            except OSError:
                return
            if time.monotonic() >= deadline:
                raise TimeoutError(self._path)
            time.sleep(pause)
            pause = min(pause * 2, POLL_LIMIT)
        self._held = True

    def leave(self) -> None:
        if self._held and self._fd is not None:
            self._held = False
            fcntl.flock(self._fd, fcntl.LOCK_UN)

    def close(self) -> None:
        self.leave()
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    def _open(self) -> int | None:
        if self._fd is None:
            try:
                self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError:
                return None
        return self._fd


class DatabaseWrapper(base.DatabaseWrapper):
    _writers: WriterQueue | None = None

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        if fcntl is not None and not self.is_in_memory_db():
            # sqlite3's own default wait, 5 s, unless the settings give one.
            self._writers = WriterQueue(str(self.settings_dict["NAME"]), conn_params.get("timeout", 5.0))
        return connection

    def _start_transaction_under_autocommit(self):
        if self._writers is not None:
            try:
                self._writers.enter()
            except TimeoutError:
                with self.wrap_database_errors:
                    raise self.Database.OperationalError("database is locked") from None
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # (django-stubs leave it out)
        except BaseException:
            self._leave_queue()
            raise

    def _commit(self):
        try:
            return super()._commit()  # type: ignore[misc]  # (django-stubs leave it out)
        finally:
            self._leave_queue()

    def _rollback(self):
        try:
            return super()._rollback()  # type: ignore[misc]  # (django-stubs leave it out)
        finally:
            self._leave_queue()

    def _close(self):
        try:
            return super()._close()  # type: ignore[misc]  # (django-stubs leave it out)
        finally:
            if self._writers is not None:
                self._writers.close()
                self._writers = None

    def _leave_queue(self) -> None:
        if self._writers is not None:
            self._writers.leave()
