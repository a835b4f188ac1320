"""Helpers that drive the demo processes through the process engine's services."""

from __future__ import annotations

from typing import Any

from verka.demo.models import resources
from verka.processes import codec, services
from verka.processes.models import ElementInstance, ProcessInstance, UserTask, Variable


def deploy_demo() -> services.DeploymentResult:
    return services.deploy(resources())


def plain(instance_key: int) -> dict[str, Any]:
    """Variables as JSON would show them (dates as text, numbers as int where whole)."""
    import json

    rows = Variable.objects.filter(process_instance_id=instance_key, scope_key=instance_key)
    return {
        row.name: json.loads(codec.to_json_text(codec.from_json_text(row.value), plain=True))
        for row in rows
    }


def status(instance_key: int) -> str:
    return ProcessInstance.objects.get(key=instance_key).status


def open_task(instance_key: int, element_id: str) -> UserTask:
    return UserTask.objects.get(
        process_instance_id=instance_key, element_id=element_id, state=UserTask.State.CREATED
    )


def complete_task(instance_key: int, element_id: str, values: dict[str, Any]) -> UserTask:
    task = open_task(instance_key, element_id)
    services.complete_user_task(task.key, values)
    return task


def work(job_type: str, values: dict[str, Any] | None = None) -> services.ActivatedJob:
    jobs = services.activate_jobs(job_type, "demo-test")
    assert len(jobs) == 1, [(j.type, j.element_id) for j in jobs]
    services.complete_job(jobs[0].key, values or {})
    return jobs[0]


def active_elements(instance_key: int) -> list[str]:
    return sorted(
        ElementInstance.objects.filter(process_instance_id=instance_key, state="ACTIVE")
        .exclude(element_id=ProcessInstance.objects.get(key=instance_key).bpmn_process_id)
        .values_list("element_id", flat=True)
    )
