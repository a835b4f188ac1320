"""What `apply` returns: changed rows, effects for the world outside, and history events."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import MappingProxyType
from typing import Any, NamedTuple

from verka.engine.runtime.state import ElementInstance, InstanceStatus, Value

Variables = Mapping[str, Value]
_NO_DATA: Mapping[str, Any] = MappingProxyType({})


@dataclass(frozen=True)
class VariableChange:
    """One variable row to insert/update (deleted=False) or delete (deleted=True)."""

    scope_key: int
    name: str
    value: Value = None
    created: bool = False
    deleted: bool = False


# --- effects: rows or actions for the persistence layer and the worker -------------------------


@dataclass(frozen=True)
class CreateJob:
    key: int
    element_instance_key: int
    element_id: str
    type: str
    retries: int
    custom_headers: Mapping[str, str]
    variables: Variables  # what the worker sees: all visible variables after input mappings


@dataclass(frozen=True)
class CancelJob:
    key: int
    element_instance_key: int


@dataclass(frozen=True)
class JobFailed:
    """The job stays open with fewer retries; when retries is 0 an incident follows."""

    key: int
    element_instance_key: int
    retries: int
    message: str
    retry_at: datetime | None


@dataclass(frozen=True)
class CreateUserTask:
    key: int
    element_instance_key: int
    element_id: str
    name: str
    form_key: str
    form_id: str
    external_reference: str
    assignee: str | None
    candidate_groups: tuple[str, ...]
    candidate_users: tuple[str, ...]
    due_date: datetime | None
    follow_up_date: datetime | None
    priority: int
    custom_headers: Mapping[str, str]
    variables: Variables


@dataclass(frozen=True)
class CancelUserTask:
    element_instance_key: int


@dataclass(frozen=True)
class ScheduleTimer:
    """Fire TriggerTimer(element_instance_key, element_id) at `due`.

    `repetitions` is 1 for dates and durations, n for "Rn/..." cycles and -1 for unbounded
    cycles; the runtime schedules the next repetition itself when one fires.
    """

    element_instance_key: int
    element_id: str
    due: datetime
    repetitions: int = 1
    interval: timedelta | None = None


@dataclass(frozen=True)
class CancelTimer:
    element_instance_key: int
    element_id: str


@dataclass(frozen=True)
class OpenMessageSubscription:
    element_instance_key: int
    element_id: str
    message_name: str
    correlation_key: str
    interrupting: bool


@dataclass(frozen=True)
class CloseMessageSubscription:
    element_instance_key: int
    element_id: str


@dataclass(frozen=True)
class OpenSignalSubscription:
    element_instance_key: int
    element_id: str
    signal_name: str


@dataclass(frozen=True)
class CloseSignalSubscription:
    element_instance_key: int
    element_id: str


@dataclass(frozen=True)
class PublishMessage:
    name: str
    correlation_key: str
    variables: Variables


@dataclass(frozen=True)
class BroadcastSignal:
    name: str
    variables: Variables


@dataclass(frozen=True)
class StartChildInstance:
    """Create an instance of `process_id` (at its none start event) as the call activity's
    child; `binding_type`/`version_tag` say which deployed version (Camunda's bindingType)."""

    process_id: str
    variables: Variables
    parent_instance_key: int
    parent_element_instance_key: int
    binding_type: str = "latest"
    version_tag: str = ""


@dataclass(frozen=True)
class CancelChildInstance:
    parent_element_instance_key: int


@dataclass(frozen=True)
class InstanceCompleted:
    """The whole instance completed; `variables` are its root variables (for a parent)."""

    instance_key: int
    variables: Variables
    parent_instance_key: int | None
    parent_element_instance_key: int | None


@dataclass(frozen=True)
class InstanceTerminated:
    instance_key: int
    parent_instance_key: int | None
    parent_element_instance_key: int | None


@dataclass(frozen=True)
class ErrorToParent:
    """An error the child could not catch: deliver ChildFailed to the parent instance."""

    parent_instance_key: int
    parent_element_instance_key: int
    error_code: str
    message: str
    variables: Variables


@dataclass(frozen=True)
class EscalationToParent:
    """An escalation the child did not catch: deliver ChildEscalated to the parent instance."""

    parent_instance_key: int
    parent_element_instance_key: int
    escalation_code: str


@dataclass(frozen=True)
class RaiseIncident:
    key: int
    element_instance_key: int
    element_id: str
    error_type: str
    message: str


@dataclass(frozen=True)
class ResolveIncident:
    key: int
    element_instance_key: int


Effect = (
    CreateJob
    | CancelJob
    | JobFailed
    | CreateUserTask
    | CancelUserTask
    | ScheduleTimer
    | CancelTimer
    | OpenMessageSubscription
    | CloseMessageSubscription
    | OpenSignalSubscription
    | CloseSignalSubscription
    | PublishMessage
    | BroadcastSignal
    | StartChildInstance
    | CancelChildInstance
    | InstanceCompleted
    | InstanceTerminated
    | ErrorToParent
    | EscalationToParent
    | RaiseIncident
    | ResolveIncident
)


class HistoryEvent(NamedTuple):
    """One lifecycle transition or variable change, for audit, Operate-like views and goals.

    event_type is one of ELEMENT_ACTIVATING, ELEMENT_ACTIVATED, ELEMENT_COMPLETING,
    ELEMENT_COMPLETED, ELEMENT_TERMINATING, ELEMENT_TERMINATED, SEQUENCE_FLOW_TAKEN,
    VARIABLE_CREATED, VARIABLE_UPDATED, INCIDENT_CREATED, INCIDENT_RESOLVED.

    A named tuple rather than a frozen dataclass: a command records dozens of these, and a
    tuple is built in half the time (immutable all the same).
    """

    timestamp: datetime
    instance_key: int
    element_instance_key: int
    element_id: str
    element_type: str
    event_type: str
    name: str = ""  # variable name, flow id, or incident error type
    value: Value = None  # variable value or incident message
    data: Mapping[str, Any] = _NO_DATA


@dataclass(frozen=True)
class Result:
    """The outcome of one command.

    A rejected command (stale job key, finished element, ...) carries `rejection` and nothing
    else; the caller changes nothing. Otherwise the persistence layer upserts
    `element_instances` (the final state COMPLETED/TERMINATED means the row is finished),
    writes `variables` row by row, stores or executes `effects`, appends `history`, and sets
    the instance status when `status` is not None.
    """

    element_instances: tuple[ElementInstance, ...] = ()
    variables: tuple[VariableChange, ...] = ()
    effects: tuple[Effect, ...] = ()
    history: tuple[HistoryEvent, ...] = ()
    status: InstanceStatus | None = None
    rejection: str | None = None
