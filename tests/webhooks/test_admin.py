"""Webhooks in the admin (webhooks/admin.py), through real pages: who may see them, the endpoint
form, the secret, the actions, and the log of events, deliveries and attempts."""

import json
import re

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group, Permission
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from standardwebhooks import Webhook

from tests.factories import (
    UserFactory,
    WebhookAttemptFactory,
    WebhookDeliveryFactory,
    WebhookEndpointFactory,
    WebhookEventFactory,
)
from tests.support.desk import form_data
from tests.support.task_worker import queued, run_queued_tasks
from tests.support.webhook_receiver import Reply
from tickets.services import SUPPORT_AGENT_GROUP
from webhooks import services, tasks
from webhooks.admin import SECRET_FOR_SUPERUSERS, SECRET_SHOWN_BELOW
from webhooks.models import DeliveryState, WebhookDelivery, WebhookEndpoint, WebhookEvent

pytestmark = pytest.mark.django_db

ADMIN = "/admin/webhooks"
ENDPOINTS = f"{ADMIN}/webhookendpoint/"
EVENTS = f"{ADMIN}/webhookevent/"
DELIVERIES = f"{ADMIN}/webhookdelivery/"
ATTEMPTS = f"{ADMIN}/webhookattempt/"


def page(changelist: str, obj) -> str:
    return f"{changelist}{obj.pk}/change/"


def texts(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def run(client, changelist: str, action: str, objects):
    return client.post(
        changelist, {"action": action, "_selected_action": [o.pk for o in objects]}, follow=True
    )


def action_names(response) -> list[str]:
    form = response.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def add_endpoint(client, url="https://hooks.example/crm", event_types=(), description="", **extra):
    return client.post(
        f"{ENDPOINTS}add/",
        {"address": url, "event_types": list(event_types), "description": description, **extra},
        follow=True,
    )


@pytest.fixture
def viewer(client):
    """A staff user, not a superuser, with every webhooks view permission and nothing else."""
    user = UserFactory(username="viewer")
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="webhooks", codename__startswith="view_")
    )
    client.force_login(user)
    return client


@pytest.fixture
def log(db):
    """An endpoint with a failed delivery of one event and its one attempt."""
    attempt = WebhookAttemptFactory(
        delivery__state=DeliveryState.FAILED, delivery__attempts=1, error="Connection refused."
    )
    return attempt


# --- Who may see what --------------------------------------------------------------------------


def every_page(attempt) -> list[str]:
    delivery = attempt.delivery
    return [
        ENDPOINTS,
        f"{ENDPOINTS}add/",
        page(ENDPOINTS, delivery.endpoint),
        EVENTS,
        page(EVENTS, delivery.event),
        DELIVERIES,
        page(DELIVERIES, delivery),
        ATTEMPTS,
        page(ATTEMPTS, attempt),
    ]


def test_every_page_answers_for_a_superuser(admin_client, log):
    assert {url: admin_client.get(url).status_code for url in every_page(log)} == dict.fromkeys(
        every_page(log), 200
    )


def test_a_support_agent_sees_no_webhook_page(agent_client, log):
    assert {url: agent_client.get(url).status_code for url in every_page(log)} == dict.fromkeys(
        every_page(log), 403
    )


def test_the_admin_index_lists_webhooks_to_a_superuser_only(admin_client, agent_client):
    assert "Webhook endpoints" in admin_client.get("/admin/").content.decode()
    assert "Webhook endpoints" not in agent_client.get("/admin/").content.decode()


def test_the_support_agent_group_has_no_webhook_permission():
    group = Group.objects.get(name=SUPPORT_AGENT_GROUP)
    assert not group.permissions.filter(content_type__app_label="webhooks").exists()


def test_a_support_agent_cannot_add_an_endpoint(agent_client):
    assert add_endpoint(agent_client).status_code == 403
    assert not WebhookEndpoint.objects.exists()


# --- The endpoint form ---------------------------------------------------------------------------


def test_an_endpoint_is_added_with_its_ticked_event_types(admin_client):
    add_endpoint(
        admin_client, event_types=["ticket.rated", "ticket.created"], description="Self-care push service"
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.url, endpoint.event_types, endpoint.description, endpoint.enabled) == (
        "https://hooks.example/crm",
        ["ticket.created", "ticket.rated"],
        "Self-care push service",
        True,
    )


