"""The operators' writes (webhooks/services.py): what an endpoint may be, disabling, enabling,
rotating its secret, a test event, and sending a delivery again."""

import base64
import datetime
import json
import re

import pytest
from django.core.exceptions import ValidationError

from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.support.clock import NOW
from tests.support.task_worker import queued
from webhooks import services, tasks
from webhooks.models import DeliveryState, EventType, WebhookDelivery, WebhookEvent

pytestmark = pytest.mark.django_db


def refusal(call, **kwargs) -> list[str]:
    with pytest.raises(ValidationError) as raised:
        call(**kwargs)
    return raised.value.messages


@pytest.fixture
def production(settings):
    settings.IS_DEVELOPMENT = False


# --- What an endpoint may be ---------------------------------------------------------------------


def test_a_new_endpoint_is_enabled_with_a_standard_webhooks_secret():
    endpoint = services.endpoint_create(url="https://hooks.example/crm", description="Push service")
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.description, endpoint.enabled) == (
        "https://hooks.example/crm",
        "Push service",
        True,
    )
    assert endpoint.secret.startswith("whsec_")
    assert len(base64.b64decode(endpoint.secret.removeprefix("whsec_"))) == 32


def test_endpoint_without_event_types_gets_them_all():
    endpoint = services.endpoint_create(url="https://hooks.example/crm")
    assert endpoint.event_types == []
    assert all(endpoint.receives(value) for value in EventType.values)


def test_event_types_are_kept_once_each_in_the_order_of_the_contract():
    endpoint = services.endpoint_create(
        url="https://hooks.example/crm",
        event_types=["ticket.rated", " ticket.created ", "ticket.rated", ""],
    )
    assert endpoint.event_types == ["ticket.created", "ticket.rated"]


def test_an_unknown_event_type_is_refused_naming_the_allowed_ones():
    allowed = ", ".join(services.SUBSCRIBABLE_EVENT_TYPES)
    assert refusal(
        services.endpoint_create, url="https://hooks.example/crm", event_types=["ticket.closed"]
    ) == [f"'ticket.closed' is not an event type to subscribe to. Choose from: {allowed}."]


def test_the_test_event_is_not_subscribed_to():
    """It goes to one endpoint from the admin, whatever the endpoint subscribes to."""
    assert "webhook.test" not in services.SUBSCRIBABLE_EVENT_TYPES
    with pytest.raises(ValidationError, match=re.escape("'webhook.test' is not")):
        services.endpoint_create(url="https://hooks.example/crm", event_types=["webhook.test"])


def test_outside_development_the_url_must_be_https(production):
    assert refusal(services.endpoint_create, url="http://hooks.example/crm") == [services.URL_NOT_HTTPS]


def test_outside_development_an_https_url_is_accepted(production):
    assert services.endpoint_create(url="https://hooks.example/crm").url == "https://hooks.example/crm"


def test_in_development_http_is_allowed():
    assert services.endpoint_create(url="http://127.0.0.1:8099/hook").url == "http://127.0.0.1:8099/hook"


@pytest.mark.parametrize("url", ["ftp://hooks.example/crm", "hooks.example/crm", "javascript:alert(1)"])
def test_in_development_only_http_and_https_are_allowed(url):
    assert refusal(services.endpoint_create, url=url) == [services.URL_NOT_HTTP]


@pytest.mark.parametrize(
    "url",
    ["https://", "https:///crm", "https://hooks.example:0/", "https://hooks.example:99999/", "https://a b/"],
)
def test_a_url_without_a_usable_host_and_port_is_refused(url):
    assert refusal(services.endpoint_create, url=url) == [services.URL_INVALID.format(url=url)]


def test_a_one_label_host_is_accepted():
    """A receiver on a compose network or an internal name; where it resolves to is checked at
    every attempt."""
    assert services.endpoint_create(url="http://receiver:8080/hook").url == "http://receiver:8080/hook"


def test_a_blank_url_is_refused():
    assert refusal(services.endpoint_create, url="   ") == [services.URL_BLANK]


def test_surrounding_blanks_are_dropped_from_the_url():
    assert services.endpoint_create(url="  https://hooks.example/crm \n").url == "https://hooks.example/crm"


def test_a_url_longer_than_the_column_is_refused():
    url = "https://hooks.example/" + "a" * services.URL_MAX_LENGTH
    assert refusal(services.endpoint_create, url=url) == [services.URL_TOO_LONG]


def test_a_description_of_the_maximum_length_is_accepted():
    description = "d" * services.DESCRIPTION_MAX_LENGTH
    assert services.endpoint_create(url="https://hooks.example/crm", description=description).description == (
        description
    )


def test_a_longer_description_is_refused():
    description = "d" * (services.DESCRIPTION_MAX_LENGTH + 1)
    assert refusal(services.endpoint_create, url="https://hooks.example/crm", description=description) == [
        services.DESCRIPTION_TOO_LONG
    ]


def test_every_problem_is_reported_at_once_by_field():
    with pytest.raises(ValidationError) as raised:
        services.endpoint_create(url="ftp://x", event_types=["nope"], description="d" * 300)
    assert sorted(raised.value.message_dict) == ["description", "event_types", "url"]


def test_update_changes_the_fields_and_keeps_the_secret():
    endpoint = WebhookEndpointFactory()
    secret = endpoint.secret
    services.endpoint_update(
        endpoint=endpoint, url="https://new.example/h", event_types=["ticket.rated"], description="Warehouse"
    )
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.event_types, endpoint.description, endpoint.secret) == (
        "https://new.example/h",
        ["ticket.rated"],
        "Warehouse",
        secret,
    )


