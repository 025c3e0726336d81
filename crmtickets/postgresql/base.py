"""Django's PostgreSQL backend, with fewer round trips and less work for the server per statement.

Django's backend (through psycopg) spends a round trip of its own on two statements whose answer
nobody waits for:
- the BEGIN of a transaction, sent alone before its first statement;
- a write whose result nobody reads (the SLA clock of a new ticket, the create's last row), sent
  alone before the COMMIT.

Here psycopg stays in its autocommit mode and this backend begins Django's transactions itself:
the BEGIN is held and sent in front of the transaction's first statement, in the same message,
and `defer_statement` holds a write the same way until the next statement or the COMMIT;
`read_later` holds a read whose rows are wanted only later (the webhook endpoints a create
reads before the ticket-number counter's lock), its rows taken from that message. Every
statement on the connection goes through `Cursor`, which sends what is held first, so a read
sees every write before it; a rollback drops what was never sent. An error in a held write
surfaces at the statement it travels with, still inside the transaction, which then rolls back
as a whole. Both need psycopg's client-side binding (Django's default), where a message may
hold several statements.

A named (server-side) cursor is declared WITH HOLD, as Django's backend does outside a
transaction: psycopg's autocommit mode is what its `withhold` follows.

The statements `tickets.prepared` compiles once are prepared on the server once per connection
(`PREPARE`, between requests, each in a message of its own) and then sent as `EXECUTE name(…)`,
which the server neither parses nor plans again: for a create's INSERTs that was most of the
server's time. A statement the server refuses to prepare runs as it is; `PREPARE_STATEMENTS:
False` in the database settings turns it off (a pooler that does not keep a session's prepared
statements, such as pgbouncer in transaction mode).

The health check before each request's first statement (`CONN_HEALTH_CHECKS`) asks the kernel
whether the server has said anything since its last answer instead of sending `SELECT 1`
(`close_if_health_check_failed`).
"""

import itertools
import re
import select
from typing import Any

import psycopg
from django.core.exceptions import ImproperlyConfigured
from django.db.backends.postgresql import base
from django.db.backends.utils import debug_transaction


class Held:
    """What waits for a psycopg connection's next message: the BEGIN of a transaction that has
    sent nothing yet, then the writes deferred and the reads held since its last statement, in
    order (a read with the `Pending` its rows go to)."""

    def __init__(self):
        self.begin: str | None = None
        self.statements: list[tuple[str, Pending | None]] = []

    def __bool__(self) -> bool:
        return self.begin is not None or bool(self.statements)

    def take(self) -> list[tuple[str, "Pending | None"]]:
        """The held statements, in sending order, no longer held."""
        statements = self.statements if self.begin is None else [(self.begin, None), *self.statements]
        self.begin, self.statements = None, []
        return statements

    def holds(self, pending: "Pending") -> bool:
        return any(own is pending for _, own in self.statements)


class Pending:
    """The rows of a read held for the connection's next message (`DatabaseWrapper.read_later`)."""

    def __init__(self, wrapper: "DatabaseWrapper", sql: str, params):
        # The read as written, not as held (maybe `EXECUTE` of what another connection prepared).
        self._wrapper, self._sql, self._params = wrapper, sql, params
        self._rows: list[tuple] | None = None

    def deliver(self, rows: list[tuple]) -> None:
        self._rows = rows

    def rows(self) -> list[tuple]:
        """The rows; asked before the read went (nothing came after it) or after it was dropped
        unsent (a rollback, a closed connection), it is sent now."""
        if self._rows is None:
            wrapper = self._wrapper
            wrapper.ensure_connection()
            with wrapper.wrap_database_errors, wrapper.connection.cursor() as cursor:
                if held(wrapper.connection).holds(self):
                    cursor.send_held()
                else:
                    cursor.execute(self._sql, self._params)
                    self._rows = cursor.fetchall()
        assert self._rows is not None
        return self._rows


def held(connection) -> Held:
    """What is held for this psycopg connection."""
    return _kept(connection, "crm_held", Held)


def _kept(connection, name: str, make):
    """What this module keeps on a psycopg connection, made on first use: a new connection
    starts with none of it."""
    try:
        return getattr(connection, name)
    except AttributeError:
        setattr(connection, name, make())
        return getattr(connection, name)


# The SQL this process prepares on its connections, each with its number (its name on the
# server): statements compiled once, so a handful, bounded anyway.
_PREPARABLE: dict[str, int] = {}
_NUMBERS = itertools.count()  # next() is atomic: two threads never share a number
MAX_PREPARED = 64


def prepared_on(connection) -> dict[int, bool]:
    """Which of `_PREPARABLE` this psycopg connection has prepared (True) or had refused."""
    return _kept(connection, "crm_prepared", dict)


