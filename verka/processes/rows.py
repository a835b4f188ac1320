"""Hand-written SQL for the hot path of every command: load an instance's live rows, upsert the
changed element instances and variables, append history. The ORM would build these statements
anew on each call; here they are fixed strings, so a command costs a few round trips and little
Python. The SQL is the common subset of PostgreSQL and SQLite (ON CONFLICT … DO UPDATE)."""

from __future__ import annotations

import contextlib
import functools
import json
import logging
import os
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from django.db import DEFAULT_DB_ALIAS, connections, transaction

log = logging.getLogger(__name__)

try:
    import fcntl
except ImportError:  # Windows: SQLite's own busy-waiting decides the writers' order
    fcntl = None  # type: ignore[assignment]

# Completed with `any_of(keys)`: the live rows of one or several instances.
LOAD_ELEMENTS = (
    "SELECT process_instance_id, key, element_id, element_type, flow_scope_key, state,"
    " loop_counter, data FROM processes_elementinstance WHERE process_instance_id {} AND is_live"
)
LOAD_VARIABLES = (
    "SELECT process_instance_id, scope_key, name, value FROM processes_variable"
    " WHERE process_instance_id {}"
)
UPSERT_ELEMENT = (
    "INSERT INTO processes_elementinstance (key, process_instance_id, element_id, element_type,"
    " flow_scope_key, state, is_live, loop_counter, data, activated_at, ended_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
    " ON CONFLICT (key) DO UPDATE SET state = excluded.state, is_live = excluded.is_live,"
    " loop_counter = excluded.loop_counter, data = excluded.data, ended_at = excluded.ended_at"
)
UPSERT_VARIABLE = (
    "INSERT INTO processes_variable (process_instance_id, scope_key, name, value, updated_at)"
    " VALUES (%s, %s, %s, %s, %s)"
    " ON CONFLICT (scope_key, name) DO UPDATE SET value = excluded.value,"
    " updated_at = excluded.updated_at"
)
BUMP_REVISION = "UPDATE processes_processinstance SET revision = revision + 1 WHERE key = %s"
# Completed with `any_of(keys)`.
LOAD_REVISIONS = "SELECT key, revision FROM processes_processinstance WHERE key {}"
UPDATE_INSTANCE_STATUS = (
    "UPDATE processes_processinstance SET status = %s, ended_at = %s WHERE key = %s"
)
# Completed with `any_of(keys)`.
LOAD_JOBS = (
    "SELECT j.key, j.state, j.process_instance_id, j.element_instance_key FROM processes_job j"
    " WHERE j.key {} ORDER BY j.key"
)
END_JOBS = "UPDATE processes_job SET state = %s, ended_at = %s WHERE key {}"
REOPEN_JOB = "UPDATE processes_job SET state = %s, ended_at = NULL WHERE key = %s"
DELETE_VARIABLE = "DELETE FROM processes_variable WHERE scope_key = %s AND name = %s"


@dataclass(frozen=True)
class NewRows:
    """Rows that are new for certain (fresh keys, or an append-only table): a plain INSERT,
    or on PostgreSQL, for many rows at once, COPY, which costs a fraction of the Python and
    server work per row."""

    table: str
    columns: tuple[str, ...]

    @cached_property
    def insert(self) -> str:
        values = ", ".join(["%s"] * len(self.columns))
        return f"INSERT INTO {self.table} ({', '.join(self.columns)}) VALUES ({values})"

    @cached_property
    def copy(self) -> str:
        return f"COPY {self.table} ({', '.join(self.columns)}) FROM STDIN"


