"""Querysets compiled to SQL once per database connection's vendor, then run with new values.

Building a QuerySet and compiling it costs more than running it on the store for the small
reads on the API's hot path (a contact's page of tickets, the catalogue): Django does both on
every request. A `PreparedQuery` builds its queryset once with placeholder values, keeps the
SQL Django wrote for it and the positions of the placeholders among its parameters, and each
call runs that SQL with the call's values through the connection's cursor (so query counting,
transactions and connection handling are Django's as usual), converting the columns the way
the queryset's own iteration would. The SQL is Django's own: nothing here is written by hand.
"""

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet


class PreparedQuery:
    """`build(**placeholders)` is a `.values()` queryset, unsliced; each placeholder a value of
    the type the call passes (an int for an integer field), unlike any constant in the query."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: Any):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[str, list, tuple[str, ...], dict]] = {}

    def _compile(self, using: str) -> tuple[str, list, tuple[str, ...], dict]:
        """Django's SQL for the placeholder queryset, and where each placeholder goes."""
        queryset = self._build(**self._placeholders).using(using)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        # Each parameter: a placeholder's name and the type the backend wrapped its value in
        # (PostgreSQL's integer lookups pass Int8(...), not int), or a constant of the query.
        slots: list[tuple[str | None, Any]] = []
        for param in params:
            names = [
                name
                for name, value in self._placeholders.items()
                if value is not None and isinstance(param, type(value)) and value == param
            ]
            if len(names) > 1:
                raise ValueError(f"placeholders {names} share the value {param!r}")
            slots.append((names[0], type(param)) if names else (None, param))
        fields = tuple(queryset.query.values_select)
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
        compiled = (sql, slots, fields, converters)
        self._compiled[connections[using].vendor] = compiled
        return compiled

    def values(self, *, limit: int | None = None, offset: int = 0, using: str = "default", **values: Any):
        """The rows as `.values()` would give them (dicts), for these placeholder values."""
        connection = connections[using]
        sql, slots, fields, converters = self._compiled.get(connection.vendor) or self._compile(using)
        params = [value if name is None else value(values[name]) for name, value in slots]
        if limit is not None or offset:
            high = None if limit is None else offset + limit
            sql = f"{sql} {connection.ops.limit_offset_sql(offset, high)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if converters:
            rows = [_converted(row, converters, connection) for row in rows]
        return [dict(zip(fields, row, strict=True)) for row in rows]


def _converted(row: tuple, converters: dict, connection) -> list:
    values = list(row)
    for position, (functions, expression) in converters.items():
        value = values[position]
        for function in functions:
            value = function(value, expression, connection)
        values[position] = value
    return values
