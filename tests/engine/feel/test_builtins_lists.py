"""List built-ins, including the varargs forms and the higher-order sort and list replace."""

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

import pytest

from verka.engine.feel.builtins import call
from verka.engine.feel.values import (
    Diagnostics,
    FeelFunction,
    Value,
    from_python,
    to_feel_string,
    type_name,
)


def shown(value: Any) -> tuple[str, str]:
    return type_name(value), to_feel_string(value)


CASES = [
    ("list contains", [[1, 2, 3], 2], True),
    ("list contains", [[1, 2, 3], 4], False),
    ("list contains", [[1, None], None], True),
    ("list contains", [[[1]], [1]], True),
    ("count", [[1, 2, 3]], 3),
    ("count", [[]], 0),
    ("count", [[None]], 1),
    ("min", [[1, 2, 3]], 1),
    ("min", [1, 2, 3], 1),
    ("min", [["b", "a"]], "a"),
    ("min", [[]], None),
    ("min", [5], 5),
    ("max", [[1, 2, 3]], 3),
    ("max", [1, 2, 3], 3),
    ("sum", [[1, 2, 3]], 6),
    ("sum", [1, 2, 3], 6),
    ("sum", [[]], None),
    ("sum", [[Decimal("0.1"), Decimal("0.2")]], Decimal("0.3")),
    ("product", [[2, 3, 4]], 24),
    ("product", [2, 3, 4], 24),
    ("product", [[]], None),
    ("mean", [[1, 2, 3]], 2),
    ("mean", [1, 2, 3, 4], Decimal("2.5")),
    ("mean", [[6, 14, -3]], Decimal("5.666666666666666666666666666666667")),
    ("mean", [[]], None),
    ("median", [[8, 2, 5, 3, 4]], 4),
    ("median", [[6, 1, 2, 3]], Decimal("2.5")),
    ("median", [8, 2, 5, 7], 6),
    ("median", [[]], None),
    ("median", [4], 4),
    ("stddev", [[2, 4, 7, 5]], Decimal("2.081665999466132735282297706979931")),
    ("mode", [[6, 3, 9, 6, 6]], [6]),
    ("mode", [[3, 6, 1, 9, 6, 1, 3]], [1, 3, 6]),
    ("mode", [[]], []),
    ("mode", [6], [6]),
    ("all", [[True, True]], True),
    ("all", [[True, False, None]], False),
    ("all", [[True, None]], None),
    ("all", [[]], True),
    ("all", [True, True], True),
    ("all", [[True, 1]], None),
    ("any", [[False, True]], True),
    ("any", [[False, None]], None),
    ("any", [[]], False),
    ("any", [False, None, True], True),
    ("sublist", [[4, 5, 6], 1, 2], [4, 5]),
    ("sublist", [[4, 5, 6], -1, 1], [6]),
    ("sublist", [[4, 5, 6], 2], [5, 6]),
    ("append", [[1], 2, 3], [1, 2, 3]),
    ("append", [[[1]], [2]], [[1], [2]]),
    ("append", [[1]], [1]),
    ("append", [[], None], [None]),
    ("concatenate", [[1, 2], [3]], [1, 2, 3]),
    ("concatenate", [[[1]], [[2]]], [[1], [2]]),
    ("concatenate", [], []),
    ("insert before", [[1, 3], 1, 2], [2, 1, 3]),
    ("insert before", [[1, 3], 2, 2], [1, 2, 3]),
    ("insert before", [[1, 3], -1, 2], [1, 2, 3]),
    ("remove", [[1, 2, 3], 2], [1, 3]),
    ("remove", [[1, 2, 3], -1], [1, 2]),
    ("reverse", [[1, 2, 3]], [3, 2, 1]),
    ("reverse", [[]], []),
    ("index of", [[1, 2, 3, 2], 2], [2, 4]),
    ("index of", [[1, 2], 5], []),
    ("union", [[1, 2], [2, 3]], [1, 2, 3]),
    ("union", [[1, 1], [Decimal("1.0")]], [1]),
    ("distinct values", [[1, 2, 3, 2, 1]], [1, 2, 3]),
    ("distinct values", [[[1], [1], None, None]], [[1], None]),
    ("flatten", [[[1, 2], [[3]], 4]], [1, 2, 3, 4]),
    ("flatten", [[]], []),
    ("list replace", [[2, 4, 7, 8], 3, 6], [2, 4, 6, 8]),
    ("list replace", [[2, 4, 7, 8], -3, 6], [2, 6, 7, 8]),
    ("sort", [[3, 1, 4, 2]], [1, 2, 3, 4]),
    ("sort", [["b", "a"]], ["a", "b"]),
]


@pytest.mark.parametrize(("name", "args", "expected"), CASES)
def test_list_function_results(name: str, args: list[Any], expected: Any) -> None:
    result, messages = call(name, from_python(args))
    assert shown(result) == shown(from_python(expected)), messages
    assert messages == []


