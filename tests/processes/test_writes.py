"""A batch of commands sends each statement once with the rows of all commands on different
instances; a command's own statements keep their order, and so do two commands on one
instance."""

from __future__ import annotations

import json
from typing import Any

import pytest

from verka.processes import rows, services
from verka.processes.models import ElementInstance, ProcessInstance, Variable

from . import models as m


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, list[Any]]]:
    """The statements a flush sends, in order, with their rows (SQLite's path)."""
    found: list[tuple[str, list[Any]]] = []
    monkeypatch.setattr(rows, "is_postgresql", lambda: False)
    monkeypatch.setattr(rows, "execute_many", lambda sql, r: found.append((sql, list(r))))
    return found


def test_commands_on_different_instances_share_each_statement(sent):
    writes = rows.Writes()
    for instance in (1, 2, 3):
        writes.begin_command(instance)
        writes.add("A", [(instance, "a")])
        writes.add("B", [(instance, "b")])
        writes.end_command()
    writes.flush()
    assert sent == [("A", [(1, "a"), (2, "a"), (3, "a")]), ("B", [(1, "b"), (2, "b"), (3, "b")])]


def test_a_commands_statements_keep_their_order(sent):
    writes = rows.Writes()
    writes.begin_command(1)
    writes.add("A", [(1,)])
    writes.add("B", [(1,)])
    writes.end_command()
    writes.begin_command(2)
    writes.add("B", [(2,)])
    writes.add("A", [(2,)])  # after its own B: may not join the A before it
    writes.end_command()
    writes.flush()
    assert sent == [("A", [(1,)]), ("B", [(1,), (2,)]), ("A", [(2,)])]


def test_a_second_command_on_one_instance_comes_after_the_first(sent):
    writes = rows.Writes()
    for instance, value in ((1, "first"), (2, "x"), (1, "second")):
        writes.begin_command(instance)
        writes.add("SET", [(instance, value)])
        writes.end_command()
    writes.flush()
    # Instance 1's second value must be written after its first, never with it.
    assert sent == [("SET", [(1, "first"), (2, "x")]), ("SET", [(1, "second")])]


def test_a_statement_outside_any_command_is_a_barrier(sent):
    writes = rows.Writes()
    writes.begin_command(1)
    writes.add("A", [(1,)])
    writes.end_command()
    writes.add("END JOBS", [("all",)])
    writes.begin_command(2)
    writes.add("A", [(2,)])
    writes.end_command()
    writes.flush()
    assert sent == [("A", [(1,)]), ("END JOBS", [("all",)]), ("A", [(2,)])]


@pytest.mark.django_db
def test_two_jobs_of_one_instance_in_one_batch_complete_in_order():
    parallel = m.bpmn(
        '<bpmn:startEvent id="start"/><bpmn:parallelGateway id="fork"/>'
        + m.service_task("left", "work")
        + m.service_task("right", "work")
        + '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="end"/>'
        + m.flow("f1", "start", "fork")
        + m.flow("f2", "fork", "left")
        + m.flow("f3", "fork", "right")
        + m.flow("f4", "left", "join")
        + m.flow("f5", "right", "join")
        + m.flow("f6", "join", "end"),
        process_id="two",
    )
    services.deploy([("two.bpmn", parallel), ("one.bpmn", m.ONE_TASK)])
    two = services.start_instance("two")
    other = services.start_instance("one-task", {"amount": 1})
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    assert len(jobs) == 3
    # The same variable from both branches, in one batch: the batch runs its commands in key
    # order, so the branch completed second must be the value that stays.
    rejected = services.complete_jobs([(job.key, {"last": job.element_id}) for job in jobs])
    assert rejected == {}
    second = max((job for job in jobs if job.process_instance_key == two.key), key=lambda j: j.key)
    assert ProcessInstance.objects.get(key=two.key).status == "COMPLETED"
    assert ProcessInstance.objects.get(key=other.key).status == "COMPLETED"
    last = Variable.objects.get(process_instance_id=two.key, scope_key=two.key, name="last")
    assert last.value == f'"{second.element_id}"'


