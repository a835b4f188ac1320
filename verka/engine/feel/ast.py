"""FEEL syntax tree: one node class per construct, each with the source offset it starts at."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True, slots=True)
class Node:
    offset: int


@dataclass(frozen=True, slots=True)
class Literal(Node):
    """A number, string, boolean or null literal."""

    value: Decimal | str | bool | None


@dataclass(frozen=True, slots=True)
class TemporalLiteral(Node):
    """`@"2024-01-01"`: the string is parsed into a temporal value."""

    text: str


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A (possibly multi-word) name, `?` for the unary-test input, or `item`/`partial`."""

    name: str


@dataclass(frozen=True, slots=True)
class Negation(Node):
    operand: Node


@dataclass(frozen=True, slots=True)
class Arithmetic(Node):
    operator: str  # one of + - * / **
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Comparison(Node):
    operator: str  # one of = != < <= > >=
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Between(Node):
    value: Node
    low: Node
    high: Node


@dataclass(frozen=True, slots=True)
class UnaryComparison(Node):
    """A simple positive unary test such as `< 10` or `!= "x"`, compared with the input."""

    operator: str
    operand: Node


@dataclass(frozen=True, slots=True)
class In(Node):
    """`value in test` or `value in (test, test, ...)`: true when any positive test holds."""

    value: Node
    tests: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class TypeRef(Node):
    """A type in `instance of` or a parameter declaration; args per kind (see parser)."""

    kind: str  # "named", "list", "range", "context", "function"
    name: str  # the type name for "named"
    args: tuple[TypeRef, ...]
    keys: tuple[str, ...]  # context entry names, parallel to args


@dataclass(frozen=True, slots=True)
class InstanceOf(Node):
    value: Node
    type: TypeRef


@dataclass(frozen=True, slots=True)
class And(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Or(Node):
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class If(Node):
    condition: Node
    then: Node
    otherwise: Node


@dataclass(frozen=True, slots=True)
class Iteration(Node):
    """`name in domain` or `name in start..end` inside for/some/every."""

    name: str
    domain: Node
    end: Node | None


@dataclass(frozen=True, slots=True)
class For(Node):
    iterations: tuple[Iteration, ...]
    body: Node


@dataclass(frozen=True, slots=True)
class Quantified(Node):
    every: bool  # False for `some`
    iterations: tuple[Iteration, ...]
    condition: Node


@dataclass(frozen=True, slots=True)
class Filter(Node):
    target: Node
    condition: Node


@dataclass(frozen=True, slots=True)
class Path(Node):
    target: Node
    name: str


@dataclass(frozen=True, slots=True)
class Invocation(Node):
    function: Node
    positional: tuple[Node, ...] | None
    named: tuple[tuple[str, Node], ...] | None


@dataclass(frozen=True, slots=True)
class ContextLiteral(Node):
    entries: tuple[tuple[str, Node], ...]


@dataclass(frozen=True, slots=True)
class ListLiteral(Node):
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class RangeLiteral(Node):
    start: Node | None
    end: Node | None
    start_included: bool
    end_included: bool


@dataclass(frozen=True, slots=True)
class Parameter(Node):
    name: str
    type: TypeRef | None


@dataclass(frozen=True, slots=True)
class FunctionDefinition(Node):
    parameters: tuple[Parameter, ...]
    body: Node
    external: bool


@dataclass(frozen=True, slots=True)
class UnaryTestsNode(Node):
    """Decision-table input entry: `-`, or (possibly negated) comma-separated positive tests."""

    tests: tuple[Node, ...]
    negated: bool
    matches_anything: bool
