"""Querysets compiled to SQL once per database connection's vendor, then run with new values.

Building a QuerySet and compiling it costs more than running it on the store for the small
reads on the API's hot path (a contact's page of tickets, the catalogue): Django does both on
every request. A `PreparedQuery` builds its queryset once with placeholder values, keeps the
SQL Django wrote for it and the positions of the placeholders among its parameters, and each
call runs that SQL with the call's values on the connection (transactions, connection handling
and query counting are Django's as usual), converting the columns the way the queryset's own
iteration would. The SQL is Django's own: nothing here is written by hand.

A `PreparedInsert` does the same for the one-row INSERTs of the write path (a ticket, its
events): `Model.save()` builds and compiles an insert query on every call, which costs several
times running it, and for SQLite inside the write lock that every create queues on.

Both run their SQL with `execute`: on the connection's own database cursor, with the SQL already
in the driver's placeholder style, unless something watches the statements (query logging, as
`assertNumQueries` and DEBUG turn on, or an execute wrapper), which then get Django's cursor.
Django's cursor costs more than the statement itself for these one-row statements (the cursor
wrapper, and on SQLite a regular expression over the SQL on every call to turn `%s` into `?`).
"""

import datetime
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

from django.db import connections, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import BooleanField, CharField, DateTimeField, Model, QuerySet, TextField
from django.db.models.signals import post_save, pre_save
from django.db.models.sql import InsertQuery


class Statement:
    """SQL as Django writes it (`%s` placeholders) and as the connection's driver takes it."""

    def __init__(self, sql: str, native: str, *, preparable: bool = True):
        # `preparable`: one of the few statements a connection may keep prepared on its server
        # (crmtickets.postgresql); not one with a page's LIMIT, new SQL for every page.
        self.sql, self.native, self.preparable = sql, native, preparable

    @classmethod
    def of(cls, sql: str, connection: BaseDatabaseWrapper) -> "Statement":
        """`sql` for this connection's driver, converted once by Django's own cursor."""
        if connection.vendor != "sqlite":
            return cls(sql, sql)
        # SQLite's driver takes `?`: Django's SQLite cursor converts on every call, here once.
        connection.ensure_connection()
        cursor = connection.create_cursor()
        try:
            return cls(sql, cursor.convert_query(sql))
        finally:
            cursor.close()

    def followed_by(self, clause: str) -> "Statement":
        """This statement with a clause that holds no placeholder (a LIMIT) appended."""
        return Statement(f"{self.sql} {clause}", f"{self.native} {clause}", preparable=False)


def execute(
    connection: BaseDatabaseWrapper,
    statement: Statement,
    params: Sequence,
    *,
    fetch: str | None,
    deferred: bool = False,
) -> Any:
    """Run `statement` and return `cursor.fetchone()` or `fetchall()` (`fetch`; None: nothing), as
    Django's cursor would: the health check and connection first, its errors as Django's, a
    transaction already marked broken refused.

    `deferred` (a write nobody reads the result of, in a transaction): on a backend that can hold
    it (crmtickets.postgresql), it goes to the store with the transaction's next statement or its
    COMMIT, one round trip fewer; its error, if any, surfaces there and rolls the transaction back."""
    if connection.queries_logged or connection.execute_wrappers:
        with connection.cursor() as cursor:
            cursor.execute(statement.sql, params)
            return getattr(cursor, fetch)() if fetch else None
    _ready(connection)
    defer = getattr(connection, "defer_statement", None)
    if deferred and fetch is None and defer is not None and not connection.get_autocommit():
        defer(statement.native, params, prepare=statement.preparable)
        return None
    with connection.wrap_database_errors:
        cursor = connection.create_cursor()
        try:
            if isinstance(cursor, sqlite3.Cursor):
                sqlite3.Cursor.execute(cursor, statement.native, params)  # not Django's converting one
            elif statement.preparable and hasattr(cursor, "execute_prepared"):
                cursor.execute_prepared(statement.native, params)
            else:
                cursor.execute(statement.native, params)
            return getattr(cursor, fetch)() if fetch else None
        finally:
            cursor.close()


def read_later(connection: BaseDatabaseWrapper, statement: Statement, params: Sequence) -> Callable[[], list]:
    """`execute(..., fetch="fetchall")` for rows wanted later: on a backend that can hold a read
    (crmtickets.postgresql) it goes to the store with the connection's next statement, one round
    trip fewer; elsewhere, or with the statements watched, at once. Call the result for the rows
    (a read still held then is sent on its own)."""
    hold = getattr(connection, "read_later", None)
    if hold is None or connection.queries_logged or connection.execute_wrappers:
        rows = execute(connection, statement, params, fetch="fetchall")
        return lambda: rows
    _ready(connection)
    return hold(statement.native, params, prepare=statement.preparable).rows


