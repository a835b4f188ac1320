"""Helpers that drive the demo processes through the process engine's services."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from verka.processes import codec, services
from verka.processes.models import ElementInstance, ProcessInstance, UserTask, Variable

MODELS = Path(__file__).parents[2] / "verka" / "demo" / "models"
DEPLOYABLE = (".bpmn", ".dmn", ".form")


def deployable_files() -> list[Path]:
    return sorted(p for p in MODELS.iterdir() if p.suffix in DEPLOYABLE)


def deploy_demo() -> services.DeploymentResult:
    return services.deploy([(p.name, p.read_bytes()) for p in deployable_files()])


def variables(instance_key: int) -> dict[str, Any]:
    rows = Variable.objects.filter(process_instance_id=instance_key, scope_key=instance_key)
    return {row.name: codec.from_json_text(row.value) for row in rows}


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


def completed_elements(instance_key: int) -> list[str]:
    from verka.processes.models import HistoryEvent

    return list(
        HistoryEvent.objects.filter(
            process_instance_key=instance_key, event_type="ELEMENT_COMPLETED"
        )
        .order_by("id")
        .values_list("element_id", flat=True)
    )
