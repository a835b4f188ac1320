"""bpmnlint's "recommended" rules, re-implemented over the diagram as drawn.

Ids, severities and the meaning of each rule follow bpmnlint 11 (github.com/bpmn-io/bpmnlint,
docs/rules), so that a model clean here is clean in Camunda Modeler's problems panel too.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from itertools import groupby

from verka.engine.checks.diagram import (
    ACTIVITIES,
    CATCH_EVENTS,
    EVENTS,
    FLOW_NODES,
    GATEWAYS,
    SUB_PROCESSES,
    TASKS,
    Bounds,
    Container,
    Diagram,
    Flow,
    Node,
)
from verka.engine.checks.findings import Finding, Text, finding

Rule = Callable[[Diagram], Iterator[tuple[str, Text, int | None]]]  # (element id, message, line)

# Every message the rules report, by key; the values in braces come from the model. The Studio
# shows them in Swedish from its own texts under the same keys (verka.studio.labels).
MESSAGES: dict[str, str] = {
    "ad-hoc-sub-process/start": "A start event is not allowed in an ad-hoc subprocess",
    "ad-hoc-sub-process/end": "An end event is not allowed in an ad-hoc subprocess",
    "conditional-flows": "Sequence flow is missing a condition: it leaves {source}, whose other"
    " flows are conditional; add a condition or make it the default flow",
    "end-event-required": "{kind} is missing an end event",
    "start-event-required": "{kind} is missing a start event",
    "event-based-gateway/outgoing": "Event-based gateway {gateway} needs at least 2 outgoing"
    " sequence flows",
    "event-based-gateway/condition": "A sequence flow leaving event-based gateway '{gateway}'"
    " must not have a condition",
    "event-sub-process-typed-start-event": "Start event of event subprocess '{subprocess}' is"
    " missing an event definition (message, timer, error, signal, escalation, ...)",
    "fake-join": "Incoming flows of {element} do not join: each one starts the element again;"
    " join them with a gateway first",
    "global/unnamed": "{Kind} '{id}' is missing a name",
    "global/unused": "{Kind} '{id}' is unused",
    "global/duplicate-name": "{Kind} name '{name}' is not unique",
    "label-required/element": "Element '{id}' ({tag}) is missing a label/name",
    "label-required/flow": "Conditional sequence flow '{id}' is missing a label/name",
    "label-required/participant": "Participant '{id}' is missing a name",
    "label-required/lane": "Lane '{id}' is missing a name",
    "link-event/unnamed": "Link event {event} is missing a link name",
    "link-event/no-catch": "Link catch event with link name '{name}' is missing in the same scope",
    "link-event/no-throw": "Link throw event with link name '{name}' is missing in the same scope",
    "link-event/duplicate-catch": "Duplicate link catch event with link name '{name}' in the same"
    " scope",
    "no-bpmndi": "Element '{id}' ({tag}) is missing from the diagram (no BPMNDI shape or edge);"
    " bpmn-js cannot draw it",
    "no-complex-gateway": "Complex gateway {gateway} is discouraged",
    "no-inclusive-gateway": "Inclusive gateway {gateway} is discouraged",
    "no-disconnected": "Element {element} is not connected: it has no incoming or outgoing"
    " sequence flow",
    "no-duplicate-sequence-flows/flow": "Sequence flow '{id}' duplicates another flow from"
    " '{source}' to '{target}'",
    "no-duplicate-sequence-flows/outgoing": "Duplicate outgoing sequence flows",
    "no-duplicate-sequence-flows/incoming": "Duplicate incoming sequence flows",
    "no-gateway-join-fork": "Gateway {gateway} both joins and forks; use one gateway for each",
    "no-implicit-split": "Flow splits implicitly at {element}: it has {count} outgoing flows"
    " without conditions; use a parallel or exclusive gateway",
    "no-implicit-end": "Element {element} is an implicit end: it has no outgoing sequence flow;"
    " end the path with an end event",
    "no-implicit-start": "Element {element} is an implicit start: it has no incoming sequence"
    " flow; start the path with a start event",
    "no-overlapping-elements/overlap": "Element '{id}' overlaps with another element",
    "no-overlapping-elements/outside": "Element '{id}' lies outside its parent's boundary",
    "single-blank-start-event": "{kind} has multiple blank start events ({ids})",
    "single-event-definition": "Event {event} has multiple event definitions ({definitions})",
    "sub-process-blank-start-event": "Start event {event} of subprocess '{subprocess}' must be"
    " blank (no event definition)",
    "superfluous-gateway": "Gateway {gateway} is superfluous: it has only one incoming and one"
    " outgoing flow",
    "superfluous-termination": "Termination at {event} is superfluous: it is the only way the"
    " {kind} ends; use a plain end event",
}


def text(key: str, **values: object) -> Text:
    return Text.of(key, MESSAGES[key], values)


def _nodes(diagram: Diagram, tags: frozenset[str] | set[str]) -> Iterator[Node]:
    return (node for node in diagram.nodes() if node.tag in tags)


def _in_ad_hoc(node: Node) -> bool:
    return node.container.tag == "adHocSubProcess"


def _has_condition(flow: Flow) -> bool:
    return flow.condition is not None


def _is_compensation_boundary(node: Node) -> bool:
    return node.tag == "boundaryEvent" and node.event_definitions == ("compensateEventDefinition",)


def _is_link(node: Node) -> bool:
    return bool(node.event_definitions) and all(
        d == "linkEventDefinition" for d in node.event_definitions
    )


def _containers_with_events(diagram: Diagram) -> Iterator[Container]:
    """Processes and subprocesses except ad-hoc ones, which need no start or end event."""
    return (c for c in diagram.containers if c.tag != "adHocSubProcess")


def ad_hoc_sub_process(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        if container.tag != "adHocSubProcess":
            continue
        for node in container.nodes:
            if node.tag == "startEvent":
                yield node.id, text("ad-hoc-sub-process/start"), node.line
            elif node.tag == "endEvent":
                yield node.id, text("ad-hoc-sub-process/end"), node.line


def conditional_flows(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, FLOW_NODES):
        if not node.default_flow and not any(_has_condition(f) for f in node.outgoing):
            continue
        for flow in node.outgoing:
            if not _has_condition(flow) and flow.id != node.default_flow:
                yield (
                    flow.id,
                    text("conditional-flows", source=node.label()),
                    flow.line,
                )


def end_event_required(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in _containers_with_events(diagram):
        if not any(node.tag == "endEvent" for node in container.nodes):
            yield container.id, text("end-event-required", kind=container.kind), container.line


def start_event_required(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in _containers_with_events(diagram):
        if not any(node.tag == "startEvent" for node in container.nodes):
            yield container.id, text("start-event-required", kind=container.kind), container.line


def event_based_gateway(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for gateway in _nodes(diagram, {"eventBasedGateway"}):
        if len(gateway.outgoing) < 2:
            yield (
                gateway.id,
                text("event-based-gateway/outgoing", gateway=gateway.label()),
                gateway.line,
            )
        for flow in gateway.outgoing:
            if _has_condition(flow):
                yield (
                    flow.id,
                    text("event-based-gateway/condition", gateway=gateway.id),
                    flow.line,
                )


def event_sub_process_typed_start_event(
    diagram: Diagram,
) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        if container.owner is None or not container.owner.triggered_by_event:
            continue
        for node in container.nodes:
            if node.tag == "startEvent" and not node.event_definitions:
                yield (
                    node.id,
                    text("event-sub-process-typed-start-event", subprocess=container.id),
                    node.line,
                )


def fake_join(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, ACTIVITIES | EVENTS):
        if len(node.incoming) > 1:
            yield (
                node.id,
                text("fake-join", element=node.label()),
                node.line,
            )


def global_elements(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    referenced = {ref for node in diagram.nodes() for ref in node.references}
    referenced |= {("message", ref) for ref in diagram.message_flow_messages}
    names: dict[tuple[str, str | None], int] = {}
    for root in diagram.roots:
        names[(root.tag, root.name)] = names.get((root.tag, root.name), 0) + 1
    for root in diagram.roots:
        if root.name is not None and not root.name.strip():
            yield root.id, text("global/unnamed", Kind=root.tag.capitalize(), id=root.id), root.line
        if (root.tag, root.id) not in referenced:
            yield root.id, text("global/unused", Kind=root.tag.capitalize(), id=root.id), root.line
        if names[(root.tag, root.name)] > 1:
            yield (
                root.id,
                text("global/duplicate-name", Kind=root.tag.capitalize(), name=root.name),
                root.line,
            )


def label_required(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, FLOW_NODES):
        if node.tag in {"parallelGateway", "eventBasedGateway"} or node.tag in SUB_PROCESSES:
            continue
        if node.tag in GATEWAYS and len(node.outgoing) <= 1:
            continue  # joining gateways need no label
        if not node.name.strip():
            yield node.id, text("label-required/element", id=node.id, tag=node.tag), node.line
    for flow in diagram.flows():
        if _has_condition(flow) and not flow.name.strip():
            yield (
                flow.id,
                text("label-required/flow", id=flow.id),
                flow.line,
            )
    for participant_id, name, line, _process in diagram.participants:
        if not name.strip():
            yield participant_id, text("label-required/participant", id=participant_id), line
    for container in diagram.containers:
        for lane_id, name, line in container.lanes:
            if not name.strip():
                yield lane_id, text("label-required/lane", id=lane_id), line


def link_event(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        links = [node for node in container.nodes if node.tag in EVENTS and _is_any_link(node)]
        named: list[tuple[str, Node]] = []
        for link in links:
            name = link.link_names[0] if link.link_names else ""
            if not name:
                yield link.id, text("link-event/unnamed", event=link.label()), link.line
            else:
                named.append((name, link))
        named.sort(key=lambda pair: pair[0])
        for name, group in groupby(named, key=lambda pair: pair[0]):
            events = [link for _name, link in group]
            catches = [e for e in events if e.tag in CATCH_EVENTS]
            if len(events) == 1:
                missing = "link-event/no-catch" if not catches else "link-event/no-throw"
                yield (
                    events[0].id,
                    text(missing, name=name),
                    events[0].line,
                )
            elif len(catches) > 1:
                for event in catches:
                    yield (
                        event.id,
                        text("link-event/duplicate-catch", name=name),
                        event.line,
                    )
            elif not catches:
                for event in events:
                    yield (
                        event.id,
                        text("link-event/no-catch", name=name),
                        event.line,
                    )


def _is_any_link(node: Node) -> bool:
    return "linkEventDefinition" in node.event_definitions


def no_bpmndi(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    expected: list[tuple[str, str, int | None]] = []
    for container in diagram.containers:
        expected += [(node.id, node.tag, node.line) for node in container.nodes]
        expected += [(flow.id, "sequenceFlow", flow.line) for flow in container.flows]
        expected += [(element_id, tag, None) for tag, element_id in container.others]
        expected += [(lane_id, "lane", line) for lane_id, _name, line in container.lanes]
    expected += [(pid, "participant", line) for pid, _name, line, _p in diagram.participants]
    expected += [(flow_id, "messageFlow", None) for flow_id in diagram.message_flows]
    expected += [(element_id, tag, None) for tag, element_id in diagram.collaboration_others]
    for element_id, tag, line in expected:
        if element_id and element_id not in diagram.drawn:
            yield (
                element_id,
                text("no-bpmndi", id=element_id, tag=tag),
                line,
            )


def no_complex_gateway(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, {"complexGateway"}):
        yield node.id, text("no-complex-gateway", gateway=node.label()), node.line


def no_inclusive_gateway(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, {"inclusiveGateway"}):
        yield node.id, text("no-inclusive-gateway", gateway=node.label()), node.line


def no_disconnected(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    checked = TASKS | GATEWAYS | SUB_PROCESSES | EVENTS
    for node in _nodes(diagram, checked):
        if node.triggered_by_event or _in_ad_hoc(node):
            continue
        if _is_compensation_boundary(node) or node.is_for_compensation:
            continue  # linked to their activity by an association, not by flows
        if not node.incoming and not node.outgoing:
            yield (
                node.id,
                text("no-disconnected", element=node.label()),
                node.line,
            )


def no_duplicate_sequence_flows(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    seen: set[tuple[str, str, str]] = set()
    reported_sources: set[str] = set()
    reported_targets: set[str] = set()
    lines = {node.id: node.line for node in diagram.nodes()}
    for flow in diagram.flows():
        key = (flow.source or flow.id, flow.target or flow.id, flow.condition or "")
        if key not in seen:
            seen.add(key)
            continue
        yield (
            flow.id,
            text(
                "no-duplicate-sequence-flows/flow",
                id=flow.id,
                source=flow.source,
                target=flow.target,
            ),
            flow.line,
        )
        if flow.source not in reported_sources:
            reported_sources.add(flow.source)
            yield flow.source, text("no-duplicate-sequence-flows/outgoing"), lines.get(flow.source)
        if flow.target not in reported_targets:
            reported_targets.add(flow.target)
            yield flow.target, text("no-duplicate-sequence-flows/incoming"), lines.get(flow.target)


def no_gateway_join_fork(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, GATEWAYS):
        if len(node.incoming) > 1 and len(node.outgoing) > 1:
            yield (
                node.id,
                text("no-gateway-join-fork", gateway=node.label()),
                node.line,
            )


def no_implicit_split(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, ACTIVITIES | EVENTS):
        plain = [f for f in node.outgoing if not _has_condition(f) and f.id != node.default_flow]
        if len(plain) > 1:
            yield (
                node.id,
                text("no-implicit-split", element=node.label(), count=len(plain)),
                node.line,
            )


def no_implicit_end(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    compensation_sources = {
        source for c in diagram.containers for source, _target in c.associations
    }
    for node in _nodes(diagram, ACTIVITIES | EVENTS | GATEWAYS):
        if node.outgoing or node.tag == "endEvent" or node.triggered_by_event:
            continue
        if _in_ad_hoc(node) or node.is_for_compensation:
            continue
        if node.tag == "intermediateThrowEvent" and _is_link(node):
            continue
        if (
            node.tag == "boundaryEvent"
            and node.event_definitions
            and all(d == "compensateEventDefinition" for d in node.event_definitions)
            and node.id in compensation_sources
        ):
            continue
        yield (
            node.id,
            text("no-implicit-end", element=node.label()),
            node.line,
        )


def no_implicit_start(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, ACTIVITIES | EVENTS | GATEWAYS):
        if node.incoming or node.tag in {"startEvent", "boundaryEvent"}:
            continue
        if _in_ad_hoc(node) or node.is_for_compensation or node.triggered_by_event:
            continue
        if node.tag == "intermediateCatchEvent" and _is_link(node):
            continue
        yield (
            node.id,
            text("no-implicit-start", element=node.label()),
            node.line,
        )


def no_overlapping_elements(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    overlapping: dict[str, int | None] = {}
    outside: dict[str, int | None] = {}
    participant_bounds: dict[str, Bounds | None] = {}
    participants: list[tuple[str, int | None, Bounds, str | None]] = []
    for participant_id, _name, line, process_ref in diagram.participants:
        shape = diagram.shapes.get(participant_id)
        participant_bounds[process_ref] = shape.bounds if shape else None
        if shape is not None and shape.bounds is not None:
            participants.append((participant_id, line, shape.bounds, ""))
    _collisions(participants, overlapping)
    for container in diagram.containers:
        if container.owner is None:
            parent = participant_bounds.get(container.id)
        else:
            shape = diagram.shapes.get(container.owner.id)
            parent = shape.bounds if shape is not None and shape.is_expanded else None
        drawn = []
        for node in container.nodes:
            shape = diagram.shapes.get(node.id)
            if shape is None or shape.bounds is None:
                continue
            drawn.append((node.id, node.line, shape.bounds, node.attributes.get("attachedToRef")))
            if (
                parent is not None
                and node.tag != "dataStoreReference"
                and not parent.contains(shape.bounds)
            ):
                outside[node.id] = node.line
        _collisions(drawn, overlapping)
    for element_id, line in overlapping.items():
        yield element_id, text("no-overlapping-elements/overlap", id=element_id), line
    for element_id, line in outside.items():
        yield element_id, text("no-overlapping-elements/outside", id=element_id), line


def _collisions(
    shapes: list[tuple[str, int | None, Bounds, str | None]], found: dict[str, int | None]
) -> None:
    """Pairs of colliding shapes, found with a sweep along x (files may hold thousands)."""
    ordered = sorted(shapes, key=lambda s: s[2].x)
    for index, (first_id, first_line, first, first_host) in enumerate(ordered):
        for second_id, second_line, second, second_host in ordered[index + 1 :]:
            if second.x > first.x + first.width:
                break
            if first_host == second_id or second_host == first_id:
                continue  # a boundary event sits on its host's border
            if first.collides(second):
                found[first_id] = first_line
                found[second_id] = second_line


def single_blank_start_event(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        blank = [n for n in container.nodes if n.tag == "startEvent" and not n.event_definitions]
        if len(blank) > 1:
            ids = ", ".join(f"'{n.id}'" for n in blank)
            yield (
                container.id,
                text("single-blank-start-event", kind=container.kind, ids=ids),
                container.line,
            )


def single_event_definition(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, EVENTS):
        if len(node.event_definitions) > 1:
            yield (
                node.id,
                text(
                    "single-event-definition",
                    event=node.label(),
                    definitions=", ".join(node.event_definitions),
                ),
                node.line,
            )


def sub_process_blank_start_event(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        if container.owner is None or container.owner.triggered_by_event:
            continue
        for node in container.nodes:
            if node.tag == "startEvent" and node.event_definitions:
                yield (
                    node.id,
                    text(
                        "sub-process-blank-start-event", event=node.label(), subprocess=container.id
                    ),
                    node.line,
                )


def superfluous_gateway(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for node in _nodes(diagram, GATEWAYS):
        if len(node.incoming) == 1 and len(node.outgoing) == 1:
            yield (
                node.id,
                text("superfluous-gateway", gateway=node.label()),
                node.line,
            )


def superfluous_termination(diagram: Diagram) -> Iterator[tuple[str, Text, int | None]]:
    for container in diagram.containers:
        ends = [n for n in container.nodes if n.tag in FLOW_NODES and not n.outgoing]
        terminates = [
            n
            for n in ends
            if n.tag == "endEvent" and "terminateEventDefinition" in n.event_definitions
        ]
        if len(terminates) != 1:
            continue
        if all(_is_interrupting_event_sub(n) or n in terminates for n in ends):
            node = terminates[0]
            yield (
                node.id,
                text("superfluous-termination", event=node.label(), kind=container.kind.lower()),
                node.line,
            )


def _is_interrupting_event_sub(node: Node) -> bool:
    return (
        node.triggered_by_event
        and node.inner is not None
        and any(n.tag == "startEvent" and n.flag("isInterrupting", True) for n in node.inner.nodes)
    )


RULE_CHECKS: dict[str, Rule] = {
    "ad-hoc-sub-process": ad_hoc_sub_process,
    "conditional-flows": conditional_flows,
    "end-event-required": end_event_required,
    "event-based-gateway": event_based_gateway,
    "event-sub-process-typed-start-event": event_sub_process_typed_start_event,
    "fake-join": fake_join,
    "global": global_elements,
    "label-required": label_required,
    "link-event": link_event,
    "no-bpmndi": no_bpmndi,
    "no-complex-gateway": no_complex_gateway,
    "no-disconnected": no_disconnected,
    "no-duplicate-sequence-flows": no_duplicate_sequence_flows,
    "no-gateway-join-fork": no_gateway_join_fork,
    "no-implicit-split": no_implicit_split,
    "no-implicit-end": no_implicit_end,
    "no-implicit-start": no_implicit_start,
    "no-inclusive-gateway": no_inclusive_gateway,
    "no-overlapping-elements": no_overlapping_elements,
    "single-blank-start-event": single_blank_start_event,
    "single-event-definition": single_event_definition,
    "start-event-required": start_event_required,
    "sub-process-blank-start-event": sub_process_blank_start_event,
    "superfluous-gateway": superfluous_gateway,
    "superfluous-termination": superfluous_termination,
}


def lint(diagram: Diagram, file: str) -> list[Finding]:
    """Every bpmnlint "recommended" finding of one BPMN file."""
    found = []
    for name, check in RULE_CHECKS.items():
        for element_id, message, line in check(diagram):
            found.append(finding(file, f"bpmnlint/{name}", message, element_id, line))
    return found
