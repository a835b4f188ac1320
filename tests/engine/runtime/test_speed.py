"""apply costs O(what changed): a command on a huge instance is as cheap as on a small one."""

from __future__ import annotations

import itertools
import time

from verka.engine.runtime import CompleteJob, CreateProcessInstance, InstanceState, apply
from verka.engine.runtime import results as r
from verka.engine.runtime.bench import bench_one_service_task

from .scenario import T0, model, service


def fan_out(branches: int) -> tuple[InstanceState, list[r.CreateJob]]:
    process = model(
        '<bpmn:startEvent id="s"/><bpmn:parallelGateway id="fork"/>'
        + service("t")
        + '<bpmn:endEvent id="e"/>'
        + '<bpmn:sequenceFlow id="a" sourceRef="s" targetRef="fork"/>'
        + '<bpmn:sequenceFlow id="c" sourceRef="t" targetRef="e"/>'
        + "<bpmn:serviceTask id='mi'><bpmn:extensionElements><zeebe:taskDefinition type='x'/>"
        "</bpmn:extensionElements><bpmn:multiInstanceLoopCharacteristics><bpmn:extensionElements>"
        f"<zeebe:loopCharacteristics inputCollection='=for i in 1..{branches} return i'/>"
        "</bpmn:extensionElements></bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>"
        '<bpmn:endEvent id="e2"/>'
        + '<bpmn:sequenceFlow id="b" sourceRef="fork" targetRef="t"/>'
        + '<bpmn:sequenceFlow id="d" sourceRef="fork" targetRef="mi"/>'
        + '<bpmn:sequenceFlow id="f" sourceRef="mi" targetRef="e2"/>'
    )
    keys = itertools.count(2)
    state = InstanceState.new(1, process)
    result = apply(state, CreateProcessInstance({"x": 1}), T0, keys.__next__)
    state.advance(result)
    return state, [e for e in result.effects if isinstance(e, r.CreateJob)]


def time_one_completion(branches: int) -> float:
    state, jobs = fan_out(branches)
    job = next(j for j in jobs if j.element_id == "t")
    best = float("inf")
    for _ in range(7):
        started = time.perf_counter()
        result = apply(
            state,
            CompleteJob(job.element_instance_key, {"y": 2}),
            T0,
            iter(range(10**6, 10**7)).__next__,
        )
        best = min(best, time.perf_counter() - started)
    assert {i.element_id for i in result.element_instances} == {"t", "e"}
    return best


def test_completing_a_job_does_not_depend_on_instance_size() -> None:
    small = time_one_completion(5)
    large = time_one_completion(1000)
    assert large < small * 4 + 0.002, (small, large)


def test_bench_reports_instances_per_second() -> None:
    assert bench_one_service_task(20) > 0
