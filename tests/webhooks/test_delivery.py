"""Delivering an event to a real receiver on loopback (CONTRACT §12): the signed request, success
and each fault (receiver down, too slow, 5xx then 2xx, 3xx, 410, 429 with Retry-After, five
days without a 2xx), the retry schedule, the leases, the address check at each attempt and TLS.
Deliveries are made by django-tasks-db's own worker in this process, or by `attempt()` itself
where a test needs one attempt at a precise moment."""

import datetime
import itertools
import json
import logging
import socket
import threading
import time

import pytest
from django.db import connection
from django.utils import timezone
from standardwebhooks import Webhook

from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.support.certificates import authority_with_server
from tests.support.clock import NOW
from tests.support.task_worker import queued, run_queued_tasks
from tests.support.webhook_receiver import ReceivedRequest, Reply, WebhookReceiver, redirect
from webhooks import delivery, services, tasks
from webhooks.delivery import DISABLED_FAILING, DISABLED_GONE, USER_AGENT, attempt
from webhooks.models import (
    ATTEMPT_EXCERPT_BYTES,
    DeliveryState,
    EventType,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from webhooks.outbox import publish
from webhooks.transport import Answer

pytestmark = pytest.mark.django_db

DELAYS = [60, 600]


@pytest.fixture(autouse=True)
def _delivery_settings(settings):
    """Development rules (http to loopback), a short timeout and a short schedule."""
    settings.IS_DEVELOPMENT = True
    settings.CRM_WEBHOOK_TIMEOUT = 2.0
    settings.CRM_WEBHOOK_RETRY_DELAYS = DELAYS


@pytest.fixture
def endpoint(webhook_receiver) -> WebhookEndpoint:
    return WebhookEndpointFactory(url=webhook_receiver.url)


def send_test_event(endpoint: WebhookEndpoint) -> WebhookDelivery:
    """A `webhook.test` event to `endpoint`, queued as the outbox queues every event."""
    event = publish(EventType.WEBHOOK_TEST, {}, occurred_at=timezone.now(), endpoints=[endpoint])
    assert event is not None
    return event.deliveries.get()


def attempts(delivery: WebhookDelivery) -> list[WebhookAttempt]:
    return list(delivery.attempt_log.order_by("number"))


def verified(request: ReceivedRequest, secret: str) -> dict:
    """The body as a receiver reads it with the `standardwebhooks` package (it raises if the
    signature, the id or the timestamp is wrong)."""
    return Webhook(secret).verify(request.body, request.headers)


def due_delivery(endpoint: WebhookEndpoint, **fields) -> WebhookDelivery:
    """A pending delivery due at the frozen clock's time, with no task queued for it."""
    return WebhookDeliveryFactory(endpoint=endpoint, created_at=NOW, next_attempt_at=NOW, **fields)


def run_at(clock, moment: datetime.datetime) -> int:
    clock.at(moment)
    return run_queued_tasks()


# --- the request -----------------------------------------------------------------------------


def test_delivery_is_a_signed_post_of_the_event_body(endpoint, webhook_receiver):
    sent = send_test_event(endpoint)
    run_queued_tasks()
    (request,) = webhook_receiver.requests
    assert (request.method, request.path) == ("POST", "/webhook")
    assert request.body == sent.event.body.encode()
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    assert request.headers["host"] == f"127.0.0.1:{webhook_receiver.port}"
    assert request.headers["webhook-id"] == sent.webhook_id
    assert verified(request, endpoint.secret) == json.loads(sent.event.body)


def test_success_is_recorded_with_the_attempt(endpoint, webhook_receiver):
    webhook_receiver.script(Reply(202, body=b"queued, thanks"))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.last_status, sent.lease_until) == (
        DeliveryState.SUCCEEDED,
        1,
        202,
        None,
    )
    assert sent.completed_at is not None
    (logged,) = attempts(sent)
    assert (logged.number, logged.status_code, logged.succeeded) == (1, 202, True)
    assert (logged.response_excerpt, logged.error) == ("queued, thanks", "")
    assert 0 <= logged.duration_ms < 2000
    assert not queued(tasks.deliver)


