"""CPT JSON test files (schema cpt-test-cases 8.9): reading them and checking each instruction's
shape, so that a misspelt property fails its test case with a message naming it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any


class CptError(Exception):
    """Root of the CPT runner's errors: a test file or instruction that cannot be used."""


class TestFileError(CptError):
    """The test file itself is unreadable or not shaped like a CPT test file."""

    __test__ = False  # not a pytest class


class InstructionError(CptError):
    """One instruction is malformed or not supported; its test case fails with this message."""


class Mismatch(CptError):
    """What an instruction expected is not what the engine shows; the test case fails."""


@dataclass(frozen=True)
class TestCase:
    __test__ = False

    name: str
    description: str
    instructions: tuple[Mapping[str, Any], ...]


# What each selector may hold; at least one of its keys is required (schema: anyOf required).
SELECTORS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    # name: (allowed keys, keys of which at least one must be present)
    "process": (("processDefinitionId",), ("processDefinitionId",)),
    "processInstance": (("processDefinitionId",), ("processDefinitionId",)),
    "element": (("elementId", "elementName"), ("elementId", "elementName")),
    "userTask": (
        ("elementId", "taskName", "processDefinitionId"),
        ("elementId", "taskName", "processDefinitionId"),
    ),
    "job": (
        ("jobType", "elementId", "processDefinitionId"),
        ("jobType", "elementId", "processDefinitionId"),
    ),
    "incident": (("elementId", "processDefinitionId"), ("elementId", "processDefinitionId")),
    "message": (("messageName", "correlationKey"), ("messageName",)),
    "decision": (
        ("decisionDefinitionId", "decisionDefinitionName"),
        ("decisionDefinitionId", "decisionDefinitionName"),
    ),
    "decisionDefinition": (("decisionDefinitionId",), ("decisionDefinitionId",)),
}

# A property's kind: a JSON type, "any", "selector:<name>", "list:<type>", "list:selector:<name>",
# "enum:A|B|C" or "special" (checked by the instruction itself).
Spec = dict[str, tuple[str, bool]]  # property -> (kind, required)

_VARS = ("object", False)

INSTRUCTIONS: dict[str, Spec] = {
    "CREATE_PROCESS_INSTANCE": {
        "processDefinitionSelector": ("selector:process", True),
        "variables": _VARS,
        "startInstructions": ("list:object", False),
        "runtimeInstructions": ("list:object", False),
    },
    "BROADCAST_SIGNAL": {"signalName": ("string", True), "variables": _VARS},
    "COMPLETE_JOB": {
        "jobSelector": ("selector:job", True),
        "variables": _VARS,
        "useExampleData": ("boolean", False),
    },
    "COMPLETE_JOB_AD_HOC_SUB_PROCESS": {
        "jobSelector": ("selector:job", True),
        "variables": _VARS,
        "activateElements": ("list:object", False),
        "cancelRemainingInstances": ("boolean", False),
        "completionConditionFulfilled": ("boolean", False),
    },
    "COMPLETE_JOB_USER_TASK_LISTENER": {
        "jobSelector": ("selector:job", True),
        "denied": ("boolean", False),
        "deniedReason": ("string", False),
        "corrections": ("object", False),
    },
    "THROW_BPMN_ERROR_FROM_JOB": {
        "jobSelector": ("selector:job", True),
        "errorCode": ("string", True),
        "errorMessage": ("string", False),
        "variables": _VARS,
    },
    "MOCK_JOB_WORKER_COMPLETE_JOB": {
        "jobType": ("string", True),
        "variables": _VARS,
        "useExampleData": ("boolean", False),
    },
    "MOCK_JOB_WORKER_THROW_BPMN_ERROR": {
        "jobType": ("string", True),
        "errorCode": ("string", True),
        "errorMessage": ("string", False),
        "variables": _VARS,
    },
    "COMPLETE_USER_TASK": {
        "userTaskSelector": ("selector:userTask", True),
        "variables": _VARS,
        "useExampleData": ("boolean", False),
    },
    "PUBLISH_MESSAGE": {
        "name": ("string", True),
        "correlationKey": ("string", False),
        "variables": _VARS,
        "timeToLive": ("integer", False),
        "messageId": ("string", False),
    },
    "CORRELATE_MESSAGE": {
        "name": ("string", True),
        "correlationKey": ("string", False),
        "variables": _VARS,
    },
    "INCREASE_TIME": {"duration": ("string", True)},
    "SET_TIME": {"time": ("string", True)},
    "RESOLVE_INCIDENT": {"incidentSelector": ("selector:incident", True)},
    "UPDATE_VARIABLES": {
        "processInstanceSelector": ("selector:processInstance", True),
        "variables": ("object", True),
        "elementSelector": ("selector:element", False),
    },
    "EVALUATE_DECISION": {
        "decisionDefinitionSelector": ("selector:decisionDefinition", True),
        "variables": _VARS,
    },
    "EVALUATE_CONDITIONAL_START_EVENT": {"variables": ("object", True)},
    "MOCK_DMN_DECISION": {"decisionDefinitionId": ("string", True), "variables": _VARS},
    "MOCK_CHILD_PROCESS": {"processDefinitionId": ("string", True), "variables": _VARS},
    "ASSERT_PROCESS_INSTANCE": {
        "processInstanceSelector": ("selector:processInstance", True),
        "state": ("enum:IS_ACTIVE|IS_COMPLETED|IS_CREATED|IS_TERMINATED", False),
        "hasActiveIncidents": ("boolean", False),
    },
    "ASSERT_PROCESS_INSTANCE_MESSAGE_SUBSCRIPTION": {
        "processInstanceSelector": ("selector:processInstance", True),
        "messageSelector": ("selector:message", True),
        "state": ("enum:IS_WAITING|IS_NOT_WAITING|IS_CORRELATED", True),
    },
    "ASSERT_ELEMENT_INSTANCE": {
        "processInstanceSelector": ("selector:processInstance", True),
        "elementSelector": ("selector:element", True),
        "state": ("enum:IS_ACTIVE|IS_COMPLETED|IS_TERMINATED", True),
        "amount": ("integer", False),
    },
    "ASSERT_ELEMENT_INSTANCES": {
        "processInstanceSelector": ("selector:processInstance", True),
        "elementSelectors": ("list:selector:element", True),
        "state": (
            "enum:IS_ACTIVE|IS_COMPLETED|IS_TERMINATED|IS_NOT_ACTIVE|IS_NOT_ACTIVATED"
            "|IS_ACTIVE_EXACTLY|IS_COMPLETED_IN_ORDER",
            True,
        ),
    },
    "ASSERT_USER_TASK": {
        "userTaskSelector": ("selector:userTask", True),
        "state": ("enum:IS_CREATED|IS_COMPLETED|IS_CANCELED|IS_FAILED", False),
        "assignee": ("string", False),
        "candidateGroups": ("list:string", False),
        "priority": ("integer", False),
        "elementId": ("string", False),
        "name": ("string", False),
        "dueDate": ("string", False),
        "followUpDate": ("string", False),
    },
    "ASSERT_VARIABLES": {
        "processInstanceSelector": ("selector:processInstance", True),
        "elementSelector": ("selector:element", False),
        "variableNames": ("list:string", False),
        "variables": ("object", False),
    },
    "ASSERT_VARIABLE": {
        "processInstanceSelector": ("selector:processInstance", True),
        "elementSelector": ("selector:element", False),
        "variableName": ("string", True),
        "satisfiesJudge": ("object", True),
    },
    "ASSERT_DECISION": {
        "decisionSelector": ("selector:decision", True),
        "output": ("any", False),
        "matchedRules": ("list:integer", False),
        "notMatchedRules": ("list:integer", False),
        "noMatchedRules": ("boolean", False),
    },
}


