"""Evaluation of every FEEL construct, table-driven: text, context -> expected value."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel import Diagnostics, Range, evaluate, to_feel_string


def D(text: str | int) -> Decimal:
    return Decimal(text)


CONTEXT: dict[str, Any] = {
    "amount": D(5000),
    "status": "open",
    "Monthly Salary": D(1000),
    "Employee's age": D(42),
    "a-b": D(7),
    "numbers": [D(1), D(2), D(3), D(4)],
    "people": [
        {"name": "Ann", "age": D(30)},
        {"name": "Bo", "age": D(17)},
    ],
    "order": {"lines": [{"price": D(10)}, {"price": D(20)}], "customer": {"name": "Ann"}},
    "nothing": None,
}

CASES: list[tuple[str, Any]] = [
    # literals
    ("1", D(1)),
    ("-1.5", D("-1.5")),
    (".5", D("0.5")),
    ('"a\\"b"', 'a"b'),
    ('"tab\\there"', "tab\there"),
    ('"\\u00e5"', "å"),
    ('"\\U01F40E"', "\U0001f40e"),
    ('"\\uD83D\\uDC0E"', "\U0001f40e"),
    ("true", True),
    ("false", False),
    ("null", None),
    ('@"2024-01-31"', datetime.date(2024, 1, 31)),
    ("// comment\n 1 + /* inner */ 2", D(3)),
    # arithmetic
    ("1 + 2 * 3", D(7)),
    ("(1 + 2) * 3", D(9)),
    ("10 / 4", D("2.5")),
    ("1 / 3", D("0.3333333333333333333333333333333333")),
    ("2 ** 10", D(1024)),
    ("-3 ** 2", D(9)),
    ("3 ** 4 ** 5", D(3486784401)),
    ("2 ** -1", D("0.5")),
    ("7 - 10", D(-3)),
    ("- amount", D(-5000)),
    ("-(1 + 2)", D(-3)),
    ("1 / 0", None),
    ("0 ** -1", None),
    ('"foo" + "bar"', "foobar"),
    ('"foo" + 1', None),
    ("null + 1", None),
    ("1 - null", None),
    ("0.1 + 0.2", D("0.3")),
    ("12345678901234567890123456789012 * 10", D("123456789012345678901234567890120")),
    # comparison and equality
    ("1 < 2", True),
    ("2 <= 2", True),
    ("3 > 4", False),
    ("3 >= 4", False),
    ('"a" < "b"', True),
    ("1 = 1.0", True),
    ("1 != 2", True),
    ('1 = "1"', None),
    ("null = null", True),
    ("null = 1", False),
    ("1 != null", True),
    ("1 < null", None),
    ('1 < "a"', None),
    ("true < false", None),
    ("[1, 2] = [1, 2]", True),
    ("[1, 2] = [2, 1]", False),
    ("{a: 1, b: [2]} = {b: [2], a: 1}", True),
    ("{a: 1} = {a: 2}", False),
    ("[1..5] = [1..5]", True),
    ("[1..5] = [1..5)", False),
    ("(< 10) = (null..10)", False),
    ("(< 10) = (< 10)", True),
    ("(=10) = [10..10]", False),
    ("(!=10) = (!=10)", True),
    ("(=10).start included", True),
    ("(!=10).end included", False),
    ("12300 = 1.23e4", True),
    ("0.000123 = 1.23e-4", True),
    ('@"2024-01-01" < @"2024-02-01"', True),
    ('@"2024-01-01" = date("2024-01-01")', True),
    # between and in
    ("5 between 1 and 10", True),
    ("11 between 1 and 10", False),
    ("null between 1 and 10", None),
    ("5 in [1..10]", True),
    ("10 in [1..10)", False),
    ("1 in (1..10]", False),
    ("1 in ]1..10]", False),
    ("10 in [1..10[", False),
    ("5 in (1, 2, 5)", True),
    ("5 in (1, 2)", False),
    ("5 in [1, 5]", True),
    ("5 in < 10", True),
    ("5 in (< 3, > 4)", True),
    ("5 in numbers", False),
    ("3 in numbers", True),
    ('"b" in ["a", "b"]', True),
    ("null in [1, null]", True),
    ("[1, 2] in [[1, 2], [3]]", True),
    ("5 in (1 + 4)", True),
    # logic
    ("true and true", True),
    ("true and false", False),
    ("true and null", None),
    ("false and null", False),
    ("null and false", False),
    ("true or null", True),
    ("null or true", True),
    ("false or null", None),
    ("false or false", False),
    ("1 and true", None),
    ('amount > 1000 and status = "open"', True),
    ("not(true)", False),
    # if
    ('if amount > 1000 then "big" else "small"', "big"),
    ("if null then 1 else 2", D(2)),
    ("if 1 then 1 else 2", D(2)),
    ("1 + if true then 1 else 2", D(2)),
    # names
    ("Monthly Salary * 12", D(12000)),
    ("Employee's age + 1", D(43)),
    ("a-b + 1", D(8)),
    ("`a-b` * 2", D(14)),
    ("`Monthly Salary` + 1", D(1001)),
    ("{`x-y`: 2}.`x-y`", D(2)),
    ("(function(`p-q`) `p-q` + 1)(`p-q`: 1)", D(2)),
    ("unknown", None),
    ("nothing", None),
    # paths
    ("order.customer.name", "Ann"),
    ("order.lines.price", [D(10), D(20)]),
    ("people.name", ["Ann", "Bo"]),
    ("{a: {b: 3}}.a.b", D(3)),
    ("{a: 1}.missing", None),
    ("null.a", None),
    ('date("2024-03-05").month', D(3)),
    ('date("2024-03-05").weekday', D(2)),
    ("[1..10).start", D(1)),
    ("[1..10).end included", False),
    ('duration("P1Y2M").months', D(2)),
    # filters
    ("numbers[item > 2]", [D(3), D(4)]),
    ("numbers[1]", D(1)),
    ("numbers[-1]", D(4)),
    ("numbers[0]", None),
    ("numbers[5]", None),
    ("numbers[item > 10]", []),
    ("people[age >= 18].name", ["Ann"]),
    ("people[item.age < 18][1].name", "Bo"),
    ("[][1]", None),
    ("[][item > 1]", []),
    ("5[1]", D(5)),
    ("[{item: 1}, {item: 2}, {item: 3}][item >= 2]", [{"item": D(2)}, {"item": D(3)}]),
    ("[{a: 1}, {b: 2}].a", [D(1), None]),
    ("null[1]", None),
    ("[{a: 1}, {a: 2}][a = 2]", [{"a": D(2)}]),
    # lists and contexts
    ("[]", []),
    ("[1, [2, 3]]", [D(1), [D(2), D(3)]]),
    ('{a: 1, "b c": 2}', {"a": D(1), "b c": D(2)}),
    ("{a: 1, b: a + 1, c: b * 2}", {"a": D(1), "b": D(2), "c": D(4)}),
    ("{Monthly Rate: 10, Yearly: Monthly Rate * 12}.Yearly", D(120)),
    ("{}", {}),
    ("{a: {b: 1}, c: a.b}.c", D(1)),
    # for, some, every
    ("for x in [1, 2, 3] return x * x", [D(1), D(4), D(9)]),
    ("for x in 1..3 return x", [D(1), D(2), D(3)]),
    ("for x in 3..1 return x", [D(3), D(2), D(1)]),
    ("for x in [1, 2], y in [10, 20] return x + y", [D(11), D(21), D(12), D(22)]),
    ("for x in [1, 2], y in [x, 5] return y", [D(1), D(5), D(2), D(5)]),
    ("for i in 0..4 return if i = 0 then 1 else i * partial[-1]", [D(1), D(1), D(2), D(6), D(24)]),
    ("for x in [] return x", []),
    ("for x in [1..3] return x", [D(1), D(2), D(3)]),
    ("for x in (1..3] return x", [D(2), D(3)]),
    (
        'for d in @"2024-02-28"..@"2024-03-01" return d',
        [datetime.date(2024, 2, 28), datetime.date(2024, 2, 29), datetime.date(2024, 3, 1)],
    ),
    ("for x in null return x", None),
    ("some x in [1, 2, 3] satisfies x > 2", True),
    ("some x in [1, 2, 3] satisfies x > 5", False),
    ("every x in [1, 2, 3] satisfies x > 0", True),
    ("every x in [1, 2, 3] satisfies x > 1", False),
    ("every x in [] satisfies x > 1", True),
    ("some x in [1, 2], y in [2, 3] satisfies x = y", True),
    # functions
    ("(function(a, b) a + b)(1, 2)", D(3)),
    ("(function(a, b) a - b)(b: 1, a: 5)", D(4)),
    ("{f: function(x) x * 2, r: f(21)}.r", D(42)),
    ("{k: 10, f: function(x) x + k}.f(1)", D(11)),
    ("{fact: function(n) if n <= 1 then 1 else n * fact(n - 1)}.fact(10)", D(3628800)),
    ("(function(a) a)(1, 2)", None),
    ("(function(a) a)(b: 1)", None),
    ('(function(a: number) a)("x")', None),
    ("(function(a: number) a)([5])", D(5)),
    ("(function(a: list<number>) a)(5)", [D(5)]),
    ('(function() external {java: {class: "x", method signature: "y"}})()', None),
    ("{make: function(n) function(x) x + n, add2: make(2)}.add2(3)", D(5)),
    ('string length("abcd")', D(4)),
    ('date and time("2024-01-01T10:00:00").hour', D(10)),
    ("nothing(1)", None),
    ("amount(1)", None),
    ("sum(numbers)", D(10)),
    ("count(numbers[item > 1])", D(3)),
    # instance of
    ("1 instance of number", True),
    ('"a" instance of string', True),
    ("null instance of Any", False),
    ("null instance of Null", True),
    ("[1, 2] instance of list<number>", True),
    ('[1, "a"] instance of list<number>', False),
    ("{a: 1} instance of context<a: number>", True),
    ("{a: 1} instance of context<a: string>", False),
    ('@"2024-01-01" instance of date', True),
    ('@"2024-01-01T10:00:00" instance of date and time', True),
    ('duration("P1Y") instance of years and months duration', True),
    ('duration("P1D") instance of days and time duration', True),
    ("[1..2] instance of range<number>", True),
    ("(function(a: string) 1) instance of function<string> -> number", True),
    ("(function(a: string) 1) instance of function<number> -> number", False),
    ("1 instance of Any and true", True),
    ("{a: null} instance of context<a: string>", True),
    ("[1..2] instance of range<string>", False),
    ("(function() 123) instance of function<>->string", False),
    ('(function() "x") instance of function<> -> string', True),
    ('(function(a: string, b: string) "x") instance of function<string>->string', False),
    (
        "(function(a: context<a: string>) {b: 1, c: 2}) instance of "
        "function<context<a: string, b: string>>->context<b: number>",
        True,
    ),
    (
        '(function(a: context<a: string, b: string>) "x") instance of '
        "function<context<a: string>>->string",
        False,
    ),
    ("sum instance of function<list<number>>->number", True),
    # ranges as values
    ("[1..10]", Range(D(1), D(10), True, True)),
    ("(1..10[", Range(D(1), D(10), False, False)),
    ("< 10", Range(None, D(10), False, False, "<")),
    (">= 10", Range(D(10), None, True, False, ">=")),
    ('[1.."a"]', None),
    # temporal arithmetic through the library
    ('@"2024-01-31" + duration("P1D")', datetime.date(2024, 2, 1)),
    ('-duration("P1D") = duration("-P1D")', True),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_evaluate(text: str, expected: Any) -> None:
    assert evaluate(text, CONTEXT) == expected
    assert type(evaluate(text, CONTEXT)) is type(expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"foo" + 1', "cannot add string and number (line 1, column 7)"),
        ("1 / 0", "division by zero (line 1, column 3)"),
        ("unknown + 1", "no variable named 'unknown' (line 1, column 1)"),
        ("nope(1)", "no function named 'nope' (line 1, column 5)"),
        ('1 < "a"', "cannot compare number with string (line 1, column 3)"),
        ("(1).x", "number has no property 'x' (line 1, column 4)"),
        ("[1,2][1.5]", "a list index must be an integer, not 1.5 (line 1, column 6)"),
        ("10 * null", "cannot multiply number by null (line 1, column 4)"),
        ("null ** 2", "cannot raise null to the power of number (line 1, column 6)"),
        ("-null", "cannot negate null (line 1, column 1)"),
        ("{a: 1}.b", "the context has no entry 'b' (line 1, column 7)"),
        ("null.b", "cannot get 'b' of null (line 1, column 5)"),
        ("null[1]", "cannot filter null (line 1, column 5)"),
        ("2 between null and 10", "'between' has a null operand (line 1, column 3)"),
        (
            "for i in [2..1] return i",
            "cannot iterate over a range whose start is after its end (line 1, column 1)",
        ),
    ],
)
def test_runtime_problems_give_null_and_a_diagnostic(text: str, message: str) -> None:
    diagnostics = Diagnostics()
    assert evaluate(text, {}, diagnostics=diagnostics) is None
    assert message in diagnostics.messages


def test_python_values_in_the_context_become_feel_values() -> None:
    context = {"n": 3, "f": 0.5, "items": [1, 2, (3, 4)], "nested": {"x": 1}}
    assert evaluate("n + f", context) == D("3.5")
    assert evaluate("items[3][2]", context) == D(4)
    assert evaluate("nested.x + 1", context) == D(2)


def test_function_values_close_over_their_scope() -> None:
    adders = evaluate("for n in [1, 2] return function(x) x + n")
    assert isinstance(adders, list)
    diagnostics = Diagnostics()
    assert [f.invoke([D(10)], None, diagnostics) for f in adders] == [D(11), D(12)]


def test_recursion_without_end_gives_null() -> None:
    diagnostics = Diagnostics()
    assert evaluate("{f: function(n) f(n + 1)}.f(1)", diagnostics=diagnostics) is None
    assert diagnostics.messages


def test_string_of_values() -> None:
    assert to_feel_string(evaluate('{a: [1, "x"], b: 2.50}')) == '{a: [1, "x"], b: 2.5}'
    assert to_feel_string(evaluate("[1..3)")) == "[1..3)"
    assert to_feel_string(evaluate("< 3")) == "< 3"


TRUTH = {"true": True, "false": False, "null": None, '"x"': None}


@pytest.mark.parametrize("left", list(TRUTH))
@pytest.mark.parametrize("right", list(TRUTH))
def test_three_valued_logic_truth_tables(left: str, right: str) -> None:
    a, b = TRUTH[left], TRUTH[right]
    expected_and = False if False in (a, b) else (True if a is True and b is True else None)
    expected_or = True if True in (a, b) else (False if a is False and b is False else None)
    assert evaluate(f"{left} and {right}") is expected_and
    assert evaluate(f"{left} or {right}") is expected_or