def test_update_refuses_what_create_refuses(production):
    endpoint = WebhookEndpointFactory()
    assert refusal(
        services.endpoint_update,
        endpoint=endpoint,
        url="http://new.example/h",
        event_types=[],
        description="",
    ) == [services.URL_NOT_HTTPS]


# --- Disabling and enabling ----------------------------------------------------------------------


def test_disable_records_why_and_when(clock):
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="Receiver retired.")
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at) == (
        False,
        "Receiver retired.",
        NOW,
    )


def test_disable_cancels_the_pending_deliveries_only(clock):
    endpoint = WebhookEndpointFactory()
    pending = WebhookDeliveryFactory(endpoint=endpoint)
    done = WebhookDeliveryFactory(endpoint=endpoint, state=DeliveryState.SUCCEEDED)
    elsewhere = WebhookDeliveryFactory()
    assert services.endpoint_disable(endpoint=endpoint, reason="Retired.") == 1
    states = dict(WebhookDelivery.objects.values_list("pk", "state"))
    assert states == {
        pending.pk: DeliveryState.CANCELLED,
        done.pk: DeliveryState.SUCCEEDED,
        elsewhere.pk: DeliveryState.PENDING,
    }
    assert WebhookDelivery.objects.get(pk=pending.pk).completed_at == NOW


def test_disabling_a_disabled_endpoint_keeps_its_first_reason():
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="410 Gone.")
    assert services.endpoint_disable(endpoint=endpoint, reason="Again.") == 0
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "410 Gone."


def test_enable_clears_the_reason_and_the_failure_record(clock):
    endpoint = WebhookEndpointFactory(failing_since=NOW - datetime.timedelta(days=5))
    services.endpoint_disable(endpoint=endpoint, reason="No 2xx for 5 days.")
    services.endpoint_enable(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at, endpoint.failing_since) == (
        True,
        "",
        None,
        None,
    )


def test_enable_leaves_cancelled_deliveries_cancelled():
    delivery = WebhookDeliveryFactory()
    services.endpoint_disable(endpoint=delivery.endpoint, reason="Retired.")
    services.endpoint_enable(endpoint=delivery.endpoint)
    assert WebhookDelivery.objects.get(pk=delivery.pk).state == DeliveryState.CANCELLED


# --- Rotating the secret -------------------------------------------------------------------------


def test_rotation_keeps_the_old_secret_for_24_hours(clock):
    endpoint = WebhookEndpointFactory()
    old = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == old
    assert endpoint.previous_secret_expires_at == NOW + datetime.timedelta(hours=24)
    assert endpoint.secret != old
    assert endpoint.secret.startswith("whsec_")


def test_a_second_rotation_keeps_only_the_secret_it_replaced():
    endpoint = WebhookEndpointFactory()
    services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    middle = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint)
    endpoint.refresh_from_db()
    assert endpoint.previous_secret == middle


# --- The test event ------------------------------------------------------------------------------


def test_a_test_event_goes_to_that_endpoint_only_with_empty_data(clock):
    endpoint = WebhookEndpointFactory(event_types=["ticket.rated"])
    WebhookEndpointFactory()  # subscribed to everything: still gets nothing
    event = services.endpoint_send_test(endpoint=endpoint)
    assert json.loads(event.body) == {
        "type": "webhook.test",
        "timestamp": "2026-11-30T12:00:00.000Z",
        "data": {},
    }
    assert event.ticket is None
    assert list(event.deliveries.values_list("endpoint", flat=True)) == [endpoint.pk]


def test_a_test_event_queues_its_delivery():
    endpoint = WebhookEndpointFactory()
    delivery = services.endpoint_send_test(endpoint=endpoint).deliveries.get()
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]


def test_no_test_event_to_a_disabled_endpoint():
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="Retired.")
    assert refusal(services.endpoint_send_test, endpoint=endpoint) == [
        services.ENDPOINT_DISABLED.format(endpoint=endpoint.pk)
    ]
    assert not WebhookEvent.objects.exists()


# --- Sending again -------------------------------------------------------------------------------


@pytest.mark.parametrize("state", DeliveryState.values)
def test_a_delivery_in_any_state_is_sent_again_now_with_the_same_webhook_id(clock, state):
    delivery = WebhookDeliveryFactory(
        state=state,
        attempts=3,
        next_attempt_at=None,
        completed_at=None if state == DeliveryState.PENDING else NOW - datetime.timedelta(hours=1),
    )
    services.delivery_send_again(delivery=delivery)
    again = WebhookDelivery.objects.get(pk=delivery.pk)
    assert (again.state, again.next_attempt_at, again.completed_at) == (DeliveryState.PENDING, NOW, None)
    assert (again.webhook_id, again.attempts) == (delivery.webhook_id, 3)
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]


def test_a_delivery_of_a_disabled_endpoint_is_not_sent_again():
    delivery = WebhookDeliveryFactory(state=DeliveryState.FAILED)
    services.endpoint_disable(endpoint=delivery.endpoint, reason="Retired.")
    assert refusal(services.delivery_send_again, delivery=delivery) == [
        services.ENDPOINT_DISABLED.format(endpoint=delivery.endpoint.pk)
    ]
    assert WebhookDelivery.objects.get(pk=delivery.pk).state == DeliveryState.FAILED
    assert queued(tasks.deliver) == []
