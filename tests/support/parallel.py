"""Clients in threads released together, each with its own database connection: shared by the
concurrency tests and the script they run in a fresh process (which cannot import a test module)."""

import threading

from django.db import connections
from django.test import Client

from tests.support.client import CrmClient
from tests.support.endpoints import E5, TICKET_BODY

KEY = "retry-storm-3b1f"


def in_parallel(count: int, send) -> list:
    """`send(api)` from `count` threads at once; their responses, in thread order."""
    barrier = threading.Barrier(count)
    responses: list = [None] * count

    def client(index: int) -> None:
        try:
            api = CrmClient(Client())
            barrier.wait(timeout=30)
            responses[index] = send(api)
        finally:
            connections.close_all()  # this thread's connection; the test database is dropped later

    threads = [threading.Thread(target=client, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return responses


def create(api):
    return api.call(E5, body=TICKET_BODY)


def retry(api):
    return api.call(E5, body=TICKET_BODY, headers={"Idempotency-Key": KEY})


def answers_of(responses) -> list:
    """[status, body, replayed] per response, as JSON can carry them out of a process."""
    return [[r.status_code, r.content.decode(), r.has_header("Idempotent-Replayed")] for r in responses]