def test_the_event_types_are_checkboxes_of_every_subscribable_type(admin_client):
    field = admin_client.get(f"{ENDPOINTS}add/").context["adminform"].form.fields["event_types"]
    assert [value for value, _ in field.choices] == services.SUBSCRIBABLE_EVENT_TYPES
    assert field.widget.input_type == "checkbox"


def test_after_adding_the_superuser_lands_on_the_page_with_the_secret(admin_client):
    response = add_endpoint(admin_client)
    endpoint = WebhookEndpoint.objects.get()
    assert response.redirect_chain[-1][0] == page(ENDPOINTS, endpoint)
    assert endpoint.secret in response.content.decode()
    assert SECRET_SHOWN_BELOW.format(endpoint=endpoint.pk) in texts(response)


def test_outside_development_an_http_url_is_a_form_error(admin_client, settings):
    settings.IS_DEVELOPMENT = False
    response = add_endpoint(admin_client, url="http://hooks.example/crm")
    assert response.context["adminform"].form.errors == {"address": [services.URL_NOT_HTTPS]}
    assert not WebhookEndpoint.objects.exists()


def test_a_too_long_description_is_a_form_error(admin_client):
    response = add_endpoint(admin_client, description="d" * (services.DESCRIPTION_MAX_LENGTH + 1))
    assert "description" in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_a_forged_event_type_is_a_form_error(admin_client):
    response = add_endpoint(admin_client, event_types=["ticket.closed"])
    assert "event_types" in response.context["adminform"].form.errors
    assert not WebhookEndpoint.objects.exists()


def test_a_one_label_host_is_accepted_by_the_form(admin_client):
    """The URL rule is `services.validate_url`'s alone; Django's URLField would refuse it."""
    add_endpoint(admin_client, url="http://receiver:8080/hook")
    assert WebhookEndpoint.objects.get().url == "http://receiver:8080/hook"


def test_the_change_page_edits_url_types_and_description_and_keeps_the_secret(admin_client):
    endpoint = WebhookEndpointFactory()
    data = form_data(admin_client.get(page(ENDPOINTS, endpoint)), "webhookendpoint_form")
    assert data["address"] == endpoint.url
    data.update(address="https://new.example/h", description="Warehouse", event_types="ticket.rated")
    admin_client.post(page(ENDPOINTS, endpoint), {**data, "_save": "Save"})
    changed = WebhookEndpoint.objects.get()
    assert (changed.url, changed.event_types, changed.description, changed.secret) == (
        "https://new.example/h",
        ["ticket.rated"],
        "Warehouse",
        endpoint.secret,
    )


def test_the_state_is_not_edited_on_the_form(admin_client):
    endpoint = WebhookEndpointFactory()
    data = form_data(admin_client.get(page(ENDPOINTS, endpoint)), "webhookendpoint_form")
    admin_client.post(
        page(ENDPOINTS, endpoint), {**data, "enabled": "", "secret": "whsec_x", "_save": "Save"}
    )
    assert WebhookEndpoint.objects.filter(enabled=True, secret=endpoint.secret).exists()


def test_endpoints_are_never_deleted(admin_client):
    endpoint = WebhookEndpointFactory()
    assert admin_client.get(f"{page(ENDPOINTS, endpoint).removesuffix('change/')}delete/").status_code == 403
    assert "delete_selected" not in action_names(admin_client.get(ENDPOINTS))


# --- The secret ----------------------------------------------------------------------------------


def test_the_secret_is_not_in_the_list(admin_client):
    endpoint = WebhookEndpointFactory()
    assert endpoint.secret not in admin_client.get(ENDPOINTS).content.decode()


def test_the_secret_is_shown_to_superusers_only(viewer):
    endpoint = WebhookEndpointFactory()
    response = viewer.get(page(ENDPOINTS, endpoint))
    assert response.status_code == 200
    assert endpoint.secret not in response.content.decode()


