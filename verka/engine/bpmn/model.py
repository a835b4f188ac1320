"""The immutable process graph that the BPMN parser builds and the runtime walks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum


class EventKind(StrEnum):
    """What an event waits for or throws; NONE for plain start/end/throw events."""

    NONE = "none"
    MESSAGE = "message"
    TIMER = "timer"
    ERROR = "error"
    ESCALATION = "escalation"
    SIGNAL = "signal"
    LINK = "link"
    CONDITIONAL = "conditional"
    TERMINATE = "terminate"
    COMPENSATION = "compensation"


class TimerKind(StrEnum):
    DATE = "timeDate"
    DURATION = "timeDuration"
    CYCLE = "timeCycle"


@dataclass(frozen=True)
class VariableMapping:
    """One zeebe:input or zeebe:output: a FEEL source (or static value) copied to a target path."""

    source: str
    target: str


@dataclass(frozen=True)
class EventDefinition:
    """The trigger of an event; the fields that do not apply to `kind` stay empty."""

    kind: EventKind
    ref: str = ""  # id of the referenced message, error, signal or escalation
    timer_kind: TimerKind | None = None
    timer_expression: str = ""
    link_name: str = ""
    condition: str = ""
    activity_ref: str = ""  # compensation: which activity to compensate ("" = all)
    wait_for_completion: bool = True


@dataclass(frozen=True)
class TaskDefinition:
    type: str  # static or FEEL ("=...")
    retries: str = "3"


@dataclass(frozen=True)
class FormDefinition:
    form_key: str = ""
    form_id: str = ""
    external_reference: str = ""
    binding_type: str = "latest"  # latest | deployment | versionTag
    version_tag: str = ""


@dataclass(frozen=True)
class Assignment:
    assignee: str = ""
    candidate_groups: str = ""
    candidate_users: str = ""


@dataclass(frozen=True)
class TaskSchedule:
    due_date: str = ""
    follow_up_date: str = ""


@dataclass(frozen=True)
class CalledElement:
    process_id: str
    propagate_all_child_variables: bool = True
    propagate_all_parent_variables: bool = True
    binding_type: str = "latest"  # latest | deployment | versionTag
    version_tag: str = ""


@dataclass(frozen=True)
class CalledDecision:
    decision_id: str
    result_variable: str
    binding_type: str = "latest"  # latest | deployment | versionTag
    version_tag: str = ""


@dataclass(frozen=True)
class Script:
    expression: str
    result_variable: str


@dataclass(frozen=True)
class LoopCharacteristics:
    """bpmn:multiInstanceLoopCharacteristics with its zeebe:loopCharacteristics."""

    is_sequential: bool
    input_collection: str
    input_element: str = ""
    output_collection: str = ""
    output_element: str = ""
    completion_condition: str = ""


@dataclass(frozen=True)
class Element:
    """Common shape of every flow node. `scope` is the id of the enclosing subprocess ("" = process)."""

    id: str
    name: str
    scope: str
    line: int | None
    incoming: tuple[str, ...] = ()
    outgoing: tuple[str, ...] = ()
    inputs: tuple[VariableMapping, ...] = ()
    outputs: tuple[VariableMapping, ...] = ()
    properties: Mapping[str, str] = field(default_factory=dict)

    @property
    def kind(self) -> str:
        """The BPMN element name, e.g. "serviceTask", used in history events."""
        return _KIND_NAMES[type(self).__name__]


# --- events -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class StartEvent(Element):
    event: EventDefinition = EventDefinition(EventKind.NONE)
    interrupting: bool = True  # only meaningful inside event subprocesses
    form: FormDefinition | None = None


@dataclass(frozen=True)
class EndEvent(Element):
    event: EventDefinition = EventDefinition(EventKind.NONE)
    task_definition: TaskDefinition | None = None  # message end events may be job workers
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class IntermediateCatchEvent(Element):
    event: EventDefinition = EventDefinition(EventKind.NONE)


@dataclass(frozen=True)
class IntermediateThrowEvent(Element):
    event: EventDefinition = EventDefinition(EventKind.NONE)
    task_definition: TaskDefinition | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class BoundaryEvent(Element):
    event: EventDefinition = EventDefinition(EventKind.NONE)
    attached_to: str = ""
    cancel_activity: bool = True


# --- activities ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Activity(Element):
    boundary_events: tuple[str, ...] = ()
    loop: LoopCharacteristics | None = None
    is_for_compensation: bool = False


@dataclass(frozen=True)
class Task(Activity):
    """An undefined task: passes straight through."""


@dataclass(frozen=True)
class ManualTask(Activity):
    pass


@dataclass(frozen=True)
class ServiceTask(Activity):
    task_definition: TaskDefinition | None = None
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class SendTask(ServiceTask):
    message_ref: str = ""


@dataclass(frozen=True)
class ScriptTask(ServiceTask):
    script: Script | None = None  # zeebe:script; otherwise a job via task_definition


@dataclass(frozen=True)
class BusinessRuleTask(ServiceTask):
    called_decision: CalledDecision | None = None  # otherwise a job via task_definition


@dataclass(frozen=True)
class UserTask(Activity):
    form: FormDefinition | None = None
    assignment: Assignment = Assignment()
    schedule: TaskSchedule = TaskSchedule()
    priority: str = ""
    zeebe_user_task: bool = False  # <zeebe:userTask/>: a Camunda user task, else job-based
    headers: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class ReceiveTask(Activity):
    message_ref: str = ""


@dataclass(frozen=True)
class SubProcess(Activity):
    triggered_by_event: bool = False
    children: tuple[str, ...] = ()  # ids of the flow nodes directly inside


@dataclass(frozen=True)
class AdHocSubProcess(SubProcess):
    """Inner activities run in any order: those named by `active_elements_collection` (a FEEL
    list of element ids), or those a job worker picks (when `task_definition` is set)."""

    active_elements_collection: str = ""
    completion_condition: str = ""
    cancel_remaining_instances: bool = True
    task_definition: TaskDefinition | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    output_collection: str = ""  # results of the inner elements since the last job
    output_element: str = ""


@dataclass(frozen=True)
class CallActivity(Activity):
    called_element: CalledElement = CalledElement("")


# --- gateways -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExclusiveGateway(Element):
    default: str = ""


@dataclass(frozen=True)
class InclusiveGateway(Element):
    default: str = ""


@dataclass(frozen=True)
class ParallelGateway(Element):
    pass


@dataclass(frozen=True)
class EventBasedGateway(Element):
    pass


_KIND_NAMES = {
    "StartEvent": "startEvent",
    "EndEvent": "endEvent",
    "IntermediateCatchEvent": "intermediateCatchEvent",
    "IntermediateThrowEvent": "intermediateThrowEvent",
    "BoundaryEvent": "boundaryEvent",
    "Task": "task",
    "ManualTask": "manualTask",
    "ServiceTask": "serviceTask",
    "SendTask": "sendTask",
    "ScriptTask": "scriptTask",
    "BusinessRuleTask": "businessRuleTask",
    "UserTask": "userTask",
    "ReceiveTask": "receiveTask",
    "SubProcess": "subProcess",
    "AdHocSubProcess": "adHocSubProcess",
    "CallActivity": "callActivity",
    "ExclusiveGateway": "exclusiveGateway",
    "InclusiveGateway": "inclusiveGateway",
    "ParallelGateway": "parallelGateway",
    "EventBasedGateway": "eventBasedGateway",
    "Process": "process",
}


@dataclass(frozen=True)
class SequenceFlow:
    id: str
    source: str
    target: str
    condition: str = ""  # FEEL, with its leading "="
    line: int | None = None


@dataclass(frozen=True)
class Message:
    id: str
    name: str  # static or FEEL
    correlation_key: str = ""


@dataclass(frozen=True)
class ErrorDef:
    id: str
    name: str
    code: str


@dataclass(frozen=True)
class Signal:
    id: str
    name: str


@dataclass(frozen=True)
class Escalation:
    id: str
    name: str
    code: str


@dataclass(frozen=True)
class Process:
    """One executable bpmn:process and everything the runtime needs to look up quickly."""

    id: str
    name: str
    filename: str
    is_executable: bool
    elements: Mapping[str, Element]
    flows: Mapping[str, SequenceFlow]
    #: scope id ("" = process) -> ids of its flow nodes
    scopes: Mapping[str, tuple[str, ...]]
    #: compensation boundary event id -> handler activity id
    compensation_handlers: Mapping[str, str]
    messages: Mapping[str, Message]
    errors: Mapping[str, ErrorDef]
    signals: Mapping[str, Signal]
    escalations: Mapping[str, Escalation]
    user_task_forms: Mapping[str, str] = field(default_factory=dict)
    #: element id -> ids of the elements a token there can still reach in the same scope
    reachable: Mapping[str, frozenset[str]] = field(default_factory=dict)
    version_tag: str = ""  # <zeebe:versionTag value="..."/>, for bindingType="versionTag"

    @property
    def kind(self) -> str:
        return "process"

    def element(self, element_id: str) -> Element:
        return self.elements[element_id]

    def none_start_event(self, scope: str = "") -> StartEvent | None:
        for element_id in self.scopes.get(scope, ()):
            element = self.elements[element_id]
            if isinstance(element, StartEvent) and element.event.kind is EventKind.NONE:
                return element
        return None

    def start_events(self, scope: str = "") -> tuple[StartEvent, ...]:
        return tuple(
            e
            for e in (self.elements[i] for i in self.scopes.get(scope, ()))
            if isinstance(e, StartEvent)
        )

    def event_subprocesses(self, scope: str = "") -> tuple[SubProcess, ...]:
        return tuple(
            e
            for e in (self.elements[i] for i in self.scopes.get(scope, ()))
            if isinstance(e, SubProcess) and e.triggered_by_event
        )

    def event_subprocess_start(self, subprocess: SubProcess) -> StartEvent:
        starts = self.start_events(subprocess.id)
        return starts[0]

    def link_target(self, scope: str, link_name: str) -> IntermediateCatchEvent | None:
        for element_id in self.scopes.get(scope, ()):
            element = self.elements[element_id]
            if (
                isinstance(element, IntermediateCatchEvent)
                and element.event.kind is EventKind.LINK
                and element.event.link_name == link_name
            ):
                return element
        return None


@dataclass(frozen=True)
class Definitions:
    """A parsed .bpmn file: its processes and the root elements they reference."""

    filename: str
    processes: Mapping[str, Process]
    messages: Mapping[str, Message]
    errors: Mapping[str, ErrorDef]
    signals: Mapping[str, Signal]
    escalations: Mapping[str, Escalation]
    warnings: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Problem:
    """One thing wrong (or only noteworthy, for warnings) in a BPMN file."""

    filename: str
    line: int | None
    element_id: str
    message: str
    suggestion: str = ""

    def __str__(self) -> str:
        where = f"{self.filename}:{self.line if self.line is not None else '?'}"
        subject = f"element '{self.element_id}': " if self.element_id else ""
        hint = f" ({self.suggestion})" if self.suggestion else ""
        return f"{where}: {subject}{self.message}{hint}"
