"""Regular expressions in FEEL within a time budget: stopped, named, and never holding a server."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator

import pytest

from verka.engine import feel
from verka.engine.feel import Diagnostics, Limits

# Exponential for every backtracking engine: each run of a's splits into 1s and 2s in
# Fibonacci(n) ways, and the final '!' makes every split fail.
CATASTROPHIC = "^(a|aa)+$"
HOSTILE = "a" * 40 + "!"


def evaluate(text: str, seconds: float = 0.2, **context: object) -> tuple[object, Diagnostics]:
    diagnostics = Diagnostics(Limits(regex_seconds=seconds))
    return feel.evaluate(text, dict(context), diagnostics=diagnostics), diagnostics


def timed(text: str, seconds: float = 0.2, **context: object) -> tuple[object, Diagnostics, float]:
    started = time.perf_counter()
    value, diagnostics = evaluate(text, seconds, **context)
    return value, diagnostics, time.perf_counter() - started


@pytest.mark.parametrize(
    "text",
    [
        "matches(s, p)",
        'replace(s, p, "x")',
        "split(s, p)",
        "matches(s, p) or true",  # a stopped call cannot be hidden by what surrounds it
    ],
)
def test_a_catastrophic_pattern_is_stopped_and_the_evaluation_marked_stopped(text: str) -> None:
    value, diagnostics, elapsed = timed(text, 0.2, s=HOSTILE, p=CATASTROPHIC)
    assert diagnostics.stopped is not None
    assert CATASTROPHIC in diagnostics.stopped
    assert "0.2 s" in diagnostics.stopped
    assert any(CATASTROPHIC in message for message in diagnostics.messages)
    # The budget is CPU time; on a loaded machine the wall time may be a few times longer.
    assert elapsed < 5
    if text.startswith("matches(s, p) or"):
        assert value is True  # FEEL's value; the stop is what callers act on
    else:
        assert value is None


def test_the_budget_is_for_the_whole_evaluation_not_per_call() -> None:
    # Twenty catastrophic calls share one budget: the loop ends after about one budget.
    value, diagnostics = evaluate(
        "for i in 1..20 return matches(s, p)", 0.2, s=HOSTILE, p=CATASTROPHIC
    )
    assert diagnostics.stopped is not None
    started = time.process_time()
    evaluate("for i in 1..20 return matches(s, p)", 0.2, s=HOSTILE, p=CATASTROPHIC)
    assert time.process_time() - started < 1.0


def test_ordinary_patterns_are_untouched_by_the_budget() -> None:
    value, diagnostics = evaluate(
        r'matches(s, "^([A-Za-zÅÄÖåäö]+\s?)*$") and replace(s, "ö", "o") = "Bjorn Asa"',
        s="Björn Asa",
    )
    assert value is True
    assert diagnostics.stopped is None
    assert diagnostics.messages == []


def test_a_pattern_that_only_looks_dangerous_runs_in_linear_time() -> None:
    # The example: Python's re takes minutes on it; the bounded engine sees through it.
    value, diagnostics, elapsed = timed('matches(s, "^(a+)+$")', 0.2, s="a" * 40 + "!")
    assert value is False
    assert diagnostics.stopped is None
    assert elapsed < 1


def test_a_pattern_whose_counted_repeats_would_fill_memory_is_refused_at_once() -> None:
    value, diagnostics, elapsed = timed('matches("a", "((a{1000}){1000}){1000}")')
    assert value is None
    assert elapsed < 1
    assert "repeats" in diagnostics.messages[0]


@pytest.fixture
def ticker() -> Iterator[list[float]]:
    """Times at which another thread of the same process got to run."""
    ticks: list[float] = []
    done = threading.Event()

    def tick() -> None:
        while not done.is_set():
            ticks.append(time.perf_counter())
            time.sleep(0.002)

    thread = threading.Thread(target=tick, daemon=True)
    thread.start()
    yield ticks
    done.set()
    thread.join()


def test_other_threads_keep_running_while_a_pattern_is_matched(ticker: list[float]) -> None:
    time.sleep(0.05)
    started = time.perf_counter()
    _, diagnostics = evaluate("matches(s, p)", 0.5, s=HOSTILE, p=CATASTROPHIC)
    ended = time.perf_counter()
    assert diagnostics.stopped is not None
    during = [t for t in ticker if started <= t <= ended]
    gaps = [b - a for a, b in zip([started, *during], [*during, ended], strict=True)]
    # With Python's re the other thread gets no turn until the match ends (one gap as long as
    # the whole match); matching without the interpreter lock lets it tick every few ms.
    assert len(during) >= 20
    assert max(gaps) < (ended - started) / 2


def test_the_limits_default_is_what_the_host_configured() -> None:
    previous = feel.set_default_limits(Limits(regex_seconds=0.1, steps=1000))
    try:
        diagnostics = Diagnostics()
        assert diagnostics.limits.regex_seconds == 0.1
        assert diagnostics.work_budget == 1000
        value = feel.evaluate("count(for i in 1..2000 return i)", {}, diagnostics=diagnostics)
        assert value is None
        assert diagnostics.stopped == "the evaluation needs too many steps and was stopped"
    finally:
        feel.set_default_limits(previous)
    assert Diagnostics().limits == previous


def test_work_budget_stopped_inside_a_context_still_marks_the_evaluation() -> None:
    diagnostics = Diagnostics(Limits(steps=1000))
    value = feel.evaluate("{a: for i in 1..2000 return i, b: 1}.b", {}, diagnostics=diagnostics)
    assert value == 1
    assert diagnostics.stopped is not None


def test_a_user_function_over_budget_marks_the_evaluation_stopped() -> None:
    diagnostics = Diagnostics(Limits(steps=100))
    value = feel.evaluate(
        "{f: function(n) if n = 0 then 0 else f(n - 1), r: f(500)}.r", {}, diagnostics=diagnostics
    )
    assert value is None
    assert diagnostics.stopped is not None