def test_attempt_releases_the_endpoint(endpoint):
    send_test_event(endpoint)
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert endpoint.busy_until is None


def test_during_a_rotation_both_secrets_verify_every_attempt(endpoint, webhook_receiver):
    old_secret = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    send_test_event(endpoint)
    run_queued_tasks()
    (request,) = webhook_receiver.requests
    assert len(request.headers["webhook-signature"].split(" ")) == 2
    verified(request, endpoint.secret)
    verified(request, old_secret)


def test_attempt_is_logged_as_a_json_line(endpoint, webhook_receiver, caplog):
    webhook_receiver.script(Reply(500))
    sent = send_test_event(endpoint)
    with caplog.at_level(logging.INFO, logger="webhooks.delivery"):
        run_queued_tasks()
    (record,) = [record for record in caplog.records if record.name == "webhooks.delivery"]
    assert record.levelno == logging.WARNING
    assert record.getMessage() == "webhook attempt failed"
    assert (record.webhook_id, record.delivery_id, record.endpoint_id) == (
        sent.webhook_id,
        sent.pk,
        endpoint.pk,
    )
    assert (record.event_type, record.attempt, record.status, record.state) == (
        "webhook.test",
        1,
        500,
        "pending",
    )
    assert 54 <= record.retry_in_s <= 66


# --- faults ----------------------------------------------------------------------------------


def test_500_then_200_is_one_webhook_id_with_a_valid_signature_each_time(
    settings, endpoint, webhook_receiver
):
    settings.CRM_WEBHOOK_RETRY_DELAYS = [0]
    webhook_receiver.script(Reply(500, body=b"try later"), Reply(200))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    first, second = webhook_receiver.requests
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == sent.webhook_id
    assert first.body == second.body == sent.event.body.encode()
    verified(first, endpoint.secret)
    verified(second, endpoint.secret)
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (DeliveryState.SUCCEEDED, 2)
    assert [(a.status_code, a.succeeded, a.response_excerpt) for a in attempts(sent)] == [
        (500, False, "try later"),
        (200, True, "ok"),
    ]


def test_receiver_down_is_a_failed_attempt_retried_on_schedule(clock, endpoint, webhook_receiver):
    webhook_receiver.stop()
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    (logged,) = attempts(sent)
    assert logged.status_code is None
    assert logged.error == (
        f"Could not connect to 127.0.0.1 (127.0.0.1 port {webhook_receiver.port}: Connection refused)."
    )
    assert sent.state == DeliveryState.PENDING
    assert (
        NOW + datetime.timedelta(seconds=54) <= sent.next_attempt_at <= NOW + datetime.timedelta(seconds=66)
    )
    (retry,) = queued(tasks.deliver)
    assert retry.run_after == sent.next_attempt_at
    assert retry.args_kwargs["args"] == [sent.pk]

    with WebhookReceiver(port=webhook_receiver.port) as back:
        assert run_at(clock, NOW + datetime.timedelta(seconds=30)) == 0  # not due yet
        run_at(clock, sent.next_attempt_at)
        assert len(back.requests) == 1
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (DeliveryState.SUCCEEDED, 2)


def test_receiver_slower_than_the_timeout_is_a_failed_attempt(settings, endpoint, webhook_receiver):
    settings.CRM_WEBHOOK_TIMEOUT = 0.5
    webhook_receiver.script(Reply(200, delay=5))
    sent = send_test_event(endpoint)
    started = time.monotonic()
    run_queued_tasks()
    assert time.monotonic() - started < 3  # not the receiver's 5 s
    (logged,) = attempts(sent)
    assert (logged.status_code, logged.succeeded) == (None, False)
    assert logged.error == "No complete answer within 0.5 s (CRM_WEBHOOK_TIMEOUT)."
    assert 450 <= logged.duration_ms < 1500
    sent.refresh_from_db()
    assert sent.state == DeliveryState.PENDING
    assert len(webhook_receiver.requests) == 1


