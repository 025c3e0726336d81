"""Full-text search indexes over a ticket's title, description and every comment (tickets.search).

The database keeps them itself, however a row is written (services, the bench's bulk inserts,
a shell), so they are not part of Django's model state:

- PostgreSQL: a generated, stored `search_vector` tsvector column on tickets (title weight A,
  description weight B) and on comments (text), each with a GIN index. The 'simple' text
  configuration keeps every word as written, lower-cased, in any language (docs/decisions.md).
- SQLite: FTS5 tables over the same columns, external-content (the text is not stored twice),
  kept by triggers and filled from the existing rows here.

A later migration that makes SQLite rebuild `tickets_ticket` or `tickets_comment` (Django copies
the table to alter it) drops these triggers with the old table and must create them again;
the search tests fail if it does not. On PostgreSQL, changing the type of a column a
`search_vector` is generated from needs the column dropped and added again around it.
The SQL is written out here rather than imported: a migration is history.
"""

from django.db import migrations

TOKENIZER = "unicode61 remove_diacritics 0"

POSTGRESQL_FORWARD = [
    "ALTER TABLE tickets_ticket ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple'::regconfig, title), 'A') || "
    "setweight(to_tsvector('simple'::regconfig, description), 'B')) STORED",
    "CREATE INDEX ticket_search_vector ON tickets_ticket USING gin (search_vector)",
    "ALTER TABLE tickets_comment ADD COLUMN search_vector tsvector GENERATED ALWAYS AS ("
    "to_tsvector('simple'::regconfig, text)) STORED",
    "CREATE INDEX comment_search_vector ON tickets_comment USING gin (search_vector)",
]
POSTGRESQL_BACKWARD = [
    "ALTER TABLE tickets_comment DROP COLUMN search_vector",
    "ALTER TABLE tickets_ticket DROP COLUMN search_vector",
]


def _sqlite_index(table: str, columns: list[str]) -> list[str]:
    """An external-content FTS5 table `<table>_search` over `columns`, its three triggers, and
    its first fill from the table's rows."""
    index = f"{table}_search"
    names = ", ".join(columns)
    new = ", ".join(f"new.{column}" for column in columns)
    old = ", ".join(f"old.{column}" for column in columns)
    changed = " OR ".join(f"old.{column} IS NOT new.{column}" for column in columns)
    add = f"INSERT INTO {index}(rowid, {names}) VALUES (new.id, {new});"
    remove = f"INSERT INTO {index}({index}, rowid, {names}) VALUES ('delete', old.id, {old});"
    return [
        f"CREATE VIRTUAL TABLE {index} USING fts5({names}, content='{table}', content_rowid='id', "
        f"tokenize='{TOKENIZER}')",
        f"CREATE TRIGGER {index}_insert AFTER INSERT ON {table} BEGIN {add} END",
        f"CREATE TRIGGER {index}_delete AFTER DELETE ON {table} BEGIN {remove} END",
        f"CREATE TRIGGER {index}_update AFTER UPDATE OF {names} ON {table} WHEN {changed} "
        f"BEGIN {remove} {add} END",
        f"INSERT INTO {index}({index}) VALUES ('rebuild')",
    ]


SQLITE_FORWARD = _sqlite_index("tickets_ticket", ["title", "description"]) + _sqlite_index(
    "tickets_comment", ["text"]
)
SQLITE_BACKWARD = [
    statement
    for index in ("tickets_ticket_search", "tickets_comment_search")
    for statement in (
        f"DROP TRIGGER {index}_insert",
        f"DROP TRIGGER {index}_delete",
        f"DROP TRIGGER {index}_update",
        f"DROP TABLE {index}",
    )
]

STATEMENTS = {
    "postgresql": (POSTGRESQL_FORWARD, POSTGRESQL_BACKWARD),
    "sqlite": (SQLITE_FORWARD, SQLITE_BACKWARD),
}


def _run(schema_editor, direction: int) -> None:
    for statement in STATEMENTS[schema_editor.connection.vendor][direction]:
        schema_editor.execute(statement)


def create_search_indexes(apps, schema_editor):
    _run(schema_editor, 0)


def drop_search_indexes(apps, schema_editor):
    _run(schema_editor, 1)


class Migration(migrations.Migration):
    dependencies = [("tickets", "0011_sla_breached_supervisor_group")]

    operations = [migrations.RunPython(create_search_indexes, drop_search_indexes)]