HISTORY = NewRows(
    "processes_historyevent",
    (
        "timestamp",
        "process_instance_key",
        "bpmn_process_id",
        "version",
        "element_instance_key",
        "element_id",
        "element_type",
        "event_type",
        "name",
        "value",
        "data",
    ),
)
INSERT_HISTORY = HISTORY.insert
NEW_ELEMENTS = NewRows(
    "processes_elementinstance",
    (
        "key",
        "process_instance_id",
        "element_id",
        "element_type",
        "flow_scope_key",
        "state",
        "is_live",
        "loop_counter",
        "data",
        "activated_at",
        "ended_at",
    ),
)
NEW_INSTANCES = NewRows(
    "processes_processinstance",
    (
        "key",
        "definition_id",
        "bpmn_process_id",
        "version",
        "status",
        "started_at",
        "parent_instance_key",
        "parent_element_instance_key",
        "business_key",
        "is_test",
        "has_incident",
        "revision",
    ),
)
NEW_JOBS = NewRows(
    "processes_job",
    (
        "key",
        "type",
        "state",
        "process_instance_id",
        "element_instance_key",
        "element_id",
        "bpmn_process_id",
        "retries",
        "due_at",
        "worker",
        "custom_headers",
        "variables",
        "error_message",
        "created_at",
    ),
)
# Below this many rows a COPY's extra round trip costs more than it saves.
COPY_FROM = 16

# On PostgreSQL each row of an executemany is an execution of its own (bind, plan lookup,
# executor start and end); the batch's upserts and updates instead go as one statement that
# reads its rows from arrays, one per column (`unnest`). The arrays are typed, so every row
# means what it would have meant alone. Statements not listed here run row by row.
_ARRAY_FORMS: dict[str, tuple[str, str]] = {
    # statement: (its array form, each column's kind for `array_literal`)
    UPSERT_ELEMENT: (
        "INSERT INTO processes_elementinstance (key, process_instance_id, element_id,"
        " element_type, flow_scope_key, state, is_live, loop_counter, data, activated_at,"
        " ended_at) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[],"
        " %s::varchar[], %s::bigint[], %s::varchar[], %s::boolean[], %s::integer[],"
        " %s::text[], %s::timestamptz[], %s::timestamptz[])"
        " ON CONFLICT (key) DO UPDATE SET state = excluded.state, is_live = excluded.is_live,"
        " loop_counter = excluded.loop_counter, data = excluded.data,"
        " ended_at = excluded.ended_at",
        "nnttnt?nttt",
    ),
    UPSERT_VARIABLE: (
        "INSERT INTO processes_variable (process_instance_id, scope_key, name, value,"
        " updated_at) SELECT * FROM unnest(%s::bigint[], %s::bigint[], %s::varchar[],"
        " %s::text[], %s::timestamptz[])"
        " ON CONFLICT (scope_key, name) DO UPDATE SET value = excluded.value,"
        " updated_at = excluded.updated_at",
        "nnttt",
    ),
    UPDATE_INSTANCE_STATUS: (
        "UPDATE processes_processinstance p SET status = v.status, ended_at = v.ended_at"
        " FROM unnest(%s::varchar[], %s::timestamptz[], %s::bigint[]) AS v (status, ended_at,"
        " key) WHERE p.key = v.key",
        "ttn",
    ),
}
# The column that must not repeat within one array statement (an upsert or update may touch a
# row once per statement): the conflict target's position(s) in a row.
_ARRAY_UNIQUE: dict[str, tuple[int, ...]] = {
    UPSERT_ELEMENT: (0,),
    UPSERT_VARIABLE: (1, 2),
    UPDATE_INSTANCE_STATUS: (2,),
}
# From this many rows on, one array statement beats an execution per row.
ARRAY_FROM = 3


def _as_arrays(sql: str, rows: Sequence[Sequence[Any]]) -> tuple[str, Sequence[Sequence[Any]]]:
    """The statement and rows to send on PostgreSQL: many rows of a listed statement become one
    execution with an array per column; anything else stays as it is."""
    form = _ARRAY_FORMS.get(sql)
    if form is None or len(rows) < ARRAY_FROM:
        return sql, rows
    unique = _ARRAY_UNIQUE[sql]
    if len({tuple(row[at] for at in unique) for row in rows}) != len(rows):
        return sql, rows  # the same row twice: in order, one execution each
    array_sql, kinds = form
    columns = zip(*rows, strict=True)
    return array_sql, [
        [array_literal(kind, column) for kind, column in zip(kinds, columns, strict=True)]
    ]