def test_an_answer_trickling_past_the_timeout_is_cut_at_the_deadline(settings, endpoint, webhook_receiver):
    """The status line arrives at once, the body a byte every 0.1 s: each read is quick, the
    whole is not, and the timeout is the whole."""
    settings.CRM_WEBHOOK_TIMEOUT = 0.5
    webhook_receiver.script(Reply(200, body=b"x" * 100, trickle=0.1))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    (logged,) = attempts(sent)
    assert (logged.status_code, logged.succeeded) == (200, False)
    assert logged.error == "No complete answer within 0.5 s (CRM_WEBHOOK_TIMEOUT)."
    assert 450 <= logged.duration_ms < 1500  # not the 10 s the whole body would take


def test_a_redirect_is_not_followed(endpoint, webhook_receiver):
    with WebhookReceiver() as elsewhere:
        webhook_receiver.script(redirect(elsewhere.url, status=307))
        sent = send_test_event(endpoint)
        run_queued_tasks()
        assert elsewhere.requests == []
    (logged,) = attempts(sent)
    assert (logged.status_code, logged.succeeded) == (307, False)
    assert logged.error == f"Redirect to {elsewhere.url} not followed."
    sent.refresh_from_db()
    assert (sent.state, sent.last_status) == (DeliveryState.PENDING, 307)


def test_410_gone_disables_the_endpoint_and_cancels_its_pending_deliveries(endpoint, webhook_receiver):
    webhook_receiver.script(Reply(410, body=b"no such hook"))
    first, second = send_test_event(endpoint), send_test_event(endpoint)
    other = send_test_event(WebhookEndpointFactory(url=webhook_receiver.url))
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DISABLED_GONE)
    assert endpoint.disabled_at is not None
    for cancelled in (first, second):
        cancelled.refresh_from_db()
        assert cancelled.state == DeliveryState.CANCELLED
    assert [attempt.status_code for attempt in attempts(first)] == [410]
    assert attempts(second) == []
    assert [request.headers["webhook-id"] for request in webhook_receiver.requests] == [
        first.webhook_id,
        other.webhook_id,
    ]
    other.refresh_from_db()
    assert other.state == DeliveryState.SUCCEEDED
    assert not queued(tasks.deliver)  # no retry for what was cancelled


@pytest.mark.parametrize("status", [429, 503])
def test_retry_after_in_seconds_sets_the_next_attempt(clock, endpoint, webhook_receiver, status):
    webhook_receiver.script(Reply(status, headers={"Retry-After": "120"}))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.next_attempt_at == NOW + datetime.timedelta(seconds=120)
    assert [task.run_after for task in queued(tasks.deliver)] == [sent.next_attempt_at]


def test_retry_after_as_an_http_date_sets_the_next_attempt(clock, endpoint, webhook_receiver):
    webhook_receiver.script(Reply(503, headers={"Retry-After": "Mon, 30 Nov 2026 12:10:00 GMT"}))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.next_attempt_at == datetime.datetime(2026, 11, 30, 12, 10, tzinfo=datetime.UTC)


def test_retry_after_is_honoured_up_to_an_hour(clock, endpoint, webhook_receiver):
    webhook_receiver.script(Reply(429, headers={"Retry-After": "86400"}))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.next_attempt_at == NOW + datetime.timedelta(hours=1)


def test_retry_after_on_another_status_is_ignored(clock, endpoint, webhook_receiver):
    webhook_receiver.script(Reply(500, headers={"Retry-After": "1"}))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.next_attempt_at >= NOW + datetime.timedelta(seconds=54)