def executable(connection, sql: str, params) -> tuple[str, Any]:
    """`sql` and `params` as this connection runs them: `EXECUTE` of its prepared statement when
    it has one; else as they are, the SQL registered to be prepared before the next request."""
    number = _PREPARABLE.get(sql)
    if number is None:
        if len(_PREPARABLE) < MAX_PREPARED:
            _PREPARABLE.setdefault(sql, next(_NUMBERS))
        return sql, params
    if not prepared_on(connection).get(number):
        return sql, params
    if not params:
        return f"EXECUTE crm_{number}", None
    return f"EXECUTE crm_{number}({', '.join(['%s'] * len(params))})", params


def _numbered(sql: str) -> str:
    """Client-side placeholders (`%s`, `%%` for a percent sign) as the server's (`$1`, …)."""
    numbers = iter(range(1, sql.count("%s") + 1))
    return re.sub(r"%[s%]", lambda match: "%" if match[0] == "%%" else f"${next(numbers)}", sql)


def begin_statement(connection) -> str:
    """BEGIN with the transaction characteristics psycopg itself would send."""
    parts = ["BEGIN"]
    if connection.isolation_level is not None:
        parts.append(f"ISOLATION LEVEL {connection.isolation_level.name.replace('_', ' ')}")
    if connection.read_only is not None:
        parts.append("READ ONLY" if connection.read_only else "READ WRITE")
    if connection.deferrable is not None:
        parts.append("DEFERRABLE" if connection.deferrable else "NOT DEFERRABLE")
    return " ".join(parts)


class Cursor(base.CursorMixin, psycopg.ClientCursor):
    """Django's client-side binding cursor (its bases are Django's `Cursor`'s) that sends the
    held statements ahead of its own, in one message."""

    def execute(self, query, params=None, **kwargs):
        waiting = held(self.connection)
        if not waiting or not isinstance(query, str):
            self.send_held()
            self._send(query, params, **kwargs)
            return self
        statements = waiting.take()
        ahead = "; ".join(sql for sql, _ in statements)
        if params is not None:  # the held statements are literal SQL: no placeholders in them
            ahead = ahead.replace("%", "%%")
        self._send(f"{ahead}; {query}", params, **kwargs)
        self._past(statements)
        return self

    def _send(self, query, params=None, **kwargs) -> None:
        try:
            super().execute(query, params, **kwargs)
        except psycopg.errors.InvalidSqlStatementName:
            # The server no longer has what this connection prepared (`DISCARD ALL`, a pooler
            # handing over another session): this statement fails, the next ones prepare anew.
            prepared_on(self.connection).clear()
            raise

    def execute_prepared(self, query: str, params) -> "Cursor":
        """`execute`, as `EXECUTE` of the statement prepared on this connection when it is."""
        return self.execute(*executable(self.connection, query, params))

    def executemany(self, query, params_seq, **kwargs):
        self.send_held()
        return super().executemany(query, params_seq, **kwargs)

    def copy(self, statement, params=None, **kwargs):
        self.send_held()
        return super().copy(statement, params, **kwargs)

    def stream(self, query, params=None, **kwargs):
        self.send_held()
        return super().stream(query, params, **kwargs)

    def send_held(self) -> None:
        """Send the held statements now, in a message of their own."""
        waiting = held(self.connection)
        if waiting:
            statements = waiting.take()
            self._send("; ".join(sql for sql, _ in statements))
            self._past(statements)

    def _past(self, statements: list[tuple[str, Pending | None]]) -> None:
        """Past the held statements' results to the next one, the reads' rows delivered."""
        for _, pending in statements:
            if pending is not None:
                pending.deliver(self.fetchall())
            self.nextset()


def _quiet(connection) -> bool:
    """Open, and nothing from the server waiting to be read."""
    if connection.closed or connection.pgconn.status != psycopg.pq.ConnStatus.OK:
        return False
    poller = select.poll()
    poller.register(connection.pgconn.socket, select.POLLIN | select.POLLPRI)
    return not poller.poll(0)


