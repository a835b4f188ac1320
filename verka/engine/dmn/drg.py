"""The decision requirements graph: models loaded together, compiled once, evaluated on demand."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from verka.engine.dmn import model
from verka.engine.dmn.ambient import ambient_values, names_to_recognise
from verka.engine.dmn.boxed import (
    CompileEnv,
    Parameter,
    compile_expression,
    compile_function,
    function_output_type,
)
from verka.engine.dmn.compiled import (
    Compiled,
    CompiledBkm,
    CompiledDecision,
    CompiledInput,
    CompiledService,
    Requirement,
)
from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.feeltext import Problem
from verka.engine.dmn.itemdefs import ANY, DmnType, TypeSystem
from verka.engine.dmn.runtime import Evaluator, Run, Scope, run_at
from verka.engine.dmn.session import DecisionResult, ServiceFunction, Session
from verka.engine.feel.values import from_python

Value = Any
ElementKey = model.ElementKey

_DECISION: tuple[type, ...] = (model.Decision,)
_INPUT: tuple[type, ...] = (model.InputData,)
_INVOCABLE: tuple[type, ...] = (model.BusinessKnowledgeModel, model.DecisionService)
_ELEMENT_NAMES: dict[type, str] = {
    model.Decision: "a decision",
    model.InputData: "an input data",
    model.BusinessKnowledgeModel: "a business knowledge model",
    model.DecisionService: "a decision service",
}


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
        self._known_set = frozenset(self.known_names)
        self.elements: dict[ElementKey, Compiled] = {}
        self._input_index: dict[str, dict[str, ElementKey]] = {}
        for item in self.definitions:
            self._check_imports(item)
            self._check_names(item)
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

    def _check_names(self, owner: model.Definitions) -> None:
        ids: set[str] = set()
        for element in owner.elements:
            if element.element_id and element.element_id in ids:
                raise DmnError(
                    f"two elements have the id '{element.element_id}'; ids must be unique",
                    element_id=element.element_id,
                    line=element.line,
                    source=owner.source,
                )
            if element.element_id:
                ids.add(element.element_id)
        seen: set[str] = set()
        for element in owner.elements:
            if element.name in seen:
                self.problems.append(
                    Problem(
                        f"{owner.source or owner.name}: two elements are named '{element.name}'; "
                        "references by name are ambiguous",
                        element.element_id,
                        element.line,
                    )
                )
            seen.add(element.name)

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
            requirements = [
                *self._requirements(owner, element, element.required_decisions, _DECISION),
                *self._requirements(owner, element, element.required_inputs, _INPUT),
                *self._requirements(owner, element, element.required_knowledge, _INVOCABLE),
            ]
            env = self._env(owner, f"decision '{element.name}'", requirements)
            return CompiledDecision(
                element,
                owner,
                compile_expression(element.expression, env),
                env.type_of(element.variable.type_ref, element.variable),
                requirements,
            )
        if isinstance(element, model.BusinessKnowledgeModel):
            requirements = self._requirements(
                owner, element, element.required_knowledge, _INVOCABLE
            )
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
        inputs = [(key, _INPUT) for key in element.input_data]
        inputs += [(key, _DECISION) for key in element.input_decisions]
        for key, expected in inputs:
            target = self._element(key, owner, element, expected)
            assert isinstance(target, model.InputData | model.Decision)
            kind = self._env(self.models[key[0]], target.name).type_of(
                target.variable.type_ref, target.variable
            )
            service_parameters.append((key, Parameter(target.name, kind)))
        for key in [*element.output_decisions, *element.encapsulated_decisions]:
            self._element(key, owner, element, _DECISION)
        return CompiledService(
            element,
            owner,
            env.type_of(element.variable.type_ref, element.variable),
            service_parameters,
            list(element.output_decisions),
        )

    def _element(
        self,
        key: ElementKey,
        owner: model.Definitions,
        requirer: model.Located,
        expected: tuple[type, ...],
    ) -> model.DrgElement:
        target_model = self.models.get(key[0])
        target = target_model.element(key[1]) if target_model is not None else None
        problem = None
        if target is None:
            problem = "which is not an element of the loaded models"
        elif not isinstance(target, expected):
            wanted = " or ".join(_ELEMENT_NAMES[kind] for kind in expected)
            problem = f"which is {_ELEMENT_NAMES[type(target)]} '{target.name}'; expected {wanted}"
        if problem is not None or target is None:
            raise DmnError(
                f"reference to '{key[0]}#{key[1]}', {problem}",
                element_id=requirer.element_id,
                line=requirer.line,
                source=owner.source,
            )
        return target

    def _requirements(
        self,
        owner: model.Definitions,
        requirer: model.Located,
        keys: Iterable[ElementKey],
        expected: tuple[type, ...],
    ) -> list[Requirement]:
        requirements = []
        for key in keys:
            target = self._element(key, owner, requirer, expected)
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

    def decision_names(self) -> list[str]:
        """The decisions of the main model, in file order."""
        return [e.name for e in self.main.elements if isinstance(e, model.Decision)]

    def required_inputs(self, decision: str) -> list[str]:
        """Names of the input data a decision needs, directly or through other decisions."""
        key, _ = self.find(decision, (model.Decision,))
        found: list[str] = []
        seen: set[ElementKey] = set()
        pending = [key]
        while pending:
            current = pending.pop()
            if current in seen:
                continue
            seen.add(current)
            compiled = self.elements[current]
            if isinstance(compiled, CompiledInput):
                prefix = "" if current[0] == self.main.namespace else f"{{{current[0]}}}"
                found.append(prefix + compiled.element.name)
            elif isinstance(compiled, CompiledDecision | CompiledBkm):
                pending.extend(requirement.key for requirement in compiled.requirements)
        return sorted(found)

    def input_key(self, name: str, namespace: str | None = None) -> ElementKey | None:
        """The input data or decision that an input value by this name (or id) is meant for."""
        owner = self.models.get(namespace) if namespace else self.main
        if owner is None:
            return None
        index = self._input_index.get(owner.namespace)
        if index is None:
            index = {}
            for element in reversed(owner.elements):
                if isinstance(element, model.InputData | model.Decision):
                    key = (owner.namespace, element.element_id or element.name)
                    index[element.name] = key
                    if element.element_id:
                        index.setdefault(element.element_id, key)
            self._input_index[owner.namespace] = index
        return index.get(name)

    def evaluate(
        self,
        decision: str,
        inputs: Mapping[str, Value] | None = None,
        *,
        variables: Mapping[str, Value] | None = None,
        namespace: str | None = None,
        now: datetime.datetime | None = None,
    ) -> DecisionResult:
        """Evaluate a decision of the main model (or of the model with the namespace given).

        variables are ambient (see `verka.engine.dmn.evaluate_decision`).
        """
        run, supplied = self._start(inputs, variables, now)
        session = Session(self, supplied, run)
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
        variables: Mapping[str, Value] | None = None,
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
        run, supplied = self._start(inputs, variables, now)
        arguments = {
            parameter.name: supplied.get(param_key) for param_key, parameter in compiled.parameters
        }
        function = ServiceFunction(self, compiled, run)
        value, session = function.call(arguments, run.diagnostics)
        return session.result(value)

    def _start(
        self,
        inputs: Mapping[str, Value] | None,
        variables: Mapping[str, Value] | None,
        now: datetime.datetime | None,
    ) -> tuple[Run, dict[ElementKey, Value]]:
        """A fresh run and the values of input data: given inputs, else ambient variables."""
        supplied = self.values_by_key(inputs or {})
        if not variables:
            return run_at(now), supplied
        ambient = ambient_values(variables)
        for key, value in self.values_by_key(ambient).items():
            # An ambient variable feeds an input data of its name, never replaces a decision.
            if isinstance(self.elements.get(key), CompiledInput):
                supplied.setdefault(key, value)
        names = names_to_recognise(ambient, self._known_set)
        return run_at(now, ambient, names), supplied

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
        """Inputs by element.

        Plain names belong to the main model and '{namespace}name' to any loaded model; a
        context under an import name of the main model holds inputs of the imported model.
        Plain Python numbers, tuples and mappings are converted to FEEL values.
        """
        values: dict[ElementKey, Value] = {}
        imports = {imp.name: imp.namespace for imp in self.main.imports if imp.name}
        for name, given in inputs.items():
            value = from_python(given)  # plain ints, floats and tuples become FEEL values
            namespace = None
            if name.startswith("{") and "}" in name:
                namespace, _, name = name[1:].partition("}")
            key = self.input_key(name, namespace)
            if key is not None:
                values[key] = value
            elif namespace is None and name in imports and isinstance(value, Mapping):
                for inner_name, inner_value in value.items():
                    inner_key = self.input_key(inner_name, imports[name])
                    if inner_key is not None:
                        values[inner_key] = inner_value
        return values


def _no_logic(element: model.BusinessKnowledgeModel) -> Evaluator:
    def evaluate(scope: Scope, run: Run) -> Value:
        run.diagnostics.report(f"business knowledge model '{element.name}' has no logic")
        return None

    return evaluate


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