def _ready(connection: BaseDatabaseWrapper) -> None:
    """What Django's cursor checks before a statement: the health check and the connection,
    this thread's, and no transaction already marked broken."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()


class PreparedQuery:
    """`build(**placeholders)` is a `.values()` queryset, unsliced; each placeholder a value of
    the type the call passes (an int for an integer field), unlike any constant in the query."""

    def __init__(self, build: Callable[..., QuerySet], **placeholders: Any):
        self._build = build
        self._placeholders = placeholders
        self._compiled: dict[str, tuple[Statement, list, tuple[str, ...], dict]] = {}

    def _compile(self, using: str) -> tuple[Statement, list, tuple[str, ...], dict]:
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
        connection = connections[using]
        compiled = (Statement.of(sql, connection), slots, fields, converters)
        self._compiled[connection.vendor] = compiled
        return compiled

    def values(self, *, limit: int | None = None, offset: int = 0, using: str = "default", **values: Any):
        """The rows as `.values()` would give them (dicts), for these placeholder values."""
        connection, statement, params = self._statement(using, values, limit, offset)
        return self._dicts(execute(connection, statement, params, fetch="fetchall"), connection)

    def values_later(self, *, using: str = "default", **values: Any) -> Callable[[], list[dict]]:
        """`values()`, read with the connection's next statement (`read_later`): call the result
        for the rows."""
        connection, statement, params = self._statement(using, values, None, 0)
        rows = read_later(connection, statement, params)
        return lambda: self._dicts(rows(), connection)

    def _statement(self, using: str, values: dict, limit: int | None, offset: int):
        connection = connections[using]
        statement, slots, _, _ = self._compiled.get(connection.vendor) or self._compile(using)
        params = [value if name is None else value(values[name]) for name, value in slots]
        if limit is not None or offset:
            high = None if limit is None else offset + limit
            statement = statement.followed_by(connection.ops.limit_offset_sql(offset, high))
        return connection, statement, params

    def _dicts(self, rows: list, connection) -> list[dict]:
        _, _, fields, converters = self._compiled[connection.vendor]
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


class Source:
    """A statement whose one returned row feeds fields of the rows `PreparedInsert.insert_with`
    writes (a new ticket's number and creation time, from the counter's UPDATE): on PostgreSQL
    the first part of their statement, elsewhere run just before it. `columns` names the row's
    values; `convert(row, connection)` gives them as the fields take them."""

    def __init__(
        self,
        statement: Statement,
        params: Sequence,
        columns: tuple[str, ...],
        *,
        convert: Callable[[tuple, Any], tuple] = lambda row, connection: row,
    ):
        self.statement, self.params, self.columns, self.convert = statement, list(params), columns, convert


class PreparedInsert:
    """`Model.save(force_insert=True)` for new rows of `model`, with the INSERT compiled once per
    vendor by Django's own compiler: each call converts the instance's values with its fields'
    own `pre_save` and `get_db_prep_save`, runs the SQL, and sets what the database returns (the
    primary key) as `save()` does, sending `pre_save` and `post_save` too. An instance with its
    auto primary key set, or an expression among its values, is saved by `save()` itself: its
    SQL differs.

    `computed` names fields the database works out in the INSERT itself, each from an expression
    built like a `PreparedQuery` from `placeholders` (the call passes their values): returned with
    the primary key and set on the instance, whatever it held before."""

    def __init__(
        self,
        model: type[Model],
        *,
        computed: dict[str, Callable[..., Any]] | None = None,
        **placeholders: Any,
    ):
        self._model = model
        meta = model._meta
        self._auto = meta.auto_field
        self._fields = [f for f in meta.local_concrete_fields if not f.generated and f is not meta.auto_field]
        self._computed = computed or {}
        self._placeholders = placeholders
        self._plain = [field for field in self._fields if field.name not in self._computed]
        computed_fields = [field for field in self._fields if field.name in self._computed]
        self._returning = meta.db_returning_fields + computed_fields
        self._compiled: dict[str, tuple[Statement, list] | None] = {}
        self._joined: dict[tuple, tuple[Statement, set[int], set[int]] | None] = {}
        self._unchanged = [_UNCHANGED_TYPE.get(type(field)) for field in self._plain]

    def _compile(self, connection) -> tuple[Statement, list] | None:
        """Django's INSERT of a blank instance (the computed fields' expressions built with the
        placeholders) and where each call's values go among its parameters: a plain field's
        value (None), a placeholder's (its name), or a constant of an expression. None when a
        field's default is written into the SQL itself or the backend cannot return columns from
        the INSERT (then `save()` does every insert)."""
        sql, params, pieces = self._blank(connection)
        slots: list = []
        for field, (_, own) in zip(self._fields, pieces, strict=True):
            if field.name not in self._computed:
                slots.append(None)
                continue
            for param in own:
                names = [name for name, value in self._placeholders.items() if value == param]
                slots.append(names[0] if names else (param,))
        preparable = len(params) == len(slots) and (
            not self._returning or connection.features.can_return_columns_from_insert
        )
        compiled = (Statement.of(sql, connection), slots) if preparable else None
        self._compiled[connection.vendor] = compiled
        return compiled

    def _blank(self, connection) -> tuple[str, list, list[tuple[str, list]]]:
        """Django's SQL and parameters for the INSERT of a blank instance (the computed fields'
        expressions built with the placeholders), and each field's part of its VALUES: its SQL
        and parameters (`%s` and one value for a plain field)."""
        blank = self._model()
        for name, build in self._computed.items():
            setattr(blank, name, build(**self._placeholders))
        query = InsertQuery(self._model)
        query.insert_values(self._fields, [blank])
        compiler = query.get_compiler(connection=connection)
        compiler.returning_fields = self._returning
        [(sql, params)] = compiler.as_sql()
        pieces = [
            compiler.compile(compiler.prepare_value(field, getattr(blank, field.attname)))
            if field.name in self._computed
            else ("%s", [None])
            for field in self._fields
        ]
        return sql, list(params), pieces

    def insert(
        self, instance: Model, *, using: str = "default", deferred: bool = False, **placeholders: Any
    ) -> None:
        """`deferred`: see `execute`; for a model whose INSERT returns nothing (its primary key is
        not the database's to choose)."""
        connection = connections[using]
        prepared = self._prepared(instance, connection, placeholders)
        if prepared is None:
            self._save(instance, using, placeholders)
            return
        statement, params = prepared
        with transaction.mark_for_rollback_on_error(using):
            # What the INSERT returns (its primary key, the computed fields): one row, as
            # Django's compiler reads it from SQLite and PostgreSQL.
            fetch = "fetchone" if self._returning else None
            row = execute(connection, statement, params, fetch=fetch, deferred=deferred) or ()
        self._saved(instance, row, using)

    def insert_with(
        self,
        instance: Model,
        dependent: Model,
        *,
        using: str = "default",
        source: Source | None = None,
        feeds: dict[str, str] | None = None,
        dependent_feeds: dict[str, str] | None = None,
        **placeholders: Any,
    ) -> dict[str, Any] | None:
        """Insert `instance`, then `dependent`: a new row of another model whose foreign key to
        this model is still unset (a new ticket's first event). On PostgreSQL both go in one
        statement (a data-modifying WITH, the dependent's key taken from the first INSERT's
        RETURNING), one round trip fewer; elsewhere, or when either must go through `save()`,
        one INSERT after the other. Signals and returned values as two `insert` calls.

        With a `source`, its row comes first: `feeds` and `dependent_feeds` name the fields of
        each row it sets (field → column), as it returned them. On PostgreSQL it is the same
        statement's first part (a lock it takes is held from there, not from a round trip
        earlier; `pre_save` receivers see those fields unset). Returns the source's row by
        column, or None when it gave none: then nothing is written."""
        connection = connections[using]
        feeds, dependent_feeds = feeds or {}, dependent_feeds or {}
        child = _prepared_insert(type(dependent))
        link = child.link_to(self._model)
        key = (
            connection.vendor,
            source and source.statement.sql,
            tuple(feeds.items()),
            tuple(dependent_feeds.items()),
        )
        if key not in self._joined:
            self._joined[key] = self._join(child, link, connection, source, feeds, dependent_feeds)
        joined = self._joined[key]
        values = self._values(instance, connection) if joined else None
        own_values = child._values(dependent, connection) if values else None
        if joined is None or values is None or own_values is None:  # one after the other
            fed = None
            if source is not None:
                row = self._run(connection, source.statement, source.params, using=using)
                if not row:
                    return None
                fed = _fed(source, row, connection, (instance, feeds), (dependent, dependent_feeds))
            self.insert(instance, using=using, **placeholders)
            setattr(dependent, link.name, instance)  # its key, the instance kept as the related one
            child.insert(dependent, using=using)
            return fed
        statement, dropped, own_dropped = joined
        parent = self._params(instance, connection, values, placeholders)
        own = child._params(dependent, connection, own_values, {})
        params = [
            *(source.params if source else ()),
            *(param for position, param in enumerate(parent) if position not in dropped),
            *(param for position, param in enumerate(own) if position not in own_dropped),
        ]
        row = self._run(connection, statement, params, using=using)
        if not row:
            return None
        fed = None
        if source is not None:
            fed = _fed(source, row, connection, (instance, feeds), (dependent, dependent_feeds))
            row = row[len(source.columns) :]
        split = len(self._returning)
        self._saved(instance, row[:split], using)
        setattr(dependent, link.name, instance)  # its key, the instance kept as the related one
        child._saved(dependent, row[split:], using)
        return fed

    def _run(self, connection, statement: Statement, params: list, *, using: str) -> tuple:
        """The one row a statement with RETURNING gives."""
        with transaction.mark_for_rollback_on_error(using):
            return execute(connection, statement, params, fetch="fetchone") or ()

    def link_to(self, model: type[Model]):
        """This model's one foreign key to `model`."""
        [link] = [field for field in self._fields if field.is_relation and field.related_model is model]
        return link

    def _join(
        self,
        child: "PreparedInsert",
        link,
        connection,
        source: Source | None,
        feeds: dict,
        dependent_feeds: dict,
    ) -> tuple[Statement, set[int], set[int]] | None:
        """This model's INSERT and `child`'s as one PostgreSQL statement, `child`'s `link`
        column taken from this one's RETURNING, after `source` as its first part with the fed
        columns taken from its row; with the positions of each INSERT's parameters the statement
        leaves out. None where that cannot be written (another database, a computed field of
        the child's or fed, a value Django writes into its SQL)."""
        compiled, own = self._compile(connection), child._compile(connection)
        if not (
            connection.vendor == "postgresql" and compiled and own and self._auto and not child._computed
        ):
            return None
        if any(name in self._computed for name in feeds):
            return None
        pieces = self._blank(connection)[2]
        quote = connection.ops.quote_name
        parent_columns, dropped = self._columns(pieces, feeds, {}, quote)
        own_pieces = [("%s", [None])] * len(child._fields)
        own_columns, own_dropped = child._columns(
            own_pieces, dependent_feeds, {link.name: f"{_PARENT}.{quote(self._auto.column)}"}, quote
        )
        inserts: list[tuple[str, str, str]] = []
        for statement, selected, pieces_of in (
            (compiled[0], parent_columns, pieces),
            (own[0], own_columns, own_pieces),
        ):
            head, _, rest = statement.native.partition(" VALUES (")
            values, _, returning = rest.rpartition(") RETURNING ")
            if values != ", ".join(piece for piece, _ in pieces_of):
                return None
            inserts.append((head, ", ".join(selected), returning))
        sources = [_SOURCE] if source else []
        parts = [f"{_SOURCE} AS ({source.statement.native})"] if source else []
        (head, values, returning), (own_head, own_values, own_returning) = inserts
        parts.append(f"{_PARENT} AS ({head} SELECT {values}{_from(sources)} RETURNING {returning})")
        own_from = _from([*sources, _PARENT])
        parts.append(f"{_CHILD} AS ({own_head} SELECT {own_values}{own_from} RETURNING {own_returning})")
        everything = [*sources, _PARENT, _CHILD]
        every_column = ", ".join(f"{name}.*" for name in everything)
        sql = f"WITH {', '.join(parts)} SELECT {every_column}{_from(everything)}"
        return Statement(sql, sql), dropped, own_dropped

    def _columns(self, pieces, feeds: dict, links: dict, quote) -> tuple[list[str], set[int]]:
        """Each field's value in an INSERT ... SELECT: its own SQL, a linked column (`links`:
        field → SQL) or the source's column it is fed from; and the positions of the parameters
        those two leave out."""
        columns: list[str] = []
        dropped: set[int] = set()
        position = 0
        for field, (piece, params) in zip(self._fields, pieces, strict=True):
            if field.name in links or field.name in feeds:
                columns.append(links.get(field.name) or f"{_SOURCE}.{quote(feeds[field.name])}")
                dropped.update(range(position, position + len(params)))
            else:
                columns.append(piece)
            position += len(params)
        return columns, dropped

    def _prepared(self, instance: Model, connection, placeholders: dict) -> tuple[Statement, list] | None:
        """The compiled INSERT and this instance's parameters for it, `pre_save` sent; None when
        `save()` must insert it (see the class)."""
        values = self._values(instance, connection)
        if values is None:
            return None
        return self._compiled[connection.vendor][0], self._params(instance, connection, values, placeholders)  # type: ignore[index]

    def _values(self, instance: Model, connection) -> list | None:
        """The plain fields' values (their `pre_save`); None when `save()` must insert it."""
        vendor = connection.vendor
        compiled = self._compiled[vendor] if vendor in self._compiled else self._compile(connection)
        auto_set = self._auto is not None and getattr(instance, self._auto.attname) is not None
        values = [field.pre_save(instance, True) for field in self._plain]
        if compiled is None or auto_set or any(hasattr(value, "resolve_expression") for value in values):
            return None
        return values

    def _params(self, instance: Model, connection, values: list, placeholders: dict) -> list:
        """The INSERT's parameters for `values` (`_values`), `pre_save` sent."""
        _, slots = self._compiled[connection.vendor]  # type: ignore[misc]
        pre_save.send(
            sender=self._model, instance=instance, raw=False, using=connection.alias, update_fields=None
        )
        plain = iter(
            [
                _db_value(field, value, unchanged, connection)
                for field, value, unchanged in zip(self._plain, values, self._unchanged, strict=True)
            ]
        )
        return [
            next(plain) if slot is None else placeholders[slot] if isinstance(slot, str) else slot[0]
            for slot in slots
        ]

    def _saved(self, instance: Model, row: Sequence, using: str) -> None:
        """Set what the INSERT returned on the instance, as `save()` does, and send `post_save`."""
        for field, value in zip(self._returning, row, strict=True):
            setattr(instance, field.attname, value)
        instance._state.adding, instance._state.db = False, using
        post_save.send(
            sender=self._model, instance=instance, created=True, update_fields=None, raw=False, using=using
        )

    def _save(self, instance: Model, using: str, placeholders: dict) -> None:
        """The insert by `save()`, the computed fields' expressions built with the call's values."""
        for name, build in self._computed.items():
            setattr(instance, name, build(**placeholders))
        instance.save(force_insert=True, using=using)
        if self._computed:
            instance.refresh_from_db(using=using, fields=list(self._computed))


# The parts of a joined INSERT (`PreparedInsert._join`).
_SOURCE, _PARENT, _CHILD = '"crm_source"', '"crm_parent"', '"crm_child"'


def _from(tables: list[str]) -> str:
    return f" FROM {', '.join(tables)}" if tables else ""


def _fed(source: Source, row: Sequence, connection, *rows: tuple[Model, dict[str, str]]) -> dict[str, Any]:
    """The source's row by column, its values set on the fields each row is fed."""
    values = dict(
        zip(source.columns, source.convert(tuple(row[: len(source.columns)]), connection), strict=True)
    )
    for instance, feeds in rows:
        for field, column in feeds.items():
            setattr(instance, field, values[column])
    return values


# Fields whose `get_db_prep_save` hands a value of this exact type to the database unchanged
# (Field's own prep: `to_python` of a str, or of a bool, is the value itself), or, for an aware
# datetime, as the backend's `adapt_datetimefield_value` gives it (DateTimeField's prep, less
# its warning about naive ones): most of the write path's columns, each otherwise a few calls
# deep. None is NULL to every field Django has.
_UNCHANGED_TYPE: dict[type, type] = {
    CharField: str,
    TextField: str,
    BooleanField: bool,
    DateTimeField: datetime.datetime,
}


def _db_value(field, value, unchanged: type | None, connection):
    """`field.get_db_prep_save(value, connection)`, the short way where it is known."""
    if value is None:
        return None
    if type(value) is unchanged:
        if isinstance(value, datetime.datetime):
            if value.tzinfo is None:  # Django's own path, which warns
                return field.get_db_prep_save(value, connection)
            return connection.ops.adapt_datetimefield_value(value)
        return value
    return field.get_db_prep_save(value, connection)


_INSERTS: dict[type[Model], PreparedInsert] = {}


def insert(instance: Model, *, using: str = "default", deferred: bool = False) -> None:
    """Save a new `instance` as `save(force_insert=True)` would, through its model's
    `PreparedInsert` (made on first use); `deferred` as `PreparedInsert.insert`."""
    _prepared_insert(type(instance)).insert(instance, using=using, deferred=deferred)


def _prepared_insert(model: type[Model]) -> PreparedInsert:
    return _INSERTS.get(model) or _INSERTS.setdefault(model, PreparedInsert(model))
