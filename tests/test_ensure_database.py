"""`manage.py ensure_database`: `make serve-prod` creates its PostgreSQL database when missing."""

import uuid
from io import StringIO

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection
from psycopg import sql


def ensure_database(*args: str) -> str:
    out = StringIO()
    call_command("ensure_database", *args, stdout=out)
    return out.getvalue().strip()


def url_of_database(name: str) -> str:
    """The test server's URL with another database name."""
    database = connection.settings_dict
    password = f":{database['PASSWORD']}" if database["PASSWORD"] else ""
    return f"postgres://{database['USER']}{password}@{database['HOST']}:{database['PORT'] or 5432}/{name}"


def admin_connection() -> psycopg.Connection:
    database = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        autocommit=True,
    )


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
        assert ensure_database("--database-url", url_of_database(name)) == f"Database {name!r} created."
        with admin_connection() as admin:
            assert admin.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
    finally:
        with admin_connection() as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
