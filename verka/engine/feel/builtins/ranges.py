"""FEEL range functions (§10.3.4.9, Allen's interval relations on points and ranges) and range()."""

from __future__ import annotations

import re
from decimal import InvalidOperation

from verka.engine.feel.builtins.core import BuiltinError, Library
from verka.engine.feel.temporal import (
    parse_date,
    parse_date_time,
    parse_duration,
    parse_temporal_literal,
    parse_time,
)
from verka.engine.feel.values import NUMBER_CONTEXT, Range, Value, feel_compare, type_name

library = Library()
function = library.function


class _Unbounded:
    """The missing end of a range: below (or above) every point."""

    def __init__(self, sign: int) -> None:
        self.sign = sign


_BELOW, _ABOVE = _Unbounded(-1), _Unbounded(1)


def _interval(r: Range) -> Range:
    if r.comparison == "!=":
        raise BuiltinError("a '!=' range is not an interval")
    return r


def _start(r: Range) -> Value:
    return _BELOW if _interval(r).start is None else r.start


def _end(r: Range) -> Value:
    return _ABOVE if _interval(r).end is None else r.end


def _cmp(a: Value, b: Value) -> int:
    if isinstance(a, _Unbounded) or isinstance(b, _Unbounded):
        left = a.sign if isinstance(a, _Unbounded) else 0
        right = b.sign if isinstance(b, _Unbounded) else 0
        return (left > right) - (left < right)
    order = feel_compare(a, b)
    if order is None:
        raise BuiltinError(f"cannot compare {type_name(a)} with {type_name(b)}")
    return order


def _lt(a: Value, b: Value) -> bool:
    return _cmp(a, b) < 0


def _eq(a: Value, b: Value) -> bool:
    return _cmp(a, b) == 0


# ---------------------------------------------------------------- before / after


@function("before", "point1: point", "point2: point")
def before_points(p1: Value, p2: Value) -> Value:
    return _lt(p1, p2)


@function("before", "point: point", "range: range")
def before_point_range(p: Value, r: Range) -> Value:
    return _lt(p, _start(r)) or (_eq(p, _start(r)) and not r.start_included)


@function("before", "range: range", "point: point")
def before_range_point(r: Range, p: Value) -> Value:
    return _lt(_end(r), p) or (_eq(_end(r), p) and not r.end_included)


@function("before", "range1: range", "range2: range")
def before_ranges(r1: Range, r2: Range) -> Value:
    return _lt(_end(r1), _start(r2)) or (
        _eq(_end(r1), _start(r2)) and not (r1.end_included and r2.start_included)
    )


@function("after", "point1: point", "point2: point")
def after_points(p1: Value, p2: Value) -> Value:
    return _lt(p2, p1)


@function("after", "point: point", "range: range")
def after_point_range(p: Value, r: Range) -> Value:
    return _lt(_end(r), p) or (_eq(_end(r), p) and not r.end_included)


@function("after", "range: range", "point: point")
def after_range_point(r: Range, p: Value) -> Value:
    return _lt(p, _start(r)) or (_eq(_start(r), p) and not r.start_included)


@function("after", "range1: range", "range2: range")
def after_ranges(r1: Range, r2: Range) -> Value:
    return before_ranges(r2, r1)


# ---------------------------------------------------------------- meets / overlaps


@function("meets", "range1: range", "range2: range")
def meets(r1: Range, r2: Range) -> Value:
    return r1.end_included and r2.start_included and _eq(_end(r1), _start(r2))


@function("met by", "range1: range", "range2: range")
def met_by(r1: Range, r2: Range) -> Value:
    return meets(r2, r1)


def _reaches(r1: Range, r2: Range) -> bool:
    """r1 ends at or after r2 starts, sharing at least one point there."""
    return _lt(_start(r2), _end(r1)) or (
        _eq(_end(r1), _start(r2)) and r1.end_included and r2.start_included
    )


@function("overlaps", "range1: range", "range2: range")
def overlaps(r1: Range, r2: Range) -> Value:
    return _reaches(r1, r2) and _reaches(r2, r1)


def _starts_earlier(r1: Range, r2: Range) -> bool:
    return _lt(_start(r1), _start(r2)) or (
        _eq(_start(r1), _start(r2)) and r1.start_included and not r2.start_included
    )


def _ends_no_later(r1: Range, r2: Range) -> bool:
    return _lt(_end(r1), _end(r2)) or (
        _eq(_end(r1), _end(r2)) and (not r1.end_included or r2.end_included)
    )


@function("overlaps before", "range1: range", "range2: range")
def overlaps_before(r1: Range, r2: Range) -> Value:
    return _starts_earlier(r1, r2) and _reaches(r1, r2) and _ends_no_later(r1, r2)


@function("overlaps after", "range1: range", "range2: range")
def overlaps_after(r1: Range, r2: Range) -> Value:
    return overlaps_before(r2, r1)


# ---------------------------------------------------------------- finishes / starts / includes


@function("finishes", "point: point", "range: range")
def finishes_point(p: Value, r: Range) -> Value:
    return r.end_included and _eq(_end(r), p)


@function("finishes", "range1: range", "range2: range")
def finishes_ranges(r1: Range, r2: Range) -> Value:
    return (
        r1.end_included == r2.end_included
        and _eq(_end(r1), _end(r2))
        and (
            _lt(_start(r2), _start(r1))
            or (_eq(_start(r1), _start(r2)) and (not r1.start_included or r2.start_included))
        )
    )


