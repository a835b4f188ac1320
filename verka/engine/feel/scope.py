"""FEEL evaluation scopes: the chain of name bindings an expression is evaluated in."""

from __future__ import annotations

import datetime
import importlib
from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any, Protocol

from verka.engine.feel import ast
from verka.engine.feel.feeltypes import TypeResolver
from verka.engine.feel.values import Diagnostics, FeelFunction, Value, from_python

MISSING: Any = object()

_CANONICAL = frozenset({Decimal, str, bool, type(None), datetime.date, datetime.datetime})


class Scope:
    """Names visible at one point of evaluation; the outermost scope is the caller's context."""

    __slots__ = ("converted", "diagnostics", "parent", "raw", "types", "vars")

    def __init__(
        self,
        variables: Mapping[str, Value],
        parent: Scope | None,
        diagnostics: Diagnostics,
        types: TypeResolver | None = None,
        raw: bool = False,
    ) -> None:
        self.vars = variables
        self.parent = parent
        self.diagnostics = diagnostics
        self.types = types
        # The caller's own context may hold plain Python data (int, float, tuples); such values
        # are converted on first use, once per evaluation.
        self.raw = raw
        self.converted: dict[str, Value] | None = None

    def child(self, variables: Mapping[str, Value]) -> Scope:
        return Scope(variables, self, self.diagnostics, self.types)

    def convert(self, name: str, value: Value) -> Value:
        if self.converted is None:
            self.converted = {}
        found = self.converted.get(name, MISSING)
        if found is MISSING:
            found = self.converted[name] = from_python(value)
        return found

    def lookup(self, name: str) -> Value:
        """The value bound to name, a built-in function, or MISSING."""
        scope: Scope | None = self
        while scope is not None:
            value = scope.vars.get(name, MISSING)
            if value is not MISSING:
                if scope.raw and type(value) not in _CANONICAL:
                    return scope.convert(name, value)
                return value
            scope = scope.parent
        return builtins().get(name, MISSING)


Evaluator = Callable[[Scope], Value]

_builtins: Mapping[str, FeelFunction] | None = None


def builtins() -> Mapping[str, FeelFunction]:
    """The built-in function library, loaded on first use."""
    global _builtins
    if _builtins is None:
        try:
            module = importlib.import_module("verka.engine.feel.builtins")
        except ImportError:
            return {}
        library = getattr(module, "BUILTINS", None)
        if library is None:
            return {}  # still importing; look again next time
        _builtins = library
    return _builtins


class NodeCompiler(Protocol):
    """What the construct-specific compilers (iteration, unary tests) need from the compiler."""

    def compile(self, node: ast.Node) -> Evaluator: ...

    def where(self, offset: int) -> str: ...