def test_retry_after_adds_no_attempt_to_the_schedule(settings, endpoint, webhook_receiver):
    settings.CRM_WEBHOOK_RETRY_DELAYS = [0]
    webhook_receiver.default = Reply(429, headers={"Retry-After": "0"})
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (DeliveryState.FAILED, 2)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("0", datetime.timedelta(0)),
        ("  75 ", datetime.timedelta(seconds=75)),
        ("Mon, 30 Nov 2026 12:01:30 GMT", datetime.timedelta(seconds=90)),
        ("Mon, 30 Nov 2026 11:00:00 GMT", datetime.timedelta(0)),  # in the past: now
        ("soon", None),
        ("-5", None),
        ("1.5", None),
        ("", None),
    ],
)
def test_retry_after_is_delta_seconds_or_an_http_date(value, expected):
    assert delivery.parse_retry_after(value, NOW) == expected


def test_the_delivery_fails_when_the_schedule_is_used_up(settings, endpoint, webhook_receiver):
    settings.CRM_WEBHOOK_RETRY_DELAYS = [0, 0]
    webhook_receiver.default = Reply(500)
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert (sent.state, sent.attempts, sent.next_attempt_at) == (DeliveryState.FAILED, 3, None)
    assert sent.completed_at is not None
    assert len(webhook_receiver.requests) == 3
    assert not queued(tasks.deliver)


def test_attempt_n_waits_the_nth_delay_within_ten_percent():
    failed = Answer(status=500, excerpt="", error="", duration_ms=1)
    for number, base in enumerate(DELAYS, start=1):
        waits = {delivery.retry_delay(number, failed, NOW).total_seconds() for _ in range(200)}
        assert min(waits) >= base * 0.9
        assert max(waits) <= base * 1.1
        assert len(waits) > 100  # spread, not one fixed value
    assert delivery.retry_delay(len(DELAYS) + 1, failed, NOW) is None


def test_five_days_without_a_2xx_disable_the_endpoint(clock, endpoint, webhook_receiver):
    webhook_receiver.default = Reply(500)
    first = send_test_event(endpoint)
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert endpoint.failing_since == NOW

    clock.at(NOW + datetime.timedelta(days=5) - datetime.timedelta(seconds=1))
    send_test_event(endpoint)
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert endpoint.enabled

    clock.at(NOW + datetime.timedelta(days=5))
    last = send_test_event(endpoint)
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, DISABLED_FAILING)
    assert endpoint.disabled_at == NOW + datetime.timedelta(days=5)
    assert set(WebhookDelivery.objects.filter(endpoint=endpoint).values_list("state", flat=True)) == {
        DeliveryState.CANCELLED
    }
    assert [attempt.status_code for attempt in attempts(last)] == [500]
    assert first.pk != last.pk


def test_a_2xx_ends_the_failing_streak(settings, clock, endpoint, webhook_receiver):
    settings.CRM_WEBHOOK_RETRY_DELAYS = []  # one attempt per event: the replies go in order
    webhook_receiver.script(Reply(500), Reply(200), Reply(500))
    send_test_event(endpoint)
    run_queued_tasks()
    send_test_event(endpoint)
    run_at(clock, NOW + datetime.timedelta(days=1))
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None

    clock.at(NOW + datetime.timedelta(days=6))
    send_test_event(endpoint)
    run_queued_tasks()
    endpoint.refresh_from_db()
    assert endpoint.enabled
    assert endpoint.failing_since == NOW + datetime.timedelta(days=6)