def array_literal(kind: str, values: Sequence[Any]) -> str:
    """A PostgreSQL array in its text form, for a parameter cast to an array type: `n` whole
    numbers, `?` booleans, `t` anything else by its text (strings, timestamps), quoted. The
    driver's own list adapter looks up and calls an adapter per element in Python, which cost
    more than the statements it saved; joining text costs a fraction of that. It is a bound
    value, never part of the SQL, and every text element is quoted and escaped."""
    if kind == "n":
        items = ["NULL" if value is None else str(int(value)) for value in values]
    elif kind == "?":
        items = ["NULL" if value is None else ("t" if value else "f") for value in values]
    else:
        items = ["NULL" if value is None else _quoted(str(value)) for value in values]
    return "{" + ",".join(items) + "}"


def _quoted(text: str) -> str:
    if "\\" in text or '"' in text:
        text = text.replace("\\", "\\\\").replace('"', '\\"')
    return '"' + text + '"'


def activate_jobs_sql(types: int, skip_locked: bool, leases: int = 0) -> str:
    """Lease due jobs in one statement: pick (skipping rows other workers hold, on PostgreSQL),
    mark them activated and return them. The deadline is one parameter, or with `leases` one
    per type: (type, deadline) pairs."""
    placeholders = ", ".join(["%s"] * types)
    lock = " FOR UPDATE SKIP LOCKED" if skip_locked else ""
    deadline = "%s"
    if leases:
        deadline = "CASE type" + " WHEN %s THEN %s" * leases + " END"
    return (
        f"UPDATE processes_job SET state = 'ACTIVATED', deadline = {deadline}, worker = %s"
        " WHERE key IN (SELECT key FROM processes_job"
        f" WHERE type IN ({placeholders}) AND ((state = 'ACTIVATABLE' AND due_at <= %s)"
        " OR (state = 'ACTIVATED' AND deadline < %s))"
        f" ORDER BY due_at, key LIMIT %s{lock})"
        " RETURNING key, type, process_instance_id, bpmn_process_id, element_id,"
        " element_instance_key, retries, custom_headers, variables"
    )


def any_of(values: Sequence[int]) -> tuple[str, list[Any]]:
    """The right side of "column IN (…)" for these keys, and its parameters. On PostgreSQL it
    is "= ANY(%s::bigint[])" with one array: the statement is the same for any number of keys,
    so it is parsed, planned and prepared once instead of once per batch size. Elsewhere one
    value is "= %s" and several "IN (%s, …)"."""
    if len(values) == 1:
        return "= %s", list(values)
    if is_postgresql():
        return "= ANY(%s::bigint[])", [array_literal("n", values)]
    return "IN (" + ", ".join(["%s"] * len(values)) + ")", list(values)


def db_time(value: Any) -> Any:
    """A datetime as the ORM stores it (naive UTC text on SQLite), so raw and ORM-written rows
    compare alike in SQL."""
    return _db().ops.adapt_datetimefield_value(value)


# `django.db.connection` finds this thread's connection anew on every attribute (a context-local
# lookup costing microseconds); the hot path asks dozens of times per command, so it looks the
# connection up once per call, and the vendor (the same for every connection) once per process.
def _db() -> Any:
    return connections[DEFAULT_DB_ALIAS]


@functools.cache
def vendor() -> str:
    return str(_db().vendor)


def is_postgresql() -> bool:
    return vendor() == "postgresql"


# The statements run on the driver's own cursor, past Django's cursor wrapper: on SQLite that
# wrapper rewrites every statement's placeholders with a regular expression, and on either
# database it costs more Python than the statement itself. Errors are still Django's.
_QMARK: dict[str, str] = {}


def _native(sql: str) -> str:
    if vendor() != "sqlite":
        return sql
    found = _QMARK.get(sql)
    if found is None:
        found = _QMARK[sql] = sql.replace("%s", "?")
    return found


def _cursor(db: Any) -> Any:
    db.ensure_connection()
    return _driver_cursor(db.connection)


