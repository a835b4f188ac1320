"""Compiled DRG elements: each element with its parsed logic, resolved types and requirements."""

from __future__ import annotations

from dataclasses import dataclass

from verka.engine.dmn import model
from verka.engine.dmn.boxed import Parameter
from verka.engine.dmn.itemdefs import DmnType
from verka.engine.dmn.runtime import Evaluator

ElementKey = model.ElementKey


@dataclass(frozen=True)
class Requirement:
    """A required element and the path under which the requiring element sees it."""

    key: ElementKey
    path: tuple[str, ...]  # (name,) or (import name, name) for imported elements


@dataclass
class CompiledInput:
    element: model.InputData
    owner: model.Definitions
    kind: DmnType


@dataclass
class CompiledDecision:
    element: model.Decision
    owner: model.Definitions
    evaluator: Evaluator
    kind: DmnType
    requirements: list[Requirement]


@dataclass
class CompiledBkm:
    element: model.BusinessKnowledgeModel
    owner: model.Definitions
    parameters: list[Parameter]
    body: Evaluator
    output: DmnType
    requirements: list[Requirement]


@dataclass
class CompiledService:
    element: model.DecisionService
    owner: model.Definitions
    kind: DmnType
    parameters: list[tuple[ElementKey, Parameter]]
    outputs: list[ElementKey]


Compiled = CompiledInput | CompiledDecision | CompiledBkm | CompiledService
