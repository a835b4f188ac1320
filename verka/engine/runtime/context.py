"""One command's working set: reads fall through to the state, writes are recorded as changes.

The input `InstanceState` is never mutated; everything `apply` changes lives here and becomes
the `Result`. Every read and write costs O(1) or O(size of one scope), never O(instance).
"""

from __future__ import annotations

from collections import ChainMap, deque
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, Protocol

from verka.engine.bpmn.model import Element, Process
from verka.engine.feel.builtins import clock_functions
from verka.engine.runtime.results import (
    Effect,
    HistoryEvent,
    RaiseIncident,
    Result,
    VariableChange,
)
from verka.engine.runtime.state import (
    ElementInstance,
    ElementState,
    InstanceState,
    InstanceStatus,
    Value,
)


class DecisionEvaluator(Protocol):
    """Evaluates a deployed DMN decision; injected so that the runtime never imports DMN."""

    def evaluate(self, decision_id: str, variables: Mapping[str, Value]) -> Value: ...


class _Deleted:
    """Marks a variable removed within this command."""


_DELETED = _Deleted()

_FINAL = frozenset({ElementState.COMPLETED, ElementState.TERMINATED})

_LIFECYCLE_EVENTS = {
    ElementState.ACTIVATING: "ELEMENT_ACTIVATING",
    ElementState.ACTIVE: "ELEMENT_ACTIVATED",
    ElementState.COMPLETING: "ELEMENT_COMPLETING",
    ElementState.COMPLETED: "ELEMENT_COMPLETED",
    ElementState.TERMINATING: "ELEMENT_TERMINATING",
    ElementState.TERMINATED: "ELEMENT_TERMINATED",
}

#: a queued step: (what, element instance key)
Step = tuple[str, int]


