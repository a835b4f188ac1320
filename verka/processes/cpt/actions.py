"""CPT action instructions: each one drives the engine through `processes.services`, as an
application, a job worker or a clerk would."""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import quoteattr

from verka.engine.bpmn import EventKind, StartEvent
from verka.engine.runtime import expressions

from .. import codec, repository, services
from ..models import ProcessDefinition
from .cases import InstructionError, Mismatch
from .lookup import (
    available_jobs,
    describe,
    describe_waiting_jobs,
    find_incident,
    find_instance,
    find_user_task,
    scope_key,
)
from .session import Correlation, MockWorker, Session, example_data, lease

Instruction = Mapping[str, Any]
# Zeebe clients publish with a time to live of one hour unless told otherwise.
DEFAULT_MESSAGE_TTL = timedelta(hours=1)


def _variables(instruction: Instruction) -> dict[str, Any]:
    return dict(instruction.get("variables") or {})


# --- processes ----------------------------------------------------------------------------


def create_process_instance(session: Session, instruction: Instruction) -> None:
    process_id = instruction["processDefinitionSelector"]["processDefinitionId"]
    starts = instruction.get("startInstructions") or []
    for index, start in enumerate(starts):
        if set(start) != {"elementId"} or not isinstance(start["elementId"], str):
            raise InstructionError(f'startInstructions[{index}]: expected {{"elementId": ...}}')
    if len(starts) > 1:
        raise InstructionError(
            f"Verka starts an instance at one element; found {len(starts)} startInstructions"
        )
    rules = instruction.get("runtimeInstructions") or []
    for index, rule in enumerate(rules):
        if rule.get("type") != "TERMINATE_PROCESS_INSTANCE" or not isinstance(
            rule.get("afterElementId"), str
        ):
            raise InstructionError(
                f"runtimeInstructions[{index}]: expected "
                '{"type": "TERMINATE_PROCESS_INSTANCE", "afterElementId": ...}'
            )
    start_at = starts[0]["elementId"] if starts else ""
    instance = services.start_instance(
        process_id, _variables(instruction), start_at=start_at, test=True
    )
    session.terminations.extend((instance.key, rule["afterElementId"]) for rule in rules)


def evaluate_conditional_start_event(session: Session, instruction: Instruction) -> None:
    """Start each latest process whose conditional start event's condition holds."""
    variables = _variables(instruction)
    context = codec.from_plain_json(variables)
    latest: dict[str, ProcessDefinition] = {}
    for definition in ProcessDefinition.objects.filter(is_test=True).order_by(
        "bpmn_process_id", "version"
    ):
        latest[definition.bpmn_process_id] = definition
    for process_id, definition in sorted(latest.items()):
        process = repository.process_model(definition)
        for start in process.start_events():
            if not isinstance(start, StartEvent) or start.event.kind is not EventKind.CONDITIONAL:
                continue
            try:
                holds = expressions.evaluate_bool(start.event.condition, context)
            except expressions.ExpressionFailure as failure:
                raise Mismatch(f"process '{process_id}', '{start.id}': {failure}") from None
            if holds:
                services.start_instance(process_id, variables, start_at=start.id, test=True)


def update_variables(session: Session, instruction: Instruction) -> None:
    instance = find_instance(instruction["processInstanceSelector"])
    selector = instruction.get("elementSelector")
    if selector is None:
        services.set_variables(instance.key, _variables(instruction))
        return
    scope = scope_key(instance, selector)
    services.set_variables(instance.key, _variables(instruction), scope_key=scope, local=True)


# --- jobs ---------------------------------------------------------------------------------


def _job_key(selector: Mapping[str, Any]) -> tuple[int, Any]:
    jobs = available_jobs(selector)
    if not jobs:
        raise Mismatch(f"no job with {describe(selector)} is waiting ({describe_waiting_jobs()})")
    return lease(jobs[0]), jobs[0]


