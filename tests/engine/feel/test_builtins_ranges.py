"""Range built-ins (Allen relations on points and ranges), range(), and the date/time built-ins."""

import datetime
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel import evaluate
from verka.engine.feel.builtins import BUILTINS, builtins_with_clock, call
from verka.engine.feel.temporal import parse_temporal_literal
from verka.engine.feel.values import Diagnostics, Range, from_python, to_feel_string


def r(text: str) -> Range:
    """A number range from `[1..5)` style text; `<5` and `>=5` for one-sided ones."""
    if text[0] in "<>":
        inclusive = "=" in text
        bound = Decimal(text.lstrip("<>="))
        if text[0] == "<":
            return Range(None, bound, False, inclusive)
        return Range(bound, None, inclusive, False)
    start, end = text[1:-1].split("..")
    return Range(Decimal(start), Decimal(end), text[0] == "[", text[-1] == "]")


def arg(value: Any) -> Any:
    if isinstance(value, str) and value[0] in "[(]<>":
        return r(value)
    return from_python(value)


RELATIONS = [
    # Examples from the DMN 1.5 table of range functions.
    ("before", [1, 10], True),
    ("before", [10, 1], False),
    ("before", [1, "[2..5]"], True),
    ("before", [1, "(1..5]"], True),
    ("before", [1, "[1..5]"], False),
    ("before", ["[1..10]", 10], False),
    ("before", ["[1..10)", 10], True),
    ("before", ["[1..10]", 15], True),
    ("before", ["[1..10]", "[15..20]"], True),
    ("before", ["[1..10]", "[10..20]"], False),
    ("before", ["[1..10)", "[10..20]"], True),
    ("before", ["[1..10]", "(10..20]"], True),
    ("before", ["<5", "[6..8]"], True),
    ("before", ["[1..5]", ">=6"], True),
    ("before", ["[1..5]", ">=3"], False),
    ("after", [10, 5], True),
    ("after", [5, 10], False),
    ("after", [12, "[2..5]"], True),
    ("after", [3, "[2..5]"], False),
    ("after", [5, "[2..5)"], True),
    ("after", ["[11..20]", 10], True),
    ("after", ["(10..20]", 10], True),
    ("after", ["[11..20]", "[1..10]"], True),
    ("after", ["[1..10]", "[11..20]"], False),
    ("after", ["[11..20]", "[1..11]"], False),
    ("after", ["(11..20]", "[1..11]"], True),
    ("meets", ["[1..5]", "[5..10]"], True),
    ("meets", ["[1..3]", "[4..6]"], False),
    ("meets", ["[1..5)", "[5..10]"], False),
    ("meets", ["[1..5]", "(5..10]"], False),
    ("met by", ["[5..10]", "[1..5]"], True),
    ("met by", ["[5..10]", "[1..5)"], False),
    ("met by", ["(5..10]", "[1..5]"], False),
    ("overlaps", ["[1..5]", "[3..8]"], True),
    ("overlaps", ["[3..8]", "[1..5]"], True),
    ("overlaps", ["[1..8]", "[3..5]"], True),
    ("overlaps", ["[1..5]", "[6..8]"], False),
    ("overlaps", ["[1..5]", "[5..8]"], True),
    ("overlaps", ["[1..5]", "(5..8]"], False),
    ("overlaps", ["[1..5)", "[5..8]"], False),
    ("overlaps", ["<5", ">4"], True),
    ("overlaps before", ["[1..5]", "[3..8]"], True),
    ("overlaps before", ["[1..5]", "[6..8]"], False),
    ("overlaps before", ["[1..5]", "[5..8]"], True),
    ("overlaps before", ["[1..5]", "(5..8]"], False),
    ("overlaps before", ["[1..5)", "[5..8]"], False),
    ("overlaps before", ["[1..5)", "(1..5]"], True),
    ("overlaps before", ["[1..5]", "(1..5]"], True),
    ("overlaps before", ["[1..5)", "[1..5]"], False),
    ("overlaps before", ["[1..5]", "[1..5]"], False),
    ("overlaps after", ["[3..8]", "[1..5]"], True),
    ("overlaps after", ["[6..8]", "[1..5]"], False),
    ("overlaps after", ["[5..8]", "[1..5]"], True),
    ("overlaps after", ["(5..8]", "[1..5]"], False),
    ("overlaps after", ["[5..8]", "[1..5)"], False),
    ("overlaps after", ["(1..5]", "[1..5)"], True),
    ("overlaps after", ["(1..5]", "[1..5]"], True),
    ("overlaps after", ["[1..5]", "[1..5)"], False),
    ("overlaps after", ["[1..5]", "[1..5]"], False),
    ("finishes", [10, "[1..10]"], True),
    ("finishes", [10, "[1..10)"], False),
    ("finishes", ["[5..10]", "[1..10]"], True),
    ("finishes", ["[5..10)", "[1..10]"], False),
    ("finishes", ["[5..10)", "[1..10)"], True),
    ("finishes", ["[1..10]", "[1..10]"], True),
    ("finishes", ["(1..10]", "[1..10]"], True),
    ("finished by", ["[1..10]", 10], True),
    ("finished by", ["[1..10)", 10], False),
    ("finished by", ["[1..10]", "[5..10]"], True),
    ("finished by", ["[1..10]", "[5..10)"], False),
    ("finished by", ["[1..10)", "[5..10)"], True),
    ("finished by", ["[1..10]", "[1..10]"], True),
    ("finished by", ["[1..10]", "(1..10]"], True),
    ("includes", ["[1..10]", 5], True),
    ("includes", ["[1..10]", 12], False),
    ("includes", ["[1..10]", 1], True),
    ("includes", ["[1..10]", 10], True),
    ("includes", ["(1..10]", 1], False),
    ("includes", ["[1..10)", 10], False),
    ("includes", ["[1..10]", "[4..6]"], True),
    ("includes", ["[1..10]", "[1..5]"], True),
    ("includes", ["(1..10]", "(1..5]"], True),
    ("includes", ["[1..10]", "(1..10)"], True),
    ("includes", ["[1..10)", "[5..10)"], True),
    ("includes", ["[1..10]", "[1..10)"], True),
    ("includes", ["[1..10]", "(1..10)"], True),
    ("includes", ["[1..10]", "[1..10]"], True),
    ("includes", ["(1..10)", "[1..10]"], False),
    ("includes", [">=1", "[5..10]"], True),
    ("during", [5, "[1..10]"], True),
    ("during", [12, "[1..10]"], False),
    ("during", [1, "[1..10]"], True),
    ("during", [10, "[1..10]"], True),
    ("during", [1, "(1..10]"], False),
    ("during", [10, "[1..10)"], False),
    ("during", ["[4..6]", "[1..10)"], True),
    ("during", ["[1..5]", "[1..10]"], True),
    ("during", ["(1..5]", "(1..10]"], True),
    ("during", ["(1..10)", "[1..10]"], True),
    ("during", ["(5..10)", "[1..10)"], True),
    ("during", ["[1..10)", "[1..10]"], True),
    ("during", ["(1..10)", "[1..10]"], True),
    ("during", ["[1..10]", "[1..10]"], True),
    ("during", ["[1..10]", "(1..10)"], False),
    ("starts", [1, "[1..5]"], True),
    ("starts", [1, "(1..8]"], False),
    ("starts", ["[1..5]", "[1..5]"], True),
    ("starts", ["(1..5]", "(1..5]"], True),
    ("starts", ["[1..5]", "[1..8]"], True),
    ("starts", ["(1..5]", "[1..8]"], False),
    ("starts", ["[1..10]", "[1..5]"], False),
    ("starts", ["[1..5)", "[1..5]"], True),
    ("started by", ["[1..10]", 1], True),
    ("started by", ["(1..10]", 1], False),
    ("started by", ["[1..10]", "[1..5]"], True),
    ("started by", ["(1..10]", "(1..5]"], True),
    ("started by", ["[1..10]", "(1..5]"], False),
    ("started by", ["[1..10]", "[1..10)"], True),
    ("started by", ["[1..5]", "[1..10]"], False),
    ("coincides", [5, 5], True),
    ("coincides", [3, 4], False),
    ("coincides", ["[1..5]", "[1..5]"], True),
    ("coincides", ["(1..5)", "[1..5)"], False),
    ("coincides", ["[1..5]", "[2..6]"], False),
    ("coincides", ["<5", "<5"], True),
    ("coincides", ["<5", "<=5"], False),
]


