"""The Result is enough to persist: rows rebuilt from results give the same state as advance()."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from verka.engine.runtime import (
    CompleteJob,
    CreateProcessInstance,
    ElementInstance,
    InstanceState,
    Result,
    ThrowError,
    apply,
)
from verka.engine.runtime import results as r

from .scenario import T0, flows, model, service

PROCESS = model(
    '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
    '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
    '<zeebe:input source="=1" target="depth"/></zeebe:ioMapping></bpmn:extensionElements>'
    '<bpmn:startEvent id="ss"/>'
    + service("a")
    + '<bpmn:endEvent id="se"/>'
    + flows("ss>a", "a>se")
    + "</bpmn:subProcess>"
    + service("b")
    + '<bpmn:boundaryEvent id="berr" attachedToRef="b"><bpmn:errorEventDefinition/></bpmn:boundaryEvent>'
    + '<bpmn:serviceTask id="each"><bpmn:extensionElements><zeebe:taskDefinition type="x"/>'
    "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
    '<zeebe:loopCharacteristics inputCollection="=[1,2,3]" inputElement="n" '
    'outputCollection="out" outputElement="=n"/></bpmn:extensionElements>'
    "</bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
    '<bpmn:parallelGateway id="join"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e_err"/>'
    + flows(
        "s>fork",
        "fork>sub",
        "fork>b",
        "fork>each",
        "sub>join",
        "b>join",
        "each>join",
        "join>e",
        "berr>e_err",
    )
)


class Store:
    """A stand-in for the database: rows written only from Result."""

    def __init__(self) -> None:
        self.instances: dict[int, ElementInstance] = {}
        self.variables: dict[tuple[int, str], Any] = {}
        self.status = "ACTIVE"

    def write(self, result: Result) -> None:
        for instance in result.element_instances:
            self.instances[instance.key] = instance
        for change in result.variables:
            if change.deleted:
                del self.variables[(change.scope_key, change.name)]
            else:
                self.variables[(change.scope_key, change.name)] = change.value
        if result.status is not None:
            self.status = result.status.value

    def load(self) -> InstanceState:
        from verka.engine.runtime import InstanceStatus

        return InstanceState.load(
            1, PROCESS, InstanceStatus(self.status), list(self.instances.values()), self.variables
        )


def snapshot(state: InstanceState) -> Any:
    return (
        state.status,
        dict(sorted(state.element_instances.items())),
        {k: dict(v) for k, v in sorted(state.variables.items()) if v},
        {k: set(v) for k, v in sorted(state.children.items()) if v},
    )


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.booleans()), min_size=1, max_size=8))
def test_rows_from_results_rebuild_the_same_state(choices: list[tuple[int, bool]]) -> None:
    keys = itertools.count(2)
    state = InstanceState.new(1, PROCESS)
    store = Store()
    result = apply(state, CreateProcessInstance({"v": 0}), T0, keys.__next__)
    state.advance(result)
    store.write(result)
    open_jobs: list[r.CreateJob] = [e for e in result.effects if isinstance(e, r.CreateJob)]
    for index, throw in choices:
        live = [j for j in open_jobs if j.element_instance_key in state.element_instances]
        if not live:
            break
        job = live[index % len(live)]
        command: Any = (
            ThrowError(job.element_instance_key, "E")
            if throw and job.element_id == "b"
            else CompleteJob(job.element_instance_key, {"v": index}, job.key)
        )
        result = apply(state, command, T0, keys.__next__)
        assert result.rejection is None
        state.advance(result)
        store.write(result)
        open_jobs.extend(e for e in result.effects if isinstance(e, r.CreateJob))
        assert snapshot(store.load()) == snapshot(state)
