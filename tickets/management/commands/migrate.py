"""Django's `migrate`, without the statement timeout that bounds every request on PostgreSQL
(DB_STATEMENT_TIMEOUT_MS in the settings): building an index or rewriting a large table may
rightly take longer. The lock timeout stays: a schema change that cannot get its lock within
DB_LOCK_TIMEOUT_MS fails, and is safe to run again, instead of queueing the API's requests
behind it."""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections


class Command(DjangoMigrateCommand):
    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET statement_timeout")
