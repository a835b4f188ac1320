"""A form's patterns and FEEL within one time budget: a hostile value is answered quickly."""

from __future__ import annotations

import time

from verka.engine.feel import Limits
from verka.engine.forms import parse_form, validate_submission

# The issue's modeller pattern (names with Swedish letters) and one that is exponential for
# every backtracking engine.
NAME_PATTERN = r"^([A-Za-zÅÄÖåäö]+\s?)*$"
CATASTROPHIC = "^(a|aa)+$"
HOSTILE = "a" * 40 + "!"
LIMITS = Limits(regex_seconds=0.2)


def form(*components: dict[str, object]):  # type: ignore[no-untyped-def]
    return parse_form({"type": "default", "components": list(components)})


def codes(result) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    return [(error.path, error.code) for error in result.errors]


def test_a_value_that_makes_the_pattern_backtrack_gets_a_quick_translated_error() -> None:
    name = form({"type": "textfield", "key": "name", "validate": {"pattern": CATASTROPHIC}})
    started = time.perf_counter()
    result = validate_submission(name, {"name": HOSTILE}, limits=LIMITS)
    assert time.perf_counter() - started < 5  # CPU-time budget; wall time under load varies
    assert codes(result) == [("name", "pattern_timeout")]
    [error] = result.errors
    assert error.message_sv.startswith("Värdet kunde inte kontrolleras")
    assert error.message_en.startswith("The value could not be checked")


def test_the_issue_pattern_is_answered_at_once_with_an_ordinary_pattern_error() -> None:
    name = form({"type": "textfield", "key": "name", "validate": {"pattern": NAME_PATTERN}})
    started = time.perf_counter()
    result = validate_submission(name, {"name": "a" * 1000 + "!"}, limits=LIMITS)
    assert time.perf_counter() - started < 1
    assert codes(result) == [("name", "pattern")]
    assert codes(validate_submission(name, {"name": "Åsa Öberg"}, limits=LIMITS)) == []
    # The engine is quadratic on this pattern: a very long hostile value runs out instead.
    started = time.perf_counter()
    result = validate_submission(name, {"name": "a" * 50_000 + "!"}, limits=LIMITS)
    assert time.perf_counter() - started < 5
    assert codes(result) == [("name", "pattern_timeout")]


def test_the_rows_of_a_dynamic_list_share_one_budget() -> None:
    rows = form(
        {
            "type": "dynamiclist",
            "path": "people",
            "isRepeating": True,
            "allowAddRemove": True,
            "components": [
                {"type": "textfield", "key": "name", "validate": {"pattern": CATASTROPHIC}}
            ],
        }
    )
    started = time.process_time()
    result = validate_submission(rows, {"people": [{"name": HOSTILE}] * 50}, limits=LIMITS)
    # Fifty rows of 0.2 s each would be ten seconds; one shared budget is about 0.2 s.
    assert time.process_time() - started < 2
    assert {code for _, code in codes(result)} == {"pattern_timeout"}
    assert len(result.errors) == 50


def test_a_form_expression_that_runs_out_stops_the_whole_validation() -> None:
    guarded = form(
        {"type": "textfield", "key": "name"},
        {
            "type": "textfield",
            "key": "nickname",
            "conditional": {"hide": f'=matches(name, "{CATASTROPHIC}")'},
        },
    )
    started = time.perf_counter()
    result = validate_submission(guarded, {"name": HOSTILE}, limits=LIMITS)
    assert time.perf_counter() - started < 5
    assert codes(result) == [("", "evaluation_stopped")]
    assert result.values == {}
    assert result.errors[0].message_sv.startswith("Formuläret kunde inte kontrolleras")


def test_a_pattern_whose_repeats_would_fill_memory_is_refused_with_the_form() -> None:
    import pytest

    from verka.engine.forms import FormSchemaError

    with pytest.raises(FormSchemaError, match="repeats too much"):
        form(
            {
                "type": "textfield",
                "key": "x",
                "validate": {"pattern": "((a{1000}){1000}){1000}"},
            }
        )
