"""Commands: everything that can happen to a running process instance, as plain data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from verka.engine.runtime.state import Value

Variables = Mapping[str, Value]


@dataclass(frozen=True)
class CreateProcessInstance:
    """Start the instance; `start_at` names a start event (message/timer/signal) or any element."""

    variables: Variables = field(default_factory=dict)
    start_at: str = ""


@dataclass(frozen=True)
class AdHocActivation:
    """One inner element of an ad-hoc subprocess to start, with its own local variables."""

    element_id: str
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class CompleteJob:
    """A job worker finished. For an ad-hoc subprocess's job (e.g. an AI agent) the result
    also says which inner elements to activate and whether the subprocess is done."""

    element_instance_key: int
    variables: Variables = field(default_factory=dict)
    job_key: int | None = None  # when given, must match the open job (stale workers are rejected)
    activate_elements: tuple[AdHocActivation | str, ...] = ()
    completion_condition_fulfilled: bool = False
    cancel_remaining_instances: bool = False


@dataclass(frozen=True)
class FailJob:
    element_instance_key: int
    retries: int
    message: str = ""
    backoff: timedelta | None = None
    variables: Variables = field(default_factory=dict)
    job_key: int | None = None


@dataclass(frozen=True)
class ThrowError:
    """A BPMN error thrown by a job worker (or, with a call activity key, by a child instance)."""

    element_instance_key: int
    error_code: str
    message: str = ""
    variables: Variables = field(default_factory=dict)
    job_key: int | None = None


@dataclass(frozen=True)
class CompleteUserTask:
    element_instance_key: int
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class CorrelateMessage:
    """A message matched an open subscription (see OpenMessageSubscription)."""

    element_instance_key: int
    element_id: str
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class TriggerTimer:
    element_instance_key: int
    element_id: str


@dataclass(frozen=True)
class TriggerSignal:
    """A broadcast signal reached an open subscription (see OpenSignalSubscription)."""

    element_instance_key: int
    element_id: str
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class CancelProcessInstance:
    pass


@dataclass(frozen=True)
class ResolveIncident:
    """Retry what failed at this element instance; `retries` renews a job's retries."""

    element_instance_key: int
    retries: int | None = None


@dataclass(frozen=True)
class SetVariables:
    scope_key: int
    variables: Variables
    local: bool = False


@dataclass(frozen=True)
class CompleteCallActivity:
    """The child instance of this call activity completed with these (root scope) variables."""

    element_instance_key: int
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class ChildFailed:
    """The child instance threw an error it did not catch itself."""

    element_instance_key: int
    error_code: str
    message: str = ""
    variables: Variables = field(default_factory=dict)


@dataclass(frozen=True)
class ActivateAdHocElements:
    """Start inner elements of an active ad-hoc subprocess (Camunda's activation API)."""

    element_instance_key: int
    element_ids: tuple[AdHocActivation | str, ...]
    cancel_remaining_instances: bool = False


@dataclass(frozen=True)
class ChildEscalated:
    """The child instance threw an escalation it did not catch itself."""

    element_instance_key: int
    escalation_code: str


Command = (
    CreateProcessInstance
    | CompleteJob
    | FailJob
    | ThrowError
    | CompleteUserTask
    | CorrelateMessage
    | TriggerTimer
    | TriggerSignal
    | CancelProcessInstance
    | ResolveIncident
    | SetVariables
    | CompleteCallActivity
    | ChildFailed
    | ChildEscalated
    | ActivateAdHocElements
)