def test_a_due_delivery_of_a_disabled_endpoint_is_cancelled_not_attempted(endpoint, webhook_receiver):
    sent = send_test_event(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(enabled=False)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.state == DeliveryState.CANCELLED
    assert webhook_receiver.requests == []
    assert attempts(sent) == []


def test_the_first_kib_of_the_answer_is_kept_as_text(endpoint, webhook_receiver):
    webhook_receiver.script(Reply(500, body=b"\xff\x00" + b"a" * 5000))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    (logged,) = attempts(sent)
    assert logged.response_excerpt == "\ufffd\ufffd" + "a" * (ATTEMPT_EXCERPT_BYTES - 2)


# --- leases and due times --------------------------------------------------------------------


def test_a_task_early_for_its_delivery_queues_itself_for_the_due_time(clock, endpoint, webhook_receiver):
    later = WebhookDeliveryFactory(endpoint=endpoint, next_attempt_at=NOW + datetime.timedelta(minutes=5))
    attempt(later.pk)
    assert webhook_receiver.requests == []
    assert [(task.run_after, task.args_kwargs["args"]) for task in queued(tasks.deliver)] == [
        (later.next_attempt_at, [later.pk])
    ]


def test_a_stale_task_ends_when_another_is_queued_for_the_due_time(clock, endpoint, webhook_receiver):
    later = WebhookDeliveryFactory(endpoint=endpoint, next_attempt_at=NOW + datetime.timedelta(minutes=5))
    tasks.deliver.using(run_after=later.next_attempt_at).enqueue(later.pk)
    attempt(later.pk)  # as a second, older task for it would
    assert len(queued(tasks.deliver)) == 1


@pytest.mark.parametrize("state", [DeliveryState.SUCCEEDED, DeliveryState.FAILED, DeliveryState.CANCELLED])
def test_a_task_for_a_finished_delivery_does_nothing(endpoint, webhook_receiver, state):
    finished = WebhookDeliveryFactory(endpoint=endpoint, state=state)
    attempt(finished.pk)
    assert webhook_receiver.requests == []
    assert not queued(tasks.deliver)


def test_a_delivery_leased_by_another_worker_is_left_to_it(clock, endpoint, webhook_receiver):
    leased = due_delivery(endpoint, lease_until=NOW + datetime.timedelta(seconds=10))
    attempt(leased.pk)
    assert webhook_receiver.requests == []
    assert not queued(tasks.deliver)


def test_a_delivery_whose_lease_ran_out_is_attempted_again(clock, endpoint, webhook_receiver):
    """Its worker died mid-attempt: at least once means it is sent again."""
    interrupted = due_delivery(endpoint, lease_until=NOW - datetime.timedelta(seconds=1))
    attempt(interrupted.pk)
    assert len(webhook_receiver.requests) == 1
    interrupted.refresh_from_db()
    assert (interrupted.state, interrupted.lease_until) == (DeliveryState.SUCCEEDED, None)


def test_a_busy_endpoint_defers_the_task_until_its_lease_ends(clock, endpoint, webhook_receiver):
    busy_until = NOW + datetime.timedelta(seconds=40)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=busy_until)
    waiting = due_delivery(endpoint)
    attempt(waiting.pk)
    assert webhook_receiver.requests == []
    waiting.refresh_from_db()
    assert (waiting.state, waiting.lease_until, waiting.attempts) == (DeliveryState.PENDING, None, 0)
    assert waiting.waiting_for_endpoint
    assert [task.run_after for task in queued(tasks.deliver)] == [busy_until]


def test_an_attempt_hands_the_endpoint_over_to_its_next_due_delivery(clock, endpoint, webhook_receiver):
    """The delivery that found the endpoint busy goes out as soon as the attempt in flight is
    done, not when that attempt's lease would have run out."""
    in_flight, waiting = due_delivery(endpoint), due_delivery(endpoint)
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=NOW + datetime.timedelta(seconds=40))
    attempt(waiting.pk)  # deferred to the lease's end
    WebhookEndpoint.objects.filter(pk=endpoint.pk).update(busy_until=None)
    attempt(in_flight.pk)
    assert sorted(task.run_after for task in queued(tasks.deliver)) == [
        NOW,
        NOW + datetime.timedelta(seconds=40),
    ]
    run_queued_tasks()
    waiting.refresh_from_db()
    assert (waiting.state, waiting.waiting_for_endpoint) == (DeliveryState.SUCCEEDED, False)
    assert [request.headers["webhook-id"] for request in webhook_receiver.requests] == [
        in_flight.webhook_id,
        waiting.webhook_id,
    ]