@pytest.mark.parametrize(("name", "args", "expected"), RELATIONS)
def test_range_relations(name: str, args: list[Any], expected: bool) -> None:
    result, messages = call(name, [arg(a) for a in args])
    assert result is expected, messages


def test_range_relations_on_dates() -> None:
    day = parse_temporal_literal("2021-01-05")
    week = Range(
        parse_temporal_literal("2021-01-04"), parse_temporal_literal("2021-01-10"), True, True
    )
    assert call("during", [day, week])[0] is True
    assert call("before", [day, week])[0] is False


def test_range_relations_named() -> None:
    named = {"range1": r("[1..5]"), "range2": r("[5..10]")}
    assert call("meets", None, named)[0] is True
    assert call("before", None, {"point": Decimal(1), "range": r("[2..5]")})[0] is True
    assert call("before", None, {"point1": Decimal(1), "point2": Decimal(2)})[0] is True


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("before", [1, "a"]),
        ("before", [1, None]),
        ("includes", [Range(Decimal(1), Decimal(2), True, True), "a"]),
        ("meets", [1, 2]),
        ("starts", [Range(Decimal(1), Decimal(2), True, True), 1]),
    ],
)
def test_range_relation_misuse_gives_null(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1


RANGE_TEXT = [
    ("[18..21]", "[18..21]"),
    ("(18..21]", "(18..21]"),
    ("]18..21]", "(18..21]"),
    ("[18..21[", "[18..21)"),
    (" [ 1 .. 3 ] ", "[1..3]"),
    ("[-1.5..3]", "[-1.5..3]"),
    ('["a".."c"]', '["a".."c"]'),
    ('[@"1970-01-01"..@"1970-01-02"]', "[1970-01-01..1970-01-02]"),
    ('[@"P1D"..@"P2D"]', "[P1D..P2D]"),
    ('[@"00:00:00"..@"00:00:00"]', "[00:00:00..00:00:00]"),
    ('[date("1970-01-01")..date("1970-01-02")]', "[1970-01-01..1970-01-02]"),
    ('[date and time("1970-01-01T00:00:00")..@"1970-01-02T00:00:00"]', None),
    ('[duration("P1D")..@"P2D"]', "[P1D..P2D]"),
]


@pytest.mark.parametrize(("text", "expected"), RANGE_TEXT)
def test_range_from_string(text: str, expected: str | None) -> None:
    result, messages = call("range", [text])
    assert isinstance(result, Range), messages
    if expected is not None:
        assert to_feel_string(result) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        ">=10",
        "[..2]",
        "[1..]",
        '[1.."b"]',
        '[@"1970-01-01"..@"1970-01-02T00:00:00"]',
        "[3..1]",
        '["z".."a"]',
        '[@"P2D"..@"P1D"]',
        "[null..null]",
        '[date(string("1970-01-01"))..date("1970-01-02")]',
        "[date(x)..date(y)]",
        "[1..3]]",
        '[@"P1Y"..@"P1D"]',
    ],
)
def test_range_from_invalid_string_is_null(text: str) -> None:
    result, messages = call("range", [text])
    assert result is None
    assert len(messages) == 1


