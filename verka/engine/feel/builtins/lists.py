"""FEEL list functions (§10.3.4.4), including the varargs forms such as `max(1, 2, 3)`."""

from __future__ import annotations

import functools
from collections.abc import Callable
from decimal import Decimal

from verka.engine.feel.builtins.core import BuiltinError, Library, integer, number
from verka.engine.feel.values import (
    NUMBER_CONTEXT,
    Diagnostics,
    FeelFunction,
    Value,
    feel_compare,
    feel_equals,
)

library = Library()
function = library.function


ListBody = Callable[[list[Value]], Value]


def _varargs(name: str) -> Callable[[ListBody], ListBody]:
    """Declare `name(list)` and `name(c1, c2, ...)` with one body taking the list."""

    def register(body: ListBody) -> ListBody:
        function(name, "list: list")(body)
        function(name, "...c: any")(body)
        return body

    return register


def _numbers(items: list[Value]) -> list[Decimal]:
    if not all(type(item) is Decimal for item in items):
        raise BuiltinError("list must hold numbers only")
    return items


def _extreme(items: list[Value], wanted: int) -> Value:
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = feel_compare(item, best)
        if order is None:
            raise BuiltinError("list items are not comparable")
        if order == wanted:
            best = item
    if len(items) == 1 and feel_compare(best, best) is None:
        raise BuiltinError("list item is not comparable")
    return best


@_varargs("min")
def min_(items: list[Value]) -> Value:
    return _extreme(items, -1)


@_varargs("max")
def max_(items: list[Value]) -> Value:
    return _extreme(items, 1)


@_varargs("sum")
def sum_(items: list[Value]) -> Value:
    if not items:
        return None
    total = Decimal(0)
    for item in _numbers(items):
        total = NUMBER_CONTEXT.add(total, item)
    return number(total)


@_varargs("product")
def product(items: list[Value]) -> Value:
    if not items:
        return None
    total = Decimal(1)
    for item in _numbers(items):
        total = NUMBER_CONTEXT.multiply(total, item)
    return number(total)


def _mean(items: list[Decimal]) -> Decimal:
    total = Decimal(0)
    for item in items:
        total = NUMBER_CONTEXT.add(total, item)
    return NUMBER_CONTEXT.divide(total, Decimal(len(items)))


@_varargs("mean")
def mean(items: list[Value]) -> Value:
    if not items:
        return None
    return number(_mean(_numbers(items)))


@_varargs("median")
def median(items: list[Value]) -> Value:
    if not items:
        return None
    ordered = sorted(_numbers(items))
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return number(_mean(ordered[middle - 1 : middle + 1]))


@_varargs("stddev")
def stddev(items: list[Value]) -> Value:
    values = _numbers(items)
    if len(values) < 2:
        raise BuiltinError("the standard deviation needs at least two numbers")
    average = _mean(values)
    squares = Decimal(0)
    for item in values:
        deviation = NUMBER_CONTEXT.subtract(item, average)
        squares = NUMBER_CONTEXT.add(squares, NUMBER_CONTEXT.multiply(deviation, deviation))
    variance = NUMBER_CONTEXT.divide(squares, Decimal(len(values) - 1))
    return number(NUMBER_CONTEXT.sqrt(variance))


@_varargs("mode")
def mode(items: list[Value]) -> Value:
    values = _numbers(items)
    counts: dict[Decimal, int] = {}
    for item in values:
        counts[item] = counts.get(item, 0) + 1
    if not counts:
        return []
    most = max(counts.values())
    return sorted(item for item, count in counts.items() if count == most)


def _truth(items: list[Value], decisive: bool) -> Value:
    if any(item is decisive for item in items):
        return decisive
    if all(isinstance(item, bool) for item in items):
        return not decisive
    return None


@_varargs("all")
def all_(items: list[Value]) -> Value:
    return _truth(items, False)


@_varargs("any")
def any_(items: list[Value]) -> Value:
    return _truth(items, True)


@function("list contains", "list: list", "element: any")
def list_contains(items: list[Value], element: Value) -> Value:
    return any(feel_equals(item, element) is True for item in items)


@function("count", "list: list")
def count(items: list[Value]) -> Value:
    return Decimal(len(items))


