"""DMN TCK test files: typed XML values to FEEL values, and the comparison rule (see tck)."""

from __future__ import annotations

import datetime
import decimal
from dataclasses import dataclass
from typing import Any

from lxml import etree

from verka.engine.dmn.errors import DmnError
from verka.engine.dmn.parser import line_of
from verka.engine.feel import temporal
from verka.engine.feel.values import NUMBER_CONTEXT, feel_equals, to_feel_string

Value = Any
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NIL = f"{{{XSI}}}nil"
_TYPE = f"{{{XSI}}}type"


def _local(element: etree._Element) -> str:
    tag = element.tag
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _children(element: etree._Element, name: str) -> list[etree._Element]:
    return [child for child in element if _local(child) == name]


def _is_nil(element: etree._Element) -> bool:
    return (element.get(_NIL) or "").strip() in ("true", "1")


def read_value(element: etree._Element, source: str | None = None) -> Value:
    """A TCK valueType element (inputNode, expected, item, component) as a FEEL value."""
    if _is_nil(element):
        return None
    values = _children(element, "value")
    if values:
        return _scalar(values[0], source)
    lists = _children(element, "list")
    if lists:
        if _is_nil(lists[0]):
            return None
        return [read_value(item, source) for item in _children(lists[0], "item")]
    components = _children(element, "component")
    if components:
        return {(c.get("name") or ""): read_value(c, source) for c in components}
    return None


def _scalar(element: etree._Element, source: str | None) -> Value:
    if _is_nil(element):
        return None
    text = element.text or ""
    kind = (element.get(_TYPE) or "").rpartition(":")[2]
    if kind in ("", "string", "anyURI", "normalizedString", "token"):
        return text
    stripped = text.strip()
    value: Value
    if kind in ("decimal", "double", "float", "integer", "int", "long", "short"):
        try:
            value = NUMBER_CONTEXT.create_decimal(stripped)
        except decimal.InvalidOperation:
            value = None
    elif kind == "boolean":
        value = {"true": True, "1": True, "false": False, "0": False}.get(stripped)
    elif kind == "date":
        value = temporal.parse_date(stripped)
    elif kind == "dateTime":
        value = temporal.parse_date_time(stripped)
    elif kind == "time":
        value = temporal.parse_time(stripped)
    elif kind in ("duration", "dayTimeDuration", "yearMonthDuration"):
        value = temporal.parse_duration(stripped)
    else:
        raise DmnError(
            f"unsupported xsi:type '{kind}' in a TCK value", line=line_of(element), source=source
        )
    if value is None:
        raise DmnError(
            f"'{stripped}' is not a valid xsd:{kind}", line=line_of(element), source=source
        )
    return value


@dataclass(frozen=True)
class Mismatch:
    """Where and how an actual value differs from the expected one."""

    path: str
    expected: Value
    actual: Value

    def __str__(self) -> str:
        where = f" at {self.path}" if self.path else ""
        return f"expected {show(self.expected)}, got {show(self.actual)}{where}"


def show(value: Value) -> str:
    if isinstance(value, str):
        return '"' + value + '"'
    text = str(to_feel_string(value))
    if isinstance(value, datetime.date | temporal.Time) or temporal.is_temporal(value):
        return f"{type(value).__name__}({text})"
    return text


def _normalised(number: decimal.Decimal) -> decimal.Decimal:
    return NUMBER_CONTEXT.plus(number)


_BINARY_DIGITS = 17
_ABSOLUTE_TOLERANCE = decimal.Decimal("1e-8")
_RELATIVE_TOLERANCE = decimal.Decimal("1e-14")


def numbers_match(expected: decimal.Decimal, actual: decimal.Decimal) -> bool:
    """The number rule of the module docstring."""
    if not expected.is_finite() or not actual.is_finite():
        return expected == actual
    if _normalised(expected) == _normalised(actual):
        return True
    if len(expected.normalize(NUMBER_CONTEXT).as_tuple().digits) > _BINARY_DIGITS:
        return False
    difference = abs(NUMBER_CONTEXT.subtract(expected, actual))
    return difference < _ABSOLUTE_TOLERANCE or difference <= _RELATIVE_TOLERANCE * abs(expected)


def compare(expected: Value, actual: Value, path: str = "") -> Mismatch | None:
    """None when actual matches expected by the rule in this module's docstring."""
    if expected is None:
        return None if actual is None else Mismatch(path, expected, actual)
    if actual is None:
        return Mismatch(path, expected, actual)
    if type(expected) is decimal.Decimal:
        if type(actual) is not decimal.Decimal or not numbers_match(expected, actual):
            return Mismatch(path, expected, actual)
        return None
    if type(expected) in (str, bool):
        if type(actual) is not type(expected) or actual != expected:
            return Mismatch(path, expected, actual)
        return None
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return Mismatch(path, expected, actual)
        for index, (want, got) in enumerate(zip(expected, actual, strict=True)):
            found = compare(want, got, f"{path}[{index + 1}]")
            if found is not None:
                return found
        return None
    if isinstance(expected, dict):
        if not isinstance(actual, dict) or set(actual) != set(expected):
            return Mismatch(path, expected, actual)
        for key, want in expected.items():
            found = compare(want, actual[key], f"{path}.{key}" if path else key)
            if found is not None:
                return found
        return None
    if type(expected) is not type(actual) or feel_equals(expected, actual) is not True:
        return Mismatch(path, expected, actual)
    return None
