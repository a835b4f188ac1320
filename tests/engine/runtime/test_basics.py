"""Core token flow: jobs, exclusive gateways, variables and mappings, incidents, replay."""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest

from verka.engine.runtime import (
    CancelProcessInstance,
    CompleteJob,
    CreateProcessInstance,
    ElementState,
    FailJob,
    InstanceState,
    ResolveIncident,
    SetVariables,
    apply,
)
from verka.engine.runtime import results as r

from .scenario import T0, D, Run, flows, model, service

GATEWAY = (
    '<bpmn:startEvent id="s"/>' + service("t") + '<bpmn:exclusiveGateway id="g" default="f_g_low"/>'
    '<bpmn:endEvent id="high"/><bpmn:endEvent id="low"/>'
    + flows("s>t", "t>g")
    + '<bpmn:sequenceFlow id="f_g_high" sourceRef="g" targetRef="high">'
    "<bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression></bpmn:sequenceFlow>"
    '<bpmn:sequenceFlow id="f_g_low" sourceRef="g" targetRef="low"/>'
)


@pytest.mark.parametrize("amount, end", [(150, "high"), (100, "low"), (5, "low")])
def test_exclusive_gateway_takes_first_true_condition_or_default(amount: int, end: str) -> None:
    run = Run(model(GATEWAY))
    run.start()
    assert run.active_ids() == ["t"]
    run.complete("t", amount=amount)
    assert run.status == "COMPLETED"
    assert run.completed_ids() == ["s", "t", "g", end, "p"]
    assert run.variables() == {"amount": D(amount)}
    completed = [e for e in run.effects if isinstance(e, r.InstanceCompleted)]
    assert completed == [r.InstanceCompleted(1, {"amount": D(amount)}, None, None)]


def test_job_effect_carries_type_retries_headers_and_variables() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service(
            "t",
            job_type="=&quot;mail-&quot; + channel",
            inner='<zeebe:taskHeaders><zeebe:header key="template" value="receipt"/>'
            "</zeebe:taskHeaders>",
        ).replace('type="=', 'retries="=tries" type="=')
        + '<bpmn:endEvent id="e"/>'
        + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start(channel="sms", tries=2)
    job = run.job("t")
    assert (job.type, job.retries) == ("mail-sms", 2)
    assert job.custom_headers == {"template": "receipt"}
    assert job.variables == {"channel": "sms", "tries": D(2)}


def test_exclusive_gateway_without_matching_flow_raises_incident_then_resolves() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/>'
        '<bpmn:endEvent id="e"/>'
        + flows("s>g")
        + '<bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e">'
        "<bpmn:conditionExpression>=ok = true</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    run = Run(model(body))
    run.start(ok=False)
    [incident] = run.incidents()
    assert incident.element_id == "g"
    assert incident.error_type == "CONDITION_ERROR"
    assert run.status == "ACTIVE"
    gateway = run.one("g")
    run.do(SetVariables(1, {"ok": True}))
    result = run.do(ResolveIncident(gateway.key))
    assert result.rejection is None
    assert [e for e in result.effects if isinstance(e, r.ResolveIncident)] == [
        r.ResolveIncident(incident.key, gateway.key)
    ]
    assert run.status == "COMPLETED"


def test_condition_that_is_not_boolean_is_an_incident_not_an_exception() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g" default="b"/>'
        '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flows("s>g")
        + '<bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e1">'
        "<bpmn:conditionExpression>=amount</bpmn:conditionExpression></bpmn:sequenceFlow>"
        '<bpmn:sequenceFlow id="b" sourceRef="g" targetRef="e2"/>'
    )
    run = Run(model(body))
    run.start(amount=3)
    [incident] = run.incidents()
    assert incident.error_type == "EXTRACT_VALUE_ERROR"
    assert incident.message == (
        "expected condition of 'a' '=amount' to be a boolean, but it was a number (3)"
    )
    assert run.one("g").data["incident"]["key"] == incident.key


