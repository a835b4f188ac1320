"""FEEL texts of a DMN model, parsed once at load time and evaluated many times."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from verka.engine.feel import (
    Expression,
    FeelError,
    UnaryTests,
    evaluate,
    parse_expression,
    parse_unary_tests,
)
from verka.engine.feel.values import Diagnostics, to_feel_string

if TYPE_CHECKING:
    from verka.engine.dmn.runtime import Run

Value = Any
Parsed = TypeVar("Parsed", Expression, UnaryTests)
_DASH = frozenset({"-", ""})
# Re-parsings of one text with different ambient names; more than a few means the callers'
# variables vary wildly, and parsing again (cached by the FEEL package) is cheap enough.
_MAX_VARIANTS = 16


@dataclass(frozen=True)
class Site:
    """Which model element a FEEL text belongs to: a readable label, its element id and line."""

    label: str
    element_id: str | None
    line: int | None

    def __str__(self) -> str:
        if self.element_id:
            return f"{self.label} (element '{self.element_id}', line {self.line})"
        return f"{self.label} (line {self.line})" if self.line is not None else self.label


@dataclass(frozen=True)
class Problem:
    """A model problem found at load time (a FEEL syntax error, an unknown type), with location."""

    message: str
    element_id: str | None
    line: int | None

    def __str__(self) -> str:
        return self.message


def _syntax_message(kind: str, text: str, error: Exception) -> str:
    return f"{kind} '{text.strip()}' is not valid FEEL: {error}"


def _told(
    text: str,
    known_names: tuple[str, ...],
    ambient_names: tuple[str, ...],
    variants: dict[tuple[str, ...], Parsed | None],
    parse: Callable[[str, Iterable[str]], Parsed],
) -> Parsed | None:
    """The text parsed again knowing the ambient names it mentions; None if it mentions none.

    Names the model declares were known at load time; an ambient name with a keyword in it
    (`Amount in EUR`) is only known per evaluation, so a text mentioning one is parsed again.
    """
    mentioned = tuple(name for name in ambient_names if name in text)
    if not mentioned:
        return None
    if mentioned in variants:
        return variants[mentioned]
    parsed: Parsed | None
    try:
        parsed = parse(text, known_names + mentioned)
    except FeelError:
        parsed = None
    if len(variants) < _MAX_VARIANTS:
        variants[mentioned] = parsed
    return parsed


class FeelText:
    """One FEEL expression; a syntax error is reported (and null returned) each time it runs."""

    __slots__ = ("compiled", "error", "known_names", "text", "types", "variants", "where")

    def __init__(
        self,
        text: str,
        known_names: Iterable[str],
        site: Site,
        problems: list[Problem],
        types: Mapping[str, Any] | None = None,
    ) -> None:
        self.text = text
        self.types = types
        self.where = str(site)
        self.known_names = tuple(known_names)
        self.variants: dict[tuple[str, ...], Expression | None] = {}
        self.compiled: Expression | None = None
        self.error: str | None = None
        try:
            self.compiled = parse_expression(text, known_names=self.known_names)
        except FeelError as error:
            self.error = f"{self.where}: " + _syntax_message("expression", text, error)
            problems.append(Problem(self.error, site.element_id, site.line))

    def evaluate_in_run(self, scope: Mapping[str, Value], run: Run) -> Value:
        return self.evaluate(scope, run.diagnostics, run.ambient_names)

    def evaluate(
        self,
        scope: Mapping[str, Value],
        diagnostics: Diagnostics,
        ambient_names: tuple[str, ...] = (),
    ) -> Value:
        """The value in this scope; ambient_names are multi-word names the scope adds."""
        compiled = self.compiled
        if ambient_names:
            told = _told(
                self.text, self.known_names, ambient_names, self.variants, parse_expression
            )
            if told is not None:
                compiled = told
        if compiled is None:
            diagnostics.report(self.error or f"{self.where}: no expression")
            return None
        try:
            return compiled.evaluate(scope, diagnostics, self.types)
        except FeelError as error:
            diagnostics.report(f"{self.where}: {error}")
            return None


class FeelTests:
    """Unary tests (an input entry, allowed values); '-' matches everything without evaluating."""

    __slots__ = ("any", "compiled", "error", "known_names", "text", "types", "variants", "where")

    def __init__(
        self,
        text: str,
        known_names: Iterable[str],
        site: Site,
        problems: list[Problem],
        types: Mapping[str, Any] | None = None,
    ) -> None:
        self.text = text
        self.types = types
        self.where = str(site)
        self.any = text.strip() in _DASH
        self.known_names = tuple(known_names)
        self.variants: dict[tuple[str, ...], UnaryTests | None] = {}
        self.compiled: UnaryTests | None = None
        self.error: str | None = None
        if self.any:
            return
        try:
            self.compiled = parse_unary_tests(text, known_names=self.known_names)
        except FeelError as error:
            self.error = f"{self.where}: " + _syntax_message("unary tests", text, error)
            problems.append(Problem(self.error, site.element_id, site.line))

    def matches(
        self,
        value: Value,
        scope: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
        ambient_names: tuple[str, ...] = (),
    ) -> bool | None:
        """Whether the value passes; ambient_names are multi-word names the scope adds."""
        if self.any:
            return True
        compiled = self.compiled
        if ambient_names:
            told = _told(
                self.text, self.known_names, ambient_names, self.variants, parse_unary_tests
            )
            if told is not None:
                compiled = told
        if compiled is None:
            diagnostics.report(self.error or f"{self.where}: no unary tests")
            return None
        try:
            result: bool | None = compiled.evaluate(value, scope, diagnostics, self.types)
        except FeelError as error:
            diagnostics.report(f"{self.where}: {error}")
            return None
        return result

    def listed(self, scope: Mapping[str, Value] | None, diagnostics: Diagnostics) -> list[Value]:
        """The values of a comma-separated list of literals (output values give priorities)."""
        if self.any:
            return []
        items: list[Value] = []
        for part in split_top_level(self.text):
            try:
                items.append(evaluate(part, scope, diagnostics=diagnostics))
            except FeelError:
                items.append(None)
        return items


def split_top_level(text: str) -> list[str]:
    """Split a FEEL list of unary tests at the commas outside strings and brackets."""
    parts: list[str] = []
    depth = 0
    in_string = False
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if in_string:
            if char == "\\":
                index += 1
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif char == "," and depth == 0:
            parts.append(text[start:index].strip())
            start = index + 1
        index += 1
    parts.append(text[start:].strip())
    return [part for part in parts if part]


def value_repr(value: Value) -> str:
    """A value as FEEL would write it, for error messages."""
    if isinstance(value, str):
        return '"' + value + '"'
    return str(to_feel_string(value))
