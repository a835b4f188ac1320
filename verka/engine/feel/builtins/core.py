"""Declaring FEEL built-in functions: overloads, spec parameter names, argument binding and typing."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, DecimalException
from typing import Any

from verka.engine.feel.errors import FeelError
from verka.engine.feel.temporal import DaysTimeDuration, Time, YearsMonthsDuration
from verka.engine.feel.values import (
    NUMBER_CONTEXT,
    Diagnostics,
    FeelFunction,
    Range,
    Value,
    type_name,
)

Body = Callable[..., Value]


class BuiltinError(FeelError):
    """Raised inside a built-in body to make the call yield null with this message.

    It never leaves Builtin.invoke: FEEL answers a failed call with null and a diagnostic."""


def _is_number(value: Value) -> bool:
    return type(value) is Decimal


def _is_date(value: Value) -> bool:
    return isinstance(value, datetime.date)


def _is_point(value: Value) -> bool:
    return _is_number(value) or isinstance(
        value,
        str | datetime.date | Time | YearsMonthsDuration | DaysTimeDuration,
    )


# Each parameter declares one of these kinds; an argument that fails its kind's test makes the
# overload not apply (after FEEL's implicit singleton-list conversions).
KINDS: dict[str, Callable[[Value], bool]] = {
    "any": lambda value: True,
    "number": _is_number,
    "string": lambda value: isinstance(value, str),
    "boolean": lambda value: isinstance(value, bool),
    "list": lambda value: isinstance(value, list),
    "context": lambda value: isinstance(value, Mapping),
    "range": lambda value: isinstance(value, Range),
    "function": lambda value: isinstance(value, FeelFunction),
    "date": _is_date,
    "date and time": lambda value: isinstance(value, datetime.datetime),
    "time": lambda value: isinstance(value, Time),
    "duration": lambda value: isinstance(value, YearsMonthsDuration | DaysTimeDuration),
    "days and time duration": lambda value: isinstance(value, DaysTimeDuration),
    "point": _is_point,
}


@dataclass(frozen=True)
class Param:
    """One declared parameter: `name: kind`, `name: kind?` (optional), `...name: kind` (one or
    more trailing arguments) or `...name: kind*` (zero or more)."""

    name: str
    kind: str
    optional: bool = False
    variadic: bool = False

    @staticmethod
    def parse(text: str) -> Param:
        name, _, kind = text.partition(":")
        kind = kind.strip()
        variadic = name.startswith("...")
        # A variadic parameter is "optional" when it may receive no arguments at all.
        optional = kind.endswith(("?", "*"))
        kind = kind.rstrip("?*")
        if kind not in KINDS:
            raise ValueError(f"unknown parameter kind {kind!r} in {text!r}")
        return Param(name.removeprefix("...").strip(), kind, optional, variadic)

    def accepts(self, value: Value) -> tuple[bool, Value]:
        """Whether the argument fits, and the argument after FEEL's implicit conversions."""
        test = KINDS[self.kind]
        if test(value):
            return True, value
        if self.kind == "list" and value is not None:
            return True, [value]
        if isinstance(value, list) and len(value) == 1 and test(value[0]):
            return True, value[0]
        return False, value


_MISSING: Any = object()


