"""Number built-ins: rounding with scale, modulo's sign rule, and the transcendental functions."""

from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.builtins import call
from verka.engine.feel.temporal import DaysTimeDuration, YearsMonthsDuration
from verka.engine.feel.values import NUMBER_CONTEXT, from_python, to_feel_string, type_name


def shown(value: Any) -> tuple[str, str]:
    return type_name(value), to_feel_string(value)


THIRD = NUMBER_CONTEXT.divide(Decimal(1), Decimal(3))
D = Decimal

CASES = [
    ("decimal", [THIRD, 2], "0.33"),
    ("decimal", [THIRD, D("2.5")], "0.33"),
    ("decimal", [D("1.5"), 0], "2"),
    ("decimal", [D("2.5"), 0], "2"),
    ("decimal", [D("0.515"), 2], "0.52"),
    ("decimal", [D("0.0"), 1], "0"),
    ("decimal", [D("-0.001"), 2], "0"),
    ("decimal", [D("1234"), -2], "1200"),
    ("decimal", [D("1E+40"), 5], "1" + "0" * 40),
    ("round down", [D("5.5"), 6176], "5.5"),
    ("floor", [D("1.5")], "1"),
    ("floor", [D("-1.5")], "-2"),
    ("floor", [D("1.56"), 1], "1.5"),
    ("floor", [D("-1.56"), 1], "-1.6"),
    ("ceiling", [D("1.5")], "2"),
    ("ceiling", [D("-1.5")], "-1"),
    ("ceiling", [D("-0.3333")], "0"),
    ("ceiling", [D("1.56"), 1], "1.6"),
    ("round up", [D("5.5"), 0], "6"),
    ("round up", [D("-5.5"), 0], "-6"),
    ("round up", [D("1.121"), 2], "1.13"),
    ("round up", [D("-1.126"), 2], "-1.13"),
    ("round down", [D("5.5"), 0], "5"),
    ("round down", [D("-5.5"), 0], "-5"),
    ("round down", [D("1.126"), 2], "1.12"),
    ("round half up", [D("5.5"), 0], "6"),
    ("round half up", [D("-5.5"), 0], "-6"),
    ("round half up", [D("1.125"), 2], "1.13"),
    ("round half down", [D("5.5"), 0], "5"),
    ("round half down", [D("-5.5"), 0], "-5"),
    ("round half down", [D("1.126"), 2], "1.13"),
    ("round half down", [D("1.125")], "1"),
    ("abs", [10], "10"),
    ("abs", [-10], "10"),
    ("abs", [0], "0"),
    ("modulo", [12, 5], "2"),
    ("modulo", [-12, 5], "3"),
    ("modulo", [12, -5], "-3"),
    ("modulo", [-12, -5], "-2"),
    ("modulo", [D("10.1"), D("4.5")], "1.1"),
    ("modulo", [D("-10.1"), D("4.5")], "3.4"),
    ("modulo", [D("10.1"), D("-4.5")], "-3.4"),
    ("modulo", [D("-10.1"), D("-4.5")], "-1.1"),
    ("modulo", [0, 4], "0"),
    ("sqrt", [16], "4"),
    ("sqrt", [2], "1.414213562373095048801688724209698"),
    ("sqrt", [0], "0"),
    ("log", [10], "2.302585092994045684017991454684364"),
    ("log", [1], "0"),
    ("exp", [5], "148.4131591025766034211155800405523"),
    ("exp", [0], "1"),
    ("odd", [5], True),
    ("odd", [-5], True),
    ("odd", [2], False),
    ("odd", [D("1E+10")], False),
    ("even", [2], True),
    ("even", [0], True),
    ("even", [-1], False),
    ("even", [D("2.0")], True),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_numeric_function_results(name: str, args: list[Any], expected: Any) -> None:
    result, messages = call(name, from_python(args))
    if isinstance(expected, bool):
        assert result is expected
    else:
        assert type(result) is Decimal
        assert to_feel_string(result) == expected
    assert messages == []


def test_abs_of_durations() -> None:
    assert call("abs", [DaysTimeDuration(-5)])[0] == DaysTimeDuration(5)
    assert call("abs", [YearsMonthsDuration(-13)])[0] == YearsMonthsDuration(13)


ERRORS = [
    ("decimal", [D(1)]),
    ("decimal", [D(1), None]),
    ("decimal", [D(1), D(7000)]),
    ("floor", [None, 1]),
    ("floor", [D("1.56"), None]),
    ("floor", ["1.5"]),
    ("floor", [D("1.5"), 1, 2]),
    ("ceiling", [D("1.5"), "1"]),
    ("round up", [None]),
    ("abs", [None]),
    ("abs", ["-1"]),
    ("abs", [True]),
    ("abs", []),
    ("abs", [1, 1]),
    ("modulo", [10, 0]),
    ("modulo", [10, None]),
    ("modulo", ["10", "4"]),
    ("sqrt", [-1]),
    ("sqrt", [DaysTimeDuration(4)]),
    ("log", [0]),
    ("log", [-1]),
    ("exp", ["4"]),
    ("exp", [D("1E+100")]),
    ("odd", [D("1.5")]),
    ("even", [D("1.5")]),
    ("even", [None]),
]


@pytest.mark.parametrize(("name", "args"), ERRORS)
def test_numeric_misuse_gives_null_with_a_message(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1
    assert messages[0].startswith(name + ":")


NAMED = [
    ("abs", {"n": -1}, "1"),
    ("sqrt", {"number": 4}, "2"),
    ("modulo", {"dividend": 10, "divisor": 4}, "2"),
    ("decimal", {"n": D(15) / D(7), "scale": 3}, "2.143"),
    ("floor", {"n": D("1.56"), "scale": 1}, "1.5"),
    ("round half up", {"n": D("2.5")}, "3"),
]


@pytest.mark.parametrize(("name", "named", "expected"), NAMED)
def test_numeric_functions_take_named_arguments(
    name: str, named: dict[str, Any], expected: str
) -> None:
    result, messages = call(name, None, from_python(named))
    assert to_feel_string(result) == expected, messages


@pytest.mark.parametrize(
    ("name", "named"),
    [("abs", {"number": -1}), ("sqrt", {"n": 4}), ("modulo", {"dividend": 10, "foo": 4})],
)
def test_spec_parameter_names_are_enforced(name: str, named: dict[str, Any]) -> None:
    assert call(name, None, from_python(named))[0] is None
