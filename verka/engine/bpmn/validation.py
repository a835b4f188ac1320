"""Checks a parsed model before deployment: broken references, missing settings, bad FEEL."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Any

from verka.engine.bpmn import model as m
from verka.engine.bpmn.model import Problem


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The known id closest to `name`, or None when nothing is close."""
    close = difflib.get_close_matches(name, list(candidates), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(name: str, candidates: Iterable[str]) -> str:
    """A hint naming the closest known id, or "" when nothing is close."""
    found = closest(name, candidates)
    return f"did you mean '{found}'?" if found else ""


def feel_syntax_error(expression: str) -> str | None:
    """The syntax error of a Zeebe expression ("=..."), or None when it parses (or is static).

    FEEL is optional at import time so that the BPMN package works before the FEEL parser does.
    """
    if not expression.startswith("="):
        return None
    try:
        from verka.engine import feel
    except ImportError:  # pragma: no cover - FEEL package always present in a release
        return None
    parse: Any = getattr(feel, "parse_expression", None)
    if parse is None:
        return None
    try:
        parse(expression[1:])
    except Exception as error:  # every FEEL error is reported, whatever its class
        return str(error).splitlines()[0] if str(error) else type(error).__name__
    return None


# Camunda 8.9 also starts processes at root-level conditional start events.
_PROCESS_START_KINDS = (
    m.EventKind.NONE,
    m.EventKind.MESSAGE,
    m.EventKind.TIMER,
    m.EventKind.SIGNAL,
    m.EventKind.CONDITIONAL,
)


class _Checker:
    def __init__(
        self, definitions: m.Definitions, process: m.Process, skipped: frozenset[str]
    ) -> None:
        self.definitions = definitions
        self.process = process
        self.skipped = skipped  # ids of elements already reported as unsupported
        self.problems: list[Problem] = []

    def add(self, line: int | None, element_id: str, message: str, suggestion: str = "") -> None:
        self.problems.append(
            Problem(self.definitions.filename, line, element_id, message, suggestion)
        )

    def feel(self, element: m.Element | m.SequenceFlow, what: str, expression: str) -> None:
        error = feel_syntax_error(expression)
        if error is not None:
            self.add(element.line, element.id, f"FEEL syntax error in {what}: {error}")

    def reference(
        self,
        element: m.Element,
        what: str,
        ref: str,
        known: Mapping[str, Any],
    ) -> bool:
        if not ref:
            self.add(element.line, element.id, f"no {what} referenced")
            return False
        if ref not in known:
            self.add(
                element.line,
                element.id,
                f"references unknown {what} '{ref}'",
                did_you_mean(ref, known),
            )
            return False
        return True

    def run(self) -> list[Problem]:
        process = self.process
        for flow in process.flows.values():
            self.check_flow(flow)
        for element in process.elements.values():
            self.check_element(element)
        top_starts = process.start_events("")
        if not top_starts:
            self.add(None, process.id, "the process has no start event")
        return self.problems

    def check_flow(self, flow: m.SequenceFlow) -> None:
        elements = self.process.elements
        for end, ref in (("source", flow.source), ("target", flow.target)):
            if ref not in elements and ref not in self.skipped:
                self.add(
                    flow.line,
                    flow.id,
                    f"sequence flow {end} '{ref}' does not exist",
                    did_you_mean(ref, elements),
                )
        if (
            flow.source in elements
            and flow.target in elements
            and elements[flow.source].scope != elements[flow.target].scope
        ):
            self.add(flow.line, flow.id, "sequence flow crosses a subprocess boundary")
        if flow.condition:
            self.feel(flow, "condition", flow.condition)
            source = elements.get(flow.source)
            if source is not None and not isinstance(
                source, m.ExclusiveGateway | m.InclusiveGateway
            ):
                self.add(
                    flow.line,
                    flow.id,
                    "conditions are only supported on flows leaving exclusive or inclusive"
                    " gateways",
                    "put an exclusive gateway after the element",
                )

    def check_element(self, element: m.Element) -> None:
        for mapping in (*element.inputs, *element.outputs):
            self.feel(element, f"mapping to '{mapping.target}'", mapping.source)
        if isinstance(element, m.Activity):
            self.check_activity(element)
        elif isinstance(element, m.ExclusiveGateway | m.InclusiveGateway):
            self.check_branching(element, element.default)
        elif isinstance(element, m.ParallelGateway | m.EventBasedGateway):
            if not element.outgoing:
                self.add(element.line, element.id, "gateway has no outgoing sequence flow")
            if isinstance(element, m.EventBasedGateway):
                self.check_event_gateway(element)
        if isinstance(
            element,
            m.StartEvent
            | m.EndEvent
            | m.IntermediateCatchEvent
            | m.IntermediateThrowEvent
            | m.BoundaryEvent,
        ):
            self.check_event(element)
        if (
            isinstance(element, m.StartEvent)
            and element.scope == ""
            and element.event.kind not in _PROCESS_START_KINDS
        ):
            self.add(
                element.line,
                element.id,
                f"a process cannot start with a {element.event.kind.value} start event"
                " (only none, message, timer, signal and conditional start events; others"
                " belong in event subprocesses)",
            )
        if isinstance(element, m.StartEvent) and element.incoming:
            self.add(element.line, element.id, "a start event cannot have incoming flows")
        if isinstance(element, m.EndEvent) and element.outgoing:
            self.add(element.line, element.id, "an end event cannot have outgoing flows")

    def check_branching(self, gateway: m.Element, default: str) -> None:
        process = self.process
        if not gateway.outgoing:
            self.add(gateway.line, gateway.id, "gateway has no outgoing sequence flow")
            return
        if default and default not in gateway.outgoing:
            self.add(
                gateway.line,
                gateway.id,
                f"default flow '{default}' is not an outgoing flow of the gateway",
                did_you_mean(default, gateway.outgoing),
            )
        if len(gateway.outgoing) > 1 or isinstance(gateway, m.InclusiveGateway):
            for flow_id in gateway.outgoing:
                flow = process.flows[flow_id]
                if flow_id != default and not flow.condition and len(gateway.outgoing) > 1:
                    self.add(
                        flow.line,
                        flow.id,
                        "outgoing flow of a branching gateway needs a condition"
                        " (or must be the default flow)",
                    )

    def check_event_gateway(self, gateway: m.EventBasedGateway) -> None:
        for flow_id in gateway.outgoing:
            target = self.process.elements.get(self.process.flows[flow_id].target)
            if target is not None and not (
                isinstance(target, m.IntermediateCatchEvent | m.ReceiveTask)
            ):
                self.add(
                    gateway.line,
                    gateway.id,
                    f"event-based gateway must lead to catch events, not '{target.id}'",
                )

    def check_activity(self, activity: m.Activity) -> None:
        if activity.loop is not None:
            loop = activity.loop
            for what, expression in (
                ("input collection", loop.input_collection),
                ("output element", loop.output_element),
                ("completion condition", loop.completion_condition),
            ):
                self.feel(activity, what, expression)
        if isinstance(activity, m.ScriptTask) and activity.script is not None:
            if not activity.script.expression or not activity.script.result_variable:
                self.add(
                    activity.line, activity.id, "zeebe:script needs expression and resultVariable"
                )
            self.feel(activity, "script", activity.script.expression)
        elif isinstance(activity, m.BusinessRuleTask) and activity.called_decision is not None:
            decision = activity.called_decision
            if not decision.decision_id or not decision.result_variable:
                self.add(
                    activity.line,
                    activity.id,
                    "zeebe:calledDecision needs decisionId and resultVariable",
                )
        elif isinstance(activity, m.ServiceTask):
            definition = activity.task_definition
            if definition is None or not definition.type:
                self.add(
                    activity.line,
                    activity.id,
                    f"{activity.kind} has no job type",
                    'add <zeebe:taskDefinition type="..."/>',
                )
            else:
                self.feel(activity, "job type", definition.type)
                self.feel(activity, "retries", definition.retries)
        elif isinstance(activity, m.ReceiveTask):
            if self.reference(activity, "message", activity.message_ref, self.process.messages):
                self.check_correlation(activity, self.process.messages[activity.message_ref])
        elif isinstance(activity, m.CallActivity):
            if not activity.called_element.process_id:
                self.add(
                    activity.line,
                    activity.id,
                    "call activity has no called process id",
                    'add <zeebe:calledElement processId="..."/>',
                )
        elif isinstance(activity, m.UserTask):
            for what, expression in (
                ("assignee", activity.assignment.assignee),
                ("candidate groups", activity.assignment.candidate_groups),
                ("candidate users", activity.assignment.candidate_users),
                ("due date", activity.schedule.due_date),
                ("follow-up date", activity.schedule.follow_up_date),
            ):
                self.feel(activity, what, expression)
        elif isinstance(activity, m.SubProcess):
            self.check_subprocess(activity)
        for boundary_id in activity.boundary_events:
            boundary = self.process.elements[boundary_id]
            if (
                isinstance(boundary, m.BoundaryEvent)
                and boundary.event.kind is m.EventKind.COMPENSATION
                and boundary_id not in self.process.compensation_handlers
            ):
                self.add(
                    boundary.line,
                    boundary_id,
                    "compensation boundary event has no associated handler activity",
                )

    def check_subprocess(self, subprocess: m.SubProcess) -> None:
        starts = self.process.start_events(subprocess.id)
        if isinstance(subprocess, m.AdHocSubProcess):
            self.check_ad_hoc(subprocess, starts)
            return
        if subprocess.triggered_by_event:
            if len(starts) != 1 or starts[0].event.kind is m.EventKind.NONE:
                self.add(
                    subprocess.line,
                    subprocess.id,
                    "an event subprocess needs exactly one start event with a trigger",
                )
        elif len(starts) != 1 or starts[0].event.kind is not m.EventKind.NONE:
            self.add(
                subprocess.line,
                subprocess.id,
                "an embedded subprocess needs exactly one none start event",
            )

    def check_ad_hoc(self, ad_hoc: m.AdHocSubProcess, starts: tuple[m.StartEvent, ...]) -> None:
        inner = [self.process.elements[i] for i in ad_hoc.children]
        if starts or any(isinstance(e, m.EndEvent) for e in inner):
            self.add(ad_hoc.line, ad_hoc.id, "an ad-hoc subprocess cannot have start or end events")
        if not any(isinstance(e, m.Activity) for e in inner):
            self.add(ad_hoc.line, ad_hoc.id, "an ad-hoc subprocess needs at least one activity")
        self.feel(ad_hoc, "active elements collection", ad_hoc.active_elements_collection)
        self.feel(ad_hoc, "completion condition", ad_hoc.completion_condition)
        self.feel(ad_hoc, "output element", ad_hoc.output_element)
        if ad_hoc.task_definition is not None:
            self.feel(ad_hoc, "job type", ad_hoc.task_definition.type)

    def check_correlation(self, element: m.Element, message: m.Message) -> None:
        if not message.name:
            self.add(element.line, element.id, f"message '{message.id}' has no name")
        if not message.correlation_key:
            self.add(
                element.line,
                element.id,
                f"message '{message.id}' has no correlation key",
                'add <zeebe:subscription correlationKey="=..."/> to the message',
            )
        else:
            self.feel(element, "correlation key", message.correlation_key)

    def check_event(self, event: Any) -> None:
        definition: m.EventDefinition = event.event
        process = self.process
        kind = definition.kind
        job = getattr(event, "task_definition", None)
        if kind is m.EventKind.MESSAGE and job is not None:
            # a message throw event implemented by a job worker needs no message reference
            if not job.type:
                self.add(event.line, event.id, "message throw event has an empty job type")
            self.feel(event, "job type", job.type)
        elif kind is m.EventKind.MESSAGE:
            if self.reference(event, "message", definition.ref, process.messages):
                message = process.messages[definition.ref]
                catching = isinstance(event, m.IntermediateCatchEvent | m.BoundaryEvent) or (
                    isinstance(event, m.StartEvent) and event.scope != ""
                )
                if catching:
                    self.check_correlation(event, message)
                elif not message.name:
                    self.add(event.line, event.id, f"message '{message.id}' has no name")
        elif kind is m.EventKind.ERROR:
            if definition.ref:
                self.reference(event, "error", definition.ref, process.errors)
            elif isinstance(event, m.EndEvent):
                self.add(event.line, event.id, "error end event references no error")
        elif kind is m.EventKind.ESCALATION:
            if definition.ref:
                self.reference(event, "escalation", definition.ref, process.escalations)
        elif kind is m.EventKind.SIGNAL:
            self.reference(event, "signal", definition.ref, process.signals)
        elif kind is m.EventKind.TIMER:
            if not definition.timer_expression:
                self.add(event.line, event.id, "timer has no expression")
            self.feel(event, "timer", definition.timer_expression)
        elif kind is m.EventKind.CONDITIONAL:
            self.feel(event, "condition", definition.condition)
        elif kind is m.EventKind.LINK and isinstance(event, m.IntermediateThrowEvent):
            if process.link_target(event.scope, definition.link_name) is None:
                names = [
                    e.event.link_name
                    for e in process.elements.values()
                    if isinstance(e, m.IntermediateCatchEvent) and e.event.kind is m.EventKind.LINK
                ]
                self.add(
                    event.line,
                    event.id,
                    f"no link catch event named '{definition.link_name}' in the same scope",
                    did_you_mean(definition.link_name, names),
                )
        elif kind is m.EventKind.COMPENSATION and definition.activity_ref:
            self.reference(event, "activity", definition.activity_ref, process.elements)
        if isinstance(event, m.BoundaryEvent):
            target = process.elements.get(event.attached_to)
            if target is None:
                self.add(
                    event.line,
                    event.id,
                    f"attached to unknown activity '{event.attached_to}'",
                    did_you_mean(event.attached_to, process.elements),
                )
            elif not isinstance(target, m.Activity):
                self.add(event.line, event.id, f"attached to '{target.id}', which is no activity")
            if kind is m.EventKind.NONE:
                self.add(event.line, event.id, "boundary event without an event definition")


def validate_definitions(
    definitions: m.Definitions, skipped: frozenset[str] = frozenset()
) -> list[Problem]:
    """Every deployment-blocking problem of the parsed definitions; `skipped` names elements
    the parser already refused, so that flows to them are not reported a second time."""
    problems: list[Problem] = []
    for process in definitions.processes.values():
        if process.is_executable:
            problems.extend(_Checker(definitions, process, skipped).run())
    return problems