@function("finished by", "range: range", "point: point")
def finished_by_point(r: Range, p: Value) -> Value:
    return finishes_point(p, r)


@function("finished by", "range1: range", "range2: range")
def finished_by_ranges(r1: Range, r2: Range) -> Value:
    return finishes_ranges(r2, r1)


def _contains_point(r: Range, p: Value) -> bool:
    return (
        (_lt(_start(r), p) and _lt(p, _end(r)))
        or (_eq(_start(r), p) and r.start_included)
        or (_eq(_end(r), p) and r.end_included)
    )


def _contains_range(r1: Range, r2: Range) -> bool:
    starts = _lt(_start(r1), _start(r2)) or (
        _eq(_start(r1), _start(r2)) and (r1.start_included or not r2.start_included)
    )
    ends = _lt(_end(r2), _end(r1)) or (
        _eq(_end(r1), _end(r2)) and (r1.end_included or not r2.end_included)
    )
    return starts and ends


@function("includes", "range: range", "point: point")
def includes_point(r: Range, p: Value) -> Value:
    return _contains_point(r, p)


@function("includes", "range1: range", "range2: range")
def includes_ranges(r1: Range, r2: Range) -> Value:
    return _contains_range(r1, r2)


@function("during", "point: point", "range: range")
def during_point(p: Value, r: Range) -> Value:
    return _contains_point(r, p)


@function("during", "range1: range", "range2: range")
def during_ranges(r1: Range, r2: Range) -> Value:
    return _contains_range(r2, r1)


@function("starts", "point: point", "range: range")
def starts_point(p: Value, r: Range) -> Value:
    return r.start_included and _eq(_start(r), p)


@function("starts", "range1: range", "range2: range")
def starts_ranges(r1: Range, r2: Range) -> Value:
    return (
        r1.start_included == r2.start_included
        and _eq(_start(r1), _start(r2))
        and _ends_no_later(r1, r2)
    )


@function("started by", "range: range", "point: point")
def started_by_point(r: Range, p: Value) -> Value:
    return starts_point(p, r)


@function("started by", "range1: range", "range2: range")
def started_by_ranges(r1: Range, r2: Range) -> Value:
    return starts_ranges(r2, r1)


@function("coincides", "point1: point", "point2: point")
def coincides_points(p1: Value, p2: Value) -> Value:
    return _eq(p1, p2)


@function("coincides", "range1: range", "range2: range")
def coincides_ranges(r1: Range, r2: Range) -> Value:
    return (
        r1.start_included == r2.start_included
        and r1.end_included == r2.end_included
        and _eq(_start(r1), _start(r2))
        and _eq(_end(r1), _end(r2))
    )


# ---------------------------------------------------------------- range(from)

_STRING = r'"(?:[^"\\]|\\.)*"'
_ENDPOINT = re.compile(
    r"\s*(?:"
    rf"(?P<number>-?(?:\d+(?:\.\d+)?|\.\d+))"
    rf"|(?P<string>{_STRING})"
    rf"|@(?P<temporal>{_STRING})"
    rf"|(?P<function>date and time|date|time|duration)\s*\(\s*(?P<argument>{_STRING})\s*\)"
    r")\s*"
)
_CONVERTERS = {
    "date": parse_date,
    "time": parse_time,
    "date and time": parse_date_time,
    "duration": parse_duration,
}


def _unquote(literal: str) -> str:
    body = literal[1:-1]
    escapes = {'"': '"', "\\": "\\", "n": "\n", "r": "\r", "t": "\t", "'": "'"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m[1], "\\" + m[1]), body)


def _endpoint(text: str, pos: int) -> tuple[Value, int]:
    match = _ENDPOINT.match(text, pos)
    if match is None:
        raise BuiltinError(f"expected a literal endpoint at offset {pos} of {text!r}")
    value: Value
    if match["number"]:
        try:
            value = NUMBER_CONTEXT.create_decimal(match["number"])
        except InvalidOperation:
            raise BuiltinError(f"not a number at offset {pos}") from None
    elif match["string"]:
        value = _unquote(match["string"])
    elif match["temporal"]:
        value = parse_temporal_literal(_unquote(match["temporal"]))
    else:
        value = _CONVERTERS[match["function"]](_unquote(match["argument"]))
    if value is None:
        raise BuiltinError(f"invalid endpoint at offset {pos} of {text!r}")
    return value, match.end()


@function("range", "from: string")
def range_from_string(text: str) -> Value:
    stripped = text.strip()
    if len(stripped) < 2 or stripped[0] not in "[(]" or stripped[-1] not in "])[":
        raise BuiltinError(f"expected a range literal such as [1..10], got {text!r}")
    start, pos = _endpoint(stripped, 1)
    if not stripped.startswith("..", pos):
        raise BuiltinError(f"expected '..' at offset {pos} of {text!r}")
    end, pos = _endpoint(stripped, pos + 2)
    if pos != len(stripped) - 1:
        raise BuiltinError(f"unexpected text at offset {pos} of {text!r}")
    if type_name(start) != type_name(end) or type(start) is not type(end):
        raise BuiltinError("range endpoints must have the same type")
    order = feel_compare(start, end)
    if order is None or order > 0:
        raise BuiltinError("range start must not be after its end")
    return Range(start, end, stripped[0] == "[", stripped[-1] == "]")