def _index(items: list[Value], position: Decimal, what: str, extra: int = 0) -> int:
    """Zero-based index of a FEEL position (1 is first, -1 is last); extra allows one past end."""
    place = integer(position, what)
    size = len(items) + extra
    if place > 0 and place <= size:
        return place - 1
    if place < 0 and -place <= len(items):
        return len(items) + place
    raise BuiltinError(f"{what} {position} is outside a list of {len(items)} items")


@function("sublist", "list: list", "start position: number", "length: number?")
def sublist(items: list[Value], start: Decimal, length: Decimal | None) -> Value:
    first = _index(items, start, "start position")
    if length is None:
        return items[first:]
    size = integer(length, "length")
    if size < 0 or first + size > len(items):
        raise BuiltinError(f"length {length} goes past the end of the list")
    return items[first : first + size]


@function("append", "list: list", "...item: any*")
def append(items: list[Value], extra: list[Value]) -> Value:
    return [*items, *extra]


@function("concatenate", "...list: any*")
def concatenate(lists: list[Value]) -> Value:
    result: list[Value] = []
    for item in lists:
        if not isinstance(item, list):
            raise BuiltinError("every argument must be a list")
        result += item
    return result


@function("insert before", "list: list", "position: number", "newItem: any")
def insert_before(items: list[Value], position: Decimal, new_item: Value) -> Value:
    index = _index(items, position, "position")
    return [*items[:index], new_item, *items[index:]]


@function("remove", "list: list", "position: number")
def remove(items: list[Value], position: Decimal) -> Value:
    index = _index(items, position, "position")
    return items[:index] + items[index + 1 :]


@function("reverse", "list: list")
def reverse(items: list[Value]) -> Value:
    return items[::-1]


@function("index of", "list: list", "match: any")
def index_of(items: list[Value], match: Value) -> Value:
    return [Decimal(i + 1) for i, item in enumerate(items) if feel_equals(item, match) is True]


def _distinct(items: list[Value]) -> list[Value]:
    result: list[Value] = []
    for item in items:
        if not any(feel_equals(item, seen) is True for seen in result):
            result.append(item)
    return result


@function("union", "...list: any*")
def union(lists: list[Value]) -> Value:
    return _distinct(concatenate(lists))


@function("distinct values", "list: list")
def distinct_values(items: list[Value]) -> Value:
    return _distinct(items)


def _flatten(items: list[Value], into: list[Value]) -> list[Value]:
    for item in items:
        if isinstance(item, list):
            _flatten(item, into)
        else:
            into.append(item)
    return into


@function("flatten", "list: list")
def flatten(items: list[Value]) -> Value:
    return _flatten(items, [])


@function("list replace", "list: list", "position: number", "newItem: any")
def list_replace(items: list[Value], position: Decimal, new_item: Value) -> Value:
    index = _index(items, position, "position")
    return [*items[:index], new_item, *items[index + 1 :]]


@function("list replace", "list: list", "match: function", "newItem: any", diagnostics=True)
def list_replace_matching(
    diagnostics: Diagnostics, items: list[Value], match: FeelFunction, new_item: Value
) -> Value:
    result = []
    for item in items:
        hit = match.invoke([item, new_item], None, diagnostics)
        if not isinstance(hit, bool):
            raise BuiltinError("match must return true or false")
        result.append(new_item if hit else item)
    return result


@function("sort", "list: list", "precedes: function?", diagnostics=True)
def sort(diagnostics: Diagnostics, items: list[Value], precedes: FeelFunction | None) -> Value:
    if precedes is None:
        if len(items) > 1 and any(feel_compare(items[0], item) is None for item in items):
            raise BuiltinError("list items are not comparable")
        return sorted(items, key=functools.cmp_to_key(_natural_order))

    def before(a: Value, b: Value) -> int:
        # Python's sort only asks "a < b?", which is exactly what precedes answers.
        answer = precedes.invoke([a, b], None, diagnostics)
        if not isinstance(answer, bool):
            raise BuiltinError("precedes must return true or false")
        return -1 if answer else 0

    return sorted(items, key=functools.cmp_to_key(before))


def _natural_order(a: Value, b: Value) -> int:
    return feel_compare(a, b) or 0
