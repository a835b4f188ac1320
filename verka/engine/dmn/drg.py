"""The decision requirements graph: models loaded together, compiled once, evaluated on demand."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from verka.engine.dmn import model
from verka.engine.dmn.boxed import (
    BoxedFunction,
    CompileEnv,
    Parameter,
    checked,
    compile_expression,
    compile_function,
    function_output_type,
)
from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.feeltext import Problem, Site
from verka.engine.dmn.itemdefs import ANY, DmnType, TypeSystem
from verka.engine.dmn.runtime import Evaluator, MatchedRule, Run, Scope, run_at
from verka.engine.feel.values import Diagnostics, FeelFunction

Value = Any
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


@dataclass(frozen=True)
class DecisionResult:
    """The outcome of evaluating a decision or decision service.

    value is the decision's value (null on error); messages are the problems reported while
    evaluating it and what it required; decisions holds every decision evaluated on the way, by
    name; matched_rules lists the decision-table rules that matched, in evaluation order.
    """

    value: Value
    messages: tuple[str, ...] = ()
    decisions: Mapping[str, Value] = field(default_factory=dict)
    matched_rules: tuple[MatchedRule, ...] = ()

    @property
    def has_errors(self) -> bool:
        return bool(self.messages)


class DecisionModel:
    """DMN models loaded together (imports resolve among them), compiled for evaluation."""

    def __init__(self, definitions: Sequence[model.Definitions]) -> None:
        if not definitions:
            raise DmnError("no DMN models given")
        self.definitions = tuple(definitions)
        self.main = self.definitions[0]
        self.models: dict[str, model.Definitions] = {}
        for item in self.definitions:
            if item.namespace in self.models:
                raise DmnError(
                    f"two models share the namespace '{item.namespace}'",
                    element_id=item.element_id,
                    line=item.line,
                    source=item.source,
                )
            self.models[item.namespace] = item
        self.problems: list[Problem] = []
        self.types = TypeSystem(self.models, self.problems)
        self.known_names = _known_names(self.definitions)
        self.elements: dict[ElementKey, Compiled] = {}
        for item in self.definitions:
            self._check_imports(item)
            for element in item.elements:
                self.elements[(item.namespace, element.element_id or element.name)] = self._compile(
                    element, item
                )

    def with_main(self, name_or_namespace: str) -> DecisionModel:
        """The same models with another one as the main model (whose names need no prefix)."""
        for item in self.definitions:
            if name_or_namespace in (item.name, item.namespace, item.source):
                chosen = DecisionModel.__new__(DecisionModel)
                chosen.__dict__.update(self.__dict__)
                chosen.main = item
                return chosen
        raise DmnError(f"no loaded model is named '{name_or_namespace}'")

    # --- compiling -----------------------------------------------------------------------

    def _check_imports(self, owner: model.Definitions) -> None:
        for imported in owner.imports:
            if imported.import_type and "dmn" not in imported.import_type.lower():
                continue
            if imported.namespace not in self.models:
                raise DmnError(
                    f"import '{imported.name}' needs the model with namespace "
                    f"'{imported.namespace}', which was not loaded with it",
                    element_id=imported.element_id,
                    line=imported.line,
                    source=owner.source,
                )

    def _env(
        self, owner: model.Definitions, label: str, requirements: Sequence[Requirement] = ()
    ) -> CompileEnv:
        env = CompileEnv(self.known_names, self.types, owner, self.problems, label)
        return env.with_names([name for r in requirements for name in r.path])

    def _compile(self, element: model.DrgElement, owner: model.Definitions) -> Compiled:
        if isinstance(element, model.InputData):
            env = self._env(owner, f"input data '{element.name}'")
            kind = env.type_of(element.variable.type_ref, element.variable)
            return CompiledInput(element, owner, kind)
        if isinstance(element, model.Decision):
            keys = [*element.required_decisions, *element.required_inputs]
            requirements = self._requirements(owner, element, [*keys, *element.required_knowledge])
            env = self._env(owner, f"decision '{element.name}'", requirements)
            return CompiledDecision(
                element,
                owner,
                compile_expression(element.expression, env),
                env.type_of(element.variable.type_ref, element.variable),
                requirements,
            )
        if isinstance(element, model.BusinessKnowledgeModel):
            requirements = self._requirements(owner, element, element.required_knowledge)
            env = self._env(owner, f"business knowledge model '{element.name}'", requirements)
            output: DmnType = ANY
            if element.logic is not None:
                output = function_output_type(element.logic, env, element.variable.type_ref)
            if element.logic is None:
                return CompiledBkm(element, owner, [], _no_logic(element), output, requirements)
            parameters, body = compile_function(element.logic, env, element.name, output)
            return CompiledBkm(element, owner, parameters, body, output, requirements)
        env = self._env(owner, f"decision service '{element.name}'")
        service_parameters: list[tuple[ElementKey, Parameter]] = []
        for key in [*element.input_data, *element.input_decisions]:
            target = self._element(key, owner, element)
            kind = ANY
            if isinstance(target, model.InputData | model.Decision):
                target_owner = self.models[key[0]]
                kind = self._env(target_owner, target.name).type_of(
                    target.variable.type_ref, target.variable
                )
            service_parameters.append((key, Parameter(target.name, kind)))
        for key in [*element.output_decisions, *element.encapsulated_decisions]:
            self._element(key, owner, element)
        return CompiledService(
            element,
            owner,
            env.type_of(element.variable.type_ref, element.variable),
            service_parameters,
            list(element.output_decisions),
        )

    def _element(
        self, key: ElementKey, owner: model.Definitions, requirer: model.Located
    ) -> model.DrgElement:
        target_model = self.models.get(key[0])
        target = target_model.element(key[1]) if target_model is not None else None
        if target is None:
            raise DmnError(
                f"reference to '{key[0]}#{key[1]}', which is not an element of the loaded models",
                element_id=requirer.element_id,
                line=requirer.line,
                source=owner.source,
            )
        return target

    def _requirements(
        self, owner: model.Definitions, requirer: model.Located, keys: Iterable[ElementKey]
    ) -> list[Requirement]:
        requirements = []
        for key in keys:
            target = self._element(key, owner, requirer)
            if key[0] == owner.namespace:
                requirements.append(Requirement(key, (target.name,)))
                continue
            prefix = next((imp.name for imp in owner.imports if imp.namespace == key[0]), None)
            if prefix:
                requirements.append(Requirement(key, (prefix, target.name)))
            else:
                requirements.append(Requirement(key, (target.name,)))
        return requirements

    # --- lookups -------------------------------------------------------------------------

    def find(self, id_or_name: str, kinds: tuple[type, ...]) -> tuple[ElementKey, Compiled]:
        """An element of the main model (or, failing that, any model) by id or name."""
        ordered = [self.main, *(d for d in self.definitions if d is not self.main)]
        for owner in ordered:
            for element in owner.elements:
                if isinstance(element, kinds) and id_or_name in (element.element_id, element.name):
                    key = (owner.namespace, element.element_id or element.name)
                    return key, self.elements[key]
        wanted = " or ".join(kind.__name__ for kind in kinds)
        raise DmnError(f"the model has no {wanted} with id or name '{id_or_name}'")

    def input_key(self, name: str, namespace: str | None = None) -> ElementKey | None:
        owner = self.models.get(namespace) if namespace else self.main
        if owner is None:
            return None
        for element in owner.elements:
            if isinstance(element, model.InputData | model.Decision) and name in (
                element.name,
                element.element_id,
            ):
                return (owner.namespace, element.element_id or element.name)
        return None

    def evaluate(
        self,
        decision: str,
        inputs: Mapping[str, Value] | None = None,
        *,
        namespace: str | None = None,
        now: datetime.datetime | None = None,
    ) -> DecisionResult:
        """Evaluate a decision of the main model (or of the model with the namespace given)."""
        session = Session(self, self.values_by_key(inputs or {}), run_at(now))
        key, _ = (
            self._find_in(namespace, decision, (model.Decision,))
            if namespace
            else self.find(decision, (model.Decision,))
        )
        value = session.decision_value(key)
        return session.result(value)

    def evaluate_service(
        self,
        service: str,
        inputs: Mapping[str, Value] | None = None,
        *,
        namespace: str | None = None,
        now: datetime.datetime | None = None,
    ) -> DecisionResult:
        """Invoke a decision service directly; inputs name its input data and input decisions."""
        key, compiled = (
            self._find_in(namespace, service, (model.DecisionService,))
            if namespace
            else self.find(service, (model.DecisionService,))
        )
        assert isinstance(compiled, CompiledService)
        run = run_at(now)
        supplied = self.values_by_key(inputs or {})
        arguments = {
            parameter.name: supplied.get(param_key) for param_key, parameter in compiled.parameters
        }
        function = ServiceFunction(self, compiled, run)
        value, session = function.call(arguments, run.diagnostics)
        return session.result(value)

    def _find_in(
        self, namespace: str, id_or_name: str, kinds: tuple[type, ...]
    ) -> tuple[ElementKey, Compiled]:
        owner = self.models.get(namespace)
        if owner is None:
            raise DmnError(f"no loaded model has the namespace '{namespace}'")
        for element in owner.elements:
            if isinstance(element, kinds) and id_or_name in (element.element_id, element.name):
                key = (owner.namespace, element.element_id or element.name)
                return key, self.elements[key]
        raise DmnError(f"the model '{owner.name}' has no element '{id_or_name}'")

    def values_by_key(self, inputs: Mapping[str, Value]) -> dict[ElementKey, Value]:
        """Inputs by element: plain names belong to the main model, '{namespace}name' to others."""
        values: dict[ElementKey, Value] = {}
        for name, value in inputs.items():
            namespace = None
            if name.startswith("{") and "}" in name:
                namespace, _, name = name[1:].partition("}")
            key = self.input_key(name, namespace)
            if key is not None:
                values[key] = value
        return values


def _no_logic(element: model.BusinessKnowledgeModel) -> Evaluator:
    def evaluate(scope: Scope, run: Run) -> Value:
        run.diagnostics.report(f"business knowledge model '{element.name}' has no logic")
        return None

    return evaluate


class Session:
    """One evaluation of the graph: inputs, memoised decision values, collected diagnostics."""

    def __init__(
        self,
        decision_model: DecisionModel,
        supplied: Mapping[ElementKey, Value],
        run: Run | None = None,
    ) -> None:
        self.model = decision_model
        self.supplied = dict(supplied)
        self.run = run or Run()
        self.values: dict[ElementKey, Value] = {}
        self.in_progress: set[ElementKey] = set()
        self.decisions: dict[str, Value] = {}

    def result(self, value: Value) -> DecisionResult:
        return DecisionResult(
            value,
            tuple(self.run.diagnostics.messages),
            dict(self.decisions),
            tuple(self.run.matched_rules),
        )

    def value_of(self, key: ElementKey) -> Value:
        if key in self.values:
            return self.values[key]
        compiled = self.model.elements[key]
        if isinstance(compiled, CompiledInput):
            value = self.input_value(key, compiled)
        elif isinstance(compiled, CompiledDecision):
            value = self.decision_value(key)
        elif isinstance(compiled, CompiledBkm):
            value = self.bkm_function(compiled)
        else:
            value = ServiceFunction(self.model, compiled, self.run)
        self.values[key] = value
        return value

    def input_value(self, key: ElementKey, compiled: CompiledInput) -> Value:
        raw = self.supplied.get(key)
        return checked(
            raw, compiled.kind, self.run.diagnostics, f"input data '{compiled.element.name}'"
        )

    def scope(self, requirements: Sequence[Requirement]) -> dict[str, Value]:
        scope: dict[str, Value] = dict(self.run.clock)
        for requirement in requirements:
            value = self.value_of(requirement.key)
            if len(requirement.path) == 1:
                scope[requirement.path[0]] = value
            else:
                prefix, name = requirement.path
                nested = scope.get(prefix)
                if not isinstance(nested, dict):
                    nested = {}
                    scope[prefix] = nested
                nested[name] = value
        return scope

    def decision_value(self, key: ElementKey) -> Value:
        if key in self.values:
            return self.values[key]
        compiled = self.model.elements[key]
        assert isinstance(compiled, CompiledDecision)
        decision = compiled.element
        if key in self.supplied:
            value = checked(
                self.supplied[key],
                compiled.kind,
                self.run.diagnostics,
                f"decision '{decision.name}'",
            )
            self.values[key] = value
            return value
        if key in self.in_progress:
            self.run.diagnostics.report(
                f"decision '{decision.name}' requires itself (a cycle in the requirements)"
            )
            return None
        self.in_progress.add(key)
        self.run.decision_stack.append((decision.element_id, decision.name))
        try:
            scope = self.scope(compiled.requirements)
            if decision.expression is None:
                self.run.diagnostics.report(f"decision '{decision.name}' has no decision logic")
                value = None
            else:
                value = compiled.evaluator(scope, self.run)
            value = checked(
                value, compiled.kind, self.run.diagnostics, f"decision '{decision.name}'"
            )
        finally:
            self.run.decision_stack.pop()
            self.in_progress.discard(key)
        self.values[key] = value
        if key[0] == self.model.main.namespace:
            self.decisions[decision.name] = value
        return value

    def bkm_function(self, compiled: CompiledBkm) -> BoxedFunction:
        element = compiled.element
        scope = self.scope(compiled.requirements)
        site = Site(f"business knowledge model '{element.name}'", element.element_id, element.line)
        function = BoxedFunction(
            element.name, compiled.parameters, compiled.body, compiled.output, scope, self.run, site
        )
        # A BKM may call itself recursively by its own name.
        scope.setdefault(element.name, function)
        return function


class ServiceFunction(FeelFunction):
    """A decision service as a FEEL function: its inputs in, its output decisions evaluated."""

    def __init__(self, decision_model: DecisionModel, compiled: CompiledService, run: Run) -> None:
        self.model = decision_model
        self.compiled = compiled
        self.run = run
        self.name = compiled.element.name

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        names = [parameter.name for _, parameter in self.compiled.parameters]
        arguments: dict[str, Value] = dict.fromkeys(names)
        if positional is not None:
            if len(positional) != len(names):
                diagnostics.report(
                    f"decision service '{self.name}' takes {len(names)} arguments "
                    f"({', '.join(names)}), got {len(positional)}"
                )
                return None
            arguments.update(zip(names, positional, strict=True))
        elif named is not None:
            unknown = [key for key in named if key not in arguments]
            if unknown:
                diagnostics.report(
                    f"decision service '{self.name}' has no parameter {', '.join(unknown)}"
                )
                return None
            arguments.update(named)
        value, _ = self.call(arguments, diagnostics)
        return value

    def call(
        self, arguments: Mapping[str, Value], diagnostics: Diagnostics
    ) -> tuple[Value, Session]:
        """Evaluate the service in a session of its own; returns its output and that session."""
        supplied: dict[ElementKey, Value] = {}
        for key, parameter in self.compiled.parameters:
            supplied[key] = checked(
                arguments.get(parameter.name),
                parameter.kind,
                diagnostics,
                f"decision service '{self.name}' input '{parameter.name}'",
            )
        session = Session(self.model, supplied, self.run)
        outputs = {}
        for key in self.compiled.outputs:
            compiled = self.model.elements[key]
            assert isinstance(compiled, CompiledDecision)
            outputs[compiled.element.name] = session.decision_value(key)
        if len(outputs) == 1:
            value: Value = next(iter(outputs.values()))
        else:
            value = outputs
        value = checked(value, self.compiled.kind, diagnostics, f"decision service '{self.name}'")
        return value, session


def _known_names(definitions: Sequence[model.Definitions]) -> tuple[str, ...]:
    """Names a FEEL text of these models may mention as a path member or variable.

    Multi-word names need to be known to the FEEL parser. Formal parameters and names with a dot
    are left out: they are known only where they are in scope (a parameter named `Person.Age`
    must not hide the path `Person.Age` elsewhere); compiling adds them for their own scope.
    """
    names: set[str] = set()

    def item(definition: model.ItemDefinition) -> None:
        names.add(definition.name)
        for component in definition.components:
            item(component)

    def expression(node: object) -> None:
        if isinstance(node, model.FunctionDefinition | model.FunctionItem):
            expression(getattr(node, "body", None))
            return
        if isinstance(node, model.InformationItem):
            names.add(node.name)
        elif isinstance(node, model.Iteration):
            names.add(node.variable)
        elif isinstance(node, model.OutputClause) and node.name:
            names.add(node.name)
        if isinstance(node, tuple):
            for child in node:
                expression(child)
            return
        if hasattr(node, "__dataclass_fields__"):
            for field_name in node.__dataclass_fields__:
                child = getattr(node, field_name)
                if isinstance(child, tuple | model.Located):
                    expression(child)

    for definitions_item in definitions:
        names.update(imp.name for imp in definitions_item.imports if imp.name)
        for definition in definitions_item.item_definitions:
            item(definition)
        for element in definitions_item.elements:
            names.add(element.name)
            expression(element)
    return tuple(sorted(name for name in names if name and "." not in name))