@dataclass(frozen=True)
class Overload:
    """One signature of a built-in and the body that runs when the arguments fit it."""

    params: tuple[Param, ...]
    body: Body
    wants_diagnostics: bool = False

    def bind(
        self, positional: Sequence[Value] | None, named: Mapping[str, Value] | None
    ) -> list[Value] | None:
        """Arguments in declared order (absent optionals as _MISSING), or None if arity fails."""
        if named is not None:
            names = {param.name for param in self.params}
            if any(key not in names for key in named):
                return None
            bound = []
            for param in self.params:
                if param.name in named:
                    value = named[param.name]
                    bound.append([value] if param.variadic else value)
                elif param.optional:
                    bound.append([] if param.variadic else _MISSING)
                else:
                    return None
            return bound
        args = list(positional or ())
        fixed = [param for param in self.params if not param.variadic]
        required = sum(1 for param in fixed if not param.optional)
        variadic = len(fixed) < len(self.params)
        if len(args) < required or (not variadic and len(args) > len(fixed)):
            return None
        if variadic:
            rest = args[len(fixed) :]
            if not rest and not self.params[-1].optional:
                return None
            return args[: len(fixed)] + [rest]
        return args + [_MISSING] * (len(fixed) - len(args))

    def convert(self, bound: list[Value]) -> tuple[list[Value], str | None]:
        """Arguments after implicit conversions, or a message naming the first misfit."""
        converted: list[Value] = []
        for param, value in zip(self.params, bound, strict=True):
            if value is _MISSING:
                converted.append(None)
                continue
            if param.variadic:
                items = []
                for item in value:
                    fits, item = Param(param.name, param.kind).accepts(item)
                    if not fits:
                        return [], _misfit(param, item)
                    items.append(item)
                converted.append(items)
                continue
            fits, value = param.accepts(value)
            if not fits:
                return [], _misfit(param, value)
            converted.append(value)
        return converted, None

    def signature(self) -> str:
        parts = []
        for param in self.params:
            text = f"{param.name}: {param.kind}"
            parts.append(("..." if param.variadic else "") + text + ("?" if param.optional else ""))
        return ", ".join(parts)


def _misfit(param: Param, value: Value) -> str:
    return f"parameter '{param.name}' expects {param.kind}, got {type_name(value)}"


class Builtin(FeelFunction):
    """A built-in FEEL function with one or more overloads tried in declaration order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.overloads: list[Overload] = []

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        misfits = []
        for overload in self.overloads:
            bound = overload.bind(positional, named)
            if bound is None:
                continue
            args, misfit = overload.convert(bound)
            if misfit is not None:
                misfits.append(misfit)
                continue
            if overload.wants_diagnostics:
                args.insert(0, diagnostics)
            try:
                return overload.body(*args)
            except BuiltinError as error:
                diagnostics.report(f"{self.name}: {error}")
                return None
            except (DecimalException, ArithmeticError, OverflowError) as error:
                diagnostics.report(f"{self.name}: arithmetic failed ({error})")
                return None
            except Exception as error:  # a FEEL call must never raise
                # Reaching this is a bug in a built-in; the fuzz tests look for this message.
                diagnostics.report(f"{self.name}: internal error ({type(error).__name__}: {error})")
                return None
        diagnostics.report(
            f"{self.name}: {misfits[0] if misfits else self._arity(named, positional)}"
        )
        return None

    def _arity(self, named: Mapping[str, Value] | None, positional: Sequence[Value] | None) -> str:
        shapes = " or ".join(f"({overload.signature()})" for overload in self.overloads)
        if named is not None:
            known = {param.name for overload in self.overloads for param in overload.params}
            unknown = [key for key in named if key not in known]
            if unknown:
                return f"no parameter named '{unknown[0]}'; expected {shapes}"
            return f"these named arguments fit no overload; expected {shapes}"
        count = len(positional or ())
        return f"no overload takes {count} argument(s); expected {shapes}"


class Library:
    """The built-ins of one family, collected by the `function` decorator."""

    def __init__(self) -> None:
        self.functions: dict[str, Builtin] = {}

    def function(
        self, name: str, *params: str, diagnostics: bool = False
    ) -> Callable[[Body], Body]:
        """Declare an overload of FEEL function `name` with spec parameter names and kinds."""
        declared = tuple(Param.parse(param) for param in params)

        def register(body: Body) -> Body:
            builtin = self.functions.setdefault(name, Builtin(name))
            builtin.overloads.append(Overload(declared, body, diagnostics))
            return body

        return register

    def __iter__(self) -> Iterator[Builtin]:
        return iter(self.functions.values())


# ---------------------------------------------------------------- helpers shared by families


def number(value: Decimal) -> Decimal:
    """A computed number normalised to FEEL's 34 digits; BuiltinError when it is not finite."""
    result = NUMBER_CONTEXT.plus(value)
    if not result.is_finite():
        raise BuiltinError("the result is not a finite number")
    return result


def integer(value: Decimal, what: str) -> int:
    """An integer-valued number as int, or BuiltinError naming the parameter."""
    if not value.is_finite() or value != value.to_integral_value():
        raise BuiltinError(f"{what} must be an integer, got {value}")
    return int(value)