def test_input_mappings_create_local_variables_and_outputs_merge_into_parent() -> None:
    inner = (
        "<zeebe:ioMapping>"
        '<zeebe:input source="=applicant.name" target="name"/>'
        '<zeebe:input source="=1" target="local.depth"/>'
        '<zeebe:output source="=status" target="result.status"/>'
        "</zeebe:ioMapping>"
    )
    body = '<bpmn:startEvent id="s"/>' + service("t", inner=inner) + '<bpmn:endEvent id="e"/>'
    run = Run(model(body + flows("s>t", "t>e")))
    run.start(applicant={"name": "Eva"}, result={"id": 7})
    task = run.one("t")
    assert run.variables(task.key) == {"name": "Eva", "local": {"depth": D(1)}}
    assert run.job("t").variables["name"] == "Eva"
    run.complete("t", status="approved", noise="dropped")
    # with output mappings, job variables stay local and only outputs reach the process
    assert run.variables() == {
        "applicant": {"name": "Eva"},
        "result": {"id": D(7), "status": "approved"},
    }


def test_job_variables_without_outputs_propagate_to_the_defining_scope() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        '<bpmn:subProcess id="sub"><bpmn:extensionElements><zeebe:ioMapping>'
        '<zeebe:input source="=0" target="counter"/></zeebe:ioMapping></bpmn:extensionElements>'
        '<bpmn:startEvent id="ss"/>'
        + service("t")
        + '<bpmn:endEvent id="se"/>'
        + flows("ss>t", "t>se")
        + '</bpmn:subProcess><bpmn:endEvent id="e"/>'
        + flows("s>sub", "sub>e")
    )
    run = Run(model(body))
    run.start()
    sub = run.one("sub")
    run.complete("t", counter=5, fresh="x")
    history = [
        (h.element_instance_key, h.name) for h in run.history if h.event_type == "VARIABLE_UPDATED"
    ]
    assert history == [(sub.key, "counter")]
    assert run.variables() == {"fresh": "x"}
    assert run.status == "COMPLETED"


