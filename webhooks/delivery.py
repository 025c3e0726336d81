"""One attempt of one delivery (CONTRACT §12), as the worker's `deliver` task makes it.

An attempt claims two leases with conditional UPDATEs (they hold on SQLite and on PostgreSQL
alike): the delivery's (`lease_until`: nobody else attempts it meanwhile; an expired one means a
worker died mid-attempt and the delivery may be attempted again — at least once) and its
endpoint's (`busy_until`: one attempt in flight per endpoint, so a slow receiver holds one
worker thread, never all). A task that finds the endpoint busy does not wait: it marks its
delivery `waiting_for_endpoint` and queues itself again for when the endpoint's lease ends; the
attempt in flight hands the endpoint over to the delivery that waited longest when it is done,
so a burst to one endpoint goes out one after the other without waiting for leases to run out.
A task early for its delivery queues itself for the due time (unless another task will run by
then); a task for a finished delivery does nothing.

The request is made outside any transaction. Its outcome is recorded in one transaction: the
attempt's log row, the delivery's state, the endpoint's failing streak (five days without a 2xx
disable it; 410 Gone disables it at once), the next attempt's task, the release of the endpoint
and the hand-over. Disabling goes through `services.endpoint_disable`, as an operator's does: every
pending delivery of the endpoint is cancelled, the one whose answer disabled it included; a task
that later finds its delivery's endpoint disabled cancels the delivery instead of attempting it.

After attempt n fails, attempt n+1 comes `CRM_WEBHOOK_RETRY_DELAYS[n-1]` seconds later (±10 %);
when the schedule is used up the delivery has failed. A 429 or 503 with `Retry-After` (seconds or
an HTTP date) sets that delay instead, exactly and capped at an hour; it does not add attempts.
"""

import dataclasses
import datetime
import email.utils
import logging
import random

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from webhooks import services, signing, transport
from webhooks.models import DeliveryState, WebhookAttempt, WebhookDelivery, WebhookEndpoint

logger = logging.getLogger("webhooks.delivery")

USER_AGENT = "crmtickets-webhooks/1.0 (Standard Webhooks v1)"
# A lease covers the request (at most CRM_WEBHOOK_TIMEOUT) plus this, for the name lookup and
# recording the outcome; a lease that ran out is an interrupted attempt.
LEASE_MARGIN = datetime.timedelta(seconds=30)
RETRY_JITTER = 0.1
RETRY_AFTER_STATUSES = frozenset({429, 503})
RETRY_AFTER_MAX = datetime.timedelta(hours=1)
GONE = 410
FAILING_LIMIT = datetime.timedelta(days=5)

RECORDED_FIELDS = ("attempts", "last_status", "lease_until", "state", "completed_at", "next_attempt_at")

DISABLED_GONE = "The receiver answered 410 Gone."
DISABLED_FAILING = "No 2xx answer for 5 days of attempts."


@dataclasses.dataclass(frozen=True)
class Claim:
    delivery: WebhookDelivery
    lease_until: datetime.datetime
    started_at: datetime.datetime


def attempt(delivery_id: int) -> None:
    """Make the delivery's next attempt if it is due and its endpoint free; else queue the task
    again for when it can be made (or cancel it: its endpoint is disabled)."""
    claim = _claim(delivery_id)
    if claim is None:
        return
    delivery = claim.delivery
    try:
        answer = transport.post(
            delivery.endpoint.url,
            _headers(delivery, claim.started_at),
            delivery.event.body.encode(),
            settings.CRM_WEBHOOK_TIMEOUT,
        )
        _record(claim, answer)
    except BaseException:
        _release(claim)  # whatever stopped us, the next task need not wait for the leases
        raise


def _headers(delivery: WebhookDelivery, now: datetime.datetime) -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        **signing.signature_headers(delivery.endpoint, delivery.webhook_id, delivery.event.body, now),
    }