def test_many_rows_of_an_upsert_become_one_statement_of_arrays():
    element = (7, 1, "task", "serviceTask", None, "COMPLETED", False, 0, "{}", "t0", "t1")
    batch = [element, (8, *element[1:]), (9, *element[1:])]
    sql, sent_rows = rows._as_arrays(rows.UPSERT_ELEMENT, batch)
    assert "unnest(" in sql and "ON CONFLICT (key) DO UPDATE" in sql
    # One execution whose parameters are the columns as arrays, in the statement's order.
    assert sent_rows == [
        [
            "{7,8,9}",
            "{1,1,1}",
            '{"task","task","task"}',
            '{"serviceTask","serviceTask","serviceTask"}',
            "{NULL,NULL,NULL}",
            '{"COMPLETED","COMPLETED","COMPLETED"}',
            "{f,f,f}",
            "{0,0,0}",
            '{"{}","{}","{}"}',
            '{"t0","t0","t0"}',
            '{"t1","t1","t1"}',
        ]
    ]


def test_few_rows_repeated_rows_and_other_statements_stay_row_by_row():
    one = (1, 5, "amount", "1", "t")
    assert rows._as_arrays(rows.UPSERT_VARIABLE, [one, (2, *one[1:])]) == (
        rows.UPSERT_VARIABLE,
        [one, (2, *one[1:])],
    )
    # The same scope and name twice: one statement may not upsert a row twice.
    repeated = [one, (1, 5, "amount", "2", "t"), (1, 6, "other", "3", "t")]
    assert rows._as_arrays(rows.UPSERT_VARIABLE, repeated) == (rows.UPSERT_VARIABLE, repeated)
    assert rows._as_arrays("DELETE x", [(1,), (2,), (3,)]) == ("DELETE x", [(1,), (2,), (3,)])


@pytest.mark.django_db
def test_a_batch_of_completions_writes_every_row_as_one_at_a_time_would():
    """On PostgreSQL the batch's element and variable upserts and status updates go as array
    statements; the rows must come out as they would one by one."""
    services.deploy([("one.bpmn", m.ONE_TASK)])
    started = services.start_instances(
        "one-task", [services.NewInstance({"amount": n}) for n in range(200, 206)]
    )
    jobs = services.activate_jobs("work", "w", max_jobs=10)
    # Each completion overwrites a variable the start set and adds one.
    rejected = services.complete_jobs(
        [(job.key, {"amount": 1, "note": f"job {job.key}"}) for job in jobs]
    )
    assert rejected == {}
    for instance in started:
        row = ProcessInstance.objects.get(key=instance.key)
        assert (row.status, row.ended_at is not None) == ("COMPLETED", True)
        values = dict(
            Variable.objects.filter(process_instance_id=instance.key).values_list("name", "value")
        )
        job = next(j for j in jobs if j.process_instance_key == instance.key)
        assert values == {"amount": "1", "note": f'"job {job.key}"'}
        elements = ElementInstance.objects.filter(process_instance_id=instance.key)
        ended = {e.element_id: (e.state, e.is_live, e.ended_at is not None) for e in elements}
        every = ("one-task", "start", "work", "gw", "low")
        assert ended == dict.fromkeys(every, ("COMPLETED", False, True))


def test_array_literals_quote_every_text_and_keep_nulls_apart_from_the_word():
    assert rows.array_literal("n", [1, None, -3]) == "{1,NULL,-3}"
    assert rows.array_literal("?", [True, False, None]) == "{t,f,NULL}"
    assert rows.array_literal("t", ['a"b', "c\\d", "NULL", None, ""]) == (
        '{"a\\"b","c\\\\d","NULL",NULL,""}'
    )
    with pytest.raises(ValueError):
        rows.array_literal("n", ["1; DROP TABLE x"])


HOSTILE_TEXTS = ['quote " and \\ backslash', "{braces, commas}", "NULL", "", "åäö ✓", "a\nb\tc"]


@pytest.mark.django_db
def test_array_statements_store_any_text_as_it_was():
    """Variables with every awkward character, written by one array statement on PostgreSQL
    (and row by row elsewhere), read back unchanged."""
    services.deploy([("one.bpmn", m.ONE_TASK)])
    started = services.start_instances(
        "one-task", [services.NewInstance({"amount": 1}) for _ in HOSTILE_TEXTS]
    )
    jobs = sorted(services.activate_jobs("work", "w", max_jobs=10), key=lambda j: j.key)
    by_instance = {
        instance.key: text for instance, text in zip(started, HOSTILE_TEXTS, strict=True)
    }
    assert (
        services.complete_jobs(
            [(job.key, {"text": by_instance[job.process_instance_key]}) for job in jobs]
        )
        == {}
    )
    for key, text in by_instance.items():
        variable = Variable.objects.get(process_instance_id=key, name="text")
        assert json.loads(variable.value) == text
