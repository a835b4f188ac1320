"""FEEL string functions (§10.3.4.3); positions count characters, never UTF-16 code units."""

from __future__ import annotations

from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal
from typing import TypeVar

from verka.engine.bounded_regex import RegexBudget, RegexTimeout, finditer, search, sub
from verka.engine.feel.builtins.core import BuiltinError, Library
from verka.engine.feel.builtins.regex import compile_pattern, matches_empty, replacer
from verka.engine.feel.values import Diagnostics, Value

T = TypeVar("T")

library = Library()
function = library.function


def characters(text: str) -> str:
    """The text with any UTF-16 surrogate pairs joined into the one character they encode."""
    if not any("\ud800" <= char <= "\udfff" for char in text):
        return text
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "surrogatepass")


def _whole(value: Decimal, what: str) -> int:
    if not value.is_finite():
        raise BuiltinError(f"{what} must be a finite number")
    return int(value.to_integral_value(rounding=ROUND_HALF_UP))


@function("substring", "string: string", "start position: number", "length: number?")
def substring(text: str, start: Decimal, length: Decimal | None) -> Value:
    text = characters(text)
    first = _whole(start, "start position")
    if first == 0 or first < -len(text):
        raise BuiltinError(f"start position {start} is outside the string")
    index = first - 1 if first > 0 else len(text) + first
    if length is None:
        return text[index:]
    count = _whole(length, "length")
    if count < 0:
        raise BuiltinError("length must not be negative")
    return text[index : index + count]


@function("string length", "string: string")
def string_length(text: str) -> Value:
    return Decimal(len(characters(text)))


@function("upper case", "string: string")
def upper_case(text: str) -> Value:
    return text.upper()


@function("lower case", "string: string")
def lower_case(text: str) -> Value:
    return text.lower()


@function("substring before", "string: string", "match: string")
def substring_before(text: str, match: str) -> Value:
    text, match = characters(text), characters(match)
    index = text.find(match)
    return "" if index < 0 else text[:index]


@function("substring after", "string: string", "match: string")
def substring_after(text: str, match: str) -> Value:
    text, match = characters(text), characters(match)
    index = text.find(match)
    return "" if index < 0 else text[index + len(match) :]


@function("contains", "string: string", "match: string")
def contains(text: str, match: str) -> Value:
    return characters(match) in characters(text)


@function("starts with", "string: string", "match: string")
def starts_with(text: str, match: str) -> Value:
    return characters(text).startswith(characters(match))


@function("ends with", "string: string", "match: string")
def ends_with(text: str, match: str) -> Value:
    return characters(text).endswith(characters(match))


def _flags(flags: Value) -> str:
    if flags is None:
        return ""
    if not isinstance(flags, str):
        raise BuiltinError("flags must be a string")
    return flags


def _bounded(diagnostics: Diagnostics, pattern: str, match: Callable[[RegexBudget], T]) -> T:
    """Run a match within the evaluation's regex budget; running out stops the evaluation."""
    try:
        return match(diagnostics.regex)
    except RegexTimeout as timeout:
        diagnostics.stop(str(timeout))
        raise BuiltinError(str(timeout)) from None


@function("matches", "input: string", "pattern: string", "flags: any?", diagnostics=True)
def matches(diagnostics: Diagnostics, text: str, pattern: str, flags: Value) -> Value:
    compiled = compile_pattern(pattern, _flags(flags))
    text = characters(text)
    found = _bounded(diagnostics, pattern, lambda b: search(b, pattern, compiled, text))
    return found is not None


@function(
    "replace",
    "input: string",
    "pattern: string",
    "replacement: string",
    "flags: any?",
    diagnostics=True,
)
def replace(
    diagnostics: Diagnostics, text: str, pattern: str, replacement: str, flags: Value
) -> Value:
    flag_text = _flags(flags)
    compiled = compile_pattern(pattern, flag_text)
    if matches_empty(pattern, flag_text):
        raise BuiltinError(f"pattern {pattern!r} matches the empty string")
    substitute = replacer(replacement, "q" in flag_text, compiled.groups)
    text = characters(text)
    return _bounded(diagnostics, pattern, lambda b: sub(b, pattern, compiled, substitute, text))


@function("split", "string: string", "delimiter: string", diagnostics=True)
def split(diagnostics: Diagnostics, text: str, delimiter: str) -> Value:
    compiled = compile_pattern(delimiter)
    if matches_empty(delimiter):
        raise BuiltinError(f"delimiter {delimiter!r} matches the empty string")
    text = characters(text)
    found = _bounded(diagnostics, delimiter, lambda b: finditer(b, delimiter, compiled, text))
    parts = []
    start = 0
    for match in found:
        parts.append(text[start : match.start()])
        start = match.end()
    parts.append(text[start:])
    return parts


@function("string join", "list: list", "delimiter: any?")
def string_join(items: list[Value], delimiter: Value) -> Value:
    if delimiter is not None and not isinstance(delimiter, str):
        raise BuiltinError("delimiter must be a string")
    if not all(item is None or isinstance(item, str) for item in items):
        raise BuiltinError("list must hold strings")
    return (delimiter or "").join(item for item in items if item is not None)
