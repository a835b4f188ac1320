"""Process definitions, deployments, process instances and incidents.

Reading follows the processes a caller reaches (callers.readable_processes); starting, cancelling,
changing variables and resolving incidents are the digitalisation team's and granted service
accounts' (callers.changeable_processes); so are incidents, which officers never see on the web.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from verka.processes.models import Incident, ProcessDefinition, ProcessInstance

from .callers import changeable_processes, may, readable_processes


def definitions_for(user: Any) -> QuerySet[ProcessDefinition]:
    return readable_processes(user).filter(ProcessDefinition.objects.all(), "bpmn_process_id")


def may_deploy(user: Any) -> bool:
    return may(user, "deploy")


def instances_for(user: Any) -> QuerySet[ProcessInstance]:
    """Every process instance (case) the user may read."""
    return readable_processes(user).filter(ProcessInstance.objects.all(), "bpmn_process_id")


def may_see_instance(user: Any, instance: ProcessInstance) -> bool:
    return instance.bpmn_process_id in readable_processes(user)


def instance_for(user: Any, instance_key: int) -> ProcessInstance | None:
    """The instance with this key if the user may read it, else None (the caller answers 404)."""
    instance = ProcessInstance.objects.select_related("definition").filter(key=instance_key).first()
    if instance is None or not may_see_instance(user, instance):
        return None
    return instance


def may_start(user: Any, bpmn_process_id: str) -> bool:
    return bpmn_process_id in changeable_processes(user)


def may_change_instance(user: Any, instance: ProcessInstance) -> bool:
    """Cancel it or set its variables (Operations on the web)."""
    return instance.bpmn_process_id in changeable_processes(user)


def incidents_for(user: Any) -> QuerySet[Incident]:
    return changeable_processes(user).filter(Incident.objects.all(), "bpmn_process_id")


def incident_for(user: Any, incident_key: int) -> Incident | None:
    return incidents_for(user).filter(key=incident_key).first()
