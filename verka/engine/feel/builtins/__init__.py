"""The FEEL built-in function library of DMN 1.5 (§10.3.4), keyed by FEEL name."""

from __future__ import annotations

import datetime
from collections.abc import Mapping, Sequence

from verka.engine.feel.builtins import (
    boolean,
    context,
    conversion,
    dates,
    lists,
    numeric,
    ranges,
    strings,
)
from verka.engine.feel.builtins.core import Builtin, BuiltinError
from verka.engine.feel.builtins.dates import clock_functions
from verka.engine.feel.values import Diagnostics, FeelFunction, Value


def _collect() -> dict[str, Builtin]:
    functions: dict[str, Builtin] = {}
    for family in (conversion, boolean, strings, lists, numeric, dates, ranges, context):
        for builtin in family.library:
            if builtin.name in functions:
                raise RuntimeError(f"built-in {builtin.name!r} is declared in two families")
            functions[builtin.name] = builtin
    return functions


BUILTINS: Mapping[str, FeelFunction] = _collect()
"""Every built-in by name; `now` and `today` answer null (no clock) until overlaid."""


def builtins_with_clock(instant: datetime.datetime) -> Mapping[str, FeelFunction]:
    """BUILTINS with `now()` and `today()` answering from the given instant."""
    return {**BUILTINS, **clock_functions(instant)}


def call(
    name: str, positional: Sequence[Value] | None, named: Mapping[str, Value] | None = None
) -> tuple[Value, list[str]]:
    """Invoke a built-in by FEEL name outside an expression: its result and its diagnostics."""
    diagnostics = Diagnostics()
    function = BUILTINS.get(name)
    if function is None:
        return None, [f"no built-in function named {name!r}"]
    if named is not None:
        positional = None
    result = function.invoke(positional, named, diagnostics)
    return result, diagnostics.messages


__all__ = ["BUILTINS", "Builtin", "BuiltinError", "builtins_with_clock", "call", "clock_functions"]
