"""The worker as a real process (`manage.py run_worker`) against a real receiver: what happens
when it is killed, stopped, started late, its database restarted, or one receiver hangs; and
`make run`'s launcher, which starts it beside the development server (CONTRACT §12: at least
once, a committed change is delivered even if no worker was running)."""

import datetime
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest
from django.db import connection
from django.utils import timezone

from tests.factories import WebhookEndpointFactory
from tests.support.live_server import postgres_url
from tests.support.processes import ROOT
from tests.support.store import free_port
from tests.support.task_worker import queued
from tests.support.webhook_receiver import Reply, WebhookReceiver
from tests.support.worker_process import (
    live_processes_in_group,
    migrated_sqlite_file,
    restart_postgresql,
    running_worker,
    sqlite_file_database,
    wait_until,
)
from webhooks import recovery, services
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="module")
def sqlite_template(tmp_path_factory):
    return migrated_sqlite_file(tmp_path_factory.mktemp("worker-template"))


@pytest.fixture
def database_url(request, tmp_path):
    """The database this test writes to and its worker processes read: PostgreSQL's test
    database, or on SQLite a migrated file this process is pointed at for the test."""
    if connection.vendor == "postgresql":
        yield postgres_url()
        return
    with sqlite_file_database(request.getfixturevalue("sqlite_template"), tmp_path) as url:
        yield url


@pytest.fixture
def receiver():
    with WebhookReceiver() as receiver:
        yield receiver


def send_test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """The admin's "Send test event": committed, with its delivery and its task."""
    return services.endpoint_send_test(endpoint=endpoint).deliveries.get()


def state(delivery: WebhookDelivery) -> str:
    return WebhookDelivery.objects.values_list("state", flat=True).get(pk=delivery.pk)


def wait_for_success(delivery: WebhookDelivery, worker, timeout: float = 15) -> None:
    wait_until(
        lambda: state(delivery) == DeliveryState.SUCCEEDED,
        timeout,
        lambda: f"delivery is {state(delivery)}; worker output:\n{worker.output()[-3000:]}",
    )


def test_an_event_committed_while_no_worker_runs_is_delivered_when_one_starts(database_url, receiver):
    delivery = send_test_event(WebhookEndpointFactory(url=receiver.url))
    time.sleep(0.3)
    assert receiver.requests == []
    with running_worker(database_url) as worker:
        [request] = receiver.wait_for(1, timeout=10)
        wait_for_success(delivery, worker)
    assert request.headers["webhook-id"] == delivery.webhook_id


def test_a_worker_killed_in_the_middle_of_an_attempt_leaves_it_to_be_delivered_again_after_a_restart(
    database_url, receiver
):
    """SIGKILL while the receiver holds the request: nothing is recorded, the delivery keeps the
    dead worker's lease. The lease would run out CRM_WEBHOOK_TIMEOUT + LEASE_MARGIN later; the
    test moves it back instead of waiting that long. The next worker queues the delivery again
    and the receiver gets the same event a second time, with the same webhook-id."""
    receiver.script(Reply(200, delay=60))
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with running_worker(database_url) as worker:
        delivery = send_test_event(endpoint)
        receiver.wait_for(1, timeout=10)
        worker.kill()
    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == (DeliveryState.PENDING, 0)
    assert delivery.lease_until > timezone.now()

    ran_out = timezone.now() - datetime.timedelta(seconds=1)
    WebhookDelivery.objects.filter(pk=delivery.pk).update(lease_until=ran_out)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=ran_out)
    with running_worker(database_url) as worker:
        first, second = receiver.wait_for(2, timeout=10)
        wait_for_success(delivery, worker)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert first.body == second.body
    assert delivery.attempt_log.get().status_code == 200


def test_sigterm_lets_the_attempt_under_way_finish_and_takes_no_new_task(database_url, receiver):
    receiver.script(Reply(200, delay=1.5))
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with running_worker(database_url) as worker:
        delivery = send_test_event(endpoint)
        receiver.wait_for(1, timeout=10)
        worker.signal(signal.SIGTERM)
        wait_until(lambda: "finishing the attempts under way" in worker.output(), 5, worker.output)
        later = send_test_event(endpoint)
        assert worker.wait(timeout=15) == 0
    assert state(delivery) == DeliveryState.SUCCEEDED
    assert delivery.attempt_log.get().status_code == 200
    assert state(later) == DeliveryState.PENDING
    assert len(receiver.requests) == 1


