"""FEEL values: the Python representation of every FEEL type, and the operators on them.

Representation (shared by the evaluator, the built-in library, DMN and the process engine):

| FEEL type                    | Python                                                    |
|------------------------------|-----------------------------------------------------------|
| null                         | None                                                      |
| number                       | decimal.Decimal (34 digits, ROUND_HALF_EVEN; see NUMBER_CONTEXT) |
| string                       | str                                                       |
| boolean                      | bool                                                      |
| date                         | datetime.date (never a datetime.datetime)                 |
| date and time                | datetime.datetime (tzinfo None, a fixed offset, or a ZoneInfo) |
| time                         | temporal.Time                                             |
| years and months duration    | temporal.YearsMonthsDuration                              |
| days and time duration       | temporal.DaysTimeDuration                                 |
| list                         | list                                                      |
| context                      | dict[str, Value] (insertion ordered)                      |
| range                        | values.Range                                              |
| function                     | values.FeelFunction                                       |
"""

from __future__ import annotations

import abc
import datetime
import decimal
import importlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from verka.engine.bounded_regex import RegexBudget
from verka.engine.feel.limits import Limits, default_limits

NUMBER_CONTEXT = decimal.Context(
    prec=34, rounding=decimal.ROUND_HALF_EVEN, Emax=6144, Emin=-6143, traps=[]
)

Value = Any


@dataclass(frozen=True)
class Range:
    """A FEEL range; an end of None is unbounded (as in the range `< 10`).

    `comparison` records the DMN 1.5 unary forms `< 10`, `<= 10`, `> 10`, `>= 10`, `=10` and
    `!=10` (for = and != start and end both hold the value). Such ranges are not equal to the
    interval written with brackets, e.g. `(< 10) != (null..10)` and `(=10) != [10..10]`.
    """

    start: Value
    end: Value
    start_included: bool
    end_included: bool
    comparison: str | None = None


class Diagnostics:
    """Collects the problems met while evaluating; FEEL answers them with null, never raises.

    It also carries the evaluation's limits (see limits.Limits): loop iterations and function
    calls spend a work budget, so that `for i in 1..1e6, j in 1..1e6 return 0` stops with a
    problem (after a few seconds) instead of occupying a server for hours, and regular
    expressions share a time budget. Running out of either sets `stopped`: the value is then
    not to be trusted, even where FEEL's null rules turned the stop into an ordinary value
    (`matches(x, p) or true`), and callers that act on a value (the process engine, DMN) fail.
    """

    __slots__ = ("_regex", "limits", "messages", "stopped", "work_budget")

    def __init__(
        self,
        limits: Limits | None = None,
        *,
        work_budget: int | None = None,
        regex: RegexBudget | None = None,
    ) -> None:
        """regex shares one budget among several evaluations (a form's expressions)."""
        self.limits = limits if limits is not None else default_limits()
        self.messages: list[str] = []
        self.work_budget = self.limits.steps if work_budget is None else work_budget
        self.stopped: str | None = None
        self._regex = regex

    def report(self, message: str) -> None:
        self.messages.append(message)

    def stop(self, why: str) -> None:
        """Record that a limit was reached (the first reason is kept); report() tells where."""
        if self.stopped is None:
            self.stopped = why

    @property
    def regex(self) -> RegexBudget:
        """The time regular expressions may still take in this evaluation."""
        if self._regex is None:
            self._regex = RegexBudget(self.limits.regex_seconds)
        return self._regex


class FeelFunction(abc.ABC):
    """A FEEL function value: built-ins, user-defined functions, DMN BKMs and decision services."""

    name: str = "anonymous function"

    @abc.abstractmethod
    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        """Call the function with exactly one of positional or named arguments."""

    def __repr__(self) -> str:
        return f"<FEEL function {self.name}>"


_temporal_module: ModuleType | None = None
_temporal_missing = False


def temporal_module() -> ModuleType | None:
    """The temporal module, imported on first use so that values.py never depends on it early."""
    global _temporal_module, _temporal_missing
    if _temporal_module is None and not _temporal_missing:
        try:
            _temporal_module = importlib.import_module("verka.engine.feel.temporal")
        except ImportError:
            _temporal_missing = True
    return _temporal_module


def is_number(v: Value) -> bool:
    return type(v) is decimal.Decimal


def _is_temporal(v: Value) -> bool:
    if isinstance(v, datetime.date):
        return True
    module = temporal_module()
    return module is not None and bool(module.is_temporal(v))


_SCALAR_TYPES: dict[type, str] = {
    decimal.Decimal: "number",
    str: "string",
    bool: "boolean",
    datetime.date: "date",
    datetime.datetime: "date and time",
    list: "list",
    dict: "context",
    Range: "range",
    type(None): "Null",
}

_TEMPORAL_CLASS_NAMES = {
    "Time": "time",
    "YearsMonthsDuration": "years and months duration",
    "DaysTimeDuration": "days and time duration",
}


def type_name(v: Value) -> str:
    """The FEEL type name of a value, as `instance of` and error messages spell it."""
    name = _SCALAR_TYPES.get(type(v))
    if name is not None:
        return name
    if isinstance(v, FeelFunction):
        return "function"
    if isinstance(v, Mapping):
        return "context"
    if isinstance(v, datetime.datetime):
        return "date and time"
    if isinstance(v, datetime.date):
        return "date"
    temporal = _TEMPORAL_CLASS_NAMES.get(type(v).__name__)
    if temporal is not None:
        return temporal
    return "Any"


