"""Deployed models, parsed once: processes, decisions and forms by id and version."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from verka.engine.bpmn import Definitions, Process, parse_bpmn

from .models import DecisionDefinition, FormDefinition, ProcessDefinition, Resource


class DeploymentMissing(LookupError):
    """No deployed process, decision or form has that id (or version)."""


_lock = threading.Lock()


# Cached by (row id, content checksum): ids can be reused (a rolled-back test, a restored
# database), the checksum makes sure a cached model is the content it claims to be.
@lru_cache(maxsize=512)
def _definitions(resource_id: int, checksum: str) -> Definitions:
    resource = Resource.objects.get(pk=resource_id)
    return parse_bpmn(resource.content.encode(), resource.name)


def process_model(definition: ProcessDefinition) -> Process:
    return process_model_of(definition.resource_id, definition.checksum, definition.bpmn_process_id)


def process_model_of(resource_id: int, checksum: str, bpmn_process_id: str) -> Process:
    # Deployed resources never change, so a parsed model is valid for the life of the process.
    with _lock:
        definitions = _definitions(resource_id, checksum)
    return definitions.processes[bpmn_process_id]


def latest_process(bpmn_process_id: str, version: int | None = None) -> ProcessDefinition:
    query = ProcessDefinition.objects.filter(bpmn_process_id=bpmn_process_id)
    if version is not None:
        query = query.filter(version=version)
    definition = query.order_by("-version").first()
    if definition is None:
        suffix = f" version {version}" if version is not None else ""
        raise DeploymentMissing(f"no process '{bpmn_process_id}'{suffix} is deployed")
    return definition


@lru_cache(maxsize=256)
def _decision_model(resource_id: int, checksum: str) -> Any:
    from verka.engine.dmn import load_models

    resource = Resource.objects.get(pk=resource_id)
    return load_models(resource.content.encode())


def latest_decision(decision_id: str) -> DecisionDefinition:
    definition = (
        DecisionDefinition.objects.filter(decision_id=decision_id).order_by("-version").first()
    )
    if definition is None:
        raise DeploymentMissing(f"no decision '{decision_id}' is deployed")
    return definition


def decision_model(definition: DecisionDefinition) -> Any:
    with _lock:
        return _decision_model(definition.resource_id, definition.checksum)


def latest_form(form_id: str) -> FormDefinition:
    definition = FormDefinition.objects.filter(form_id=form_id).order_by("-version").first()
    if definition is None:
        raise DeploymentMissing(f"no form '{form_id}' is deployed")
    return definition


class DeployedDecisions:
    """The runtime's DecisionEvaluator: business rule tasks call the latest deployed decision."""

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        from verka.engine.dmn import evaluate_decision

        definition = latest_decision(decision_id)
        result = evaluate_decision(decision_model(definition), decision_id, variables)
        if result.messages and result.value is None:
            raise ValueError("; ".join(result.messages))
        return result.value


def clear_caches() -> None:
    _definitions.cache_clear()
    _decision_model.cache_clear()
