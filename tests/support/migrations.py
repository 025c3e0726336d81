"""Migrations run for real in a test: the store taken back to a migration, rows written with the
historical models of that point, then migrated forward again."""

import datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor

CREATED = datetime.datetime(2021, 9, 11, 9, 0, tzinfo=datetime.UTC)


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def historical_ticket(model, *, ticket_number: int, **fields):
    """A ticket written with `model`, a historical Ticket; `fields` add to or override a valid
    ticket of contact 649797 created at CREATED."""
    values = {
        "contact_number": 649797,
        "title": "Plan change",
        "description": "Plan change request",
        "ticket_categories": "Plan change",
        "category": "cat1",
        "subcategory": "sub1",
        "status": "New",
        "source": "app",
        "created_at": CREATED,
        "modified_at": CREATED,
        **fields,
    }
    return model.objects.create(ticket_number=ticket_number, **values)