DATE_CASES = [
    ("day of year", ["1970-01-01"], 1),
    ("day of year", ["2019-12-31"], 365),
    ("day of year", ["2020-12-31"], 366),
    ("day of year", ["2019-09-17T10:10:10"], 260),
    ("day of week", ["2019-09-17"], "Tuesday"),
    ("day of week", ["2019-09-15T00:00:00Z"], "Sunday"),
    ("month of year", ["2019-09-17"], "September"),
    ("month of year", ["2021-01-01"], "January"),
    ("week of year", ["2019-09-17"], 38),
    ("week of year", ["2003-12-29"], 1),
    ("week of year", ["2004-01-01"], 1),
    ("week of year", ["2010-01-01"], 53),
    ("week of year", ["2005-01-01"], 53),
    ("week of year", ["2005-01-03"], 1),
]


@pytest.mark.parametrize(("name", "args", "expected"), DATE_CASES)
def test_date_functions(name: str, args: list[str], expected: Any) -> None:
    result, messages = call(name, [parse_temporal_literal(a) for a in args])
    assert result == expected, messages
    assert type(result) is type(from_python(expected))


@pytest.mark.parametrize("name", ["day of year", "day of week", "month of year", "week of year"])
def test_date_functions_reject_non_dates(name: str) -> None:
    assert call(name, ["foo"])[0] is None
    assert call(name, [None])[0] is None
    assert call(name, [])[0] is None
    assert call(name, None, {"value": parse_temporal_literal("1970-01-01")})[0] is None
    assert call(name, None, {"date": parse_temporal_literal("1970-01-01")})[0] is not None


