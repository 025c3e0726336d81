"""`manage.py run_worker` as a process of its own, on a database this test process writes to too:
for what only a real process shows (killed, stopped by a signal, started after the event, its
database restarted under it).

On PostgreSQL the worker uses the test database itself (the test needs `transactional_db`, so
that what it writes is committed). SQLite's test database lives in this process's memory, so
`sqlite_file_database()` points this process's default connection at a migrated file for the
duration of a test and the worker at the same file.
"""

import contextlib
import copy
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from django.db import connections

from tests.support.processes import ROOT, manage
from webhooks.management.commands.run_worker import STARTED


def migrated_sqlite_file(directory: Path) -> Path:
    """A new SQLite file with every migration applied (by `manage.py migrate`, as deployed)."""
    path = directory / "migrated.sqlite3"
    result = manage("migrate", "--noinput", env={**os.environ, "DATABASE_URL": f"sqlite:///{path}"})
    assert result.returncode == 0, result.stderr
    return path


@contextlib.contextmanager
def sqlite_file_database(template: Path, directory: Path) -> Iterator[str]:
    """A copy of `template` as this process's default database; yields its DATABASE_URL."""
    path = directory / "worker.sqlite3"
    shutil.copyfile(template, path)
    original = connections["default"]
    settings_dict = copy.deepcopy(original.settings_dict)
    settings_dict["NAME"] = str(path)
    swapped = type(original)(settings_dict, alias="default")
    connections["default"] = swapped
    try:
        yield f"sqlite:///{path}"
    finally:
        swapped.close()
        connections["default"] = original


class WorkerProcess:
    """`manage.py run_worker` in development mode (plain http to loopback receivers allowed) at
    `database_url`, its output in the file `log`; started when the constructor returns."""

    def __init__(self, database_url: str, log, *, threads: int = 2, **env: str):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--threads", str(threads)],
            cwd=ROOT,
            env={
                **os.environ,
                "CRM_ENV": "development",
                "DJANGO_DEBUG": "false",
                "DATABASE_URL": database_url,
                "CRM_WORKER_RECOVER_INTERVAL": "1",
                "LOG_LEVEL": "INFO",
                **env,
            },
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until(
                lambda: STARTED in self.output(), 60, lambda: f"the worker did not start:\n{self.output()}"
            )
        except AssertionError:
            self.kill()
            raise

    @property
    def pid(self) -> int:
        return self.process.pid

    def output(self) -> str:
        self.log.flush()
        with open(self.log.name, "rb") as log:
            return log.read().decode(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def signal(self, signum: int) -> None:
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)

    def kill(self) -> None:
        if self.alive():
            self.process.kill()
        self.process.wait(timeout=10)

    def stop(self) -> None:
        """SIGTERM and wait; SIGKILL if it does not exit within 30 s."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


@contextlib.contextmanager
def running_worker(database_url: str, **kwargs) -> Iterator[WorkerProcess]:
    """A WorkerProcess logging to a temporary file; stopped even when the block fails."""
    with tempfile.NamedTemporaryFile(prefix="worker-", suffix=".log") as log:
        worker = WorkerProcess(database_url, log, **kwargs)
        try:
            yield worker
        finally:
            worker.stop()


def wait_until(
    condition: Callable[[], object], timeout: float, explain: Callable[[], str] | str = ""
) -> None:
    """Poll `condition` every 50 ms until it is true; AssertionError after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(explain() if callable(explain) else explain or f"not within {timeout} s")
        time.sleep(0.05)


def live_processes_in_group(group: int) -> list[int]:
    """The pids of the processes of process group `group` still running (zombies excluded)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue  # exited meanwhile
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
        fields = stat.rpartition(")")[2].split()
        if int(fields[2]) == group and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def postgresql_ready() -> bool:
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], check=False).returncode == 0


def restart_postgresql() -> None:
    """Restart the local PostgreSQL cluster: every connection to it is cut. It is running again
    when this returns, also when the restart failed half-way (then the error is raised)."""
    cluster = [*sorted(os.listdir("/etc/postgresql"))[-1:], "main"]
    command = ["pg_ctlcluster", "--skip-systemctl-redirect", *cluster]
    try:
        subprocess.run([*command, "restart"], check=True, capture_output=True, timeout=120)
    finally:
        if not postgresql_ready():
            subprocess.run([*command, "start"], check=False, capture_output=True, timeout=120)
        wait_until(postgresql_ready, 60, "PostgreSQL is not up again")
