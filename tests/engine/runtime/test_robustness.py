"""apply never raises: random commands against live models give results or rejections."""

from __future__ import annotations

import itertools
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from verka.engine.runtime import (
    CancelProcessInstance,
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    CreateProcessInstance,
    FailJob,
    InstanceState,
    ResolveIncident,
    SetVariables,
    ThrowError,
    TriggerSignal,
    TriggerTimer,
    apply,
)

from .scenario import T0, flows, model, service

ROOTS = (
    '<bpmn:message id="m" name="go"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=key"/></bpmn:extensionElements></bpmn:message>'
    '<bpmn:signal id="sig" name="stop"/><bpmn:error id="err" errorCode="E"/>'
)
PROCESS = model(
    '<bpmn:startEvent id="s"/><bpmn:inclusiveGateway id="fork" default="d"/>'
    + service("a")
    + '<bpmn:boundaryEvent id="ba" attachedToRef="a"><bpmn:errorEventDefinition errorRef="err"/>'
    "</bpmn:boundaryEvent>"
    '<bpmn:userTask id="u"><bpmn:extensionElements><zeebe:userTask/><zeebe:assignmentDefinition '
    'assignee="=who"/></bpmn:extensionElements></bpmn:userTask>'
    '<bpmn:boundaryEvent id="bt" attachedToRef="u" cancelActivity="false"><bpmn:timerEventDefinition>'
    "<bpmn:timeDuration>=wait</bpmn:timeDuration></bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    '<bpmn:intermediateCatchEvent id="w"><bpmn:messageEventDefinition messageRef="m"/>'
    "</bpmn:intermediateCatchEvent>"
    '<bpmn:inclusiveGateway id="join"/><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
    '<bpmn:endEvent id="e3"/>'
    + flows("s>fork", "a>join", "u>join", "w>join", "join>e", "ba>e2", "bt>e3")
    + '<bpmn:sequenceFlow id="c1" sourceRef="fork" targetRef="a"><bpmn:conditionExpression>'
    "=x &gt; 1</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="c2" sourceRef="fork" targetRef="u"><bpmn:conditionExpression>'
    "=x &gt; 2</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="d" sourceRef="fork" targetRef="w"/>'
    '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es" isInterrupting="false">'
    '<bpmn:signalEventDefinition signalRef="sig"/></bpmn:startEvent><bpmn:endEvent id="ee"/>'
    + flows("es>ee")
    + "</bpmn:subProcess>",
    ROOTS,
)

values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.text(max_size=3)
    | st.floats(allow_nan=False),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=2), inner, max_size=3)
    ),
    max_leaves=5,
)
variables = st.dictionaries(st.sampled_from(["x", "key", "who", "wait", "y"]), values, max_size=3)


@st.composite
def commands(draw: Any, keys: list[int]) -> Any:
    key = draw(st.sampled_from(keys) if keys else st.integers(0, 300))
    element = draw(st.sampled_from(["a", "u", "w", "ba", "bt", "es", "nope"]))
    kind = draw(st.integers(0, 10))
    v = draw(variables)
    return [
        CompleteJob(key, v),
        FailJob(key, draw(st.integers(-1, 2)), "x"),
        ThrowError(key, draw(st.sampled_from(["E", "F", ""]))),
        CompleteUserTask(key, v),
        CorrelateMessage(key, element, v),
        TriggerTimer(key, element),
        TriggerSignal(key, element, v),
        ResolveIncident(key),
        SetVariables(key, v, draw(st.booleans())),
        CancelProcessInstance(),
        CreateProcessInstance(v),
    ][kind]


@settings(max_examples=60, deadline=None)
@given(st.data(), variables)
def test_random_commands_never_raise(data: Any, start: dict[str, Any]) -> None:
    counter = itertools.count(2)
    state = InstanceState.new(1, PROCESS)
    result = apply(state, CreateProcessInstance(start), T0, counter.__next__)
    state.advance(result)
    for _ in range(8):
        keys = sorted(state.element_instances) + [999]
        command = data.draw(commands(keys))
        result = apply(state, command, T0, counter.__next__)
        assert result.rejection is None or isinstance(result.rejection, str)
        state.advance(result)