def test_rotation_says_until_when_the_old_secret_signs_without_either_secret(admin_client):
    endpoint = WebhookEndpointFactory()
    response = run(admin_client, ENDPOINTS, "rotate_secret", [endpoint])
    rotated = WebhookEndpoint.objects.get()
    assert rotated.previous_secret == endpoint.secret
    [message] = texts(response)
    assert message.startswith(f"New signing secret for endpoint(s) {endpoint.pk}")
    assert rotated.secret not in message
    assert endpoint.secret not in message


def test_after_rotation_the_page_shows_the_new_secret_and_until_when_the_old_signs(admin_client):
    endpoint = WebhookEndpointFactory()
    run(admin_client, ENDPOINTS, "rotate_secret", [endpoint])
    content = admin_client.get(page(ENDPOINTS, endpoint)).content.decode()
    assert WebhookEndpoint.objects.get().secret in content
    assert endpoint.secret not in content
    assert "Previous secret signs until" in content


def test_no_secret_is_written_to_the_admin_history(admin_client):
    add_endpoint(admin_client)
    endpoint = WebhookEndpoint.objects.get()
    run(admin_client, ENDPOINTS, "rotate_secret", [endpoint])
    endpoint.refresh_from_db()
    history = " ".join(f"{entry.object_repr} {entry.change_message}" for entry in LogEntry.objects.all())
    assert LogEntry.objects.count() == 2
    assert endpoint.secret not in history
    assert endpoint.previous_secret not in history


def test_staff_who_may_add_but_are_no_superusers_are_told_who_reads_the_secret(client):
    user = UserFactory(username="integrator")
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="webhooks", codename__in=["add_webhookendpoint", "view_webhookendpoint"]
        )
    )
    client.force_login(user)
    response = add_endpoint(client)
    endpoint = WebhookEndpoint.objects.get()
    assert SECRET_FOR_SUPERUSERS.format(endpoint=endpoint.pk) in texts(response)
    assert endpoint.secret not in response.content.decode()


# --- Endpoint actions ----------------------------------------------------------------------------


def test_send_test_event_queues_a_webhook_test_delivery_to_each_selected_endpoint(admin_client):
    chosen, other = WebhookEndpointFactory(), WebhookEndpointFactory()
    response = run(admin_client, ENDPOINTS, "send_test_event", [chosen])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.endpoint, delivery.event.type) == (chosen, "webhook.test")
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]
    assert texts(response) == [f"A webhook.test event is queued for endpoint(s) {chosen.pk}."]
    assert not other.deliveries.exists()


def test_send_test_event_to_a_disabled_endpoint_is_refused_on_the_page(admin_client):
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="Retired.")
    response = run(admin_client, ENDPOINTS, "send_test_event", [endpoint])
    assert texts(response) == [services.ENDPOINT_DISABLED.format(endpoint=endpoint.pk)]
    assert not WebhookEvent.objects.exists()


def test_disable_names_who_and_cancels_pending_deliveries(admin_client):
    delivery = WebhookDeliveryFactory()
    response = run(admin_client, ENDPOINTS, "disable", [delivery.endpoint])
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.enabled, endpoint.disabled_reason) == (False, "Disabled in the admin by admin.")
    assert WebhookDelivery.objects.get().state == DeliveryState.CANCELLED
    assert texts(response) == [f"Disabled endpoint(s) {endpoint.pk}; 1 pending deliveries cancelled."]


def test_enable_clears_why_it_was_disabled(admin_client):
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="410 Gone from the receiver.")
    run(admin_client, ENDPOINTS, "enable", [endpoint])
    endpoint.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at) == (True, "", None)


def test_actions_are_written_to_the_admin_history(admin_client):
    endpoint = WebhookEndpointFactory()
    run(admin_client, ENDPOINTS, "rotate_secret", [endpoint])
    history = admin_client.get(f"{page(ENDPOINTS, endpoint).removesuffix('change/')}history/")
    assert "Rotated the signing secret." in history.content.decode()


# --- Events, deliveries and attempts ---------------------------------------------------------------


def test_the_log_is_not_added_to_by_hand(admin_client):
    for changelist in (EVENTS, DELIVERIES, ATTEMPTS):
        assert admin_client.get(f"{changelist}add/").status_code == 403