IS_CASES = [
    ("2012-12-25", "2012-12-25", True),
    ("2012-12-25", "2012-12-26", False),
    ("23:00:50Z", "23:00:50", False),
    ("23:00:50Z", "23:00:50Z", True),
    ("2012-12-25T12:00:00+01:00", "2012-12-25T11:00:00Z", False),
    ("2012-12-25T12:00:00", "2012-12-25T12:00:00", True),
    ("P1D", "PT24H", True),
    ("P1Y", "P12M", True),
    ("2012-12-25", "2012-12-25T00:00:00", False),
]


@pytest.mark.parametrize(("a", "b", "expected"), IS_CASES)
def test_is_compares_type_and_value(a: str, b: str, expected: bool) -> None:
    first, second = parse_temporal_literal(a), parse_temporal_literal(b)
    assert call("is", [first, second])[0] is expected


def test_is_on_other_values() -> None:
    assert call("is", [Decimal(1), Decimal("1.0")])[0] is True
    assert call("is", ["1", Decimal(1)])[0] is False
    assert call("is", [None, None])[0] is True
    assert call("is", [None, Decimal(1)])[0] is False


def test_now_and_today_need_a_clock() -> None:
    assert call("now", []) == (None, ["now: no clock is available in this evaluation"])
    assert call("today", [])[0] is None
    instant = datetime.datetime(2024, 3, 1, 12, 30, tzinfo=datetime.UTC)
    functions = builtins_with_clock(instant)
    assert functions["now"].invoke([], None, Diagnostics()) == instant
    assert functions["today"].invoke([], None, Diagnostics()) == datetime.date(2024, 3, 1)
    assert functions["today"].invoke([Decimal(1)], None, Diagnostics()) is None
    assert functions["sum"] is BUILTINS["sum"]


def test_not() -> None:
    assert call("not", [True])[0] is False
    assert call("not", [False])[0] is True
    assert call("not", [None])[0] is None
    assert call("not", [Decimal(1)])[0] is None
    assert call("not", None, {"negand": True})[0] is False


def test_unary_ranges_from_feel_text() -> None:
    assert to_feel_string(evaluate("before(5, (>= 10))")) == "true"
    assert to_feel_string(evaluate("includes((=10), 10)")) == "true"
    diagnostics = Diagnostics()
    assert evaluate("includes((!=10), 11)", diagnostics=diagnostics) is None
    assert diagnostics.messages == ["includes: a '!=' range is not an interval"]
