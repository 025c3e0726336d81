"""Create the PostgreSQL database named in DATABASE_URL when it does not exist (`make serve-prod`).

The official postgres image creates its database itself (POSTGRES_DB); a local server does not,
and `migrate` cannot create the database it connects to.
"""

from collections.abc import Mapping
from typing import Any

import dj_database_url
import psycopg
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from psycopg import sql


def maintenance_connection(database: Mapping[str, Any]) -> psycopg.Connection:
    """To the `postgres` database every PostgreSQL server has, on the server of `database` (a
    Django DATABASES entry), in autocommit: CREATE DATABASE cannot run in a transaction."""
    return psycopg.connect(
        dbname="postgres",
        host=database["HOST"] or None,
        port=database["PORT"] or None,
        user=database["USER"] or None,
        password=database["PASSWORD"] or None,
        connect_timeout=database.get("OPTIONS", {}).get("connect_timeout", 2),
        autocommit=True,
    )


class Command(BaseCommand):
    help = "Create the database of DATABASE_URL (or --database-url) on its PostgreSQL server if missing."

    def add_arguments(self, parser):
        parser.add_argument("--database-url", help="Another database than the project's DATABASE_URL.")

    def handle(self, *args, database_url, **options):
        database = dj_database_url.parse(database_url) if database_url else settings.DATABASES["default"]
        if database["ENGINE"].rpartition(".")[2] != "postgresql":  # Django's backend or the project's
            self.stdout.write("Not PostgreSQL: nothing to create.")
            return
        name = database["NAME"]
        try:
            with maintenance_connection(database) as connection:
                exists = connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
                if exists:
                    self.stdout.write(f"Database {name!r} exists.")
                    return
                connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            self.stdout.write(f"Database {name!r} exists.")  # created meanwhile by another run
            return
        except psycopg.Error as exc:
            raise CommandError(f"Cannot create database {name!r}: {exc}".strip()) from None
        self.stdout.write(f"Database {name!r} created.")
