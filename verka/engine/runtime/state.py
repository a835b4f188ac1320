"""The live state of one process instance, shaped as the rows the persistence layer stores."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, NamedTuple

from verka.engine.bpmn.model import Process

if TYPE_CHECKING:
    from verka.engine.runtime.results import Result

#: A FEEL value: Decimal, str, bool, None, dict, list, date/time/duration objects.
Value = Any


class ElementState(StrEnum):
    ACTIVATING = "ACTIVATING"
    ACTIVE = "ACTIVE"
    COMPLETING = "COMPLETING"
    COMPLETED = "COMPLETED"
    TERMINATING = "TERMINATING"
    TERMINATED = "TERMINATED"

    @property
    def is_final(self) -> bool:
        return self in _FINAL_STATES


_FINAL_STATES = frozenset({ElementState.COMPLETED, ElementState.TERMINATED})


class InstanceStatus(StrEnum):
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    TERMINATED = "TERMINATED"


_NO_DATA: Mapping[str, Any] = MappingProxyType({})

#: element_type of the container that holds the inner instances of a multi-instance activity
MULTI_INSTANCE_BODY = "multiInstanceBody"


class ElementInstance(NamedTuple):
    """One token (or scope) at one element: one row.

    `data` holds small per-kind facts as plain JSON values (str, int, bool, list, dict; never
    FEEL numbers or dates, so json.dumps/json.loads round-trips it), e.g. the job key of a
    service task, the arrived flows of joins in a scope ("joins"), multi-instance counters, or
    an open incident ("incident": {"key", "phase", "type"}). It is replaced, never mutated.

    A named tuple rather than a frozen dataclass: every lifecycle step makes a new one, and a
    tuple is built in a fraction of the time.
    """

    key: int
    element_id: str
    element_type: str
    flow_scope_key: int | None
    state: ElementState
    loop_counter: int = 0
    data: Mapping[str, Any] = _NO_DATA

    @property
    def is_body(self) -> bool:
        return self.element_type == MULTI_INSTANCE_BODY

    def replace(
        self, state: ElementState | None = None, data: Mapping[str, Any] | None = None
    ) -> ElementInstance:
        """A copy with a new state and/or data (cheaper than dataclasses.replace)."""
        return ElementInstance(
            self.key,
            self.element_id,
            self.element_type,
            self.flow_scope_key,
            self.state if state is None else state,
            self.loop_counter,
            self.data if data is None else data,
        )


@dataclass
class InstanceState:
    """Everything `apply` reads: the process model and the live rows of one instance.

    Only live element instances are kept (finished ones are reported in `Result` and then
    dropped). `variables` maps a scope key (an element instance key; the process instance key
    for the root scope) to that scope's variables. `children` indexes live element instances
    by flow scope so that scope checks cost O(children), not O(instance).
    """

    key: int
    process: Process
    status: InstanceStatus = InstanceStatus.ACTIVE
    element_instances: dict[int, ElementInstance] = field(default_factory=dict)
    variables: dict[int, dict[str, Value]] = field(default_factory=dict)
    children: dict[int, set[int]] = field(default_factory=dict)
    #: set for instances started by a call activity
    parent_instance_key: int | None = None
    parent_element_instance_key: int | None = None

    @classmethod
    def new(
        cls,
        key: int,
        process: Process,
        parent_instance_key: int | None = None,
        parent_element_instance_key: int | None = None,
    ) -> InstanceState:
        return cls(
            key=key,
            process=process,
            parent_instance_key=parent_instance_key,
            parent_element_instance_key=parent_element_instance_key,
        )

    @classmethod
    def load(
        cls,
        key: int,
        process: Process,
        status: InstanceStatus,
        element_instances: list[ElementInstance],
        variables: Mapping[tuple[int, str], Value],
        parent_instance_key: int | None = None,
        parent_element_instance_key: int | None = None,
    ) -> InstanceState:
        """Rebuild the state from stored rows (the persistence layer's entry point)."""
        state = cls.new(key, process, parent_instance_key, parent_element_instance_key)
        state.status = status
        for instance in element_instances:
            if not instance.state.is_final:
                state._index(instance)
        for (scope, name), value in variables.items():
            state.variables.setdefault(scope, {})[name] = value
        return state

    def _index(self, instance: ElementInstance) -> None:
        self.element_instances[instance.key] = instance
        if instance.flow_scope_key is not None:
            self.children.setdefault(instance.flow_scope_key, set()).add(instance.key)

    def _drop(self, instance: ElementInstance) -> None:
        self.element_instances.pop(instance.key, None)
        if instance.flow_scope_key is not None:
            # the root scope's variables stay readable after the instance ended
            self.variables.pop(instance.key, None)
        if instance.flow_scope_key is not None:
            siblings = self.children.get(instance.flow_scope_key)
            if siblings is not None:
                siblings.discard(instance.key)
                if not siblings:
                    del self.children[instance.flow_scope_key]
        self.children.pop(instance.key, None)

    def advance(self, result: Result) -> None:
        """Move this state forward by a result of `apply` in O(changes) (mutates in place)."""
        if result.rejection is not None:
            return
        for change in result.variables:
            if change.deleted:
                scope = self.variables.get(change.scope_key)
                if scope is not None:
                    scope.pop(change.name, None)
            else:
                self.variables.setdefault(change.scope_key, {})[change.name] = change.value
        for instance in result.element_instances:
            if instance.state.is_final:
                self._drop(instance)
            else:
                self._index(instance)
        if result.status is not None:
            self.status = result.status
