"""Hand-written SQL for the hot path of every command: load an instance's live rows, upsert the
changed element instances and variables, append history. The ORM would build these statements
anew on each call; here they are fixed strings, so a command costs a few round trips and little
Python. The SQL is the common subset of PostgreSQL and SQLite (ON CONFLICT … DO UPDATE)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection

LOAD_INSTANCE = (
    "SELECT status, definition_id, parent_instance_key, parent_element_instance_key,"
    " bpmn_process_id, version, has_incident, is_test"
    " FROM processes_processinstance WHERE key = %s"
)
LOAD_ELEMENTS = (
    "SELECT key, element_id, element_type, flow_scope_key, state, loop_counter, data"
    " FROM processes_elementinstance WHERE process_instance_id = %s AND is_live"
)
LOAD_VARIABLES = (
    "SELECT scope_key, name, value FROM processes_variable WHERE process_instance_id = %s"
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
DELETE_VARIABLE = "DELETE FROM processes_variable WHERE scope_key = %s AND name = %s"
INSERT_HISTORY = (
    "INSERT INTO processes_historyevent (timestamp, process_instance_key, bpmn_process_id,"
    " version, element_instance_key, element_id, element_type, event_type, name, value, data)"
    " VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"
)


def fetch_one(sql: str, params: Sequence[Any]) -> tuple[Any, ...] | None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return tuple(row) if row is not None else None


def fetch_all(sql: str, params: Sequence[Any]) -> list[tuple[Any, ...]]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [tuple(row) for row in cursor.fetchall()]


def execute_many(sql: str, rows: Sequence[Sequence[Any]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if len(rows) == 1:
            cursor.execute(sql, rows[0])
        else:
            cursor.executemany(sql, rows)


def lock_clause(alias: str) -> str:
    """Row lock for the command's instance (only that table's row, not joined ones)."""
    return f" FOR UPDATE OF {alias}" if connection.features.has_select_for_update_of else ""