def test_fail_job_counts_down_then_raises_incident_and_resolving_recreates_the_job() -> None:
    body = (
        '<bpmn:startEvent id="s"/>' + service("t") + '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start()
    job = run.job("t")
    result = run.do(FailJob(job.element_instance_key, 2, "timeout", timedelta(seconds=30)))
    assert result.effects == (
        r.JobFailed(job.key, job.element_instance_key, 2, "timeout", T0 + timedelta(seconds=30)),
    )
    assert run.incidents() == []
    run.do(FailJob(job.element_instance_key, 0, "server down"))
    [incident] = run.incidents()
    assert (incident.error_type, incident.message) == ("JOB_NO_RETRIES", "server down")
    result = run.do(ResolveIncident(job.element_instance_key, retries=3))
    new_jobs = [e for e in result.effects if isinstance(e, r.CreateJob)]
    assert [(j.retries, j.element_id) for j in new_jobs] == [(3, "t")]
    stale = run.do(CompleteJob(job.element_instance_key, {}, job_key=job.key))
    assert (
        stale.rejection
        == f"job {job.key} is not the open job of element instance {job.element_instance_key}"
    )
    run.complete("t")
    assert run.status == "COMPLETED"


def test_commands_for_finished_elements_are_rejected_without_changes() -> None:
    body = (
        '<bpmn:startEvent id="s"/>' + service("t") + '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start()
    job = run.job("t")
    run.complete("t")
    again = run.do(CompleteJob(job.element_instance_key, {}))
    assert again.rejection == "process instance 1 is completed"
    assert again.element_instances == () and again.effects == ()


def test_cancel_terminates_everything_and_cancels_jobs() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + service("a")
        + service("b")
        + '<bpmn:endEvent id="e1"/><bpmn:endEvent id="e2"/>'
        + flows("s>fork", "fork>a", "fork>b", "a>e1", "b>e2")
    )
    run = Run(model(body))
    run.start()
    jobs = {j.element_id: j.key for j in run.open_jobs()}
    result = run.do(CancelProcessInstance())
    assert run.status == "TERMINATED"
    assert {e.key for e in result.effects if isinstance(e, r.CancelJob)} == set(jobs.values())
    assert [e for e in result.effects if isinstance(e, r.InstanceTerminated)] == [
        r.InstanceTerminated(1, None, None)
    ]
    states = {i.element_id: i.state for i in result.element_instances}
    assert states == {
        "a": ElementState.TERMINATED,
        "b": ElementState.TERMINATED,
        "p": ElementState.TERMINATED,
    }
    assert run.state.element_instances == {}


def test_history_has_one_event_per_transition() -> None:
    run = Run(model(GATEWAY))
    run.start()
    events = [(h.element_id, h.event_type) for h in run.history if h.element_id == "t"]
    assert events == [("t", "ELEMENT_ACTIVATING"), ("t", "ELEMENT_ACTIVATED")]
    run.complete("t", amount=1)
    events = [(h.element_id, h.event_type) for h in run.history if h.element_id in ("t", "f_g_low")]
    assert events == [
        ("t", "ELEMENT_ACTIVATING"),
        ("t", "ELEMENT_ACTIVATED"),
        ("t", "ELEMENT_COMPLETING"),
        ("t", "ELEMENT_COMPLETED"),
        ("f_g_low", "SEQUENCE_FLOW_TAKEN"),
    ]
    assert all(h.timestamp == T0 and h.instance_key == 1 for h in run.history)


def test_apply_is_deterministic_and_does_not_touch_its_input() -> None:
    process = model(GATEWAY)

    def replay() -> list[r.Result]:
        keys = itertools.count(10)
        state = InstanceState.new(1, process)
        out = []
        result = apply(state, CreateProcessInstance({"amount": 500}), T0, keys.__next__)
        state.advance(result)
        out.append(result)
        job = next(e for e in result.effects if isinstance(e, r.CreateJob))
        before = (dict(state.element_instances), {k: dict(v) for k, v in state.variables.items()})
        first = apply(
            state, CompleteJob(job.element_instance_key, {"x": 1}), T0, itertools.count(50).__next__
        )
        second = apply(
            state, CompleteJob(job.element_instance_key, {"x": 1}), T0, itertools.count(50).__next__
        )
        assert first == second
        assert (
            dict(state.element_instances),
            {k: dict(v) for k, v in state.variables.items()},
        ) == before
        out.append(first)
        return out

    assert replay() == replay()


def test_result_lists_only_changed_rows() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + "".join(service(f"t{i}") for i in range(20))
        + "".join(f'<bpmn:endEvent id="e{i}"/>' for i in range(20))
        + flows("s>fork", *[f"fork>t{i}" for i in range(20)], *[f"t{i}>e{i}" for i in range(20)])
    )
    run = Run(model(body))
    run.start(**{f"v{i}": i for i in range(50)})
    result = run.complete("t3", v7=700)
    assert {i.element_id for i in result.element_instances} == {"t3", "e3"}
    assert [(c.scope_key, c.name, c.value) for c in result.variables] == [(1, "v7", D(700))]


def test_create_can_start_at_a_given_element() -> None:
    run = Run(model(GATEWAY))
    result = run.do(CreateProcessInstance({"amount": 1}, start_at="g"))
    assert result.rejection is None
    assert run.completed_ids() == ["g", "low", "p"]
    assert Run(model(GATEWAY)).do(CreateProcessInstance(start_at="nope")).rejection == (
        "process 'p' has no element 'nope'"
    )


def test_later_mappings_see_earlier_targets() -> None:
    inner = (
        "<zeebe:ioMapping>"
        '<zeebe:input source="=base * 2" target="double"/>'
        '<zeebe:input source="=double + 1" target="plusOne"/>'
        '<zeebe:output source="=plusOne" target="out.first"/>'
        '<zeebe:output source="=out.first * 10" target="out.second"/>'
        "</zeebe:ioMapping>"
    )
    body = '<bpmn:startEvent id="s"/>' + service("t", inner=inner) + '<bpmn:endEvent id="e"/>'
    run = Run(model(body + flows("s>t", "t>e")))
    run.start(base=5)
    assert run.variables(run.one("t").key) == {"double": D(10), "plusOne": D(11)}
    run.complete("t")
    assert run.variables() == {"base": D(5), "out": {"first": D(11), "second": D(110)}}