def feel_equals(a: Value, b: Value) -> bool | None:
    """FEEL `=`: null equals only null; values of different types are not comparable (None)."""
    if a is None or b is None:
        return a is None and b is None
    ta, tb = type(a), type(b)
    if ta is decimal.Decimal and tb is decimal.Decimal:
        return bool(a == b)
    if ta is str and tb is str:
        return bool(a == b)
    if ta is bool and tb is bool:
        return bool(a == b)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        return _all_equal(zip(a, b, strict=True))
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        if a.keys() != b.keys():
            return False
        return _all_equal((a[k], b[k]) for k in a)
    if isinstance(a, Range) and isinstance(b, Range):
        if (a.start_included, a.end_included, a.comparison) != (
            b.start_included,
            b.end_included,
            b.comparison,
        ):
            return False
        return _all_equal([(a.start, b.start), (a.end, b.end)])
    if isinstance(a, FeelFunction) and isinstance(b, FeelFunction):
        return a is b
    if _is_temporal(a) and _is_temporal(b):
        module = temporal_module()
        if module is None:
            if ta is tb and isinstance(a, datetime.date):
                return bool(a == b)
            return None
        result: bool | None = module.temporal_equals(a, b)
        return result
    return None


def _all_equal(pairs: Any) -> bool | None:
    unknown = False
    for x, y in pairs:
        same = feel_equals(x, y)
        if same is False:
            return False
        if same is None:
            unknown = True
    return None if unknown else True


def feel_compare(a: Value, b: Value) -> int | None:
    """FEEL ordering: -1, 0 or 1, or None when the values are null or not comparable."""
    if a is None or b is None:
        return None
    ta, tb = type(a), type(b)
    if (ta is decimal.Decimal and tb is decimal.Decimal) or (ta is str and tb is str):
        return -1 if a < b else (1 if a > b else 0)
    if ta is bool or tb is bool:
        return None
    if _is_temporal(a) and _is_temporal(b):
        module = temporal_module()
        if module is None:
            if ta is tb and isinstance(a, datetime.date):
                return -1 if a < b else (1 if a > b else 0)
            return None
        result: int | None = module.temporal_compare(a, b)
        return result
    return None


def number_to_string(n: decimal.Decimal) -> str:
    """A number as FEEL prints it: plain notation, no trailing zeros after the point."""
    if not n.is_finite():
        return str(n)
    text = format(n, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    if text in ("-0", ""):
        text = "0"
    return text


def to_feel_string(v: Value) -> str:
    """The text the `string()` built-in returns for a value."""
    if v is None:
        return "null"
    if isinstance(v, str):
        return v
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, decimal.Decimal):
        return number_to_string(v)
    if isinstance(v, list):
        return "[" + ", ".join(_nested_string(x) for x in v) + "]"
    if isinstance(v, Mapping):
        entries = (f"{_key_string(k)}: {_nested_string(x)}" for k, x in v.items())
        return "{" + ", ".join(entries) + "}"
    if isinstance(v, Range):
        if v.comparison in ("=", "!="):
            return f"{v.comparison}{_nested_string(v.start)}"
        start = "(" if v.start is None else ("[" if v.start_included else "(")
        end = ")" if v.end is None else ("]" if v.end_included else ")")
        if v.start is None:
            op = "<=" if v.end_included else "<"
            return f"{op} {_nested_string(v.end)}"
        if v.end is None:
            op = ">=" if v.start_included else ">"
            return f"{op} {_nested_string(v.start)}"
        return f"{start}{_nested_string(v.start)}..{_nested_string(v.end)}{end}"
    if isinstance(v, FeelFunction):
        return f"function {v.name}"
    module = temporal_module()
    if module is not None and _is_temporal(v):
        text: str = module.temporal_to_string(v)
        return text
    if isinstance(v, datetime.date):
        return v.isoformat()
    return str(v)


def _nested_string(v: Value) -> str:
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return to_feel_string(v)


def _key_string(key: str) -> str:
    if key.isidentifier():
        return key
    return _nested_string(key)


_PLAIN = frozenset({decimal.Decimal, str, bool, type(None), datetime.date, datetime.datetime})


def _is_feel(v: object) -> bool:
    t = type(v)
    if t in _PLAIN:
        return True
    if isinstance(v, list) and t is list:
        return all(_is_feel(x) for x in v)
    if isinstance(v, dict) and t is dict:
        return all(type(k) is str and _is_feel(x) for k, x in v.items())
    return not (t is int or t is float or isinstance(v, tuple | Mapping))


def from_python(v: object) -> Value:
    """Convert plain Python data (int, float, tuple, nested JSON) into FEEL values.

    Values that are FEEL values already are returned as they are, not copied.
    """
    if _is_feel(v):
        return v
    return _convert(v)


def _convert(v: object) -> Value:
    if isinstance(v, bool):
        return v
    if isinstance(v, int):
        return decimal.Decimal(v)
    if isinstance(v, float):
        return NUMBER_CONTEXT.create_decimal(repr(v))
    if isinstance(v, list | tuple):
        return [from_python(x) for x in v]
    if isinstance(v, Mapping) and not isinstance(v, FeelFunction):
        return {str(k): from_python(x) for k, x in v.items()}
    return v
