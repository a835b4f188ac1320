"""Incidents: raised instead of exceptions, resolved by retrying what failed."""

from __future__ import annotations

from verka.engine.runtime import CompleteJob, FailJob, ResolveIncident, SetVariables
from verka.engine.runtime import results as r

from .scenario import Run, flows, model, service

ROOTS = (
    '<bpmn:message id="m" name="cancel"><bpmn:extensionElements>'
    '<zeebe:subscription correlationKey="=caseId"/></bpmn:extensionElements></bpmn:message>'
)


def test_null_correlation_key_of_boundary_is_an_incident_until_variable_is_set() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service("t")
        + '<bpmn:boundaryEvent id="b" attachedToRef="t"><bpmn:messageEventDefinition messageRef="m"/>'
        '</bpmn:boundaryEvent><bpmn:endEvent id="e"/><bpmn:endEvent id="e2"/>'
        + flows("s>t", "t>e", "b>e2")
    )
    run = Run(model(body, ROOTS))
    run.start()
    [incident] = run.incidents()
    assert incident.element_id == "t"
    assert incident.message.startswith(
        "expected correlation key '=caseId' to be a string, but it was null"
    )
    assert run.of(r.CreateJob) == []
    task = run.one("t")
    run.do(SetVariables(1, {"caseId": "k-1"}))
    run.do(ResolveIncident(task.key))
    assert [s.correlation_key for s in run.of(r.OpenMessageSubscription)] == ["k-1"]
    assert [j.element_id for j in run.open_jobs()] == ["t"]


def test_null_correlation_key_of_process_event_subprocess_blocks_start_until_resolved() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="e"/>'
        + flows("s>e")
        + '<bpmn:subProcess id="esp" triggeredByEvent="true"><bpmn:startEvent id="es">'
        '<bpmn:messageEventDefinition messageRef="m"/></bpmn:startEvent><bpmn:endEvent id="ee"/>'
        + flows("es>ee")
        + "</bpmn:subProcess>"
    )
    run = Run(model(body, ROOTS))
    run.start()
    assert [i.element_id for i in run.incidents()] == ["p"]
    assert run.completed_ids() == []
    run.do(SetVariables(1, {"caseId": 9}))
    run.do(ResolveIncident(1))
    assert run.status == "COMPLETED"


def test_completing_a_job_after_its_incident_resolves_the_incident() -> None:
    body = (
        '<bpmn:startEvent id="s"/>' + service("t") + '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start()
    job = run.job("t")
    run.do(FailJob(job.element_instance_key, 0, "down"))
    [incident] = run.incidents()
    result = run.do(CompleteJob(job.element_instance_key, {}, job.key))
    assert r.ResolveIncident(incident.key, job.element_instance_key) in result.effects
    assert run.status == "COMPLETED"


def test_conditional_catch_already_true_passes_without_variable_change() -> None:
    body = (
        '<bpmn:startEvent id="s"/>'
        + service("t")
        + '<bpmn:intermediateCatchEvent id="w"><bpmn:conditionalEventDefinition>'
        "<bpmn:condition>=ready</bpmn:condition></bpmn:conditionalEventDefinition>"
        '</bpmn:intermediateCatchEvent><bpmn:endEvent id="e"/>' + flows("s>t", "t>w", "w>e")
    )
    run = Run(model(body))
    run.start(ready=True)
    run.complete("t")
    assert run.status == "COMPLETED"


def test_resolving_without_incident_is_rejected() -> None:
    body = (
        '<bpmn:startEvent id="s"/>' + service("t") + '<bpmn:endEvent id="e"/>' + flows("s>t", "t>e")
    )
    run = Run(model(body))
    run.start()
    task = run.one("t")
    assert run.do(ResolveIncident(task.key)).rejection == (
        f"element instance {task.key} has no open incident"
    )


def test_incident_history_events() -> None:
    body = (
        '<bpmn:startEvent id="s"/><bpmn:exclusiveGateway id="g"/><bpmn:endEvent id="e"/>'
        + flows("s>g")
        + '<bpmn:sequenceFlow id="a" sourceRef="g" targetRef="e"><bpmn:conditionExpression>'
        "=x = 1</bpmn:conditionExpression></bpmn:sequenceFlow>"
    )
    run = Run(model(body))
    run.start(x=2)
    run.do(SetVariables(1, {"x": 1}))
    run.do(ResolveIncident(run.one("g").key))
    kinds = [h.event_type for h in run.history if h.event_type.startswith("INCIDENT")]
    assert kinds == ["INCIDENT_CREATED", "INCIDENT_RESOLVED"]
    assert run.status == "COMPLETED"


def test_uncaught_error_end_event_incident_rethrows_on_resolve() -> None:
    roots = '<bpmn:error id="err" errorCode="=code"/>'
    body = (
        '<bpmn:startEvent id="s"/><bpmn:endEvent id="boom">'
        '<bpmn:errorEventDefinition errorRef="err"/></bpmn:endEvent>' + flows("s>boom")
    )
    run = Run(model(body, roots))
    run.start(code="E42")
    [first] = run.incidents()
    assert first.error_type == "UNHANDLED_ERROR_EVENT"
    assert first.message.startswith("Expected to throw an error event with the code 'E42'")
    run.do(ResolveIncident(run.one("boom").key))
    assert [i.error_type for i in run.incidents()] == ["UNHANDLED_ERROR_EVENT"] * 2