def complete_job(session: Session, instruction: Instruction) -> None:
    key, job = _job_key(instruction["jobSelector"])
    variables = example_data(job) if instruction.get("useExampleData") else _variables(instruction)
    services.complete_job(key, variables)


def throw_bpmn_error_from_job(session: Session, instruction: Instruction) -> None:
    key, _job = _job_key(instruction["jobSelector"])
    services.throw_error(
        key,
        instruction["errorCode"],
        instruction.get("errorMessage", ""),
        _variables(instruction),
    )


def mock_job_worker_complete_job(session: Session, instruction: Instruction) -> None:
    job_type = instruction["jobType"]
    session.workers[job_type] = MockWorker(
        job_type, _variables(instruction), bool(instruction.get("useExampleData"))
    )


def mock_job_worker_throw_bpmn_error(session: Session, instruction: Instruction) -> None:
    job_type = instruction["jobType"]
    session.workers[job_type] = MockWorker(
        job_type,
        _variables(instruction),
        error_code=instruction["errorCode"],
        error_message=instruction.get("errorMessage", ""),
    )


def resolve_incident(session: Session, instruction: Instruction) -> None:
    incident = find_incident(instruction["incidentSelector"])
    # A job's incident is resolved together with new retries, else the job fails at once again.
    retries = 1 if incident.job_key is not None else None
    services.resolve_incident(incident.key, retries=retries)


# --- user tasks ---------------------------------------------------------------------------


def complete_user_task(session: Session, instruction: Instruction) -> None:
    task = find_user_task(instruction["userTaskSelector"], open_only=True)
    use_example = instruction.get("useExampleData")
    variables = example_data(task) if use_example else _variables(instruction)
    services.complete_user_task(task.key, variables, user="cpt")


# --- messages and signals -----------------------------------------------------------------


def _record(session: Session, name: str, key: str, result: services.PublishedMessage) -> None:
    session.published.add((name, key))
    for instance_key in [*result.correlated_instances, *result.started_instances]:
        session.correlations.append(Correlation(instance_key, name, key))


def publish_message(session: Session, instruction: Instruction) -> None:
    name = instruction["name"]
    key = instruction.get("correlationKey", "")
    ttl_ms = instruction.get("timeToLive")
    ttl = DEFAULT_MESSAGE_TTL if ttl_ms is None else timedelta(milliseconds=int(ttl_ms))
    result = services.publish_message(
        name,
        key,
        _variables(instruction),
        time_to_live=ttl,
        message_id=instruction.get("messageId", ""),
    )
    if result.duplicate:
        raise Mismatch(
            f"a message '{name}' with id '{instruction['messageId']}' was already published "
            "and has not expired"
        )
    _record(session, name, key, result)


def correlate_message(session: Session, instruction: Instruction) -> None:
    name = instruction["name"]
    key = instruction.get("correlationKey", "")
    result = services.correlate_message(name, key, _variables(instruction))
    _record(session, name, key, result)


def broadcast_signal(session: Session, instruction: Instruction) -> None:
    services.broadcast_signal(instruction["signalName"], _variables(instruction))


# --- time ---------------------------------------------------------------------------------

_DURATION = re.compile(
    r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?"
    r"(?:T(?=\d)(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:[.,]\d+)?)S)?)?"
)


def add_duration(instant: datetime, text: str) -> datetime:
    """`instant` plus an ISO 8601 duration; years and months move the calendar (Jan 31 + P1M
    is the last day of February)."""
    match = _DURATION.fullmatch(text)
    if match is None or text in ("P", "PT"):
        raise InstructionError(
            f"duration: expected an ISO 8601 duration such as PT1H or P2D, found '{text}'"
        )
    years, months, weeks, days, hours, minutes = (int(g or 0) for g in match.groups()[:6])
    seconds = Decimal((match.group(7) or "0").replace(",", "."))
    total_months = instant.month - 1 + months + 12 * years
    year, month = instant.year + total_months // 12, total_months % 12 + 1
    day = min(instant.day, calendar.monthrange(year, month)[1])
    moved = instant.replace(year=year, month=month, day=day)
    return moved + timedelta(
        weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=float(seconds)
    )


