"""Micro-benchmark of the token machine: start -> service task -> exclusive gateway -> end."""

from __future__ import annotations

import itertools
import time
from datetime import UTC, datetime
from decimal import Decimal

from verka.engine.bpmn import Process, parse_bpmn
from verka.engine.runtime.commands import CompleteJob, CreateProcessInstance
from verka.engine.runtime.machine import apply
from verka.engine.runtime.results import CreateJob
from verka.engine.runtime.state import InstanceState, InstanceStatus

_MODEL = b"""<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
  xmlns:zeebe="http://camunda.org/schema/zeebe/1.0" id="bench" targetNamespace="verka">
  <bpmn:process id="bench" isExecutable="true">
    <bpmn:startEvent id="start"/>
    <bpmn:serviceTask id="work">
      <bpmn:extensionElements><zeebe:taskDefinition type="work"/></bpmn:extensionElements>
    </bpmn:serviceTask>
    <bpmn:exclusiveGateway id="check" default="to_other"/>
    <bpmn:endEvent id="done"/>
    <bpmn:endEvent id="other"/>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work"/>
    <bpmn:sequenceFlow id="f2" sourceRef="work" targetRef="check"/>
    <bpmn:sequenceFlow id="to_done" sourceRef="check" targetRef="done">
      <bpmn:conditionExpression>=amount &gt; 100</bpmn:conditionExpression>
    </bpmn:sequenceFlow>
    <bpmn:sequenceFlow id="to_other" sourceRef="check" targetRef="other"/>
  </bpmn:process>
</bpmn:definitions>
"""


def bench_process() -> Process:
    return parse_bpmn(_MODEL, "bench.bpmn").processes["bench"]


def bench_one_service_task(n: int) -> float:
    """Run n instances to completion in memory; returns instances per second."""
    process = bench_process()
    counter = itertools.count(1)
    now = datetime(2026, 1, 1, tzinfo=UTC)
    started = time.perf_counter()
    for _ in range(n):
        state = InstanceState.new(next(counter), process)
        result = apply(
            state, CreateProcessInstance({"amount": Decimal(150)}), now, counter.__next__
        )
        state.advance(result)
        job = next(e for e in result.effects if isinstance(e, CreateJob))
        result = apply(
            state,
            CompleteJob(job.element_instance_key, {"ok": True}, job.key),
            now,
            counter.__next__,
        )
        state.advance(result)
        assert state.status is InstanceStatus.COMPLETED
    elapsed = time.perf_counter() - started
    return n / elapsed if elapsed > 0 else float("inf")


if __name__ == "__main__":  # pragma: no cover - manual benchmark
    print(f"{bench_one_service_task(2000):.0f} instances/s")
