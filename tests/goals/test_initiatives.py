"""Before/after comparisons on synthetic logs with a known effect, and with none."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from verka.goals import services, stats
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.models import Initiative

pytestmark = pytest.mark.django_db

GO_LIVE = date(2025, 6, 1)
NOW = datetime(2025, 12, 1, tzinfo=UTC)


def log(median_before: float, median_after: float, share_before: float, share_after: float,
        seed: int = 5) -> None:  # fmt: skip
    """Cases decided every day for 120 days either side of go-live; durations spread evenly
    around the median (±40 %), `ok` true for exactly the given share."""
    rng = random.Random(seed)
    cases = []
    go_live = datetime(2025, 6, 1, tzinfo=UTC)
    for index in range(240):
        decided = go_live + timedelta(days=index - 120, hours=12)
        median = median_before if decided < go_live else median_after
        share = share_before if decided < go_live else share_after
        duration = median * rng.uniform(0.6, 1.4)
        started = decided - timedelta(days=duration)
        cases.append(
            SyntheticCase(
                index + 1, started, decided, [Step("decide", started, decided)],
                {"ok": index % 20 < share * 20}, process_id="permit",
            )
        )  # fmt: skip
    insert_cases(cases)


def initiative(*definitions: tuple[dict, str]) -> Initiative:
    made = Initiative.objects.create(
        title="Nytt arbetssätt", hypothesis="Snabbare", change_kind="process",
        bpmn_process_id="permit", version_before=3, version_after=4, go_live=GO_LIVE,
        window_days=120,
    )  # fmt: skip
    for definition, direction in definitions:
        made.indicators.add(services.create_indicator("x", definition, direction=direction))
    return made


MEDIAN = {
    "kind": "duration", "processes": ["permit"],
    "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}, "aggregate": "median",
}  # fmt: skip
SHARE = {"kind": "share", "processes": ["permit"], "condition": "ok = true"}
RATE = {"kind": "count", "processes": ["permit"], "measure": "completed"}


def test_a_known_effect_is_found_median_30_to_20_days_and_share_60_to_85_percent():
    log(30, 20, 0.60, 0.85)
    comparisons = services.compare(
        initiative((MEDIAN, "lower"), (SHARE, "higher"), (RATE, "higher")), now=NOW
    )
    median, share, rate = comparisons
    assert (median.before.n, median.after.n) == (120, 120)
    assert median.before.value == pytest.approx(30, rel=0.1)
    assert median.after.value == pytest.approx(20, rel=0.1)
    assert median.interval.high < 0 and median.interval.low > -16
    assert median.verdict == "improved"
    assert share.verdict == "improved"
    assert share.before.value < share.after.value
    assert rate.verdict == "unclear"  # one case a day on both sides
    assert median.verdict_text == "Förbättrat"


def test_no_effect_says_no_clear_difference():
    log(30, 30, 0.7, 0.7)
    median, share = services.compare(initiative((MEDIAN, "lower"), (SHARE, "higher")), now=NOW)
    assert median.verdict == "unclear"
    assert median.interval.low < 0 < median.interval.high
    assert share.verdict == "unclear"
    assert median.verdict_text == "Ingen tydlig skillnad"


def test_a_change_for_the_worse_is_called_worse():
    log(20, 30, 0.7, 0.7)
    (median,) = services.compare(initiative((MEDIAN, "lower")), now=NOW)
    assert median.verdict == "worse"


def test_too_few_cases_are_not_judged():
    insert_cases([SyntheticCase(1, datetime(2025, 5, 1, tzinfo=UTC),
                                datetime(2025, 5, 20, tzinfo=UTC),
                                [Step("decide", datetime(2025, 5, 1, tzinfo=UTC),
                                      datetime(2025, 5, 20, tzinfo=UTC))], process_id="permit")])  # fmt: skip
    (median,) = services.compare(initiative((MEDIAN, "lower")), now=NOW)
    assert median.verdict == "too_few"


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(0, 10, 0.0, 27.75), (5, 10, 23.66, 76.34), (81, 100, 72.22, 87.49)],
)
def test_wilson_interval(successes, n, low, high):
    interval = stats.wilson(successes, n)
    assert (round(interval.low, 2), round(interval.high, 2)) == (low, high)


def test_bootstrap_is_repeatable():
    import statistics

    a, b = [1.0, 2, 3, 4, 5, 6], [3.0, 4, 5, 6, 7, 8]
    first = stats.bootstrap_difference(a, b, statistics.median)
    assert first == stats.bootstrap_difference(a, b, statistics.median)


def test_flows_are_compared_per_week_and_stocks_as_counts():
    # 2 cases a day before go-live, 1 a day after; after-window only 30 days old at "now".
    cases, key = [], 0
    go_live = datetime(2025, 6, 1, tzinfo=UTC)
    for day in range(-120, 30):
        for _ in range(2 if day < 0 else 1):
            key += 1
            started = go_live + timedelta(days=day, hours=10)
            cases.append(SyntheticCase(key, started, None, process_id="permit"))
    insert_cases(cases)
    started = {"kind": "count", "processes": ["permit"], "measure": "started"}
    backlog = {"kind": "count", "processes": ["permit"], "measure": "open_at_end"}
    flow, stock = services.compare(
        initiative((started, "higher"), (backlog, "lower")),
        now=datetime(2025, 7, 1, tzinfo=ZoneInfo("Europe/Stockholm")),  # go-live + 30 days
    )
    assert (flow.before.n, flow.after.n) == (240, 30)
    assert flow.before.value == pytest.approx(14.0)  # cases per week
    assert flow.after.value == pytest.approx(7.0)
    assert flow.verdict == "worse"
    assert (stock.before.n, stock.after.n) == (240, 270)  # none closed: the backlog grows
    assert stock.verdict == "unclear"