def _claim(delivery_id: int) -> Claim | None:
    now = timezone.now()
    delivery = (
        WebhookDelivery.objects.select_related("endpoint", "event")
        .filter(pk=delivery_id, state=DeliveryState.PENDING)
        .first()
    )
    if delivery is None or (delivery.lease_until is not None and delivery.lease_until > now):
        return None  # finished, or being attempted: that attempt queues the next one
    if not delivery.endpoint.enabled:
        WebhookDelivery.objects.filter(pk=delivery.pk, state=DeliveryState.PENDING).update(
            state=DeliveryState.CANCELLED, completed_at=now
        )
        return None
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        if not _queued_by(delivery.pk, delivery.next_attempt_at):
            _enqueue(delivery.pk, delivery.next_attempt_at)
        return None
    lease_until = now + datetime.timedelta(seconds=settings.CRM_WEBHOOK_TIMEOUT) + LEASE_MARGIN
    free = Q(lease_until__isnull=True) | Q(lease_until__lte=now)
    due = Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    if not WebhookDelivery.objects.filter(free, due, pk=delivery.pk, state=DeliveryState.PENDING).update(
        lease_until=lease_until, waiting_for_endpoint=False
    ):
        return None  # another worker was quicker
    idle = Q(busy_until__isnull=True) | Q(busy_until__lte=now)
    if not WebhookEndpoint.objects.filter(idle, pk=delivery.endpoint_id, enabled=True).update(
        busy_until=lease_until
    ):
        with transaction.atomic():
            WebhookDelivery.objects.filter(pk=delivery.pk, lease_until=lease_until).update(
                lease_until=None, waiting_for_endpoint=True
            )
            busy_until = (
                WebhookEndpoint.objects.filter(pk=delivery.endpoint_id)
                .values_list("busy_until", flat=True)
                .first()
            )
            _enqueue(delivery.pk, max(busy_until or now, now))
        return None
    return Claim(delivery, lease_until, now)


def _release(claim: Claim) -> None:
    """Give back both leases of an attempt that was not recorded (nothing, once it was)."""
    delivery = claim.delivery
    WebhookDelivery.objects.filter(pk=delivery.pk, lease_until=claim.lease_until).update(lease_until=None)
    WebhookEndpoint.objects.filter(pk=delivery.endpoint_id, busy_until=claim.lease_until).update(
        busy_until=None
    )


def _record(claim: Claim, answer: transport.Answer) -> None:
    succeeded = answer.status is not None and 200 <= answer.status < 300 and not answer.error
    error = answer.error
    if not error and answer.status is not None and 300 <= answer.status < 400:
        error = f"Redirect to {answer.location or '(no Location)'} not followed."
    now = timezone.now()
    with transaction.atomic():
        # The endpoint first, then the delivery: the order `services.endpoint_disable` locks them.
        endpoint = WebhookEndpoint.objects.select_for_update().get(pk=claim.delivery.endpoint_id)
        delivery = (
            WebhookDelivery.objects.select_for_update().select_related("event").get(pk=claim.delivery.pk)
        )
        delivery.attempts += 1
        WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            started_at=claim.started_at,
            duration_ms=answer.duration_ms,
            status_code=answer.status,
            succeeded=succeeded,
            response_excerpt=answer.excerpt,
            error=error,
        )
        delivery.last_status = answer.status
        delivery.lease_until = None
        disabled_reason = _endpoint_outcome(endpoint, succeeded, answer.status, claim.started_at)
        delay = None
        if succeeded:
            _finish(delivery, DeliveryState.SUCCEEDED, now)
        elif delivery.state == DeliveryState.PENDING and not disabled_reason:  # not cancelled meanwhile
            delay = retry_delay(delivery.attempts, answer, now)
            if delay is None:
                _finish(delivery, DeliveryState.FAILED, now)
            else:
                delivery.next_attempt_at = now + delay
                _enqueue(delivery.pk, delivery.next_attempt_at)
        delivery.save(update_fields=RECORDED_FIELDS)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, busy_until=claim.lease_until).update(busy_until=None)
        if disabled_reason:
            services.endpoint_disable(endpoint=endpoint, reason=disabled_reason)
        else:
            _hand_over(endpoint, now)
    delivery.refresh_from_db(fields=["state"])
    _log(delivery, endpoint, answer, error, succeeded, delay, disabled_reason)