def _driver_cursor(driver: Any) -> Any:
    """On PostgreSQL a cursor that binds parameters on the server (psycopg's `Cursor`, not the
    `ClientCursor` Django's connection makes by default): values travel apart from the SQL
    instead of being quoted into it in Python, and psycopg prepares a statement that keeps
    coming back, so the server stops parsing and planning the engine's few fixed statements."""
    if is_postgresql():
        import psycopg

        return psycopg.Cursor(driver)
    return driver.cursor()


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    db = _db()
    with db.wrap_database_errors:
        cursor = _cursor(db)
        try:
            cursor.execute(_native(sql), params)
            row = cursor.fetchone()
        finally:
            cursor.close()
    return tuple(row) if row is not None else None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    db = _db()
    with db.wrap_database_errors:
        cursor = _cursor(db)
        try:
            cursor.execute(_native(sql), params)
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()


def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    db = _db()
    with db.wrap_database_errors:
        cursor = _cursor(db)
        try:
            if len(rows) == 1:
                cursor.execute(_native(sql), rows[0])
            else:
                cursor.executemany(_native(sql), rows)
        finally:
            cursor.close()


def lock_clause(alias: str) -> str:
    """Row lock for the command's instance (only that table's row, not joined ones)."""
    return f" FOR UPDATE OF {alias}" if _db().features.has_select_for_update_of else ""


# The first key of PostgreSQL's two-key advisory locks: which kind of thing the second names.
_CORRELATION = 0x76657201
_MESSAGE_START = 0x76657202
ADVISORY_LOCK = "SELECT pg_advisory_xact_lock(%s::integer, hashtext(%s))"


NEW_SUBSCRIPTION = (
    "INSERT INTO processes_messagesubscription (process_instance_id, element_instance_key,"
    " element_id, message_name, correlation_key, interrupting, created_at)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s)"
)
# The oldest message of a name and correlation key still waiting for subscribers.
BUFFERED_MESSAGE = (
    "SELECT id, variables, correlated_process_ids FROM processes_message"
    " WHERE name = %s AND correlation_key = %s AND expires_at > %s"
    " ORDER BY published_at, id LIMIT 1"
)
CLAIM_MESSAGE = "UPDATE processes_message SET correlated_process_ids = %s WHERE id = %s"


def correlation_turn(message_name: str, correlation_key: str) -> list[tuple[str, list[Any]]]:
    """The statement that takes `lock_correlation`'s turn, for a batch of writes that sends it
    with what follows in one round trip; none on SQLite."""
    if not is_postgresql():
        return []
    return [(ADVISORY_LOCK, [_CORRELATION, json.dumps([message_name, correlation_key])])]


def lock_correlation(message_name: str, correlation_key: str) -> None:
    """Wait for, and hold until the transaction ends, the turn of one message name and
    correlation key. A publication and a subscription opening each check for the other and
    then write themselves: without a turn, two transactions at once each miss the other's
    uncommitted row (the message is buffered, the subscription waits, neither ever sees the
    other). With it, whichever comes second sees what the first committed; claims of a
    buffered message and message-id checks are taken in the same turn.

    PostgreSQL only: on SQLite the writer's turn (`write_transaction`) already serialises
    whole transactions. Take instance row locks before this one (see `executor.publish`):
    a command holds its instance's lock when it opens a subscription."""
    _advisory_lock(_CORRELATION, json.dumps([message_name, correlation_key]))


def lock_message_start(bpmn_process_id: str, correlation_key: str) -> None:
    """The turn of one process and correlation key, for message start events: "no new instance
    while one with this key is active" is a check and then an insert, which two publications
    (of different messages starting the same process) must not do at the same time."""
    _advisory_lock(_MESSAGE_START, json.dumps([bpmn_process_id, correlation_key]))


def _advisory_lock(kind: int, name: str) -> None:
    if not is_postgresql():
        return
    # A hash collision only makes two unrelated keys take turns.
    fetch_one(ADVISORY_LOCK, [kind, name])


