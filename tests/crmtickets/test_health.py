"""GET /healthz and GET /readyz: the probes of a load balancer or orchestrator (crmtickets/health.py)."""

import pytest
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

from tests.support.store import unreachable_store

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_headers_or_token(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"status": "ok"}


def test_healthz_never_touches_the_database(client, django_assert_num_queries):
    with django_assert_num_queries(0), unreachable_store():
        assert client.get("/healthz").status_code == 200


def test_readyz_is_ready_when_the_database_answers_and_migrations_are_applied(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ready", "database": "ok", "cache": "ok", "pending_migrations": []}


def test_readyz_is_503_and_names_an_unapplied_migration(client):
    MigrationRecorder(connection).record_unapplied("tickets", "0003_support_agent_group")
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["pending_migrations"] == ["tickets.0003_support_agent_group"]


def test_readyz_is_503_when_the_database_is_unreachable(client):
    with unreachable_store():
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "unreachable"}


@pytest.mark.parametrize("path", ["/healthz/", "/readyz/"])
def test_probes_answer_with_a_trailing_slash(client, path):
    assert client.get(path).status_code == 200


def test_probes_answer_head(client):
    response = client.head("/healthz")
    assert response.status_code == 200


def test_probes_refuse_other_methods(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.parametrize("path", ["/healthz", "/readyz"])
def test_probes_answer_a_host_that_is_not_allowed(client, path):
    """A load balancer probes by IP address; the answer does not depend on the Host header."""
    assert client.get(path, HTTP_HOST="10.1.2.3:8000").status_code == 200


def test_probes_are_not_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True
    assert client.get("/crm/v1/ticket/details").status_code == 301
    assert client.get("/healthz").status_code == 200
