"""Operators' writes to webhook endpoints and deliveries (CONTRACT §12), shared by the admin and
the management commands so that a rule holds however a change arrives. Each is atomic; a
refusal is Django's `ValidationError` with a sentence from this module."""

import datetime
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from webhooks import outbox
from webhooks.models import (
    DeliveryState,
    EventType,
    WebhookDelivery,
    WebhookEndpoint,
    WebhookEvent,
    new_secret,
)

# After a rotation the old secret still signs (second) for this long, so a receiver can switch.
SECRET_ROTATION_OVERLAP = datetime.timedelta(hours=24)

# What an endpoint may subscribe to: every type but the test event, which goes to one endpoint
# from the admin whatever it subscribes to.
SUBSCRIBABLE_EVENT_TYPES = [value for value in EventType.values if value != EventType.WEBHOOK_TEST]


def _max_length(field: str) -> int:
    """The column's length, declared once on the model."""
    column = WebhookEndpoint._meta.get_field(field)
    assert isinstance(column, models.Field)
    assert column.max_length is not None
    return column.max_length


DESCRIPTION_MAX_LENGTH = _max_length("description")
URL_MAX_LENGTH = _max_length("url")

URL_BLANK = "A webhook URL is required."
URL_TOO_LONG = f"A webhook URL must be at most {URL_MAX_LENGTH} characters."
URL_NOT_HTTPS = "A webhook URL must start with https:// (http:// is allowed only in development)."
URL_NOT_HTTP = "A webhook URL must start with http:// or https://."
URL_INVALID = "'{url}' is not a valid URL."
UNKNOWN_EVENT_TYPE = "'{value}' is not an event type to subscribe to. Choose from: {allowed}."
DESCRIPTION_TOO_LONG = f"A description must be at most {DESCRIPTION_MAX_LENGTH} characters."
DISABLED_REASON_MAX_LENGTH = _max_length("disabled_reason")
ENDPOINT_DISABLED = "Webhook endpoint {endpoint} is disabled: enable it first."


def allowed_url_schemes() -> tuple[str, ...]:
    """`https` only, except in development (`CRM_ENV=development`), where `http` is allowed too.
    Where the address itself may point is checked at every attempt, not here."""
    return ("http", "https") if settings.IS_DEVELOPMENT else ("https",)


def validate_url(url: str) -> str:
    """The URL as stored (surrounding blanks dropped), or a ValidationError saying what is wrong."""
    url = url.strip()
    if not url:
        raise ValidationError(URL_BLANK)
    if len(url) > URL_MAX_LENGTH:
        raise ValidationError(URL_TOO_LONG)
    try:
        parts = urlsplit(url)
        port = parts.port  # a port that is not a number in range raises too
    except ValueError:
        raise ValidationError(URL_INVALID.format(url=url)) from None
    if parts.scheme.lower() not in allowed_url_schemes():
        raise ValidationError(URL_NOT_HTTP if settings.IS_DEVELOPMENT else URL_NOT_HTTPS)
    # Django's URLValidator would refuse one-label hosts (`http://receiver:8080/` in a compose
    # network); the address check at each attempt is what keeps deliveries where they may go.
    if not parts.hostname or port == 0 or any(char.isspace() or not char.isprintable() for char in url):
        raise ValidationError(URL_INVALID.format(url=url))
    return url


def validate_event_types(event_types: list[str]) -> list[str]:
    """The subscribed types, each once, in the order of `EventType`; an empty list means all."""
    chosen = {value.strip() for value in event_types if value.strip()}
    unknown = sorted(chosen - set(SUBSCRIBABLE_EVENT_TYPES))
    if unknown:
        raise ValidationError(
            [
                UNKNOWN_EVENT_TYPE.format(value=value, allowed=", ".join(SUBSCRIBABLE_EVENT_TYPES))
                for value in unknown
            ]
        )
    return [value for value in SUBSCRIBABLE_EVENT_TYPES if value in chosen]


def validate_description(description: str) -> str:
    description = description.strip()
    if len(description) > DESCRIPTION_MAX_LENGTH:
        raise ValidationError(DESCRIPTION_TOO_LONG)
    return description


