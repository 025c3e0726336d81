"""The operators' commands: add_webhook_endpoint (the id, then the secret alone on the last
line), list_webhook_endpoints and disable_webhook_endpoint; through call_command and, for what a
script reads, through a real `manage.py` process."""

import os
import re
import sqlite3

import pytest
from django.core.management import CommandError, call_command

from tests.factories import WebhookDeliveryFactory, WebhookEndpointFactory
from tests.support.commands import run_command
from tests.support.processes import manage
from tests.support.worker_process import migrated_sqlite_file
from webhooks import services
from webhooks.management.commands.disable_webhook_endpoint import (
    ALREADY_DISABLED,
    DISABLED_BY_COMMAND,
    NO_SUCH_ENDPOINT,
)
from webhooks.models import DeliveryState, WebhookEndpoint

SECRET = re.compile(r"whsec_[A-Za-z0-9+/]{43}=")


# --- add_webhook_endpoint ------------------------------------------------------------------------


@pytest.mark.django_db
def test_add_prints_the_id_then_the_secret_alone_on_the_last_line():
    lines = run_command("add_webhook_endpoint", "--url", "https://hooks.example/crm").splitlines()
    endpoint = WebhookEndpoint.objects.get()
    assert lines[0] == f"Webhook endpoint {endpoint.pk} added: https://hooks.example/crm (events: all)."
    assert lines[-1] == endpoint.secret


@pytest.mark.django_db
def test_add_subscribes_to_the_given_events_and_keeps_the_description():
    run_command(
        "add_webhook_endpoint",
        "--url",
        "https://hooks.example/crm",
        "--events",
        "ticket.rated, ticket.created",
        "--description",
        "Data warehouse",
    )
    endpoint = WebhookEndpoint.objects.get()
    assert (endpoint.event_types, endpoint.description) == (
        ["ticket.created", "ticket.rated"],
        "Data warehouse",
    )


@pytest.mark.django_db
def test_add_refuses_an_unknown_event_naming_the_allowed_ones():
    message = services.UNKNOWN_EVENT_TYPE.format(
        value="ticket.closed", allowed=", ".join(services.SUBSCRIBABLE_EVENT_TYPES)
    )
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command(
            "add_webhook_endpoint", "--url", "https://hooks.example/crm", "--events", "ticket.closed"
        )
    assert not WebhookEndpoint.objects.exists()


@pytest.mark.django_db
def test_add_refuses_http_outside_development(settings):
    settings.IS_DEVELOPMENT = False
    with pytest.raises(CommandError, match=re.escape(services.URL_NOT_HTTPS)):
        call_command("add_webhook_endpoint", "--url", "http://hooks.example/crm")


@pytest.fixture(scope="module")
def migrated_env(tmp_path_factory) -> dict[str, str]:
    """A development environment on a migrated SQLite file of its own, for `manage.py`."""
    database = migrated_sqlite_file(tmp_path_factory.mktemp("commands"))
    return {**os.environ, "CRM_ENV": "development", "DATABASE_URL": f"sqlite:///{database}"}


def test_a_real_manage_py_prints_the_secret_alone_on_its_last_line(migrated_env):
    """What `manage.py add_webhook_endpoint ... | tail -n 1` hands a script."""
    result = manage(
        "add_webhook_endpoint",
        "--url",
        "https://hooks.example/crm",
        "--events",
        "ticket.created",
        env=migrated_env,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(migrated_env["DATABASE_URL"].removeprefix("sqlite:///")) as database:
        [(endpoint_id, secret)] = database.execute(
            "SELECT id, secret FROM webhooks_webhookendpoint"
        ).fetchall()
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Webhook endpoint {endpoint_id} added: ")
    assert lines[-1] == secret
    assert SECRET.fullmatch(secret)


def test_a_real_manage_py_refusal_is_on_stderr_with_a_failing_status(migrated_env):
    result = manage(
        "add_webhook_endpoint",
        "--url",
        "ftp://hooks.example/crm",
        env=migrated_env,
    )
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr.strip() == f"CommandError: {services.URL_NOT_HTTP}"


# --- list_webhook_endpoints ----------------------------------------------------------------------


@pytest.mark.django_db
def test_list_shows_each_endpoint_and_no_secret():
    enabled = WebhookEndpointFactory(
        url="https://a.example/h", description="Push", event_types=["ticket.rated"]
    )
    disabled = WebhookEndpointFactory(url="https://b.example/h")
    services.endpoint_disable(endpoint=disabled, reason="410 Gone.")
    output = run_command("list_webhook_endpoints")
    assert output.splitlines() == [
        f"{enabled.pk}\tenabled\tticket.rated\thttps://a.example/h\tPush",
        f"{disabled.pk}\tdisabled (410 Gone.)\tall\thttps://b.example/h\t",
    ]
    assert "whsec_" not in output


@pytest.mark.django_db
def test_list_says_how_to_add_when_there_is_none():
    assert run_command("list_webhook_endpoints").strip() == (
        "No webhook endpoints. Add one with add_webhook_endpoint --url URL."
    )


# --- disable_webhook_endpoint --------------------------------------------------------------------


@pytest.mark.django_db
def test_disable_stops_the_endpoint_and_cancels_its_pending_deliveries():
    delivery = WebhookDeliveryFactory()
    endpoint = delivery.endpoint
    output = run_command("disable_webhook_endpoint", str(endpoint.pk), "--reason", "Receiver retired.")
    endpoint.refresh_from_db()
    delivery.refresh_from_db()
    assert (endpoint.enabled, endpoint.disabled_reason, delivery.state) == (
        False,
        "Receiver retired.",
        DeliveryState.CANCELLED,
    )
    assert output.strip() == f"Webhook endpoint {endpoint.pk} disabled; 1 pending deliveries cancelled."


@pytest.mark.django_db
def test_disable_without_a_reason_says_it_was_this_command():
    endpoint = WebhookEndpointFactory()
    run_command("disable_webhook_endpoint", str(endpoint.pk))
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == DISABLED_BY_COMMAND


@pytest.mark.django_db
def test_disable_an_unknown_id_is_a_command_error():
    with pytest.raises(CommandError, match=re.escape(NO_SUCH_ENDPOINT.format(id=99))):
        call_command("disable_webhook_endpoint", "99")


@pytest.mark.django_db
def test_disable_a_disabled_endpoint_keeps_its_reason():
    endpoint = WebhookEndpointFactory()
    services.endpoint_disable(endpoint=endpoint, reason="410 Gone.")
    output = run_command("disable_webhook_endpoint", str(endpoint.pk), "--reason", "Other.")
    assert output.strip() == ALREADY_DISABLED.format(id=endpoint.pk, reason="410 Gone.")
    endpoint.refresh_from_db()
    assert endpoint.disabled_reason == "410 Gone."