def test_a_second_signal_stops_the_worker_at_once(database_url, receiver):
    receiver.script(Reply(200, delay=30))
    with running_worker(database_url) as worker:
        send_test_event(WebhookEndpointFactory(url=receiver.url))
        receiver.wait_for(1, timeout=10)
        worker.signal(signal.SIGTERM)
        wait_until(lambda: "finishing the attempts under way" in worker.output(), 5, worker.output)
        started = time.monotonic()
        worker.signal(signal.SIGTERM)
        assert worker.wait(timeout=5) == 1
    assert time.monotonic() - started < 5


def test_a_receiver_that_hangs_never_delays_deliveries_to_another(database_url):
    """Six events for a receiver slower than the timeout, then one for a quick one, with two
    threads: the slow endpoint holds one thread (one attempt in flight per endpoint) and the
    quick receiver has its event well within the timeout (the bound leaves room for a loaded
    machine; queued behind the slow ones it would wait 6 x 5 s)."""
    with WebhookReceiver() as slow, WebhookReceiver() as quick:
        slow.default = Reply(200, delay=30)
        slow_endpoint = WebhookEndpointFactory(url=slow.url)
        quick_endpoint = WebhookEndpointFactory(url=quick.url)
        with running_worker(database_url, threads=2, CRM_WEBHOOK_TIMEOUT="5") as worker:
            for _ in range(6):
                send_test_event(slow_endpoint)
            slow.wait_for(1, timeout=10)
            committed = time.time()
            delivery = send_test_event(quick_endpoint)
            [request] = quick.wait_for(1, timeout=5)
            wait_for_success(delivery, worker)
            assert request.received_at - committed < 2.0
            assert len(slow.requests) == 1
            worker.kill()  # rather than wait for the slow attempt to time out


@pytest.mark.postgres
def test_the_worker_carries_on_by_itself_after_postgresql_restarts(database_url, receiver):
    endpoint = WebhookEndpointFactory(url=receiver.url)
    with running_worker(database_url) as worker:
        wait_for_success(send_test_event(endpoint), worker)
        restart_postgresql()
        connection.close()  # this test's own connection died with the server
        delivery = send_test_event(endpoint)
        wait_for_success(delivery, worker, timeout=30)
        wait_until(lambda: len(queued(recovery.recover)) == 1, 10, worker.output)
        assert worker.alive()


def test_make_run_starts_the_launcher():
    dry_run = subprocess.run(["make", "-n", "run"], cwd=ROOT, capture_output=True, text=True, check=True)
    assert "scripts/run_dev.sh" in dry_run.stdout


def test_the_launcher_serves_and_delivers_and_ctrl_c_stops_both(database_url, receiver, tmp_path):
    """scripts/run_dev.sh (what `make run` ends with) starts the development server and a worker;
    Ctrl-C (SIGINT to the terminal's whole process group) stops every process it started."""
    port = free_port()
    log = (tmp_path / "run.log").open("wb")
    launcher = subprocess.Popen(
        ["scripts/run_dev.sh", f"127.0.0.1:{port}"],
        cwd=ROOT,
        env={**os.environ, "PY": sys.executable, "DATABASE_URL": database_url, "CRM_ENV": "development"},
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        output = lambda: (tmp_path / "run.log").read_text(errors="replace")  # noqa: E731
        wait_until(lambda: healthy(port), 60, output)
        delivery = send_test_event(WebhookEndpointFactory(url=receiver.url))
        receiver.wait_for(1, timeout=10)
        wait_until(lambda: state(delivery) == DeliveryState.SUCCEEDED, 10, output)

        os.killpg(launcher.pid, signal.SIGINT)
        assert launcher.wait(timeout=20) in (0, 130)
        wait_until(lambda: not live_processes_in_group(launcher.pid), 10, output)
        assert re.search(r"Worker \S+ stopped\.", output())
    finally:
        if launcher.poll() is None or live_processes_in_group(launcher.pid):
            os.killpg(launcher.pid, signal.SIGKILL)
        log.close()


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False
