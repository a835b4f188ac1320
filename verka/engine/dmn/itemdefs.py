"""DMN types: item definitions and FEEL type names resolved to checks, and the coercion rules."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from verka.engine.dmn import model
from verka.engine.dmn.feeltext import FeelTests, Problem, Site
from verka.engine.feel import temporal
from verka.engine.feel.values import Diagnostics, FeelFunction, Range

Value = Any


class DmnType:
    """A type values are checked against; subclasses say what conforms."""

    name = "Any"

    def conforms(self, value: Value) -> bool:
        return True

    def is_instance(self, value: Value) -> bool:
        """FEEL `instance of`: conformance ignoring allowed values and type constraints."""
        return self.conforms(value)

    def list_element(self) -> DmnType | None:
        """The element type when this is a collection type."""
        return None

    def __str__(self) -> str:
        return self.name


ANY = DmnType()


class BuiltinType(DmnType):
    def __init__(self, name: str, check: Callable[[Value], bool]) -> None:
        self.name = name
        self.check = check

    def conforms(self, value: Value) -> bool:
        return value is None or self.check(value)


class ListType(DmnType):
    def __init__(self, element: DmnType, name: str | None = None) -> None:
        self.element = element
        self.name = name or f"list<{element}>"

    def conforms(self, value: Value) -> bool:
        if value is None:
            return True
        return isinstance(value, list) and all(self.element.conforms(item) for item in value)

    def is_instance(self, value: Value) -> bool:
        if value is None:
            return True
        return isinstance(value, list) and all(self.element.is_instance(item) for item in value)

    def list_element(self) -> DmnType | None:
        return self.element


class ContextType(DmnType):
    """A structure: every component must be present and conform; more entries are allowed."""

    def __init__(self, components: Mapping[str, DmnType], name: str | None = None) -> None:
        self.components = dict(components)
        inner = ", ".join(f"{key}: {value}" for key, value in self.components.items())
        self.name = name or f"context<{inner}>"

    def conforms(self, value: Value) -> bool:
        if value is None:
            return True
        if not isinstance(value, dict):
            return False
        return all(
            key in value and kind.conforms(value[key]) for key, kind in self.components.items()
        )

    def is_instance(self, value: Value) -> bool:
        if value is None:
            return True
        if not isinstance(value, dict):
            return False
        return all(
            key in value and kind.is_instance(value[key]) for key, kind in self.components.items()
        )


class RangeType(DmnType):
    def __init__(self, element: DmnType) -> None:
        self.element = element
        self.name = f"range<{element}>"

    def conforms(self, value: Value) -> bool:
        if value is None:
            return True
        if not isinstance(value, Range):
            return False
        return self.element.conforms(value.start) and self.element.conforms(value.end)


class FunctionType(DmnType):
    def __init__(self, parameters: list[DmnType], output: DmnType) -> None:
        self.parameters = parameters
        self.output = output
        self.name = f"function<{', '.join(map(str, parameters))}> -> {output}"

    def conforms(self, value: Value) -> bool:
        return value is None or isinstance(value, FeelFunction)


class ConstrainedType(DmnType):
    """A base type narrowed by allowed values / a type constraint (unary tests on the value)."""

    def __init__(self, name: str, base: DmnType, tests: FeelTests) -> None:
        self.name = name
        self.base = base
        self.tests = tests

    def conforms(self, value: Value) -> bool:
        if not self.base.conforms(value):
            return False
        if value is None:
            return True
        return self.tests.matches(value, None, Diagnostics()) is True

    def is_instance(self, value: Value) -> bool:
        return self.base.is_instance(value)

    def list_element(self) -> DmnType | None:
        return self.base.list_element()


class NamedType(DmnType):
    """An item definition without constraints of its own: another name for its base type."""

    def __init__(self, name: str, base: DmnType) -> None:
        self.name = name
        self.base = base

    def conforms(self, value: Value) -> bool:
        return self.base.conforms(value)

    def is_instance(self, value: Value) -> bool:
        return self.base.is_instance(value)

    def list_element(self) -> DmnType | None:
        return self.base.list_element()


def _is_number(v: Value) -> bool:
    return type(v) is decimal.Decimal


_NUMBER = BuiltinType("number", _is_number)
_STRING = BuiltinType("string", lambda v: type(v) is str)
_BOOLEAN = BuiltinType("boolean", lambda v: type(v) is bool)
_DATE = BuiltinType("date", lambda v: type(v) is datetime.date)
_DATE_TIME = BuiltinType("date and time", lambda v: type(v) is datetime.datetime)
_TIME = BuiltinType("time", lambda v: isinstance(v, temporal.Time))
_DT_DURATION = BuiltinType(
    "days and time duration", lambda v: isinstance(v, temporal.DaysTimeDuration)
)
_YM_DURATION = BuiltinType(
    "years and months duration", lambda v: isinstance(v, temporal.YearsMonthsDuration)
)
_DURATION = BuiltinType(
    "duration",
    lambda v: isinstance(v, temporal.DaysTimeDuration | temporal.YearsMonthsDuration),
)

BUILTIN_TYPES: dict[str, DmnType] = {
    "Any": ANY,
    "any": ANY,
    "anyType": ANY,
    "number": _NUMBER,
    "decimal": _NUMBER,
    "integer": _NUMBER,
    "int": _NUMBER,
    "long": _NUMBER,
    "double": _NUMBER,
    "float": _NUMBER,
    "string": _STRING,
    "boolean": _BOOLEAN,
    "date": _DATE,
    "time": _TIME,
    "date and time": _DATE_TIME,
    "dateTime": _DATE_TIME,
    "days and time duration": _DT_DURATION,
    "dayTimeDuration": _DT_DURATION,
    "years and months duration": _YM_DURATION,
    "yearMonthDuration": _YM_DURATION,
    "duration": _DURATION,
    "context": BuiltinType("context", lambda v: isinstance(v, dict)),
    "list": BuiltinType("list", lambda v: isinstance(v, list)),
    "function": BuiltinType("function", lambda v: isinstance(v, FeelFunction)),
    "range": BuiltinType("range", lambda v: isinstance(v, Range)),
    "Null": BuiltinType("Null", lambda v: v is None),
}


def coerce(value: Value, kind: DmnType) -> tuple[Value, bool]:
    """Apply DMN type conversion: (the value to use, whether it conforms).

    A singleton list becomes its element when a non-list type is expected, and a lone value becomes
    a singleton list when a collection type is expected; anything else that does not conform
    becomes null (the caller reports it).
    """
    if value is None or kind is ANY or kind.conforms(value):
        return value, True
    element = kind.list_element()
    if element is not None:
        if not isinstance(value, list) and element.conforms(value):
            return [value], True
    elif isinstance(value, list) and len(value) == 1 and kind.conforms(value[0]):
        return value[0], True
    return None, False


class TypeSystem:
    """Resolves type references of loaded models (item definitions, FEEL types, imported types)."""

    def __init__(
        self,
        models: Mapping[str, model.Definitions],
        problems: list[Problem],
    ) -> None:
        self.models = models
        self.problems = problems
        self.cache: dict[tuple[str, str], DmnType] = {}
        self.resolving: set[tuple[str, str]] = set()
        self.names_by_model: dict[str, FeelTypeNames] = {}

    def feel_names(self, owner: model.Definitions) -> FeelTypeNames:
        names = self.names_by_model.get(owner.namespace)
        if names is None:
            names = self.names_by_model[owner.namespace] = FeelTypeNames(self, owner)
        return names

    def resolve(self, type_ref: str | None, owner: model.Definitions, site: Site) -> DmnType:
        if type_ref is None:
            return ANY
        key = (owner.namespace, type_ref)
        cached = self.cache.get(key)
        if cached is not None:
            return cached
        if key in self.resolving:
            return ANY  # a recursive structure: the inner reference is not checked further
        self.resolving.add(key)
        try:
            kind = self._resolve(type_ref.strip(), owner, site)
        finally:
            self.resolving.discard(key)
        self.cache[key] = kind
        return kind

    def lookup(self, type_ref: str, owner: model.Definitions) -> DmnType | None:
        """A named type (item definition, possibly imported) without reporting unknown names."""
        for item in owner.item_definitions:
            if item.name == type_ref:
                site = Site(f"item definition '{item.name}'", item.element_id, item.line)
                return self.resolve(type_ref, owner, site)
        for imported in owner.imports:
            prefix = imported.name + "."
            other = self.models.get(imported.namespace)
            if imported.name and type_ref.startswith(prefix) and other is not None:
                return self.lookup(type_ref[len(prefix) :], other)
        kind = BUILTIN_TYPES.get(type_ref)
        return kind

    def _resolve(self, type_ref: str, owner: model.Definitions, site: Site) -> DmnType:
        builtin = BUILTIN_TYPES.get(type_ref)
        if builtin is not None:
            return builtin
        for item in owner.item_definitions:
            if item.name == type_ref:
                return self.item_type(item, owner)
        for imported in owner.imports:
            prefix = imported.name + "."
            if imported.name and type_ref.startswith(prefix):
                other = self.models.get(imported.namespace)
                if other is not None:
                    return self.resolve(type_ref[len(prefix) :], other, site)
        structured = self._type_expression(type_ref, owner, site)
        if structured is not None:
            return structured
        self.problems.append(
            Problem(f"{site}: unknown type '{type_ref}'", site.element_id, site.line)
        )
        return ANY

    def _type_expression(self, text: str, owner: model.Definitions, site: Site) -> DmnType | None:
        """FEEL type syntax: list<T>, context<k: T, ...>, range<T>, function<T, ...> -> T."""
        open_at = text.find("<")
        close_at = _closing_bracket(text, open_at)
        if open_at < 0 or close_at < 0:
            return None
        head = text[:open_at].strip()
        inner = text[open_at + 1 : close_at]
        after = text[close_at + 1 :].strip()
        if head == "function":
            output = after[2:].strip() if after.startswith("->") else "Any"
            parameters = [self.resolve(p, owner, site) for p in _split(inner)]
            return FunctionType(parameters, self.resolve(output or "Any", owner, site))
        if after:
            return None
        if head == "list":
            return ListType(self.resolve(inner, owner, site))
        if head == "range":
            return RangeType(self.resolve(inner, owner, site))
        if head == "context":
            components: dict[str, DmnType] = {}
            for part in _split(inner):
                key, _, value = part.partition(":")
                components[key.strip().strip('"')] = self.resolve(value.strip(), owner, site)
            return ContextType(components)
        return None

    def item_type(self, item: model.ItemDefinition, owner: model.Definitions) -> DmnType:
        site = Site(f"item definition '{item.name}'", item.element_id, item.line)
        base: DmnType
        if item.function_item is not None:
            function = item.function_item
            base = FunctionType(
                [self.resolve(p.type_ref, owner, site) for p in function.parameters],
                self.resolve(function.output_type_ref, owner, site),
            )
        elif item.components:
            base = ContextType(
                {c.name: self.item_type(c, owner) for c in item.components}, name=item.name
            )
        elif item.type_ref is not None and item.type_ref != item.name:
            base = self.resolve(item.type_ref, owner, site)
        else:
            base = BUILTIN_TYPES.get(item.type_ref or "Any", ANY)
        if item.allowed_values is not None and item.allowed_values.strip():
            tests = FeelTests(item.allowed_values, (), site, self.problems)
            base = ConstrainedType(item.name, base, tests)
        if item.is_collection:
            base = ListType(base, name=item.name)
        if item.type_constraint is not None and item.type_constraint.strip():
            tests = FeelTests(item.type_constraint, (), site, self.problems)
            base = ConstrainedType(item.name, base, tests)
        if base.name != item.name and not isinstance(base, ListType):
            base = NamedType(item.name, base)
        return base


def _closing_bracket(text: str, open_at: int) -> int:
    """Index of the '>' closing the '<' at open_at ('->' arrows are not brackets), or -1."""
    if open_at < 0:
        return -1
    depth = 0
    for index in range(open_at, len(text)):
        char = text[index]
        if char == "<":
            depth += 1
        elif char == ">" and text[index - 1] != "-":
            depth -= 1
            if depth == 0:
                return index
    return -1


def _split(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    start = 0
    for index, char in enumerate(text):
        if char == "<":
            depth += 1
        elif char == ">" and index > 0 and text[index - 1] != "-":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
    last = text[start:].strip()
    if last:
        parts.append(last)
    return parts


class FeelTypeNames(Mapping[str, Callable[[Value], bool]]):
    """Item definitions by name for FEEL's `instance of` (and typed FEEL function parameters)."""

    def __init__(self, types: TypeSystem, owner: model.Definitions) -> None:
        self.types = types
        self.owner = owner

    def __getitem__(self, name: str) -> Callable[[Value], bool]:
        kind = self.types.lookup(name, self.owner)
        if kind is None:
            raise KeyError(name)
        return kind.is_instance

    def __iter__(self) -> Iterator[str]:
        return iter(item.name for item in self.owner.item_definitions)

    def __len__(self) -> int:
        return len(self.owner.item_definitions)