ERRORS = [
    ("list contains", [None, 1]),
    ("count", [None]),
    ("count", []),
    ("min", [[1, "a"]]),
    ("max", [1, "a"]),
    ("min", [[True, False]]),
    ("sum", [[1, None]]),
    ("sum", [[1, "a"]]),
    ("mean", [[1, "a"]]),
    ("median", [[1, 2, "foo", 4]]),
    ("mode", [[1, 2, "foo", 4]]),
    ("stddev", [[1, "a"]]),
    ("stddev", [[47]]),
    ("stddev", [47]),
    ("stddev", [[]]),
    ("median", []),
    ("sublist", [[1, 2, 3], 0]),
    ("sublist", [[1, 2, 3], 4]),
    ("sublist", [[1, 2, 3], 2, 5]),
    ("sublist", [[1, 2, 3], Decimal("1.5")]),
    ("insert before", [[1], 3, 0]),
    ("remove", [[1], 2]),
    ("remove", [[], 1]),
    ("concatenate", [[1], 2]),
    ("union", [[1], 2]),
    ("list replace", [[1, 2], 3, 0]),
    ("sort", [[1, "a"]]),
    ("sort", [[1, 2], 3]),
]


@pytest.mark.parametrize(("name", "args"), ERRORS)
def test_list_function_misuse_gives_null_with_a_message(name: str, args: list[Any]) -> None:
    result, messages = call(name, from_python(args))
    assert result is None
    assert len(messages) == 1
    assert messages[0].startswith(name + ":")


class LessThan(FeelFunction):
    """A FEEL function (a, b) -> a < b, or a fixed answer, counting its calls."""

    name = "less than"

    def __init__(self, answer: Value = "compare") -> None:
        self.answer = answer
        self.calls = 0

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        self.calls += 1
        assert positional is not None
        if self.answer != "compare":
            return self.answer
        a, b = positional
        return bool(a < b)


def test_sort_asks_precedes_and_is_stable() -> None:
    pairs = from_python([[2, "x"], [1, "y"], [2, "a"], [1, "b"]])

    class ByFirst(LessThan):
        def invoke(self, positional: Any, named: Any, diagnostics: Diagnostics) -> Value:
            return bool(positional[0][0] < positional[1][0])

    result, messages = call("sort", [pairs, ByFirst()])
    assert to_feel_string(result) == '[[1, "y"], [1, "b"], [2, "x"], [2, "a"]]'
    assert messages == []


def test_sort_descending_with_named_arguments() -> None:
    class GreaterThan(LessThan):
        def invoke(self, positional: Any, named: Any, diagnostics: Diagnostics) -> Value:
            return bool(positional[0] > positional[1])

    result, _ = call("sort", None, {"list": from_python([3, 1, 2]), "precedes": GreaterThan()})
    assert to_feel_string(result) == "[3, 2, 1]"


def test_sort_with_non_boolean_precedes_is_null() -> None:
    result, messages = call("sort", [from_python([3, 1]), LessThan(answer=None)])
    assert result is None
    assert messages == ["sort: precedes must return true or false"]


def test_list_replace_with_match_function() -> None:
    class Matches(LessThan):
        def invoke(self, positional: Any, named: Any, diagnostics: Diagnostics) -> Value:
            item, new_item = positional
            return bool(item < new_item)

    result, messages = call("list replace", [from_python([2, 4, 7, 8]), Matches(), Decimal(5)])
    assert to_feel_string(result) == "[5, 5, 7, 8]"
    assert messages == []


NAMED = [
    ("min", {"list": [3, 1]}, 1),
    ("median", {"list": [8, 2, 5, 7]}, 6),
    ("sublist", {"list": [1, 2, 3], "start position": 2, "length": 1}, [2]),
    ("insert before", {"list": [1, 3], "position": 2, "newItem": 2}, [1, 2, 3]),
    ("list contains", {"list": [1], "element": 1}, True),
    ("index of", {"list": [1], "match": 1}, [1]),
    ("list replace", {"list": [1, 2], "position": 1, "newItem": 0}, [0, 2]),
]


@pytest.mark.parametrize(("name", "named", "expected"), NAMED)
def test_list_functions_take_named_arguments(
    name: str, named: dict[str, Any], expected: Any
) -> None:
    result, messages = call(name, None, from_python(named))
    assert shown(result) == shown(from_python(expected)), messages


def test_wrong_parameter_name_gives_null() -> None:
    result, messages = call("median", None, {"l": from_python([1, 2])})
    assert result is None
    assert messages == [
        "median: no parameter named 'l'; expected (list: list) or (...c: any)",
    ]


def test_wrong_argument_count_names_the_overloads() -> None:
    result, messages = call("sublist", [])
    assert result is None
    assert messages == [
        "sublist: no overload takes 0 argument(s); expected "
        "(list: list, start position: number, length: number?)",
    ]
