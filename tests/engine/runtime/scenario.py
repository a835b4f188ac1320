"""Test harness: build a process from BPMN text and drive an in-memory instance with commands."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from verka.engine.bpmn import Process, parse_bpmn
from verka.engine.runtime import (
    CompleteJob,
    CompleteUserTask,
    CorrelateMessage,
    CreateProcessInstance,
    ElementState,
    InstanceState,
    Result,
    TriggerSignal,
    TriggerTimer,
    apply,
)
from verka.engine.runtime import results as r

HEAD = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0"
  xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
  id="Definitions_1" targetNamespace="http://bpmn.io/schema/bpmn">
"""

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def definitions_xml(body: str, roots: str = "", process_id: str = "p") -> bytes:
    return (
        HEAD
        + roots
        + f'<bpmn:process id="{process_id}" isExecutable="true">'
        + body
        + "</bpmn:process></bpmn:definitions>"
    ).encode()


def model(body: str, roots: str = "", process_id: str = "p") -> Process:
    return parse_bpmn(definitions_xml(body, roots, process_id), "test.bpmn").processes[process_id]


def D(value: int | str) -> Decimal:
    return Decimal(value)


def flows(*pairs: str) -> str:
    """'a>b' pairs as sequence flows with generated ids f_a_b."""
    out = []
    for pair in pairs:
        source, target = pair.split(">")
        out.append(
            f'<bpmn:sequenceFlow id="f_{source}_{target}" sourceRef="{source}" targetRef="{target}"/>'
        )
    return "".join(out)


def service(element_id: str, job_type: str = "work", extra: str = "", inner: str = "") -> str:
    return (
        f'<bpmn:serviceTask id="{element_id}"{extra}><bpmn:extensionElements>'
        f'<zeebe:taskDefinition type="{job_type}"/>{inner}</bpmn:extensionElements>'
        "</bpmn:serviceTask>"
    )


class Run:
    """One in-memory process instance and everything it emitted."""

    def __init__(self, process: Process, decisions: Any = None, key: int = 1) -> None:
        self.process = process
        self.state = InstanceState.new(key, process)
        self.counter = itertools.count(100)
        self.now = T0
        self.decisions = decisions
        self.results: list[Result] = []
        self.effects: list[Any] = []
        self.history: list[r.HistoryEvent] = []

    def keys(self) -> int:
        return next(self.counter)

    def do(self, command: Any) -> Result:
        result = apply(self.state, command, self.now, self.keys, self.decisions)
        for instance in result.element_instances:
            # the persistence layer stores `data` with plain json: it must round-trip exactly
            assert json.loads(json.dumps(instance.data)) == instance.data, instance.data
        self.results.append(result)
        if result.rejection is None:
            self.state.advance(result)
            self.effects.extend(result.effects)
            self.history.extend(result.history)
        return result

    def start(self, **variables: Any) -> Result:
        return self.do(CreateProcessInstance(variables))

    def tick(self, **kwargs: Any) -> None:
        self.now += timedelta(**kwargs)

    # --- lookups ---

    def live(self, element_id: str) -> list[Any]:
        return sorted(
            (i for i in self.state.element_instances.values() if i.element_id == element_id),
            key=lambda i: i.key,
        )

    def one(self, element_id: str) -> Any:
        found = [i for i in self.live(element_id) if not i.is_body]
        assert len(found) == 1, f"expected one active '{element_id}', found {found}"
        return found[0]

    def active_ids(self) -> list[str]:
        """Active leaf elements (not the process, subprocesses or multi-instance bodies)."""
        return sorted(
            i.element_id
            for i in self.state.element_instances.values()
            if i.state is ElementState.ACTIVE
            and i.flow_scope_key is not None
            and not i.is_body
            and i.element_type not in ("subProcess", "adHocSubProcess")
        )

    def variables(self, scope: int | None = None) -> dict[str, Any]:
        return dict(self.state.variables.get(self.state.key if scope is None else scope, {}))

    def of(self, kind: type) -> list[Any]:
        return [e for e in self.effects if isinstance(e, kind)]

    def open_jobs(self) -> list[r.CreateJob]:
        done = {e.key for e in self.of(r.CancelJob)}
        finished = {
            i.key for res in self.results for i in res.element_instances if i.state.is_final
        }
        return [
            j
            for j in self.of(r.CreateJob)
            if j.key not in done and j.element_instance_key not in finished
        ]

    def job(self, element_id: str) -> r.CreateJob:
        found = [j for j in self.open_jobs() if j.element_id == element_id]
        assert found, (
            f"no open job for '{element_id}'; open: {[j.element_id for j in self.open_jobs()]}"
        )
        return found[-1]

    def complete(self, element_id: str, **variables: Any) -> Result:
        job = self.job(element_id)
        return self.do(CompleteJob(job.element_instance_key, variables, job_key=job.key))

    def complete_task(self, element_id: str, **variables: Any) -> Result:
        return self.do(CompleteUserTask(self.one(element_id).key, variables))

    def message(self, element_id: str, **variables: Any) -> Result:
        sub = [s for s in self.of(r.OpenMessageSubscription) if s.element_id == element_id][-1]
        return self.do(CorrelateMessage(sub.element_instance_key, element_id, variables))

    def timer(self, element_id: str) -> Result:
        timer = [t for t in self.of(r.ScheduleTimer) if t.element_id == element_id][-1]
        self.now = max(self.now, timer.due)
        return self.do(TriggerTimer(timer.element_instance_key, element_id))

    def signal(self, element_id: str, **variables: Any) -> Result:
        sub = [s for s in self.of(r.OpenSignalSubscription) if s.element_id == element_id][-1]
        return self.do(TriggerSignal(sub.element_instance_key, element_id, variables))

    def completed_ids(self) -> list[str]:
        return [h.element_id for h in self.history if h.event_type == "ELEMENT_COMPLETED"]

    def incidents(self) -> list[r.RaiseIncident]:
        return self.of(r.RaiseIncident)

    @property
    def status(self) -> str:
        return self.state.status.value


def vars_of(job: r.CreateJob) -> Mapping[str, Any]:
    return job.variables
