"""The deterministic token machine: `apply(state, command, now, keys, decisions) -> Result`.

`apply` is pure: it reads an `InstanceState` (the process model plus the live rows of one
instance), never changes it, does no I/O and reads no clock; `now` and the key generator come
from the caller, so replaying the same commands gives the same result.

How the persistence layer uses it, per command, in one transaction:

1. Load `InstanceState.load(key, process, status, element_instances, variables)` from rows
   (or `InstanceState.new(key, process)` before `CreateProcessInstance`).
2. `result = apply(state, command, now, keys, decisions)`.
3. `result.rejection` set -> answer 409/400 with it and change nothing.
4. Otherwise write only what changed:
   - `result.element_instances`: upsert each `ElementInstance` row (key, element_id,
     element_type, flow_scope_key, state, loop_counter, data). COMPLETED/TERMINATED rows are
     finished (keep them for history or delete them).
   - `result.variables`: `VariableChange(scope_key, name, value, created, deleted)`: insert,
     update or delete exactly that (scope_key, name) row.
   - `result.effects`: store/execute each effect (see `results.py`): jobs, user tasks,
     timers, message and signal subscriptions (keyed by element_instance_key + element_id),
     published messages, broadcast signals, child instances, incidents, instance end.
   - `result.history`: append; one `HistoryEvent` per lifecycle transition, taken sequence
     flow, variable write and incident.
   - `result.status`: the new instance status when it changed.
5. In memory (tests, benchmarks) `state.advance(result)` moves the state forward in O(changes).

Events reach the instance as commands naming the subscription: `CorrelateMessage`,
`TriggerTimer`, `TriggerSignal` with the (element_instance_key, element_id) of the Open*/
ScheduleTimer effect. A broadcast signal is therefore one TriggerSignal per open signal
subscription row (the runtime never scans an instance for waiting events). Timer rows are
one-shot: the runtime emits the next ScheduleTimer of a cycle itself when one fires.

Start events with triggers (message/timer/signal) are listed at deployment by
`start_subscriptions(process, now)`; when one fires, start an instance with
`CreateProcessInstance(variables, start_at=<start event id>)`. Root-level conditional start
events (Camunda 8.9) are checked on request with `conditional_starts(process, variables, now)`.

A call activity emits `StartChildInstance`; when the child ends with `InstanceCompleted` the
caller sends `CompleteCallActivity` to the parent; `ErrorToParent` becomes `ChildFailed` and
`EscalationToParent` becomes `ChildEscalated` on the parent. Business rule tasks call the
injected `DecisionEvaluator`; the runtime never imports the DMN engine.

Values: variables are FEEL values (see verka.engine.feel.values); command variables may also be
plain JSON-like Python data (int, float, list, dict), converted on the way in. Element instance
`data` is plain JSON. Keys from the generator must grow monotonically (creation order).
Expression failures (FEEL errors, a condition that is not boolean, a bad timer) never raise:
they become `RaiseIncident` effects, and `ResolveIncident` retries the failed step.
"""

from verka.engine.runtime.commands import (
    ActivateAdHocElements,
    AdHocActivation,
    CancelProcessInstance,
    ChildEscalated,
    ChildFailed,
    Command,
    CompleteCallActivity,
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    CreateProcessInstance,
    FailJob,
    ResolveIncident,
    SetVariables,
    ThrowError,
    TriggerSignal,
    TriggerTimer,
)
from verka.engine.runtime.context import DecisionEvaluator
from verka.engine.runtime.machine import apply
from verka.engine.runtime.results import (
    Effect,
    HistoryEvent,
    Result,
    VariableChange,
)
from verka.engine.runtime.starts import (
    StartSubscription,
    conditional_starts,
    next_start_timer,
    start_subscriptions,
)
from verka.engine.runtime.state import (
    MULTI_INSTANCE_BODY,
    ElementInstance,
    ElementState,
    InstanceState,
    InstanceStatus,
)

__all__ = [
    "MULTI_INSTANCE_BODY",
    "ActivateAdHocElements",
    "AdHocActivation",
    "CancelProcessInstance",
    "ChildEscalated",
    "ChildFailed",
    "Command",
    "CompleteCallActivity",
    "CompleteJob",
    "CompleteUserTask",
    "CorrelateMessage",
    "CreateProcessInstance",
    "DecisionEvaluator",
    "Effect",
    "ElementInstance",
    "ElementState",
    "FailJob",
    "HistoryEvent",
    "InstanceState",
    "InstanceStatus",
    "ResolveIncident",
    "Result",
    "SetVariables",
    "StartSubscription",
    "ThrowError",
    "TriggerSignal",
    "TriggerTimer",
    "VariableChange",
    "apply",
    "conditional_starts",
    "next_start_timer",
    "start_subscriptions",
]
