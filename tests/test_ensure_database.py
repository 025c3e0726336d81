"""`manage.py ensure_database`: `make serve-prod` creates its PostgreSQL database when missing."""

import uuid
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql

from tests.live_server import postgres_url
from tickets.management.commands.ensure_database import maintenance_connection


def ensure_database(*args: str) -> str:
    out = StringIO()
    call_command("ensure_database", *args, stdout=out)
    return out.getvalue().strip()


def test_nothing_to_create_for_sqlite():
    assert (
        ensure_database("--database-url", "sqlite:////tmp/unused.sqlite3")
        == "Not PostgreSQL: nothing to create."
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_existing_database_is_left_alone():
    assert ensure_database() == f"Database {connection.settings_dict['NAME']!r} exists."


@pytest.mark.postgres
@pytest.mark.django_db
def test_missing_database_is_created():
    name = f"ensure_database_{uuid.uuid4().hex[:12]}"
    try:
        assert ensure_database("--database-url", postgres_url(name=name)) == f"Database {name!r} created."
        with maintenance_connection(connection.settings_dict) as admin:
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with maintenance_connection(connection.settings_dict) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