def fetch_batch(
    queries: Sequence[tuple[str, Sequence[Any]]],
    writes: Sequence[tuple[str, Sequence[Sequence[Any]]]] = (),
) -> list[list[tuple[Any, ...]]]:
    """Run `writes` (statements with their rows), then the queries, and return each query's
    rows; on PostgreSQL all of it travels together (psycopg pipeline mode: one round trip
    instead of one per statement), in order."""
    if not is_postgresql():
        for sql, rows in writes:
            execute_many(sql, rows)
        return [fetch_all(sql, params) for sql, params in queries]
    db = _db()
    db.ensure_connection()
    driver = db.connection
    with db.wrap_database_errors, driver.pipeline():
        if writes:
            with _driver_cursor(driver) as cursor:
                for sql, rows in writes:
                    if len(rows) == 1:
                        cursor.execute(sql, rows[0])
                    else:
                        cursor.executemany(sql, rows)
        cursors = []
        for sql, params in queries:
            cursor = _driver_cursor(driver)
            cursor.execute(sql, params)
            cursors.append(cursor)
        found = [[tuple(row) for row in cursor.fetchall()] for cursor in cursors]
    for cursor in cursors:
        cursor.close()
    return found


class Writes:
    """Statements a command writes, sent when `flush` is called: on PostgreSQL all in one round
    trip (pipeline mode), in the order they were added. Flush before anything reads what they
    write (or `fetch`, which sends them ahead of its queries); errors surface there, still
    inside the command's transaction.

    New rows (`insert`) go before the statements: nothing added earlier can be about rows that
    do not exist yet, and on PostgreSQL many of them travel by COPY."""

    def __init__(self) -> None:
        self.pending: list[tuple[str, list[Sequence[Any]]]] = []
        self.new_rows: dict[NewRows, list[Sequence[Any]]] = {}
        # Commands on different instances touch different rows, so a statement that several
        # of them write goes once with all their rows (one executemany, not one per command).
        # Merging happens within a segment: from `_from` on, the commands of the instances in
        # `_keys`; a second command on one of them, or a statement outside any command, starts
        # a new segment. A command's statements keep their order (`_at` only moves forward).
        self._from = 0
        self._keys: set[int] = set()
        self._at = 0
        self._command: int | None = None

    def begin_command(self, instance_key: int) -> None:
        """What is added until `end_command` is one command's, on this instance."""
        if instance_key in self._keys:
            self._from = len(self.pending)
            self._keys = set()
        self._keys.add(instance_key)
        self._at = self._from
        self._command = instance_key

    def end_command(self) -> None:
        self._command = None

    def add(self, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        if not rows:
            return
        if self._command is None:
            self.pending.append((sql, list(rows)))
            self._from = len(self.pending)
            self._keys = set()
            return
        pending = self.pending
        for at in range(self._at, len(pending)):
            if pending[at][0] == sql:
                pending[at][1].extend(rows)
                self._at = at
                return
        pending.append((sql, list(rows)))
        self._at = len(pending) - 1

    def insert(self, table: NewRows, rows: Sequence[Sequence[Any]]) -> None:
        if rows:
            self.new_rows.setdefault(table, []).extend(rows)

    def fetch(self, queries: Sequence[tuple[str, Sequence[Any]]]) -> list[list[tuple[Any, ...]]]:
        """What is waiting, then the queries, in one go; returns the queries' rows."""
        return fetch_batch(queries, self._take())

    def flush(self) -> None:
        pending = self._take()
        if not pending:
            return
        if not is_postgresql() or (len(pending) == 1 and len(pending[0][1]) == 1):
            for sql, rows in pending:
                execute_many(sql, rows)
            return
        fetch_batch([], pending)

    def _take(self) -> list[tuple[str, Sequence[Sequence[Any]]]]:
        """The statements to send now, new rows first; many new rows are copied right away."""
        new_rows, self.new_rows = self.new_rows, {}
        pending, self.pending = self.pending, []
        self._from = self._at = 0
        self._keys = set() if self._command is None else {self._command}
        inserts: list[tuple[str, Sequence[Sequence[Any]]]] = []
        for table, rows in new_rows.items():
            if is_postgresql() and len(rows) >= COPY_FROM:
                _copy(table, rows)
            else:
                inserts.append((table.insert, rows))
        if is_postgresql():
            pending = [_as_arrays(sql, rows) for sql, rows in pending]
        return inserts + pending


def _copy(table: NewRows, rows: Sequence[Sequence[Any]]) -> None:
    db = _db()
    db.ensure_connection()
    with (
        db.wrap_database_errors,
        _driver_cursor(db.connection) as cursor,
        cursor.copy(table.copy) as copy,
    ):
        for row in rows:
            copy.write_row(row)


class _WriterTurns:
    """SQLite lets one writer in at a time, and one that finds the database busy sleeps in
    growing steps (up to 100 ms) before it looks again, so under load writers wait far longer
    than the writes take. Engine writers on one SQLite file instead queue on an flock of the
    file itself: the kernel wakes the next one the moment the lock is free.

    The lock is taken only by a transaction's outermost block (never while this process
    holds SQLite's lock), so it cannot deadlock with SQLite's own locking. flock and SQLite's
    POSIX locks do not interact; the descriptor is never closed, because closing any
    descriptor of the file would drop this process's POSIX locks on it."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDONLY)
        self.threads = threading.Lock()
        self.checkpoints = _Checkpoints(path)

    def __enter__(self) -> None:
        self.threads.acquire()
        try:
            fcntl.flock(self.fd, fcntl.LOCK_EX)
        except BaseException:
            self.threads.release()
            raise

    def __exit__(self, *exc: object) -> None:
        try:
            fcntl.flock(self.fd, fcntl.LOCK_UN)
        finally:
            self.threads.release()


class _Checkpoints:
    """SQLite copies its log back into the database file (a checkpoint) inside the commit that
    takes the log past `wal_autocheckpoint` pages. That commit still holds its writer's turn,
    so every other writer waits for the whole copy and its fsync: a tenth of a second for the
    40 MB log here, seconds on a slow disk, and the latency of everything queued behind it.
    Instead a thread of each process that commits checkpoints about every EVERY seconds while
    it commits, on a connection of its own and outside any turn. A PASSIVE checkpoint never
    waits for readers or writers, nor blocks them; the autocheckpoint stays as the safety net,
    and finds little left to copy."""

    EVERY = 1.0

    def __init__(self, path: str) -> None:
        self.path = path
        self.due = threading.Event()
        self.started = False
        self.lock = threading.Lock()

    def committed(self) -> None:
        if not self.started:
            with self.lock:
                if not self.started:
                    threading.Thread(
                        target=self._run, name="sqlite-checkpoints", daemon=True
                    ).start()
                    self.started = True
        self.due.set()

    def _run(self) -> None:
        import sqlite3

        connection = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
        while True:
            self.due.wait()
            time.sleep(self.EVERY)  # commits go on meanwhile; one checkpoint covers them all
            self.due.clear()
            if not os.path.exists(self.path):
                connection.close()  # the database was removed (a test database at its end)
                return
            try:
                connection.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
            except sqlite3.Error:
                # The next one copies what this one could not; the autocheckpoint backs it up.
                log.debug("background checkpoint failed", exc_info=True)


_turns: dict[str, _WriterTurns] = {}
_turns_lock = threading.Lock()


def _writer_turns(db: Any) -> _WriterTurns | None:
    name = str(db.settings_dict["NAME"])
    if fcntl is None or "memory" in name or not os.path.isfile(name):
        return None
    with _turns_lock:
        turns = _turns.get(name)
        if turns is None:
            turns = _turns[name] = _WriterTurns(name)
        return turns


@contextlib.contextmanager
def one_statement() -> Iterator[None]:
    """For a single statement that writes: on PostgreSQL outside any transaction it runs on its
    own (autocommit: atomic all the same, one round trip instead of three); on SQLite it takes
    its writer's turn like any transaction (see _WriterTurns)."""
    db = _db()
    if db.vendor == "postgresql" and db.get_autocommit():
        yield
        return
    with write_transaction():
        yield


@contextlib.contextmanager
def write_transaction() -> Iterator[None]:
    """`transaction.atomic()` for a transaction that writes; on SQLite, engine writers take
    turns in the order they come (see _WriterTurns)."""
    turns = None
    db = _db()
    if db.vendor == "sqlite" and not db.in_atomic_block:
        turns = _writer_turns(db)
    if turns is None:
        with transaction.atomic():
            yield
        return
    with turns, transaction.atomic():
        yield
    turns.checkpoints.committed()