def _endpoint_fields(*, url: str, event_types: list[str], description: str) -> dict:
    """The validated fields, every problem at once (keyed by field, as a form shows them)."""
    fields, errors = {}, {}
    checks = {
        "url": lambda: validate_url(url),
        "event_types": lambda: validate_event_types(event_types),
        "description": lambda: validate_description(description),
    }
    for name, check in checks.items():
        try:
            fields[name] = check()
        except ValidationError as exc:
            errors[name] = exc.messages
    if errors:
        raise ValidationError(errors)
    return fields


@transaction.atomic
def endpoint_create(
    *, url: str, event_types: list[str] | None = None, description: str = ""
) -> WebhookEndpoint:
    """A new enabled endpoint with a fresh signing secret."""
    endpoint = WebhookEndpoint(
        **_endpoint_fields(url=url, event_types=event_types or [], description=description)
    )
    endpoint.save()
    return endpoint


@transaction.atomic
def endpoint_update(
    *, endpoint: WebhookEndpoint, url: str, event_types: list[str], description: str
) -> WebhookEndpoint:
    """Change where events go, which ones and the operators' note; the secret and the state stay.
    Deliveries already queued keep their event and go to the new URL."""
    for name, value in _endpoint_fields(url=url, event_types=event_types, description=description).items():
        setattr(endpoint, name, value)
    endpoint.save(update_fields=["url", "event_types", "description"])
    return endpoint


@transaction.atomic
def endpoint_disable(*, endpoint: WebhookEndpoint, reason: str) -> int:
    """Stop sending to the endpoint and cancel its pending deliveries (they can be sent again by
    hand once it is enabled); how many were cancelled. An endpoint already disabled keeps its
    first reason and time."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    if not endpoint.enabled:
        return 0
    now = timezone.now()
    endpoint.enabled = False
    endpoint.disabled_reason = reason.strip()[:DISABLED_REASON_MAX_LENGTH]
    endpoint.disabled_at = now
    endpoint.save(update_fields=["enabled", "disabled_reason", "disabled_at"])
    return WebhookDelivery.objects.filter(endpoint=endpoint, state=DeliveryState.PENDING).update(
        state=DeliveryState.CANCELLED, completed_at=now
    )


@transaction.atomic
def endpoint_enable(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """Send to the endpoint again, with a clean record: the five days without a 2xx that
    disable an endpoint count from its next failure. Cancelled deliveries stay cancelled."""
    endpoint.enabled = True
    endpoint.disabled_reason = ""
    endpoint.disabled_at = None
    endpoint.failing_since = None
    endpoint.save(update_fields=["enabled", "disabled_reason", "disabled_at", "failing_since"])
    return endpoint


@transaction.atomic
def endpoint_rotate_secret(*, endpoint: WebhookEndpoint) -> WebhookEndpoint:
    """A new secret signs from now on; the current one signs too, second, for 24 hours. Only one
    previous secret is kept: rotating again within the 24 hours drops the older one."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_expires_at = timezone.now() + SECRET_ROTATION_OVERLAP
    endpoint.secret = new_secret()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at"])
    return endpoint


def _refuse_disabled(endpoint: WebhookEndpoint) -> None:
    if not endpoint.enabled:
        raise ValidationError(ENDPOINT_DISABLED.format(endpoint=endpoint.pk))


@transaction.atomic
def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookEvent:
    """A `webhook.test` event to this endpoint only, whatever it subscribes to. Its `data` is
    empty: the event is about no ticket, and a receiver needs nothing but the signature to
    check."""
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint.pk)
    _refuse_disabled(endpoint)
    event = outbox.publish(
        EventType.WEBHOOK_TEST, {}, ticket=None, occurred_at=timezone.now(), endpoints=[endpoint]
    )
    assert event is not None  # an endpoint was given
    return event


@transaction.atomic
def delivery_send_again(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """One more attempt now, whatever the delivery's state, with the same `webhook-id` (a
    receiver that deduplicates ignores it if it had it already). Its endpoint must be enabled.
    The attempts it has had stay counted and logged."""
    # Imported here as the outbox does: the tasks import the delivery engine, which reads
    # this module's URL rule.
    from webhooks import tasks

    delivery = WebhookDelivery.objects.select_for_update().select_related("endpoint").get(pk=delivery.pk)
    _refuse_disabled(delivery.endpoint)
    delivery.state = DeliveryState.PENDING
    delivery.next_attempt_at = timezone.now()
    delivery.completed_at = None
    delivery.save(update_fields=["state", "next_attempt_at", "completed_at"])
    tasks.deliver.enqueue(delivery.pk)
    return delivery
