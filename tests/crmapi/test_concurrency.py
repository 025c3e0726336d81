"""Proof under real concurrency: clients in threads, released together, each with its own
database connection, against the real store.

PostgreSQL runs the transactions truly in parallel, so it is the proof. SQLite runs writers one at a
time (IMMEDIATE transactions); both tests run on an SQLite file too, to show that writers queue
instead of failing with "database is locked", and that one key still creates one ticket.
"""

import json

import pytest

from crmapi import messages
from crmapi.models import IdempotencyRecord
from tests.support.endpoints import E1
from tests.support.parallel import KEY, answers_of, create, in_parallel, retry
from tests.support.processes import django_env, python
from tickets.formats import format_ticket_number
from tickets.models import Ticket


def assert_one_response_replayed_or_in_flight(answers: list) -> None:
    """One 200 first response, any other 200 the same body replayed, the rest 409 in flight."""
    successes = [(body, replayed) for status, body, replayed in answers if status == 200]
    assert len({body for body, _ in successes}) == 1, "every 200 is the same response"
    assert [replayed for _, replayed in successes].count(False) == 1
    in_flight = messages.IDEMPOTENCY_KEY_IN_FLIGHT.format(key=KEY)
    for status, body, _ in answers:
        if status != 200:
            assert status == 409
            assert json.loads(body)["response"]["result"]["arguments"]["errorMessage"] == in_flight


def assert_distinct_increasing_numbers(responses, count: int) -> None:
    assert [response.status_code for response in responses] == [200] * count, [
        response.content for response in responses if response.status_code != 200
    ]
    numbers = [int(n) for n in Ticket.objects.order_by("id").values_list("ticket_number", flat=True)]
    assert len(numbers) == count
    assert numbers == sorted(set(numbers)), "numbers follow creation order, none repeated"
    returned = sorted(int(response.json()["response"]["result"]["ticket_no"][2:]) for response in responses)
    assert returned == numbers


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_fifty_concurrent_creates_get_fifty_distinct_increasing_numbers_on_postgresql():
    assert_distinct_increasing_numbers(in_parallel(50, create), 50)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_creates_number_tickets_in_the_order_of_their_createdtime_on_postgresql(api):
    """The creation time is taken once the number is allocated, under the counter's lock, so
    E1's newest-first list (by createdtime) is the list by descending number."""
    assert [response.status_code for response in in_parallel(50, create)] == [200] * 50
    by_number = list(Ticket.objects.order_by("ticket_number").values_list("ticket_number", "created_at"))
    assert [created for _, created in by_number] == sorted(created for _, created in by_number)
    listed = [item["ticket_no"] for item in api.call(E1).json()["response"]["result"]]
    assert listed == [format_ticket_number(number) for number, _ in reversed(by_number)]


# The test database of SQLite is in memory with a shared cache, where SQLite refuses a second
# writer ("database table is locked") instead of queueing it; a fresh process on a migrated SQLite
# file, configured as `make run` is, shows what the service itself does.
SQLITE_FILE_RUN = """
import json, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from tests.support import parallel
from tickets.models import Ticket
responses = parallel.in_parallel(20, getattr(parallel, sys.argv[1]))
print(json.dumps({
    "answers": parallel.answers_of(responses),
    "stored": list(Ticket.objects.order_by("id").values_list("ticket_number", flat=True)),
}))
"""


def twenty_in_parallel_on_a_sqlite_file(tmp_path, send_name: str) -> tuple[list, list[int]]:
    """([status, body, replayed] per request, the stored ticket numbers in creation order)."""
    environment = django_env(DATABASE_URL=f"sqlite:///{tmp_path / 'store.sqlite3'}")
    completed = python("-c", SQLITE_FILE_RUN, send_name, env=environment, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    outcome = json.loads(completed.stdout.strip().splitlines()[-1])
    return outcome["answers"], outcome["stored"]


def test_concurrent_creates_on_a_sqlite_file_queue_without_errors(tmp_path):
    answers, stored = twenty_in_parallel_on_a_sqlite_file(tmp_path, "create")
    assert [status for status, _, _ in answers] == [200] * 20
    returned = sorted(int(json.loads(body)["response"]["result"]["ticket_no"][2:]) for _, body, _ in answers)
    assert stored == sorted(set(stored)) == returned
    assert len(stored) == 20


def test_concurrent_retries_with_one_key_on_a_sqlite_file_create_exactly_one_ticket(tmp_path):
    answers, stored = twenty_in_parallel_on_a_sqlite_file(tmp_path, "retry")
    assert len(stored) == 1
    assert_one_response_replayed_or_in_flight(answers)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_twenty_concurrent_retries_with_one_key_create_exactly_one_ticket():
    responses = in_parallel(20, retry)
    assert Ticket.objects.count() == 1
    assert_one_response_replayed_or_in_flight(answers_of(responses))
    assert IdempotencyRecord.objects.get().status_code == 200
