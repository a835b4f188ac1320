"""A BPMN file read as drawn: every container, flow node, flow and shape, valid or not.

The engine's parser refuses a model with problems and keeps only what runs; the lint rules and
the cross-reference checks need the whole file, diagram shapes included, even when it is broken.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from verka.engine.bpmn.parser import BPMN_NS, ZEEBE_NS

BPMNDI_NS = "http://www.omg.org/spec/BPMN/20100524/DI"
DC_NS = "http://www.omg.org/spec/DD/20100524/DC"

TASKS = frozenset(
    {
        "task",
        "userTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "scriptTask",
        "businessRuleTask",
        "manualTask",
    }
)
SUB_PROCESSES = frozenset({"subProcess", "adHocSubProcess", "transaction"})
ACTIVITIES = TASKS | SUB_PROCESSES | {"callActivity"}
GATEWAYS = frozenset(
    {
        "exclusiveGateway",
        "inclusiveGateway",
        "parallelGateway",
        "eventBasedGateway",
        "complexGateway",
    }
)
CATCH_EVENTS = frozenset({"startEvent", "intermediateCatchEvent", "boundaryEvent"})
THROW_EVENTS = frozenset({"endEvent", "intermediateThrowEvent"})
EVENTS = CATCH_EVENTS | THROW_EVENTS
FLOW_NODES = ACTIVITIES | GATEWAYS | EVENTS
#: Flow elements that are no flow nodes but are drawn (data objects are not).
DRAWN_DATA = frozenset({"dataObjectReference", "dataStoreReference"})
ARTIFACTS = frozenset({"textAnnotation", "association", "group"})

_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
_B = "{" + BPMN_NS + "}"
_Z = "{" + ZEEBE_NS + "}"


class DiagramError(Exception):
    """The bytes are no BPMN XML document; `line` says where, when known."""

    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class Bounds:
    x: float
    y: float
    width: float
    height: float

    def collides(self, other: Bounds) -> bool:
        """Overlapping or touching, as bpmnlint counts it."""
        return (
            self.x + self.width >= other.x
            and other.x + other.width >= self.x
            and self.y + self.height >= other.y
            and other.y + other.height >= self.y
        )

    def contains(self, other: Bounds) -> bool:
        return (
            other.x >= self.x
            and other.y >= self.y
            and other.x + other.width <= self.x + self.width
            and other.y + other.height <= self.y + self.height
        )


@dataclass(frozen=True)
class Shape:
    bounds: Bounds | None
    is_expanded: bool


@dataclass(eq=False)
class Flow:
    id: str
    name: str
    source: str
    target: str
    condition: str | None  # None: no <conditionExpression> at all
    line: int | None


@dataclass(eq=False)
class Node:
    """A flow node, or a drawn data element (tag in DRAWN_DATA), inside `container`."""

    tag: str
    id: str
    name: str
    line: int | None
    container: Container
    event_definitions: tuple[str, ...] = ()  # local names, e.g. "timerEventDefinition"
    link_names: tuple[str, ...] = ()
    #: (kind, id) of the messages, errors, signals and escalations the element references
    references: tuple[tuple[str, str], ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)
    zeebe: dict[str, dict[str, str]] = field(default_factory=dict)  # extension -> attributes
    incoming: list[Flow] = field(default_factory=list)
    outgoing: list[Flow] = field(default_factory=list)
    inner: Container | None = None  # the contents of a subprocess

    def flag(self, attribute: str, default: bool = False) -> bool:
        value = self.attributes.get(attribute)
        return default if value is None else value.strip().lower() == "true"

    @property
    def triggered_by_event(self) -> bool:
        return self.tag in SUB_PROCESSES and self.flag("triggeredByEvent")

    @property
    def is_for_compensation(self) -> bool:
        return self.tag in ACTIVITIES and self.flag("isForCompensation")

    @property
    def default_flow(self) -> str:
        return self.attributes.get("default", "")

    def label(self) -> str:
        return f"'{self.id}' ({self.name})" if self.name.strip() else f"'{self.id}'"


@dataclass(eq=False)
class Container:
    """A process or subprocess: the flow nodes, flows and artifacts directly inside it."""

    tag: str  # "process" or one of SUB_PROCESSES
    id: str
    name: str
    line: int | None
    owner: Node | None = None  # the subprocess node; None for a process
    nodes: list[Node] = field(default_factory=list)
    flows: list[Flow] = field(default_factory=list)
    others: list[tuple[str, str]] = field(default_factory=list)  # (tag, id) of artifacts
    lanes: list[tuple[str, str, int | None]] = field(default_factory=list)  # (id, name, line)
    associations: list[tuple[str, str]] = field(default_factory=list)  # (source, target)

    @property
    def kind(self) -> str:
        return "Process" if self.tag == "process" else "Sub process"


@dataclass
class RootElement:
    """A message, error, signal or escalation declared at the top of the file."""

    tag: str
    id: str
    name: str | None
    line: int | None


@dataclass
class Diagram:
    processes: list[Container] = field(default_factory=list)
    containers: list[Container] = field(default_factory=list)  # processes and subprocesses
    roots: list[RootElement] = field(default_factory=list)
    participants: list[tuple[str, str, int | None, str]] = field(default_factory=list)
    message_flows: list[str] = field(default_factory=list)
    message_flow_messages: set[str] = field(default_factory=set)
    collaboration_others: list[tuple[str, str]] = field(default_factory=list)
    shapes: dict[str, Shape] = field(default_factory=dict)  # BPMN element id -> its shape
    drawn: set[str] = field(default_factory=set)  # ids with a shape or edge
    has_diagram: bool = False

    def nodes(self) -> list[Node]:
        return [node for container in self.containers for node in container.nodes]

    def flows(self) -> list[Flow]:
        return [flow for container in self.containers for flow in container.flows]


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def _in(el: Any, namespace: str) -> bool:
    return isinstance(el.tag, str) and el.tag.startswith("{" + namespace + "}")


def _line(el: Any) -> int | None:
    line = el.sourceline
    return line if isinstance(line, int) else None


def _number(text: str | None) -> float | None:
    try:
        value = float(text) if text is not None else None
    except ValueError:
        return None
    return value if value is not None and value == value and abs(value) != float("inf") else None


def read_diagram(data: bytes) -> Diagram:
    """The diagram of a BPMN file; raises DiagramError if it is no BPMN XML."""
    try:
        root = etree.fromstring(data, _SAFE_PARSER)
    except etree.XMLSyntaxError as error:
        line = error.lineno if isinstance(error.lineno, int) and error.lineno else None
        raise DiagramError(f"malformed XML: {error.msg}", line) from None
    if root is None or root.tag != _B + "definitions":
        found = _local(root.tag) if root is not None else "nothing"
        raise DiagramError(
            f"expected a <bpmn:definitions> root element, found <{found}>",
            _line(root) if root is not None else None,
        )
    diagram = Diagram()
    for child in root:
        if not _in(child, BPMN_NS):
            continue
        tag = _local(child.tag)
        if tag == "process":
            _read_container(diagram, child, "process", None)
        elif tag == "collaboration":
            _read_collaboration(diagram, child)
        elif tag in {"message", "error", "signal", "escalation"}:
            diagram.roots.append(
                RootElement(tag, child.get("id", ""), child.get("name"), _line(child))
            )
    for plane_element in root.iter("{" + BPMNDI_NS + "}BPMNShape", "{" + BPMNDI_NS + "}BPMNEdge"):
        diagram.has_diagram = True
        ref = plane_element.get("bpmnElement", "")
        if not ref:
            continue
        diagram.drawn.add(ref)
        if _local(plane_element.tag) == "BPMNShape":
            diagram.shapes[ref] = Shape(
                _bounds(plane_element), plane_element.get("isExpanded", "").strip() == "true"
            )
    _connect(diagram)
    return diagram


def _bounds(shape: Any) -> Bounds | None:
    found = shape.find("{" + DC_NS + "}Bounds")
    if found is None:
        return None
    values = [_number(found.get(name)) for name in ("x", "y", "width", "height")]
    if any(value is None for value in values):
        return None
    x, y, width, height = (float(value or 0) for value in values)
    return Bounds(x, y, width, height)


def _read_collaboration(diagram: Diagram, el: Any) -> None:
    for child in el:
        if not _in(child, BPMN_NS):
            continue
        tag = _local(child.tag)
        child_id = child.get("id", "")
        if tag == "participant":
            diagram.participants.append(
                (child_id, child.get("name", ""), _line(child), child.get("processRef", ""))
            )
        elif tag == "messageFlow":
            diagram.message_flows.append(child_id)
            if child.get("messageRef"):
                diagram.message_flow_messages.add(child.get("messageRef", ""))
        elif tag in ARTIFACTS:
            diagram.collaboration_others.append((tag, child_id))


def _read_container(diagram: Diagram, el: Any, tag: str, owner: Node | None) -> Container:
    container = Container(tag, el.get("id", ""), el.get("name", ""), _line(el), owner)
    diagram.containers.append(container)
    if owner is None:
        diagram.processes.append(container)
    for child in el:
        if not _in(child, BPMN_NS):
            continue
        child_tag = _local(child.tag)
        child_id = child.get("id", "")
        if child_tag == "sequenceFlow":
            condition = child.find(_B + "conditionExpression")
            container.flows.append(
                Flow(
                    child_id,
                    child.get("name", ""),
                    child.get("sourceRef", ""),
                    child.get("targetRef", ""),
                    None if condition is None else (condition.text or ""),
                    _line(child),
                )
            )
        elif child_tag in FLOW_NODES or child_tag in DRAWN_DATA:
            node = _read_node(child, child_tag, container)
            container.nodes.append(node)
            if child_tag in SUB_PROCESSES:
                # Deeply nested subprocesses are bounded by the XML parser's own depth limit.
                node.inner = _read_container(diagram, child, child_tag, node)
        elif child_tag == "laneSet":
            for lane in child.iter(_B + "lane"):
                container.lanes.append((lane.get("id", ""), lane.get("name", ""), _line(lane)))
        elif child_tag in ARTIFACTS:
            container.others.append((child_tag, child_id))
            if child_tag == "association":
                container.associations.append(
                    (child.get("sourceRef", ""), child.get("targetRef", ""))
                )
    return container


def _read_node(el: Any, tag: str, container: Container) -> Node:
    definitions = [c for c in el if _in(c, BPMN_NS) and _local(c.tag).endswith("EventDefinition")]
    zeebe: dict[str, dict[str, str]] = {}
    for extensions in el.findall(_B + "extensionElements"):
        for ext in extensions:
            if _in(ext, ZEEBE_NS) and _local(ext.tag) not in zeebe:
                zeebe[_local(ext.tag)] = {str(k): str(v) for k, v in ext.attrib.items()}
    return Node(
        tag=tag,
        id=el.get("id", ""),
        name=el.get("name", ""),
        line=_line(el),
        container=container,
        event_definitions=tuple(_local(d.tag) for d in definitions),
        link_names=tuple(
            d.get("name", "") for d in definitions if _local(d.tag) == "linkEventDefinition"
        ),
        references=tuple(_references(el, tag, definitions)),
        attributes={str(k): str(v) for k, v in el.attrib.items()},
        zeebe=zeebe,
    )


_REFERENCE_ATTRIBUTES = {
    "messageEventDefinition": ("message", "messageRef"),
    "errorEventDefinition": ("error", "errorRef"),
    "signalEventDefinition": ("signal", "signalRef"),
    "escalationEventDefinition": ("escalation", "escalationRef"),
}


def _references(el: Any, tag: str, definitions: list[Any]) -> list[tuple[str, str]]:
    found = []
    if tag in {"sendTask", "receiveTask"} and el.get("messageRef"):
        found.append(("message", el.get("messageRef", "")))
    for definition in definitions:
        kind, attribute = _REFERENCE_ATTRIBUTES.get(_local(definition.tag), ("", ""))
        if kind and definition.get(attribute):
            found.append((kind, definition.get(attribute, "")))
    return found


def _connect(diagram: Diagram) -> None:
    """incoming/outgoing from the flows' source and target (the <incoming> children may lie)."""
    by_id = {node.id: node for node in diagram.nodes() if node.id}
    for flow in diagram.flows():
        source = by_id.get(flow.source)
        target = by_id.get(flow.target)
        if source is not None:
            source.outgoing.append(flow)
        if target is not None:
            target.incoming.append(flow)