def test_the_log_is_not_deleted_by_hand(admin_client, log):
    for changelist, obj in ((EVENTS, log.delivery.event), (DELIVERIES, log.delivery), (ATTEMPTS, log)):
        assert admin_client.get(f"{page(changelist, obj).removesuffix('change/')}delete/").status_code == 403


def test_a_delivery_page_is_read_only(admin_client, log):
    response = admin_client.get(page(DELIVERIES, log.delivery))
    assert response.context["has_change_permission"] is False
    admin_client.post(page(DELIVERIES, log.delivery), {"state": "succeeded"})
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_the_delivery_page_shows_every_attempt(admin_client, log):
    WebhookAttemptFactory(
        delivery=log.delivery, number=2, status_code=503, response_excerpt="Service Unavailable", error=""
    )
    content = admin_client.get(page(DELIVERIES, log.delivery)).content.decode()
    for shown in ("Connection refused.", "503", "Service Unavailable", "Duration (ms)", "Started at"):
        assert shown in content


def test_the_event_body_is_shown_pretty_printed(admin_client):
    event = WebhookEventFactory()
    pretty = json.dumps(json.loads(event.body), indent=2).replace('"', "&quot;")
    assert pretty in admin_client.get(page(EVENTS, event)).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"), [("state__exact=failed", ["failed"]), ("state__exact=pending", ["pending"])]
)
def test_deliveries_are_filtered_by_state(admin_client, query, expected):
    WebhookDeliveryFactory(state=DeliveryState.FAILED)
    WebhookDeliveryFactory(state=DeliveryState.PENDING)
    listed = admin_client.get(f"{DELIVERIES}?{query}").context["cl"].result_list
    assert [delivery.state for delivery in listed] == expected


def test_deliveries_are_filtered_by_endpoint_and_type(admin_client):
    wanted = WebhookDeliveryFactory(event__type="ticket.rated")
    WebhookDeliveryFactory(endpoint=wanted.endpoint)
    WebhookDeliveryFactory(event__type="ticket.rated")
    query = f"endpoint__id__exact={wanted.endpoint.pk}&event__type=ticket.rated"
    assert list(admin_client.get(f"{DELIVERIES}?{query}").context["cl"].result_list) == [wanted]


def test_a_delivery_is_found_by_its_webhook_id(admin_client):
    wanted, _ = WebhookDeliveryFactory(), WebhookDeliveryFactory()
    listed = admin_client.get(f"{DELIVERIES}?q={wanted.webhook_id}").context["cl"].result_list
    assert list(listed) == [wanted]


def test_the_delivery_list_takes_the_same_queries_whatever_its_length(admin_client):
    WebhookDeliveryFactory()
    with CaptureQueriesContext(connection) as one:
        admin_client.get(DELIVERIES)
    WebhookDeliveryFactory.create_batch(10)
    with CaptureQueriesContext(connection) as eleven:
        admin_client.get(DELIVERIES)
    assert len(eleven) == len(one)


# --- Sending again -------------------------------------------------------------------------------


def test_send_again_queues_a_new_attempt_with_the_same_webhook_id(admin_client, log):
    response = run(admin_client, DELIVERIES, "send_again", [log.delivery])
    delivery = WebhookDelivery.objects.get()
    assert (delivery.state, delivery.webhook_id) == (DeliveryState.PENDING, log.delivery.webhook_id)
    assert [row.args_kwargs["args"] for row in queued(tasks.deliver)] == [[delivery.pk]]
    assert texts(response) == [f"Sent again (an attempt is queued now): {delivery.webhook_id}."]


def test_send_again_for_a_disabled_endpoint_says_to_enable_it_first(admin_client, log):
    services.endpoint_disable(endpoint=log.delivery.endpoint, reason="Retired.")
    response = run(admin_client, DELIVERIES, "send_again", [log.delivery])
    assert texts(response) == [services.ENDPOINT_DISABLED.format(endpoint=log.delivery.endpoint.pk)]
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED
    assert queued(tasks.deliver) == []


def test_send_again_needs_the_change_permission_on_deliveries(viewer, log):
    assert "send_again" not in action_names(viewer.get(DELIVERIES))


# --- The buttons on an object's page ---------------------------------------------------------------