def increase_time(session: Session, instruction: Instruction) -> None:
    session.clock.current = add_duration(session.clock.current, instruction["duration"])


def parse_instant(text: str, what: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise InstructionError(
            f"{what}: expected an ISO 8601 instant such as 2026-01-19T13:00:00Z, found '{text}'"
        ) from None
    return instant if instant.tzinfo is not None else instant.replace(tzinfo=UTC)


def set_time(session: Session, instruction: Instruction) -> None:
    session.clock.current = parse_instant(instruction["time"], "time")


# --- decisions and mocks ------------------------------------------------------------------


def evaluate_decision(session: Session, instruction: Instruction) -> None:
    decision_id = instruction["decisionDefinitionSelector"]["decisionDefinitionId"]
    try:
        session.decisions.evaluate(decision_id, codec.from_plain_json(_variables(instruction)))
    except LookupError as missing:
        raise Mismatch(str(missing).strip("'\"")) from None
    except ValueError as error:
        raise Mismatch(f"decision '{decision_id}' failed: {error}") from None


def mock_dmn_decision(session: Session, instruction: Instruction) -> None:
    decision_id = instruction["decisionDefinitionId"]
    session.decisions.mocks[decision_id] = codec.from_plain_json(_variables(instruction))


def feel_literal(value: Any) -> str:
    """JSON as a FEEL literal, for the scripts of a mocked child process."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | Decimal | float):
        return format(Decimal(str(value)), "f")
    if isinstance(value, str):
        escaped = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    if isinstance(value, list):
        return "[" + ", ".join(feel_literal(item) for item in value) + "]"
    return (
        "{"
        + ", ".join(f"{feel_literal(str(k))}: {feel_literal(v)}" for k, v in value.items())
        + "}"
    )


def mock_child_process_bpmn(process_id: str, variables: Mapping[str, Any]) -> bytes:
    """A process that only sets `variables` (one script task each) and ends."""
    nodes = ['<bpmn:startEvent id="start"/>']
    previous = "start"
    flows = []
    for index, (name, value) in enumerate(variables.items(), start=1):
        task = f"set_{index}"
        nodes.append(
            f'<bpmn:scriptTask id="{task}"><bpmn:extensionElements>'
            f"<zeebe:script expression={quoteattr('=' + feel_literal(value))} "
            f"resultVariable={quoteattr(name)}/></bpmn:extensionElements></bpmn:scriptTask>"
        )
        flows.append((previous, task))
        previous = task
    nodes.append('<bpmn:endEvent id="end"/>')
    flows.append((previous, "end"))
    arrows = "".join(
        f'<bpmn:sequenceFlow id="flow_{i}" sourceRef="{a}" targetRef="{b}"/>'
        for i, (a, b) in enumerate(flows, start=1)
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="cpt-mock" '
        'targetNamespace="verka-cpt">'
        f'<bpmn:process id={quoteattr(process_id)} isExecutable="true">'
        f"{''.join(nodes)}{arrows}</bpmn:process></bpmn:definitions>"
    ).encode()


def mock_child_process(session: Session, instruction: Instruction) -> None:
    process_id = instruction["processDefinitionId"]
    bpmn = mock_child_process_bpmn(process_id, _variables(instruction))
    try:
        services.deploy([(f"cpt-mock-{process_id}.bpmn", bpmn)], name="cpt mock", is_test=True)
    except services.DeploymentError as error:
        raise Mismatch(f"the mock of '{process_id}' could not be deployed: {error}") from None


def not_supported(why: str) -> Callable[[Session, Instruction], None]:
    def refuse(session: Session, instruction: Instruction) -> None:
        raise InstructionError(f"not supported by Verka: {why}")

    return refuse
