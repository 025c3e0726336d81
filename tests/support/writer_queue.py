"""A file database on the project's SQLite backend beside the test database, and looks at the
queue of its writers from outside (crmtickets/sqlite/base.py)."""

import contextlib
import copy
import fcntl
import os
import subprocess
import sys
from pathlib import Path

from django.db import connections, transaction

from crmtickets.sqlite.base import QUEUE_SUFFIX

ALIAS = "queued_writers"


@contextlib.contextmanager
def file_store(path: Path, *, timeout: float = 20):
    """`ALIAS` names a new SQLite file at `path`, in the settings' transaction and journal
    modes, with one table, `notes(text)`. Every thread's connection to it is closed by the
    thread that opened it."""
    settings_dict = copy.deepcopy(connections.settings["default"])
    settings_dict.update(
        ENGINE="crmtickets.sqlite",
        NAME=str(path),
        OPTIONS={
            "transaction_mode": "IMMEDIATE",
            "timeout": timeout,
            "init_command": "PRAGMA journal_mode=WAL",
        },
        TEST={"NAME": str(path)},
    )
    connections.settings[ALIAS] = settings_dict
    try:
        with connections[ALIAS].cursor() as cursor:
            cursor.execute("CREATE TABLE notes (text TEXT)")
        yield
    finally:
        connections[ALIAS].close()
        del connections[ALIAS]
        del connections.settings[ALIAS]


def add_note(text: str) -> None:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("INSERT INTO notes (text) VALUES (%s)", [text])


def add_note_in_a_transaction(text: str) -> None:
    with transaction.atomic(using=ALIAS):
        add_note(text)


def notes() -> list[str]:
    with connections[ALIAS].cursor() as cursor:
        cursor.execute("SELECT text FROM notes ORDER BY rowid")
        return [text for (text,) in cursor.fetchall()]


def queue_is_taken(path: Path) -> bool:
    """Whether some open file holds the queue of `path`'s writers: tried from a file of our own."""
    fd = os.open(f"{path}{QUEUE_SUFFIX}", os.O_RDWR | os.O_CREAT)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)
    return False


@contextlib.contextmanager
def queue_held_by_another_process(path: Path):
    """A process that takes the queue of `path`'s writers and keeps it until it is killed;
    yields the process once it holds the queue."""
    script = (
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\n"
        "print('held', flush=True)\n"
        "time.sleep(120)\n"
    )
    holder = subprocess.Popen(
        [sys.executable, "-c", script, f"{path}{QUEUE_SUFFIX}"], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        yield holder
    finally:
        holder.kill()
        holder.wait(10)