def button_url(changelist: str, obj, action: str) -> str:
    return f"{changelist}{obj.pk}/action/{action}/"


def buttons(client, changelist: str, obj) -> list[str]:
    return re.findall(
        rf'action="{changelist}{obj.pk}/action/(\w+)/"', client.get(page(changelist, obj)).content.decode()
    )


def test_an_enabled_endpoint_page_has_buttons_to_send_a_test_rotate_and_disable(admin_client):
    endpoint = WebhookEndpointFactory()
    assert buttons(admin_client, ENDPOINTS, endpoint) == ["send_test_event", "rotate_secret", "disable"]


def test_a_disabled_endpoint_page_has_an_enable_button_instead(admin_client):
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="Retired.")
    assert buttons(admin_client, ENDPOINTS, endpoint) == ["send_test_event", "rotate_secret", "enable"]


def test_a_delivery_page_has_a_send_again_button(admin_client, log):
    assert buttons(admin_client, DELIVERIES, log.delivery) == ["send_again"]


def test_a_button_runs_its_action_on_that_object_and_comes_back_to_its_page(admin_client, log):
    response = admin_client.post(button_url(DELIVERIES, log.delivery, "send_again"), follow=True)
    assert response.redirect_chain == [(page(DELIVERIES, log.delivery), 302)]
    assert WebhookDelivery.objects.get().state == DeliveryState.PENDING
    assert texts(response) == [f"Sent again (an attempt is queued now): {log.delivery.webhook_id}."]


def test_a_button_is_a_post(admin_client, log):
    assert admin_client.get(button_url(DELIVERIES, log.delivery, "send_again")).status_code == 405
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_a_button_needs_the_action_permission(viewer, log):
    assert "/action/send_again/" not in viewer.get(page(DELIVERIES, log.delivery)).content.decode()
    assert viewer.post(button_url(DELIVERIES, log.delivery, "send_again")).status_code == 403
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


def test_a_button_for_no_such_action_is_refused(admin_client, log):
    assert admin_client.post(button_url(DELIVERIES, log.delivery, "delete_selected")).status_code == 403


def test_a_support_agent_cannot_press_a_button(agent_client, log):
    assert agent_client.post(button_url(DELIVERIES, log.delivery, "send_again")).status_code == 403
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED


# --- With a real receiver and the worker's tasks ---------------------------------------------------


def test_a_test_event_sent_from_the_page_reaches_the_receiver_signed_with_the_shown_secret(
    admin_client, webhook_receiver
):
    response = add_endpoint(admin_client, url=webhook_receiver.url)
    endpoint = WebhookEndpoint.objects.get()
    shown = re.search(r"<code>(whsec_[^<]+)</code>", response.content.decode()).group(1)
    admin_client.post(button_url(ENDPOINTS, endpoint, "send_test_event"))
    assert run_queued_tasks() == 1
    [request] = webhook_receiver.wait_for(1)
    assert Webhook(shown).verify(request.body, request.headers) == {
        "type": "webhook.test",
        "timestamp": json.loads(WebhookEvent.objects.get().body)["timestamp"],
        "data": {},
    }


def test_a_failed_delivery_sent_again_from_its_page_arrives_with_the_same_webhook_id(
    admin_client, webhook_receiver, settings
):
    settings.CRM_WEBHOOK_RETRY_DELAYS = []  # the first failure is the last
    webhook_receiver.script(Reply(500))
    endpoint = services.endpoint_create(url=webhook_receiver.url)
    delivery = services.endpoint_send_test(endpoint=endpoint).deliveries.get()
    run_queued_tasks()
    assert WebhookDelivery.objects.get().state == DeliveryState.FAILED
    admin_client.post(button_url(DELIVERIES, delivery, "send_again"))
    run_queued_tasks()
    first, second = webhook_receiver.wait_for(2)
    assert first.headers["webhook-id"] == second.headers["webhook-id"] == delivery.webhook_id
    assert WebhookDelivery.objects.get().state == DeliveryState.SUCCEEDED
    attempts = admin_client.get(page(DELIVERIES, delivery)).context["inline_admin_formsets"][0]
    assert [form.original.status_code for form in attempts] == [500, 200]
