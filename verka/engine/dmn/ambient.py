"""Ambient variables: names (a process's variables) that every decision sees, as in Camunda 8."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from functools import lru_cache
from typing import Any

from verka.engine.feel import FeelError, parse_expression
from verka.engine.feel.ast import Name
from verka.engine.feel.values import from_python

Value = Any


def ambient_values(variables: Mapping[str, object]) -> dict[str, Value]:
    """The variables as FEEL values (plain ints, floats and JSON become numbers and contexts)."""
    return {str(name): from_python(value) for name, value in variables.items()}


def names_to_recognise(names: Collection[str], known_names: Collection[str]) -> tuple[str, ...]:
    """The ambient names with spaces that a FEEL text must be re-parsed to read as one name.

    Most multi-word names (`Customer Status`) parse as one name anyway. A name with a keyword or
    a number among its words (`Amount in EUR`, `Tax 2024`) parses as something else unless the
    parser is told it; the model's own names were told at load time. Names without a space
    (`a-b`, `order.total`) are left out: telling the parser would turn an ordinary expression
    into a name, so they are read with backquotes only (`` `a-b` ``).
    """
    return tuple(
        sorted(
            name
            for name in names
            if " " in name.strip() and name not in known_names and _parser_must_be_told(name)
        )
    )


@lru_cache(maxsize=4096)
def _parser_must_be_told(name: str) -> bool:
    if "`" in name or "." in name:
        return False  # told, it would change what a path (`a.b`) means; backquotes read it
    try:
        node = parse_expression(name).node
    except FeelError:
        return True
    return not (isinstance(node, Name) and node.name == name)