def load_test_file(path: Path) -> list[TestCase]:
    """Read a test file; numbers stay exact (Decimal) so that variables keep every digit."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise TestFileError(f"{path}: cannot read: {error}") from None
    try:
        document = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as error:
        raise TestFileError(
            f"{path}:{error.lineno}:{error.colno}: not valid JSON: {error.msg}"
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("testCases"), list):
        raise TestFileError(f'{path}: expected an object with a "testCases" array')
    cases = []
    for index, raw in enumerate(document["testCases"], start=1):
        where = f"{path}: test case #{index}"
        if not isinstance(raw, dict):
            raise TestFileError(f"{where}: expected an object")
        name = raw.get("name")
        if not isinstance(name, str) or not name:
            raise TestFileError(f'{where}: needs a "name" string')
        instructions = raw.get("instructions")
        if not isinstance(instructions, list):
            raise TestFileError(f'{where} ({name}): needs an "instructions" array')
        description = raw.get("description", "")
        cases.append(
            TestCase(name, description if isinstance(description, str) else "", tuple(instructions))
        )
    return cases


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, Decimal) and value == value.to_integral()):
        return "integer"
    if isinstance(value, Decimal | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def check_selector(value: Any, selector: str, where: str) -> None:
    allowed, one_of = SELECTORS[selector]
    if not isinstance(value, dict):
        raise InstructionError(f"{where}: expected an object, found {_json_type(value)}")
    for key, item in value.items():
        if key not in allowed:
            raise InstructionError(
                f"{where}: unknown property '{key}' (expected {', '.join(allowed)})"
            )
        if not isinstance(item, str):
            raise InstructionError(f"{where}.{key}: expected a string, found {_json_type(item)}")
    if not any(key in value for key in one_of):
        raise InstructionError(f"{where}: needs {' or '.join(repr(k) for k in one_of)}")


def _check_kind(value: Any, kind: str, where: str) -> None:
    if kind == "any":
        return
    if kind.startswith("selector:"):
        check_selector(value, kind.removeprefix("selector:"), where)
        return
    if kind.startswith("list:"):
        if not isinstance(value, list):
            raise InstructionError(f"{where}: expected an array, found {_json_type(value)}")
        for index, item in enumerate(value):
            _check_kind(item, kind.removeprefix("list:"), f"{where}[{index}]")
        return
    if kind.startswith("enum:"):
        choices = kind.removeprefix("enum:").split("|")
        if value not in choices:
            raise InstructionError(
                f"{where}: expected one of {', '.join(choices)}, found {value!r}"
            )
        return
    found = _json_type(value)
    if found != kind and not (kind == "number" and found == "integer"):
        raise InstructionError(f"{where}: expected {kind}, found {found}")


def check_instruction(instruction: Any) -> str:
    """Check an instruction's properties against its type; returns the type."""
    if not isinstance(instruction, dict):
        raise InstructionError(f"expected an object, found {_json_type(instruction)}")
    kind = instruction.get("type")
    if not isinstance(kind, str):
        raise InstructionError('needs a "type" string')
    spec = INSTRUCTIONS.get(kind)
    if spec is None:
        raise InstructionError(f"unknown instruction type '{kind}'")
    for key, value in instruction.items():
        if key == "type":
            continue
        if key not in spec:
            raise InstructionError(f"unknown property '{key}' (expected {', '.join(sorted(spec))})")
        _check_kind(value, spec[key][0], key)
    for key, (_kind, required) in spec.items():
        if required and key not in instruction:
            raise InstructionError(f"missing required property '{key}'")
    return kind
