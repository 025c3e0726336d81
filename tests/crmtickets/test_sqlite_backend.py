"""crmtickets.sqlite: a file database's writers take turns in a queue beside it, each beginning
as soon as the one before it commits or rolls back; SQLite's own lock still guards the data,
and a writer that cannot get a place gets SQLite's own error, with nothing written."""

import threading

import pytest
from django.db import OperationalError, connections, transaction

from tests.support.writer_queue import (
    ALIAS,
    add_note,
    add_note_in_a_transaction,
    file_store,
    notes,
    queue_held_by_another_process,
    queue_is_taken,
)


@pytest.fixture(autouse=True)
def _database_access(django_db_blocker):
    """Only the file databases these tests make, never the test database: no test case around
    them, which would refuse an alias it was not told of."""
    with django_db_blocker.unblock():
        yield


@pytest.fixture
def path(tmp_path):
    return tmp_path / "queued.sqlite3"


@pytest.fixture
def store(path):
    with file_store(path):
        yield path


class Abandoned(Exception):
    pass


def test_an_open_transaction_holds_the_queue(store):
    with transaction.atomic(using=ALIAS):
        add_note("held")
        assert queue_is_taken(store)


def test_a_commit_frees_the_queue(store):
    add_note_in_a_transaction("committed")
    assert not queue_is_taken(store)
    assert notes() == ["committed"]


def abandon_a_note() -> None:
    with transaction.atomic(using=ALIAS):
        add_note("rolled back")
        raise Abandoned


def test_a_rollback_frees_the_queue(store):
    with pytest.raises(Abandoned):
        abandon_a_note()
    assert not queue_is_taken(store)
    assert notes() == []


def test_closing_the_connection_in_a_transaction_frees_the_queue(store):
    with transaction.atomic(using=ALIAS):
        add_note("never committed")
        connections[ALIAS].close()
    assert not queue_is_taken(store)
    assert notes() == []


def test_reads_and_single_statements_outside_a_transaction_leave_the_queue_alone(store, path):
    with queue_held_by_another_process(path):
        add_note("autocommit")
        assert notes() == ["autocommit"]


def test_a_queued_writer_begins_after_the_one_before_it_committed(store):
    """The second transaction reads what the first wrote: it began only after that commit."""
    first_open, seen = threading.Event(), []

    def first() -> None:
        try:
            with transaction.atomic(using=ALIAS):
                add_note("first")
                first_open.set()
                threading.Event().wait(0.3)
        finally:
            connections[ALIAS].close()

    thread = threading.Thread(target=first)
    thread.start()
    assert first_open.wait(10)
    with transaction.atomic(using=ALIAS):
        seen = notes()
        add_note("second")
    thread.join(10)
    assert seen == ["first"]
    assert notes() == ["first", "second"]


def test_a_writer_that_waits_longer_than_the_timeout_gets_database_is_locked(path):
    with file_store(path, timeout=0.3), queue_held_by_another_process(path):
        with pytest.raises(OperationalError, match=r"^database is locked$"):
            add_note_in_a_transaction("too late")
        assert notes() == []


def test_the_kernel_frees_the_place_of_a_writer_that_died(path):
    with file_store(path, timeout=5):
        with queue_held_by_another_process(path) as holder:
            holder.kill()
            holder.wait(10)
            add_note_in_a_transaction("after the holder died")
        assert notes() == ["after the holder died"]


def test_without_a_queue_file_writers_wait_as_sqlite_does(path):
    """A queue file that cannot be opened (here a directory stands in its place): transactions
    go on, on SQLite's own lock."""
    path.with_name(path.name + "-writers").mkdir()
    with file_store(path):
        add_note_in_a_transaction("unqueued")
        assert notes() == ["unqueued"]
