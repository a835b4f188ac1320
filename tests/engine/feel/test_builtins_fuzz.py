"""Every built-in, called with random FEEL values of random types, answers a FEEL value or null."""

import datetime
import zoneinfo
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from verka.engine.feel.builtins import BUILTINS
from verka.engine.feel.builtins.core import Builtin
from verka.engine.feel.temporal import DaysTimeDuration, Time, YearsMonthsDuration
from verka.engine.feel.temporal_calendar import make_date, make_date_time
from verka.engine.feel.values import Diagnostics, FeelFunction, Range, Value, type_name


class Constant(FeelFunction):
    """A FEEL function ignoring its arguments, as a stand-in for user lambdas."""

    name = "constant"

    def __init__(self, answer: Value) -> None:
        self.answer = answer

    def invoke(
        self,
        positional: Sequence[Value] | None,
        named: Mapping[str, Value] | None,
        diagnostics: Diagnostics,
    ) -> Value:
        return self.answer


zones = st.sampled_from(
    [None, datetime.UTC, datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))]
    + [zoneinfo.ZoneInfo("Europe/Paris")]
)
numbers = st.one_of(
    st.integers(-(10**6), 10**6).map(Decimal),
    st.decimals(allow_nan=False, allow_infinity=False, places=3, min_value=-1000, max_value=1000),
    st.sampled_from([Decimal("1E+40"), Decimal("-1E-40"), Decimal("0.5"), Decimal("-0")]),
)
strings = st.one_of(
    st.text(max_size=8),
    st.sampled_from(["a,b", "2021-01-01", "10:00:00", "P1D", "[1..3]", "x*", "(a)\\1", "smix"]),
)
far_dates = st.builds(
    make_date, st.integers(-99_999, 99_999), st.integers(1, 12), st.integers(1, 28)
).filter(lambda day: day is not None)
dates = st.one_of(st.dates(datetime.date(1, 1, 1), datetime.date(9999, 12, 31)), far_dates)
date_times = st.one_of(
    st.builds(lambda moment, zone: moment.replace(tzinfo=zone), st.datetimes(), zones),
    st.builds(
        make_date_time, far_dates, st.integers(0, 23), st.just(0), st.just(0), st.just(0), zones
    ),
)
times = st.builds(
    Time,
    st.integers(0, 23),
    st.integers(0, 59),
    st.integers(0, 59),
    st.integers(0, 999_999_999),
    zones,
)
durations = st.one_of(
    st.integers(-10_000, 10_000).map(YearsMonthsDuration),
    st.integers(-(10**18), 10**18).map(DaysTimeDuration),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, strings, dates, date_times, times, durations)
ranges = st.builds(
    Range,
    numbers | st.none(),
    numbers | st.none(),
    st.booleans(),
    st.booleans(),
    st.sampled_from([None, None, "<", ">=", "=", "!="]),
)
functions = st.builds(Constant, st.one_of(st.none(), st.booleans(), numbers))
values = st.recursive(
    st.one_of(scalars, ranges, functions),
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.sampled_from(["key", "value", "a", "b"]), inner, max_size=3),
    ),
    max_leaves=8,
)
builtin_names = st.sampled_from(sorted(BUILTINS))


def assert_feel_value(value: Any) -> None:
    assert type_name(value) != "Any", f"not a FEEL value: {value!r}"
    if isinstance(value, list):
        for item in value:
            assert_feel_value(item)
    if isinstance(value, dict):
        for key, item in value.items():
            assert isinstance(key, str)
            assert_feel_value(item)


def assert_no_internal_error(diagnostics: Diagnostics) -> None:
    """Built-ins catch every exception, but only expected ones may end there."""
    assert not any("internal error" in message for message in diagnostics.messages)


FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(builtin_names, st.lists(values, max_size=4))
def test_positional_calls_never_raise(name: str, args: list[Value]) -> None:
    diagnostics = Diagnostics()
    result = BUILTINS[name].invoke(args, None, diagnostics)
    assert_feel_value(result)
    assert_no_internal_error(diagnostics)


@st.composite
def named_calls(draw: st.DrawFn) -> tuple[str, dict[str, Value]]:
    name = draw(builtin_names)
    builtin = BUILTINS[name]
    assert isinstance(builtin, Builtin)
    overload = draw(st.sampled_from(builtin.overloads))
    spec_names = [param.name for param in overload.params]
    chosen = draw(st.lists(st.sampled_from([*spec_names, "bogus"]), unique=True, max_size=5))
    return name, {key: draw(values) for key in chosen}


@FAST
@given(named_calls())
def test_named_calls_never_raise(call: tuple[str, dict[str, Value]]) -> None:
    name, named = call
    diagnostics = Diagnostics()
    result = BUILTINS[name].invoke(None, named, diagnostics)
    assert_feel_value(result)
    assert_no_internal_error(diagnostics)


@st.composite
def well_typed_calls(draw: st.DrawFn) -> tuple[str, list[Value]]:
    """Arguments of the declared kinds, so that the function bodies really run."""
    name = draw(builtin_names)
    builtin = BUILTINS[name]
    assert isinstance(builtin, Builtin)
    overload = draw(st.sampled_from(builtin.overloads))
    by_kind = {
        "any": values,
        "number": numbers,
        "string": strings,
        "boolean": st.booleans(),
        "list": st.lists(st.one_of(numbers, strings, st.booleans(), st.none()), max_size=5),
        "context": st.dictionaries(st.sampled_from(["a", "b"]), scalars, max_size=2),
        "range": ranges,
        "function": functions,
        "date": st.one_of(dates, date_times),
        "date and time": date_times,
        "time": times,
        "duration": durations,
        "days and time duration": durations,
        "point": st.one_of(numbers, dates, times, durations),
    }
    args = []
    for param in overload.params:
        if param.optional and draw(st.booleans()):
            break
        if param.variadic:
            args += draw(st.lists(by_kind[param.kind], min_size=1, max_size=3))
        else:
            args.append(draw(by_kind[param.kind]))
    return name, args


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(well_typed_calls())
def test_well_typed_calls_never_raise(call: tuple[str, list[Value]]) -> None:
    name, args = call
    diagnostics = Diagnostics()
    result = BUILTINS[name].invoke(args, None, diagnostics)
    assert_feel_value(result)
    assert_no_internal_error(diagnostics)
