"""Benchmark of the task inbox: n open tasks, how long the first page takes for one officer.

Rows are bulk-inserted directly (no engine run), committed, measured and deleted again, so the
benchmark leaves the database as it found it.
"""

from __future__ import annotations

import statistics
import time
from datetime import timedelta
from typing import Any

from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.utils import timezone

from verka.accounts.models import User
from verka.processes.models import (
    Deployment,
    ProcessDefinition,
    ProcessInstance,
    Resource,
    UserTask,
    UserTaskCandidate,
)

from .inbox import InboxFilter, describe, inbox_query

KEY_BASE = 8_000_000_000_000_000
GROUPS = 10
BATCH = 5000
RUNS = 7


def _insert_rows(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """Plain INSERTs: the ORM's per-object work would take longer than the database's."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    marks = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)


def _insert(n_tasks: int, groups: list[str]) -> None:
    now = timezone.now()
    deployment = Deployment.objects.create(created_at=now, name="bench")
    resource = Resource.objects.create(
        deployment=deployment, kind="bpmn", name="bench.bpmn", content="", checksum="bench"
    )
    definition = ProcessDefinition.objects.create(
        bpmn_process_id="inbox-bench",
        name="Inbox benchmark",
        version=1,
        resource=resource,
        checksum="bench",
        deployed_at=now,
    )
    stamp = connection.ops.adapt_datetimefield_value

    def due(i: int) -> Any:
        # Due dates spread over a year around now; every tenth task has none.
        if i % 10 == 9:
            return None
        return stamp(now + timedelta(hours=(i * 7919) % 8760 - 4380))

    for start in range(0, n_tasks, BATCH):
        numbers = range(start, min(start + BATCH, n_tasks))
        _insert_rows(
            ProcessInstance,
            ["key", "definition_id", "bpmn_process_id", "version", "status", "started_at"]
            + ["business_key", "is_test", "has_incident"],
            [
                (
                    KEY_BASE + i,
                    definition.pk,
                    "inbox-bench",
                    1,
                    "ACTIVE",
                    stamp(now - timedelta(minutes=i)),
                    f"BENCH-{i:07d}",
                    False,
                    False,
                )
                for i in numbers
            ],
        )
        _insert_rows(
            UserTask,
            ["key", "process_instance_id", "element_instance_key", "element_id"]
            + ["bpmn_process_id", "name", "form_key", "form_id", "external_reference", "state"]
            + ["assignee", "candidate_groups", "candidate_users", "due_date", "priority"]
            + ["custom_headers", "created_at", "completed_by"],
            [
                (
                    KEY_BASE + i,
                    KEY_BASE + i,
                    KEY_BASE + n_tasks + i,
                    "review",
                    "inbox-bench",
                    "Granska",
                    "",
                    "",
                    "",
                    "CREATED",
                    "bench-officer" if i % 50 == 0 else "",
                    f'["{groups[i % len(groups)]}"]',
                    "[]",
                    due(i),
                    (i * 31) % 100,
                    "{}",
                    stamp(now - timedelta(minutes=i)),
                    "",
                )
                for i in numbers
            ],
        )
        _insert_rows(
            UserTaskCandidate,
            ["task_id", "group", "user"],
            [(KEY_BASE + i, groups[i % len(groups)], "") for i in numbers],
        )


def _time(run: Any) -> tuple[float, float]:
    """(first run, median of the following runs) in milliseconds."""
    timings = []
    for _ in range(RUNS):
        started = time.perf_counter()
        run()
        timings.append((time.perf_counter() - started) * 1000)
    return round(timings[0], 2), round(statistics.median(timings[1:]), 2)


def _remove(groups: list[str]) -> None:
    """Delete the benchmark's rows with plain DELETEs (the ORM would load 100,000 objects)."""
    with connection.cursor() as cursor:
        for model, column in (
            (UserTaskCandidate, "task_id"),
            (UserTask, "key"),
            (ProcessInstance, "key"),
        ):
            table = connection.ops.quote_name(model._meta.db_table)
            cursor.execute(f"DELETE FROM {table} WHERE {column} >= %s", [KEY_BASE])
    definitions = ProcessDefinition.objects.filter(bpmn_process_id="inbox-bench")
    deployments = list(Deployment.objects.filter(resources__processes__in=definitions).distinct())
    definitions.delete()
    for deployment in deployments:
        deployment.delete()  # and its resource
    User.objects.filter(username="bench-officer").delete()
    Group.objects.filter(name__in=groups).delete()


def bench_inbox(n_tasks: int) -> dict[str, Any]:
    """Create n open tasks over ten groups and time the inbox's first page for an officer in
    one of them (the query plus the page's case details), by due date, by creation, unassigned
    only, by priority, and a search by case number. The rows are committed first (as a real
    backlog is; uncommitted rows are slower to read on PostgreSQL) and deleted at the end."""
    groups = [f"bench-{number}" for number in range(GROUPS)]
    result: dict[str, Any] = {"n_tasks": n_tasks, "groups": GROUPS, "vendor": connection.vendor}
    started = time.perf_counter()
    with transaction.atomic():
        _insert(n_tasks, groups)
        user = User.objects.create(username="bench-officer", kind="staff")
        user.groups.add(Group.objects.create(name=groups[0]))
    result["insert_s"] = round(time.perf_counter() - started, 2)
    try:
        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load in production.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE processes_usertask")
                cursor.execute("ANALYZE processes_usertaskcandidate")

        def page(wanted: InboxFilter) -> Any:
            return lambda: describe(list(inbox_query(user, wanted)[:26]))

        visible = len(list(inbox_query(user, InboxFilter())[:26]))
        result["first_page_rows"] = min(visible, 25)
        # The task query alone, without the page's case numbers and applicants.
        first, median = _time(lambda: list(inbox_query(user, InboxFilter())[:26]))
        result["first_page_query_ms"] = median
        for name, wanted in (
            ("first_page", InboxFilter()),
            ("created_sort", InboxFilter(sort="-created")),
            ("unassigned", InboxFilter(state="unassigned")),
            ("priority_sort", InboxFilter(sort="priority")),
            ("search", InboxFilter(search=f"BENCH-{max(n_tasks - 10, 0):07d}")),
        ):
            first, median = _time(page(wanted))
            result[f"{name}_ms"] = median
            result[f"{name}_cold_ms"] = first
    finally:
        _remove(groups)
    return result