def test_a_burst_to_one_endpoint_queues_one_task_per_delivery(endpoint, webhook_receiver):
    """The hand-over queues only a delivery that waited for the endpoint, not one whose own
    task is due anyway."""
    for _ in range(5):
        send_test_event(endpoint)
    assert run_queued_tasks() == 5
    assert len(webhook_receiver.requests) == 5


def test_a_delivery_sent_again_by_hand_is_attempted_with_the_same_webhook_id(
    settings, endpoint, webhook_receiver
):
    settings.CRM_WEBHOOK_RETRY_DELAYS = []
    webhook_receiver.script(Reply(500), Reply(200))
    sent = send_test_event(endpoint)
    run_queued_tasks()
    sent.refresh_from_db()
    assert sent.state == DeliveryState.FAILED
    services.delivery_send_again(delivery=sent)
    run_queued_tasks()
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (DeliveryState.SUCCEEDED, 2)
    assert {request.headers["webhook-id"] for request in webhook_receiver.requests} == {sent.webhook_id}


# --- where to, at each attempt ---------------------------------------------------------------


@pytest.fixture
def production(settings):
    settings.IS_DEVELOPMENT = False
    settings.CRM_WEBHOOK_ALLOW_PRIVATE = False
    return settings


def test_a_refused_address_is_a_failed_attempt_that_connects_nowhere(
    production, clock, fake_names, webhook_receiver
):
    fake_names.resolve("hooks.example.com", "127.0.0.1")
    sent = send_test_event(
        WebhookEndpointFactory(url=f"https://hooks.example.com:{webhook_receiver.port}/webhook")
    )
    run_queued_tasks()
    assert webhook_receiver.requests == []
    (logged,) = attempts(sent)
    assert logged.status_code is None
    assert logged.error.startswith("hooks.example.com resolves to 127.0.0.1, which is not a public address")
    sent.refresh_from_db()
    assert sent.state == DeliveryState.PENDING  # DNS may change back: retried on schedule
    assert len(queued(tasks.deliver)) == 1


def test_an_http_url_is_refused_at_the_attempt_outside_development(production, endpoint, webhook_receiver):
    sent = send_test_event(endpoint)
    run_queued_tasks()
    assert webhook_receiver.requests == []
    assert attempts(sent)[0].error.startswith("A webhook URL must start with https://")


def test_the_name_is_resolved_once_and_the_checked_address_is_the_one_connected(
    settings, monkeypatch, fake_names, webhook_receiver
):
    """Between the check and the connection no second lookup can point the name elsewhere; the
    receiver still sees the URL's host name."""
    fake_names.resolve("receiver.example", "127.0.0.1")
    sent = send_test_event(
        WebhookEndpointFactory(url=f"http://receiver.example:{webhook_receiver.port}/webhook")
    )
    real_connect = socket.socket.connect
    connected = []

    def connect(sock, address):
        connected.append(address)
        fake_names.resolve("receiver.example", "192.0.2.1")  # re-pointed as soon as we connect
        return real_connect(sock, address)

    settings.CRM_WEBHOOK_TIMEOUT = 1.0
    monkeypatch.setattr(socket.socket, "connect", connect)
    run_queued_tasks()
    monkeypatch.undo()
    assert fake_names.lookups == ["receiver.example"]
    assert ("127.0.0.1", webhook_receiver.port) in connected
    (request,) = webhook_receiver.requests
    assert request.headers["host"] == f"receiver.example:{webhook_receiver.port}"
    sent.refresh_from_db()
    assert sent.state == DeliveryState.SUCCEEDED


# --- TLS -------------------------------------------------------------------------------------


@pytest.fixture
def tls_receiver(tmp_path, production):
    """An https receiver on loopback with a certificate for localhost from a test authority that
    CRM_WEBHOOK_CA_FILE names; private addresses allowed, as for a receiver inside the network."""
    authority, server_file = authority_with_server(tmp_path, ["localhost"])
    production.CRM_WEBHOOK_ALLOW_PRIVATE = True
    production.CRM_WEBHOOK_CA_FILE = str(authority.ca_file)
    receiver = WebhookReceiver(ssl_context=authority.server_context(server_file))
    yield receiver
    receiver.stop()