class DatabaseWrapper(base.DatabaseWrapper):
    def get_connection_params(self):
        params = super().get_connection_params()
        if params["cursor_factory"] is not base.Cursor:
            raise ImproperlyConfigured(
                "crmtickets.postgresql holds statements for the next message, which needs "
                "client-side binding: remove OPTIONS['server_side_binding'] and 'cursor_factory'."
            )
        if not self.settings_dict["AUTOCOMMIT"]:
            raise ImproperlyConfigured(
                "crmtickets.postgresql begins Django's transactions: keep AUTOCOMMIT on."
            )
        params["cursor_factory"] = Cursor
        return params

    def _set_autocommit(self, autocommit):
        with self.wrap_database_errors:
            waiting = held(self.connection)
            if not autocommit:
                waiting.begin = begin_statement(self.connection)
                return
            if waiting.begin is not None:
                waiting.take()  # a transaction that never sent a statement: nothing began
            if waiting or self.connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
                # As psycopg refuses it: the transaction must end first.
                raise psycopg.ProgrammingError("can't turn autocommit on in an open transaction")
            self.connection.autocommit = True

    def close_if_health_check_failed(self):
        """The health check before a request's first statement, asked of the kernel first: a
        connection the server closed (a restart, a terminated backend, an idle timeout) has its
        goodbye or its end waiting on the socket. Nothing waiting and libpq content: it is used
        without Django's `SELECT 1` round trip. Anything waiting: Django's check. A peer gone
        silent shows nothing either way until TCP gives up (`DB_TCP_USER_TIMEOUT_MS`): then the
        request's own statement fails as the check would have, and the connection is replaced."""
        checked = self.health_check_done  # type: ignore[has-type]  # (untyped in django-stubs)
        due = self.connection is not None and self.settings_dict["CONN_HEALTH_CHECKS"] and not checked
        if due and not self.pool and _quiet(self.connection):
            self.health_check_done = True
        else:
            super().close_if_health_check_failed()
        self.prepare_registered()

    def prepare_registered(self) -> None:
        """Prepare on this connection what `executable` registered since it last did, each in a
        message of its own and only between transactions, so a statement the server refuses
        (a parameter whose type it cannot tell) is only remembered as refused, and runs as is."""
        connection = self.connection
        if connection is None or not self.settings_dict.get("PREPARE_STATEMENTS", True):
            return
        done = prepared_on(connection)
        if len(done) == len(_PREPARABLE) or held(connection) or not connection.autocommit:
            return  # (psycopg's own state: during `connect` Django's is not yet set)
        if connection.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            return
        with self.wrap_database_errors, connection.cursor() as cursor:
            for sql, number in list(_PREPARABLE.items()):
                if number in done:
                    continue
                try:
                    cursor.execute(f"PREPARE crm_{number} AS {_numbered(sql)}")
                except (psycopg.ProgrammingError, psycopg.DataError, psycopg.NotSupportedError):
                    done[number] = False
                else:
                    done[number] = True

    def create_cursor(self, name=None):
        if name and self.connection is not None:
            # psycopg declares a named cursor itself: what is held goes first.
            with self.connection.cursor() as cursor:
                cursor.send_held()
        return super().create_cursor(name)

    def defer_statement(self, sql: str, params, *, prepare: bool = False) -> None:
        """Hold a write whose result nobody reads until the transaction's next statement or its
        COMMIT. Only inside a transaction: outside one, nothing may come after it. `prepare`: a
        statement to prepare on the connection (`executable`)."""
        if self.get_autocommit():
            raise RuntimeError("a statement is deferred only inside a transaction")
        self._hold(sql, params, prepare=prepare, pending=None)

    def read_later(self, sql: str, params, *, prepare: bool = False) -> Pending:
        """Hold a read until the connection's next statement, in or out of a transaction; its
        rows when asked (`Pending.rows`), which sends it then if nothing has followed it."""
        self.ensure_connection()
        pending = Pending(self, sql, params)
        self._hold(sql, params, prepare=prepare, pending=pending)
        return pending

    def _hold(self, sql: str, params, *, prepare: bool, pending: Pending | None) -> None:
        """`sql` with its values bound (as `EXECUTE` when prepared), held for the next message."""
        if prepare:
            sql, params = executable(self.connection, sql, params)
        with self.wrap_database_errors, self.connection.cursor() as cursor:
            held(self.connection).statements.append((cursor.mogrify(sql, params), pending))

    def _commit(self):
        if self.connection is None:
            return
        waiting = held(self.connection)
        if waiting.begin is not None and not any(pending is None for _, pending in waiting.statements):
            waiting.take()  # nothing was sent, no write held: nothing to commit (a read reruns if asked)
            return
        if not waiting:
            super()._commit()  # type: ignore[misc]  # (django-stubs leave it out)
            return
        with debug_transaction(self, "COMMIT"), self.wrap_database_errors, self.connection.cursor() as cursor:
            cursor.execute("COMMIT")

    def _rollback(self):
        if self.connection is None:
            return
        waiting = held(self.connection)
        began = waiting.begin is None
        waiting.take()
        if began:  # else nothing of the transaction reached the server
            super()._rollback()  # type: ignore[misc]  # (django-stubs leave it out)