class Tx:
    def __init__(
        self,
        state: InstanceState,
        now: datetime,
        keys: Callable[[], int],
        decisions: DecisionEvaluator | None,
    ) -> None:
        self.state = state
        self.process: Process = state.process
        self.now = now
        self.keys = keys
        self.decisions = decisions
        self.instances: dict[int, ElementInstance] = {}
        # children index changes (new keys never collide with the state's live keys)
        self.child_added: dict[int, set[int]] = {}
        self.child_removed: dict[int, set[int]] = {}
        self.vars: dict[int, dict[str, Value | _Deleted]] = {}
        self.changes: dict[tuple[int, str], VariableChange] = {}
        self.effects: list[Effect] = []
        self.history: list[HistoryEvent] = []
        self.queue: deque[Step] = deque()
        self.status: InstanceStatus | None = None
        self.conditions_dirty = False  # set when variables change or a condition starts waiting
        self._clock: dict[str, Value] | None = None

    # --- element instances --------------------------------------------------------------------

    def get(self, key: int | None) -> ElementInstance | None:
        if key is None:
            return None
        found = self.instances.get(key)
        return found if found is not None else self.state.element_instances.get(key)

    def live(self, key: int | None) -> ElementInstance | None:
        instance = self.get(key)
        return instance if instance is not None and not instance.state.is_final else None

    def element(self, instance: ElementInstance) -> Element:
        return self.process.elements[instance.element_id]

    def is_root(self, instance: ElementInstance) -> bool:
        return instance.flow_scope_key is None

    def root(self) -> ElementInstance:
        root = self.get(self.state.key)
        assert root is not None, "process instance not created"
        return root

    def children(self, scope_key: int) -> list[ElementInstance]:
        """Live children in creation order (keys grow monotonically). O(children)."""
        keys = set(self.state.children.get(scope_key, ()))
        keys |= self.child_added.get(scope_key, set())
        keys -= self.child_removed.get(scope_key, set())
        result = []
        for key in sorted(keys):
            child = self.live(key)
            if child is not None:
                result.append(child)
        return result

    def child_count(self, scope_key: int) -> int:
        """How many live children a scope has, in O(1) whatever the scope's size."""
        return (
            len(self.state.children.get(scope_key, ()))
            + len(self.child_added.get(scope_key, ()))
            - len(self.child_removed.get(scope_key, ()))
        )

    def create(
        self,
        element_id: str,
        element_type: str,
        scope_key: int | None,
        *,
        key: int | None = None,
        loop_counter: int = 0,
        data: Mapping[str, Any] | None = None,
    ) -> ElementInstance:
        instance = ElementInstance(
            key=self.keys() if key is None else key,
            element_id=element_id,
            element_type=element_type,
            flow_scope_key=scope_key,
            state=ElementState.ACTIVATING,
            loop_counter=loop_counter,
            data=dict(data or {}),
        )
        self.instances[instance.key] = instance
        if scope_key is not None:
            self.child_added.setdefault(scope_key, set()).add(instance.key)
        self.record(instance, "ELEMENT_ACTIVATING")
        return instance

    def save(self, instance: ElementInstance) -> ElementInstance:
        self.instances[instance.key] = instance
        return instance

    def with_data(self, instance: ElementInstance, **changes: Any) -> ElementInstance:
        """Store `instance` with some data entries replaced (None removes an entry)."""
        current = self.get(instance.key) or instance
        data = dict(current.data)
        for name, value in changes.items():
            if value is None:
                data.pop(name, None)
            else:
                data[name] = value
        return self.save(current.replace(data=data))

    def transition(self, instance: ElementInstance, state: ElementState) -> ElementInstance:
        current = self.get(instance.key) or instance
        updated = self.save(current.replace(state=state))
        self.record(updated, _LIFECYCLE_EVENTS[state])
        if state.is_final:
            scope_key = updated.flow_scope_key
            if scope_key is not None and current.state not in _FINAL:
                self.child_removed.setdefault(scope_key, set()).add(updated.key)
            if not self.is_root(updated):
                self.drop_scope_variables(updated.key)
        return updated

    # --- variables -----------------------------------------------------------------------------

    def local(self, scope_key: int) -> dict[str, Value]:
        """The variables defined directly in one scope (a copy)."""
        merged = dict(self.state.variables.get(scope_key, {}))
        for name, value in self.vars.get(scope_key, {}).items():
            if isinstance(value, _Deleted):
                merged.pop(name, None)
            else:
                merged[name] = value
        return merged

    def has_local(self, scope_key: int, name: str) -> bool:
        overlay = self.vars.get(scope_key)
        if overlay is not None and name in overlay:
            return not isinstance(overlay[name], _Deleted)
        return name in self.state.variables.get(scope_key, {})

    def get_local(self, scope_key: int, name: str) -> Value:
        overlay = self.vars.get(scope_key)
        if overlay is not None and name in overlay:
            value = overlay[name]
            return None if isinstance(value, _Deleted) else value
        return self.state.variables.get(scope_key, {}).get(name)

    def set_local(self, scope_key: int, name: str, value: Value) -> None:
        existed = self.has_local(scope_key, name)
        if (
            existed
            and self.get_local(scope_key, name) == value
            and type(self.get_local(scope_key, name)) is type(value)
        ):
            return
        self.vars.setdefault(scope_key, {})[name] = value
        previous = self.changes.get((scope_key, name))
        created = not existed or (previous is not None and previous.created)
        self.changes[(scope_key, name)] = VariableChange(scope_key, name, value, created=created)
        self.conditions_dirty = True
        scope = self.get(scope_key)
        self.history.append(
            HistoryEvent(
                timestamp=self.now,
                instance_key=self.state.key,
                element_instance_key=scope_key,
                element_id=scope.element_id if scope else "",
                element_type=scope.element_type if scope else "",
                event_type="VARIABLE_CREATED" if not existed else "VARIABLE_UPDATED",
                name=name,
                value=value,
            )
        )

    def drop_scope_variables(self, scope_key: int) -> None:
        for name in self.local(scope_key):
            self.vars.setdefault(scope_key, {})[name] = _DELETED
            previous = self.changes.pop((scope_key, name), None)
            if previous is not None and previous.created:
                continue  # created and gone within this command: no row to touch
            self.changes[(scope_key, name)] = VariableChange(scope_key, name, deleted=True)

    def scope_chain(self, scope_key: int | None) -> list[int]:
        chain: list[int] = []
        current = self.get(scope_key)
        while current is not None:
            chain.append(current.key)
            current = self.get(current.flow_scope_key)
        return chain

    def visible(self, scope_key: int | None) -> dict[str, Value]:
        """All variables visible from a scope, inner scopes shadowing outer ones."""
        merged: dict[str, Value] = {}
        for key in reversed(self.scope_chain(scope_key)):
            merged.update(self.local(key))
        return merged

    def context(
        self, scope_key: int | None, extra: dict[str, Value] | None = None
    ) -> Mapping[str, Value]:
        """What expressions evaluated in a scope see: `extra`, its visible variables, and
        `now()` / `today()` answering from the command's time."""
        if self._clock is None:
            self._clock = dict(clock_functions(self.now))
        maps: list[dict[str, Value]] = [extra] if extra else []
        maps.extend(self.local(k) for k in self.scope_chain(scope_key))
        maps.append(self._clock)
        return ChainMap(*maps)

    def propagate(self, scope_key: int | None, variables: Mapping[str, Value]) -> None:
        """Zeebe's variable propagation: update the nearest scope that defines the name, from
        `scope_key` upwards; names no scope defines are created at the process instance."""
        chain = self.scope_chain(scope_key)
        for name, value in variables.items():
            target = next((k for k in chain if self.has_local(k, name)), self.state.key)
            self.set_local(target, name, value)

    # --- output ----------------------------------------------------------------------------------

    def record(
        self,
        instance: ElementInstance,
        event_type: str,
        name: str = "",
        value: Value = None,
    ) -> None:
        self.history.append(
            HistoryEvent(
                timestamp=self.now,
                instance_key=self.state.key,
                element_instance_key=instance.key,
                element_id=instance.element_id,
                element_type=instance.element_type,
                event_type=event_type,
                name=name,
                value=value,
            )
        )

    def emit(self, effect: Effect) -> None:
        self.effects.append(effect)

    def incident(
        self, instance: ElementInstance, phase: str, error_type: str, message: str
    ) -> None:
        """Stop this token with an incident; ResolveIncident retries `phase`."""
        key = self.keys()
        self.with_data(instance, incident={"key": key, "phase": phase, "type": error_type})
        self.emit(RaiseIncident(key, instance.key, instance.element_id, error_type, message))
        self.record(instance, "INCIDENT_CREATED", error_type, message)

    def result(self) -> Result:
        return Result(
            element_instances=tuple(self.instances.values()),
            variables=tuple(self.changes.values()),
            effects=tuple(self.effects),
            history=tuple(self.history),
            status=self.status,
        )