def test_https_delivery_verifies_the_certificate_for_the_url_host(tls_receiver):
    endpoint = WebhookEndpointFactory(url=tls_receiver.url)
    sent = send_test_event(endpoint)
    run_queued_tasks()
    (request,) = tls_receiver.requests
    assert request.headers["host"] == f"localhost:{tls_receiver.port}"
    verified(request, endpoint.secret)
    sent.refresh_from_db()
    assert sent.state == DeliveryState.SUCCEEDED


def test_a_certificate_from_an_untrusted_authority_is_refused(production, tls_receiver):
    production.CRM_WEBHOOK_CA_FILE = ""  # the system's trust store does not know the test authority
    sent = send_test_event(WebhookEndpointFactory(url=tls_receiver.url))
    run_queued_tasks()
    assert tls_receiver.requests == []
    assert attempts(sent)[0].error.startswith(
        "TLS certificate refused: unable to get local issuer certificate"
    )


def test_a_certificate_for_another_name_is_refused(tls_receiver, fake_names):
    fake_names.resolve("hooks.internal.example", "127.0.0.1")
    sent = send_test_event(
        WebhookEndpointFactory(url=f"https://hooks.internal.example:{tls_receiver.port}/webhook")
    )
    run_queued_tasks()
    assert tls_receiver.requests == []
    assert attempts(sent)[0].error == (
        "TLS certificate refused: Hostname mismatch, certificate is not valid for 'hooks.internal.example'."
    )


# --- concurrent workers ----------------------------------------------------------------------


def attempt_together(*delivery_ids: int) -> None:
    """`attempt()` for each id at the same moment, each in its own thread with its own database
    connection, as the worker's threads run them. On PostgreSQL only: the SQLite test database
    lives in memory with a shared cache, whose table locks fail at once instead of waiting (the
    SQLite file of a real worker waits its turn)."""
    barrier = threading.Barrier(len(delivery_ids))
    errors: list[BaseException] = []

    def run(delivery_id: int) -> None:
        try:
            barrier.wait()
            attempt(delivery_id)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(delivery_id,)) for delivery_id in delivery_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert not errors


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_never_attempt_one_delivery_at_once(webhook_receiver):
    webhook_receiver.default = Reply(200, delay=0.3)
    sent = WebhookDeliveryFactory(endpoint=WebhookEndpointFactory(url=webhook_receiver.url))
    attempt_together(sent.pk, sent.pk, sent.pk)
    assert len(webhook_receiver.requests) == 1
    sent.refresh_from_db()
    assert (sent.state, sent.attempts) == (DeliveryState.SUCCEEDED, 1)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_endpoint_has_one_attempt_in_flight_and_the_others_follow_it(webhook_receiver):
    """Three workers with three deliveries for one slow endpoint: one attempt is made, the other
    two tasks return at once instead of holding their threads; the hand-over sends them next."""
    webhook_receiver.default = Reply(200, delay=0.3)
    endpoint = WebhookEndpointFactory(url=webhook_receiver.url)
    deliveries = [WebhookDeliveryFactory(endpoint=endpoint) for _ in range(3)]
    attempt_together(*(delivery.pk for delivery in deliveries))
    assert len(webhook_receiver.requests) == 1
    run_queued_tasks()
    requests = webhook_receiver.requests
    assert sorted(request.headers["webhook-id"] for request in requests) == sorted(
        d.webhook_id for d in deliveries
    )
    for earlier, later in itertools.pairwise(requests):
        assert later.received_at >= earlier.received_at + 0.29  # one after the other, never together
    assert set(WebhookDelivery.objects.values_list("state", flat=True)) == {DeliveryState.SUCCEEDED}