def _finish(delivery: WebhookDelivery, state: str, now: datetime.datetime) -> None:
    delivery.state, delivery.completed_at, delivery.next_attempt_at = state, now, None


def _endpoint_outcome(
    endpoint: WebhookEndpoint, succeeded: bool, status: int | None, started_at: datetime.datetime
) -> str:
    """Keep the endpoint's failing streak; why it must be disabled now, or ""."""
    if succeeded:
        if endpoint.failing_since is not None:
            WebhookEndpoint.objects.filter(pk=endpoint.pk).update(failing_since=None)
        return ""
    if status == GONE:
        return DISABLED_GONE
    if endpoint.failing_since is None:
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
            failing_since=started_at
        )
        return ""
    return DISABLED_FAILING if started_at - endpoint.failing_since >= FAILING_LIMIT else ""


def _hand_over(endpoint: WebhookEndpoint, now: datetime.datetime) -> None:
    """Queue now the delivery that has waited longest for the endpoint: its own task waits for
    the lease to run out, which is only the fallback should this worker die."""
    if not endpoint.enabled:
        return
    next_pk = (
        WebhookDelivery.objects.filter(
            endpoint=endpoint, waiting_for_endpoint=True, state=DeliveryState.PENDING
        )
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)
        .first()
    )
    if next_pk is not None:
        WebhookDelivery.objects.filter(pk=next_pk).update(waiting_for_endpoint=False)
        _enqueue(next_pk, now)


def retry_delay(number: int, answer: transport.Answer, now: datetime.datetime) -> datetime.timedelta | None:
    """How long after failed attempt `number` the next one comes; None when it was the last."""
    delays = settings.CRM_WEBHOOK_RETRY_DELAYS
    if number > len(delays):
        return None
    if answer.status in RETRY_AFTER_STATUSES and answer.retry_after:
        asked = parse_retry_after(answer.retry_after, now)
        if asked is not None:
            return min(asked, RETRY_AFTER_MAX)
    jitter = random.uniform(1 - RETRY_JITTER, 1 + RETRY_JITTER)
    return datetime.timedelta(seconds=delays[number - 1] * jitter)


def parse_retry_after(value: str, now: datetime.datetime) -> datetime.timedelta | None:
    """`Retry-After` as delta-seconds or an HTTP date (RFC 9110); None when it is neither."""
    value = value.strip()
    if value.isascii() and value.isdigit():
        return datetime.timedelta(seconds=int(value))
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return max(moment - now, datetime.timedelta(0))


def _queued_by(delivery_id: int, at: datetime.datetime) -> bool:
    """Whether another task for the delivery will run by `at`: a stale task (the delivery was sent
    again by hand, or recovered, meanwhile) then ends instead of queueing a duplicate."""
    from webhooks import tasks

    # A task queued without a time to wait for has the backend's "no time" as its `run_after`.
    by_then = Q(run_after__lte=at) | Q(run_after=get_date_max())
    return DBTaskResult.objects.filter(
        by_then,
        task_path=tasks.deliver.module_path,
        status=TaskResultStatus.READY,
        args_kwargs__args__0=delivery_id,
    ).exists()


def _enqueue(delivery_id: int, at: datetime.datetime) -> None:
    # Imported here: the tasks module imports this one.
    from webhooks import tasks

    tasks.deliver.using(run_after=at).enqueue(delivery_id)


def _log(
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    answer: transport.Answer,
    error: str,
    succeeded: bool,
    delay: datetime.timedelta | None,
    disabled_reason: str,
) -> None:
    logger.log(
        logging.INFO if succeeded else logging.WARNING,
        "webhook attempt %s",
        "succeeded" if succeeded else "failed",
        extra={
            "webhook_id": delivery.webhook_id,
            "delivery_id": delivery.pk,
            "endpoint_id": endpoint.pk,
            "event_type": delivery.event.type,
            "attempt": delivery.attempts,
            "status": answer.status,
            "duration_ms": answer.duration_ms,
            "error": error,
            "state": delivery.state,
            "retry_in_s": round(delay.total_seconds(), 1) if delay is not None else None,
            "endpoint_disabled": disabled_reason,
        },
    )
