"""Deployed models, parsed once: processes, decisions and forms by id and version."""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from functools import lru_cache
from typing import Any

from django.db import DEFAULT_DB_ALIAS

from verka.engine.bpmn import Definitions, Process, parse_bpmn

from . import rows
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


def _latest(query: Any, test: bool) -> Any:
    """The newest live definition; for test use (`test`) the newest test one, else the live.

    Test definitions come from the studio and CPT runs. They share the version sequence with
    live ones, so "the newest" must never be taken across both: trying a model would otherwise
    put it in front of every citizen."""
    if test:
        found = query.filter(is_test=True).order_by("-version").first()
        if found is not None:
            return found
    return query.filter(is_test=False).order_by("-version").first()


_LATEST_FIELDS = [
    "id",
    "bpmn_process_id",
    "name",
    "version",
    "resource_id",
    "checksum",
    "is_test",
    "version_tag",
]
_LATEST_PROCESS = (
    f"SELECT {', '.join(_LATEST_FIELDS)} FROM processes_processdefinition"
    " WHERE bpmn_process_id = %s AND is_test = %s ORDER BY version DESC LIMIT 1"
)


def latest_process(
    bpmn_process_id: str, version: int | None = None, *, test: bool = False
) -> ProcessDefinition:
    if version is None:
        # Every start asks this: one fixed statement instead of an ORM query built each time.
        found = rows.fetch_one(_LATEST_PROCESS, [bpmn_process_id, test])
        if found is not None:
            return ProcessDefinition.from_db(DEFAULT_DB_ALIAS, _LATEST_FIELDS, found)
    query = ProcessDefinition.objects.filter(bpmn_process_id=bpmn_process_id)
    if version is not None:
        definition = query.filter(version=version).first()
    elif test:
        # A test start needs a test version: falling back to the live one would make a case
        # that counts in the indicators.
        definition = query.filter(is_test=True).order_by("-version").first()
    else:
        definition = _latest(query, test=False)
    if definition is None:
        if test and version is None and query.exists():
            raise DeploymentMissing(f"process '{bpmn_process_id}' has no test version deployed")
        suffix = f" version {version}" if version is not None else ""
        raise DeploymentMissing(f"no process '{bpmn_process_id}'{suffix} is deployed")
    return definition  # type: ignore[no-any-return]


def called_process(
    bpmn_process_id: str, binding_type: str, version_tag: str, *, parent_definition_id: int
) -> ProcessDefinition:
    """The version a call activity starts (Camunda's bindingType): the latest (default), the one
    deployed together with the caller ("deployment"), or the latest with a version tag."""
    query = ProcessDefinition.objects.filter(bpmn_process_id=bpmn_process_id)
    parent = ProcessDefinition.objects.select_related("resource").get(pk=parent_definition_id)
    if binding_type == "deployment":
        found = query.filter(resource__deployment_id=parent.resource.deployment_id).first()
        if found is None:
            raise DeploymentMissing(
                f"process '{bpmn_process_id}' was not deployed together with the caller"
            )
        return found
    if binding_type == "versionTag":
        found = _latest(query.filter(version_tag=version_tag), parent.is_test)
        if found is None:
            raise DeploymentMissing(
                f"no process '{bpmn_process_id}' with version tag '{version_tag}' is deployed"
            )
        return found  # type: ignore[no-any-return]
    # A test instance calls the test version where there is one, a live instance never does.
    found = _latest(query, parent.is_test)
    if found is None:
        raise DeploymentMissing(f"no process '{bpmn_process_id}' is deployed")
    return found  # type: ignore[no-any-return]


@lru_cache(maxsize=256)
def _decision_model(resource_id: int, checksum: str) -> Any:
    from verka.engine.dmn import load_models

    resource = Resource.objects.get(pk=resource_id)
    return load_models(resource.content.encode())


def latest_decision(decision_id: str, *, test: bool = False) -> DecisionDefinition:
    definition = _latest(DecisionDefinition.objects.filter(decision_id=decision_id), test)
    if definition is None:
        raise DeploymentMissing(f"no decision '{decision_id}' is deployed")
    return definition  # type: ignore[no-any-return]


def decision_model(definition: DecisionDefinition) -> Any:
    with _lock:
        return _decision_model(definition.resource_id, definition.checksum)


def latest_form(form_id: str, *, test: bool = False) -> FormDefinition:
    definition = _latest(FormDefinition.objects.filter(form_id=form_id), test)
    if definition is None:
        raise DeploymentMissing(f"no form '{form_id}' is deployed")
    return definition  # type: ignore[no-any-return]


def evaluate_deployed_decision(
    decision_id: str, variables: Mapping[str, Any], *, test: bool = False
) -> Any:
    """Evaluate the latest deployed decision as Camunda 8 does: every process variable is
    visible to it, declared as input data or not. Returns the DMN DecisionResult (value,
    messages, matched rules)."""
    from verka.engine.dmn import evaluate_decision

    from . import clock

    definition = latest_decision(decision_id, test=test)
    return evaluate_decision(
        decision_model(definition), decision_id, {}, variables=variables, now=clock.now()
    )


# A CPT run records (and may mock) the decisions its test instances evaluate. A context
# variable, not a global: the studio runs tests inside a live server's request thread, where
# other threads' instances, and other test runs, must not see this run's recorder.
decision_recorder: ContextVar[Callable[[str, Mapping[str, Any]], Any] | None] = ContextVar(
    "verka_decision_recorder", default=None
)


class DeployedDecisions:
    """The runtime's DecisionEvaluator: business rule tasks call the latest deployed decision
    (in a test instance, the latest test version where there is one)."""

    def __init__(self, *, test: bool = False) -> None:
        self.test = test

    def evaluate(self, decision_id: str, variables: Mapping[str, Any]) -> Any:
        recorder = decision_recorder.get()
        if self.test and recorder is not None:
            return recorder(decision_id, variables)
        result = evaluate_deployed_decision(decision_id, variables, test=self.test)
        if result.messages and result.value is None:
            raise ValueError("; ".join(result.messages))
        return result.value


def clear_caches() -> None:
    _definitions.cache_clear()
    _decision_model.cache_clear()
