"""Reads BPMN 2.0 XML with Camunda 8 (zeebe:) extensions into the immutable process graph."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from lxml import etree

from verka.engine.bpmn import model as m
from verka.engine.bpmn.errors import BpmnValidationError
from verka.engine.bpmn.model import Problem

BPMN_NS = "http://www.omg.org/spec/BPMN/20100524/MODEL"
ZEEBE_NS = "http://camunda.org/schema/zeebe/1.0"

_B = "{" + BPMN_NS + "}"
_Z = "{" + ZEEBE_NS + "}"

_TASK_TAGS = {
    "task": m.Task,
    "manualTask": m.ManualTask,
    "serviceTask": m.ServiceTask,
    "sendTask": m.SendTask,
    "scriptTask": m.ScriptTask,
    "businessRuleTask": m.BusinessRuleTask,
    "userTask": m.UserTask,
    "receiveTask": m.ReceiveTask,
    "callActivity": m.CallActivity,
    "subProcess": m.SubProcess,
    "adHocSubProcess": m.AdHocSubProcess,
}
_EVENT_TAGS = {
    "startEvent": m.StartEvent,
    "endEvent": m.EndEvent,
    "intermediateCatchEvent": m.IntermediateCatchEvent,
    "intermediateThrowEvent": m.IntermediateThrowEvent,
    "boundaryEvent": m.BoundaryEvent,
}
_GATEWAY_TAGS = {
    "exclusiveGateway": m.ExclusiveGateway,
    "inclusiveGateway": m.InclusiveGateway,
    "parallelGateway": m.ParallelGateway,
    "eventBasedGateway": m.EventBasedGateway,
}
_FLOW_NODE_TAGS = {**_TASK_TAGS, **_EVENT_TAGS, **_GATEWAY_TAGS}
#: Elements that carry no execution semantics; skipped silently.
_IGNORED_TAGS = {
    "documentation",
    "extensionElements",
    "laneSet",
    "textAnnotation",
    "association",
    "group",
    "dataObject",
    "dataObjectReference",
    "dataStoreReference",
    "ioSpecification",
    "property",
    "dataInputAssociation",
    "dataOutputAssociation",
    "incoming",
    "outgoing",
}
_UNSUPPORTED_TAGS = {
    "complexGateway": "complex gateways are not supported; use an inclusive or exclusive gateway",
    "transaction": "transaction subprocesses are not supported; use an embedded subprocess",
    "callChoreography": "choreographies are not executable",
    "subChoreography": "choreographies are not executable",
    "choreographyTask": "choreographies are not executable",
}
_EVENT_DEFINITIONS = {
    "messageEventDefinition": m.EventKind.MESSAGE,
    "timerEventDefinition": m.EventKind.TIMER,
    "errorEventDefinition": m.EventKind.ERROR,
    "escalationEventDefinition": m.EventKind.ESCALATION,
    "signalEventDefinition": m.EventKind.SIGNAL,
    "linkEventDefinition": m.EventKind.LINK,
    "conditionalEventDefinition": m.EventKind.CONDITIONAL,
    "terminateEventDefinition": m.EventKind.TERMINATE,
    "compensateEventDefinition": m.EventKind.COMPENSATION,
}


def _local(tag: Any) -> str:
    text = str(tag)
    return text.rsplit("}", 1)[-1]


def _ns(tag: Any) -> str:
    text = str(tag)
    return text[1:].split("}", 1)[0] if text.startswith("{") else ""


def _line(el: Any) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def _bool(value: str | None, default: bool) -> bool:
    if value is None:
        return default
    return value.strip().lower() == "true"


@dataclass
class _Node:
    """A flow node as read, before incoming/outgoing and boundary events are known."""

    tag: str
    el: Any
    scope: str


class _Reader:
    def __init__(self, filename: str) -> None:
        self.filename = filename
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []
        self.skipped: set[str] = set()  # unsupported elements, reported once

    def problem(self, el: Any, element_id: str, message: str, suggestion: str = "") -> None:
        line = el.sourceline if el is not None else None
        self.problems.append(Problem(self.filename, line, element_id, message, suggestion))

    def warn(self, el: Any, element_id: str, message: str) -> None:
        line = el.sourceline if el is not None else None
        self.warnings.append(Problem(self.filename, line, element_id, message))

    # --- extension elements -------------------------------------------------------------------

    def extensions(self, el: Any) -> list[Any]:
        found: list[Any] = []
        for ext in el.findall(_B + "extensionElements"):
            found.extend(child for child in ext if isinstance(child.tag, str))
        return found

    def zeebe(self, el: Any, name: str) -> Any:
        for ext in self.extensions(el):
            if ext.tag == _Z + name:
                return ext
        return None

    def common(self, el: Any, element_id: str) -> dict[str, Any]:
        inputs: list[m.VariableMapping] = []
        outputs: list[m.VariableMapping] = []
        properties: dict[str, str] = {}
        io = self.zeebe(el, "ioMapping")
        if io is not None:
            for child in io:
                if child.tag == _Z + "input":
                    inputs.append(self.mapping(child, element_id))
                elif child.tag == _Z + "output":
                    outputs.append(self.mapping(child, element_id))
        props = self.zeebe(el, "properties")
        if props is not None:
            for child in props:
                if child.tag == _Z + "property":
                    properties[child.get("name", "")] = child.get("value", "")
        for ext in self.extensions(el):
            if ext.tag == _Z + "executionListeners":
                self.warn(ext, element_id, "execution listeners are ignored by Verka")
            elif ext.tag == _Z + "taskListeners":
                self.warn(ext, element_id, "task listeners are ignored by Verka")
        return {"inputs": tuple(inputs), "outputs": tuple(outputs), "properties": properties}

    def mapping(self, el: Any, element_id: str) -> m.VariableMapping:
        source = el.get("source", "")
        target = el.get("target", "")
        if not target:
            self.problem(el, element_id, "variable mapping without a target")
        return m.VariableMapping(source=source, target=target)

    def headers(self, el: Any) -> dict[str, str]:
        found: dict[str, str] = {}
        headers = self.zeebe(el, "taskHeaders")
        if headers is not None:
            for header in headers:
                if header.tag == _Z + "header":
                    found[header.get("key", "")] = header.get("value", "")
        return found

    def task_definition(self, el: Any) -> m.TaskDefinition | None:
        definition = self.zeebe(el, "taskDefinition")
        if definition is None:
            return None
        return m.TaskDefinition(
            type=definition.get("type", ""), retries=definition.get("retries", "3") or "3"
        )

    def form(self, el: Any) -> m.FormDefinition | None:
        form = self.zeebe(el, "formDefinition")
        if form is None:
            return None
        return m.FormDefinition(
            form_key=form.get("formKey", ""),
            form_id=form.get("formId", ""),
            external_reference=form.get("externalReference", ""),
            binding_type=form.get("bindingType", "latest"),
            version_tag=form.get("versionTag", ""),
        )

    def loop(self, el: Any, element_id: str) -> m.LoopCharacteristics | None:
        loop = el.find(_B + "multiInstanceLoopCharacteristics")
        if el.find(_B + "standardLoopCharacteristics") is not None:
            self.problem(
                el, element_id, "standard loops are not supported; use a multi-instance marker"
            )
        if loop is None:
            return None
        zeebe = self.zeebe(loop, "loopCharacteristics")
        completion = loop.find(_B + "completionCondition")
        get = zeebe.get if zeebe is not None else (lambda _key, default="": default)
        characteristics = m.LoopCharacteristics(
            is_sequential=_bool(loop.get("isSequential"), False),
            input_collection=get("inputCollection", ""),
            input_element=get("inputElement", ""),
            output_collection=get("outputCollection", ""),
            output_element=get("outputElement", ""),
            completion_condition=(completion.text or "").strip() if completion is not None else "",
        )
        if not characteristics.input_collection:
            self.problem(
                loop,
                element_id,
                "multi-instance activity without an input collection",
                "add zeebe:loopCharacteristics inputCollection, e.g. '=items'",
            )
        if characteristics.output_collection and not characteristics.output_element:
            self.problem(loop, element_id, "output collection set but no output element")
        return characteristics

    def event_definition(self, el: Any, element_id: str) -> m.EventDefinition:
        definitions = [
            child
            for child in el
            if isinstance(child.tag, str) and _local(child.tag) in _EVENT_DEFINITIONS
        ]
        if not definitions:
            return m.EventDefinition(m.EventKind.NONE)
        if len(definitions) > 1:
            self.problem(el, element_id, "multiple event definitions are not supported")
        definition = definitions[0]
        kind = _EVENT_DEFINITIONS[_local(definition.tag)]
        if kind is m.EventKind.TIMER:
            for timer_kind in m.TimerKind:
                expression = definition.find(_B + timer_kind.value)
                if expression is not None:
                    return m.EventDefinition(
                        kind,
                        timer_kind=timer_kind,
                        timer_expression=(expression.text or "").strip(),
                    )
            self.problem(
                definition, element_id, "timer without timeDate, timeDuration or timeCycle"
            )
            return m.EventDefinition(kind, timer_kind=m.TimerKind.DURATION)
        if kind is m.EventKind.LINK:
            return m.EventDefinition(kind, link_name=definition.get("name", ""))
        if kind is m.EventKind.CONDITIONAL:
            condition = definition.find(_B + "condition")
            text = (condition.text or "").strip() if condition is not None else ""
            if not text:
                self.problem(definition, element_id, "conditional event without a condition")
            return m.EventDefinition(kind, condition=text)
        if kind is m.EventKind.COMPENSATION:
            return m.EventDefinition(
                kind,
                activity_ref=definition.get("activityRef", ""),
                wait_for_completion=_bool(definition.get("waitForCompletion"), True),
            )
        ref_attribute = {
            m.EventKind.MESSAGE: "messageRef",
            m.EventKind.ERROR: "errorRef",
            m.EventKind.ESCALATION: "escalationRef",
            m.EventKind.SIGNAL: "signalRef",
        }.get(kind)
        ref = definition.get(ref_attribute, "") if ref_attribute else ""
        return m.EventDefinition(kind, ref=ref)


def parse_bpmn(data: bytes, filename: str) -> m.Definitions:
    """Parse and validate one BPMN file; raises BpmnValidationError listing every problem."""
    from verka.engine.bpmn.validation import validate_definitions

    reader = _Reader(filename)
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as error:
        line = error.lineno if error.lineno else None
        raise BpmnValidationError(
            [Problem(filename, line, "", f"malformed XML: {error.msg}")]
        ) from None
    if root.tag != _B + "definitions":
        raise BpmnValidationError(
            [
                Problem(
                    filename,
                    _line(root),
                    "",
                    f"expected a <bpmn:definitions> root element, found <{_local(root.tag)}>",
                )
            ]
        )
    messages: dict[str, m.Message] = {}
    errors: dict[str, m.ErrorDef] = {}
    signals: dict[str, m.Signal] = {}
    escalations: dict[str, m.Escalation] = {}
    for child in root:
        if not isinstance(child.tag, str):
            continue
        tag = _local(child.tag)
        child_id = child.get("id", "")
        if tag == "message":
            subscription = reader.zeebe(child, "subscription")
            key = subscription.get("correlationKey", "") if subscription is not None else ""
            messages[child_id] = m.Message(child_id, child.get("name", ""), key)
        elif tag == "error":
            errors[child_id] = m.ErrorDef(
                child_id, child.get("name", ""), child.get("errorCode", "")
            )
        elif tag == "signal":
            signals[child_id] = m.Signal(child_id, child.get("name", ""))
        elif tag == "escalation":
            escalations[child_id] = m.Escalation(
                child_id, child.get("name", ""), child.get("escalationCode", "")
            )
    processes: dict[str, m.Process] = {}
    for child in root.findall(_B + "process"):
        process = _read_process(reader, child, messages, errors, signals, escalations)
        processes[process.id] = process
    if not processes:
        reader.problem(root, "", "the file contains no bpmn:process")
    elif not any(p.is_executable for p in processes.values()):
        for process in processes.values():
            reader.problem(
                root.find(_B + "process"),
                process.id,
                "the process is not executable",
                "set isExecutable=\"true\" on the process (Camunda Modeler: 'Executable')",
            )
    definitions = m.Definitions(
        filename=filename,
        processes=processes,
        messages=messages,
        errors=errors,
        signals=signals,
        escalations=escalations,
        warnings=tuple(reader.warnings),
    )
    reader.problems.extend(validate_definitions(definitions, frozenset(reader.skipped)))
    if reader.problems:
        raise BpmnValidationError(sorted(reader.problems, key=lambda p: p.line or 0))
    return definitions


def _read_process(
    reader: _Reader,
    el: Any,
    messages: dict[str, m.Message],
    errors: dict[str, m.ErrorDef],
    signals: dict[str, m.Signal],
    escalations: dict[str, m.Escalation],
) -> m.Process:
    process_id = el.get("id", "")
    nodes: dict[str, _Node] = {}
    flows: dict[str, m.SequenceFlow] = {}
    associations: list[tuple[str, str]] = []
    scopes: dict[str, list[str]] = {"": []}
    forms: dict[str, str] = {}
    version_tag = ""
    for ext in reader.extensions(el):
        if ext.tag == _Z + "userTaskForm":
            forms[ext.get("id", "")] = (ext.text or "").strip()
        elif ext.tag == _Z + "versionTag":
            version_tag = ext.get("value", "")
    _walk(reader, el, "", nodes, flows, associations, scopes)

    incoming: dict[str, list[str]] = {}
    outgoing: dict[str, list[str]] = {}
    for flow in flows.values():
        outgoing.setdefault(flow.source, []).append(flow.id)
        incoming.setdefault(flow.target, []).append(flow.id)
    boundaries: dict[str, list[str]] = {}
    for node_id, node in nodes.items():
        if node.tag == "boundaryEvent":
            boundaries.setdefault(node.el.get("attachedToRef", ""), []).append(node_id)

    elements: dict[str, m.Element] = {}
    for node_id, node in nodes.items():
        elements[node_id] = _build(
            reader,
            node_id,
            node,
            tuple(incoming.get(node_id, ())),
            tuple(outgoing.get(node_id, ())),
            tuple(boundaries.get(node_id, ())),
            scopes,
        )
    handlers: dict[str, str] = {}
    for source, target in associations:
        if source in elements and isinstance(elements[source], m.BoundaryEvent):
            handlers[source] = target
        elif target in elements and isinstance(elements[target], m.BoundaryEvent):
            handlers[target] = source
    return m.Process(
        id=process_id,
        name=el.get("name", ""),
        filename=reader.filename,
        is_executable=_bool(el.get("isExecutable"), False),
        elements=elements,
        flows=flows,
        scopes={scope: tuple(ids) for scope, ids in scopes.items()},
        compensation_handlers=handlers,
        messages=messages,
        errors=errors,
        signals=signals,
        escalations=escalations,
        user_task_forms=forms,
        reachable=_reachability(elements, flows),
        version_tag=version_tag,
    )


def _walk(
    reader: _Reader,
    container: Any,
    scope: str,
    nodes: dict[str, _Node],
    flows: dict[str, m.SequenceFlow],
    associations: list[tuple[str, str]],
    scopes: dict[str, list[str]],
) -> None:
    for child in container:
        if not isinstance(child.tag, str) or _ns(child.tag) != BPMN_NS:
            continue
        tag = _local(child.tag)
        child_id = child.get("id", "")
        if tag == "sequenceFlow":
            condition_el = child.find(_B + "conditionExpression")
            condition = (condition_el.text or "").strip() if condition_el is not None else ""
            flows[child_id] = m.SequenceFlow(
                child_id,
                child.get("sourceRef", ""),
                child.get("targetRef", ""),
                condition,
                child.sourceline,
            )
        elif tag == "association":
            associations.append((child.get("sourceRef", ""), child.get("targetRef", "")))
        elif tag in _FLOW_NODE_TAGS:
            if not child_id:
                reader.problem(child, "", f"<{tag}> without an id")
                continue
            if child_id in nodes:
                reader.problem(child, child_id, "duplicate element id")
                continue
            nodes[child_id] = _Node(tag, child, scope)
            scopes.setdefault(scope, []).append(child_id)
            if tag in {"subProcess", "adHocSubProcess"}:
                scopes.setdefault(child_id, [])
                _walk(reader, child, child_id, nodes, flows, associations, scopes)
        elif tag in _UNSUPPORTED_TAGS:
            reader.problem(child, child_id, _UNSUPPORTED_TAGS[tag])
            reader.skipped.add(child_id)
        elif (
            tag not in _IGNORED_TAGS
            and not tag.endswith("LoopCharacteristics")
            and tag not in {"conditionExpression", "completionCondition"}
            and tag not in _EVENT_DEFINITIONS
        ):
            reader.warn(child, child_id, f"<{tag}> is not executed and was ignored")


def _build(
    reader: _Reader,
    node_id: str,
    node: _Node,
    incoming: tuple[str, ...],
    outgoing: tuple[str, ...],
    boundaries: tuple[str, ...],
    scopes: dict[str, list[str]],
) -> m.Element:
    el = node.el
    base: dict[str, Any] = {
        "id": node_id,
        "name": el.get("name", ""),
        "scope": node.scope,
        "line": el.sourceline,
        "incoming": incoming,
        "outgoing": outgoing,
        **reader.common(el, node_id),
    }
    tag = node.tag
    if tag in _GATEWAY_TAGS:
        if tag in {"exclusiveGateway", "inclusiveGateway"}:
            base["default"] = el.get("default", "")
        return _GATEWAY_TAGS[tag](**base)  # type: ignore[no-any-return]
    if tag in _EVENT_TAGS:
        base["event"] = reader.event_definition(el, node_id)
        if tag == "startEvent":
            base["interrupting"] = _bool(el.get("isInterrupting"), True)
            base["form"] = reader.form(el)
        elif tag == "boundaryEvent":
            base["attached_to"] = el.get("attachedToRef", "")
            base["cancel_activity"] = _bool(el.get("cancelActivity"), True)
        elif tag in {"endEvent", "intermediateThrowEvent"}:
            base["task_definition"] = reader.task_definition(el)
            base["headers"] = reader.headers(el)
        return _EVENT_TAGS[tag](**base)  # type: ignore[no-any-return]
    base["boundary_events"] = boundaries
    base["loop"] = reader.loop(el, node_id)
    base["is_for_compensation"] = _bool(el.get("isForCompensation"), False)
    if tag in {"serviceTask", "sendTask", "scriptTask", "businessRuleTask"}:
        base["task_definition"] = reader.task_definition(el)
        base["headers"] = reader.headers(el)
    if tag in {"sendTask", "receiveTask"}:
        base["message_ref"] = el.get("messageRef", "")
    elif tag == "scriptTask":
        script = reader.zeebe(el, "script")
        if script is not None:
            base["script"] = m.Script(
                script.get("expression", ""), script.get("resultVariable", "")
            )
    elif tag == "businessRuleTask":
        decision = reader.zeebe(el, "calledDecision")
        if decision is not None:
            base["called_decision"] = m.CalledDecision(
                decision.get("decisionId", ""),
                decision.get("resultVariable", ""),
                decision.get("bindingType", "latest"),
                decision.get("versionTag", ""),
            )
    elif tag == "userTask":
        assignment = reader.zeebe(el, "assignmentDefinition")
        schedule = reader.zeebe(el, "taskSchedule")
        priority = reader.zeebe(el, "priorityDefinition")
        base["form"] = reader.form(el)
        if assignment is not None:
            base["assignment"] = m.Assignment(
                assignment.get("assignee", ""),
                assignment.get("candidateGroups", ""),
                assignment.get("candidateUsers", ""),
            )
        if schedule is not None:
            base["schedule"] = m.TaskSchedule(
                schedule.get("dueDate", ""), schedule.get("followUpDate", "")
            )
        if priority is not None:
            base["priority"] = priority.get("priority", "")
        base["zeebe_user_task"] = reader.zeebe(el, "userTask") is not None
        base["headers"] = reader.headers(el)
    elif tag == "callActivity":
        called = reader.zeebe(el, "calledElement")
        if called is not None:
            base["called_element"] = m.CalledElement(
                called.get("processId", ""),
                _bool(called.get("propagateAllChildVariables"), True),
                _bool(called.get("propagateAllParentVariables"), True),
                called.get("bindingType", "latest"),
                called.get("versionTag", ""),
            )
    elif tag in {"subProcess", "adHocSubProcess"}:
        base["triggered_by_event"] = _bool(el.get("triggeredByEvent"), False)
        base["children"] = tuple(scopes.get(node_id, ()))
    if tag == "adHocSubProcess":
        ad_hoc = reader.zeebe(el, "adHoc")
        completion = el.find(_B + "completionCondition")
        base["active_elements_collection"] = (
            ad_hoc.get("activeElementsCollection", "") if ad_hoc is not None else ""
        )
        base["completion_condition"] = (
            (completion.text or "").strip() if completion is not None else ""
        )
        base["cancel_remaining_instances"] = _bool(el.get("cancelRemainingInstances"), True)
        if ad_hoc is not None:
            base["output_collection"] = ad_hoc.get("outputCollection", "")
            base["output_element"] = ad_hoc.get("outputElement", "")
        base["task_definition"] = reader.task_definition(el)
        base["headers"] = reader.headers(el)
    return _TASK_TAGS[tag](**base)


def _reachability(
    elements: dict[str, m.Element], flows: dict[str, m.SequenceFlow]
) -> dict[str, frozenset[str]]:
    """For each node, the nodes reachable along sequence flows (used by inclusive joins)."""
    successors: dict[str, set[str]] = {element_id: set() for element_id in elements}
    for flow in flows.values():
        if flow.source in successors:
            successors[flow.source].add(flow.target)
    for element in elements.values():
        # a token inside an activity can leave through its boundary events
        if isinstance(element, m.Activity):
            successors[element.id].update(element.boundary_events)
    reachable: dict[str, frozenset[str]] = {}
    for start in elements:
        seen: set[str] = set()
        stack = list(successors[start])
        while stack:
            current = stack.pop()
            if current in seen:
                continue
            seen.add(current)
            stack.extend(successors.get(current, ()))
        reachable[start] = frozenset(seen)
    return reachable
