"""`manage.py ensure_database`: `make serve-prod` creates its PostgreSQL database when missing."""

import uuid

import pytest
from django.db import connection
from psycopg import sql

from tests.support.commands import run_command
from tests.support.live_server import postgres_url
from tickets.management.commands.ensure_database import maintenance_connection


def test_nothing_to_create_for_sqlite():
    assert (
        run_command("ensure_database", "--database-url", "sqlite:////tmp/unused.sqlite3").strip()
        == "Not PostgreSQL: nothing to create."
    )


@pytest.mark.postgres
@pytest.mark.django_db
def test_existing_database_is_left_alone():
    assert run_command("ensure_database").strip() == f"Database {connection.settings_dict['NAME']!r} exists."


@pytest.mark.postgres
@pytest.mark.django_db
def test_missing_database_is_created():
    name = f"ensure_database_{uuid.uuid4().hex[:12]}"
    try:
        assert (
            run_command("ensure_database", "--database-url", postgres_url(name=name)).strip()
            == f"Database {name!r} created."
        )
        with maintenance_connection(connection.settings_dict) as admin:
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with maintenance_connection(connection.settings_dict) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
