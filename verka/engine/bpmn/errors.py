"""Exceptions of the BPMN package: one root, and the validation error that lists every problem."""

from __future__ import annotations

from collections.abc import Sequence

from verka.engine.bpmn.model import Problem


class BpmnError(Exception):
    """Root of every error raised by verka.engine.bpmn."""


class BpmnValidationError(BpmnError):
    """The file cannot be deployed; `problems` says where and why, one entry per problem."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__(str(self))

    def __str__(self) -> str:
        count = len(self.problems)
        head = f"{count} problem{'s' if count != 1 else ''} in BPMN model"
        return head + ":\n" + "\n".join(f"  {p}" for p in self.problems)
