"""Several instances started in one transaction (`services.start_instances`): all or none."""

from __future__ import annotations

import pytest

from verka.processes import clock, executor, repository, rows, services
from verka.processes.codec import CodecError
from verka.processes.models import (
    ElementInstance,
    HistoryEvent,
    Job,
    ProcessInstance,
    Variable,
)

from . import models as m

pytestmark = pytest.mark.django_db

New = services.NewInstance


def test_a_batch_starts_each_instance_as_start_instance_would():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    alone = services.start_instance("one-task", {"amount": 5}, business_key="A-0")
    started = services.start_instances(
        "one-task", [New({"amount": 5}, "A-1"), New({"amount": 7}, "A-2"), New({"amount": 9})]
    )
    assert [instance.business_key for instance in started] == ["A-1", "A-2", ""]
    assert len({instance.key for instance in started}) == 3
    # What the caller gets back is what was stored.
    for instance in started:
        stored = ProcessInstance.objects.get(key=instance.key)
        assert (stored.status, stored.business_key, stored.version) == (
            instance.status,
            instance.business_key,
            instance.version,
        )

    def shape(key: int) -> list[tuple[str, str]]:
        return list(
            HistoryEvent.objects.filter(process_instance_key=key)
            .order_by("id")
            .values_list("element_id", "event_type")
        )

    assert [shape(instance.key) for instance in started] == [shape(alone.key)] * 3
    assert Job.objects.filter(process_instance_id__in=[i.key for i in started]).count() == 3
    amounts = dict(
        Variable.objects.filter(
            name="amount", process_instance_id__in=[i.key for i in started]
        ).values_list("process_instance_id", "value")
    )
    assert amounts == {started[0].key: "5", started[1].key: "7", started[2].key: "9"}


def test_a_bad_start_refuses_the_whole_batch_and_names_its_position():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    with pytest.raises(services.CommandRejected, match=r"^start 2: variables must be an object"):
        services.start_instances("one-task", [New({"amount": 1}), New(), New(["not", "a map"])])  # type: ignore[arg-type]
    with pytest.raises(services.CommandRejected, match=r"^start 0: .*nowhere"):
        services.start_instances("one-task", [New(), New()], start_at="nowhere")
    assert not ProcessInstance.objects.exists()


def test_a_batch_that_fails_while_writing_leaves_nothing_behind():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    # A value no variable can hold fails the batch after the first start has been computed
    # (its rows waiting to be written): nothing of either may remain.
    with pytest.raises(CodecError, match="cannot be stored"):
        services.start_instances("one-task", [New({"amount": 1}), New({"x": object()})])
    assert not ProcessInstance.objects.exists()
    assert not ElementInstance.objects.exists()
    assert not Job.objects.exists()


def test_a_started_call_activity_child_is_not_mistaken_for_the_next_start():
    services.deploy([("one.bpmn", m.ONE_TASK), ("caller.bpmn", m.CALLER)])
    started = services.start_instances("caller", [New({"amount": 1}), New({"amount": 2})])
    assert [instance.bpmn_process_id for instance in started] == ["caller", "caller"]
    children = ProcessInstance.objects.filter(bpmn_process_id="one-task")
    assert sorted(child.parent_instance_key for child in children) == sorted(
        instance.key for instance in started
    )


def test_a_batch_has_a_size_limit_and_may_be_empty():
    services.deploy([("one.bpmn", m.ONE_TASK)])
    assert services.start_instances("one-task", []) == []
    with pytest.raises(services.CommandRejected, match="at most 1000"):
        services.start_instances("one-task", [New()] * (services.MAX_BATCH_STARTS + 1))
    assert not ProcessInstance.objects.exists()


def test_a_batch_of_an_unknown_process_is_refused():
    with pytest.raises(services.DeploymentMissing):
        services.start_instances("nothing-deployed", [New()])


def test_a_start_that_needs_no_rows_is_computed_before_its_transaction(monkeypatch):
    services.deploy([("one.bpmn", m.ONE_TASK), ("user.bpmn", m.USER_TASK)])
    nudges: list[str] = []
    monkeypatch.setattr(executor.wakeup, "nudge_after_commit", lambda: nudges.append("nudge"))
    definition = repository.latest_process("one-task")
    ex = executor.Execution(clock.now(), preparing=True)
    ex.run(executor.Start(definition, {"amount": 1}), flush=False)
    # Computed, nothing written yet, and idle workers are not woken for a job not yet there.
    assert not ProcessInstance.objects.exists() and nudges == []
    with rows.write_transaction():
        ex.written_in_transaction()
    assert ProcessInstance.objects.get().status == "ACTIVE"
    assert Job.objects.get().state == Job.State.ACTIVATABLE
    assert nudges == ([] if rows.is_postgresql() else ["nudge"])

    # A user task's rows go through the ORM: such a start runs inside its transaction.
    ex = executor.Execution(clock.now(), preparing=True)
    with pytest.raises(executor.NeedsTransaction, match="CreateUserTask"):
        ex.run(executor.Start(repository.latest_process("review")), flush=False)
    assert services.start_instance("review").status == "ACTIVE"


@pytest.mark.django_db(transaction=True)  # no test transaction around it: starts are prepared
def test_prepared_starts_are_written_whole_and_fall_back_when_they_need_rows():
    services.deploy([("one.bpmn", m.ONE_TASK), ("user.bpmn", m.USER_TASK)])
    alone = services.start_instance("one-task", {"amount": 1})
    batch = services.start_instances("one-task", [New({"amount": 2})] * 3)
    review = services.start_instances("review", [New()] * 2)  # user tasks: in the transaction
    keys = [alone.key, *(i.key for i in batch), *(i.key for i in review)]
    assert len(set(keys)) == 6
    assert ProcessInstance.objects.filter(key__in=keys, status="ACTIVE").count() == 6
    assert Job.objects.filter(process_instance_id__in=keys).count() == 4
    with pytest.raises(services.CommandRejected, match="start 1"):
        services.start_instances("one-task", [New(), New(["bad"])])  # type: ignore[arg-type]
    assert ProcessInstance.objects.count() == 6
