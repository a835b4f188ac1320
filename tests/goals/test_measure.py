"""Every indicator kind, computed by the goals app over a synthetic event log, agrees with a
straightforward Python computation over the same cases written here independently."""

from __future__ import annotations

import math
import random
import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.definition import validate
from verka.goals.measure import measure_periods, measure_window
from verka.processes.models import ProcessDefinition, ProcessInstance

pytestmark = pytest.mark.django_db

STOCKHOLM = ZoneInfo("Europe/Stockholm")
YEAR_START = datetime(2025, 1, 1, tzinfo=STOCKHOLM)
YEAR_END = datetime(2026, 1, 1, tzinfo=STOCKHOLM)
HOLIDAYS_2025 = {
    date(2025, 1, 1), date(2025, 1, 6), date(2025, 4, 18), date(2025, 4, 21), date(2025, 5, 1),
    date(2025, 5, 29), date(2025, 6, 6), date(2025, 6, 20), date(2025, 12, 24),
    date(2025, 12, 25), date(2025, 12, 26), date(2025, 12, 31),
}  # fmt: skip


def random_cases(seed: int = 3, count: int = 240) -> list[SyntheticCase]:
    rng = random.Random(seed)
    cases = []
    for index in range(count):
        started = datetime(2025, 1, 1, 7, tzinfo=UTC) + timedelta(
            minutes=rng.randrange(0, 330 * 24 * 60)
        )
        at = started + timedelta(hours=rng.uniform(1, 100))
        steps = [Step("assess", started, at)]
        pauses = []
        for _ in range(rng.choice([0, 0, 1, 2])):
            resumed = at + timedelta(days=rng.uniform(0.2, 15))
            steps.append(Step("supplement", at, resumed))
            pauses.append((at, resumed))
            at = resumed + timedelta(days=rng.uniform(0, 5))
            steps.append(Step("assess", resumed, at))
        decided = at + timedelta(days=rng.uniform(0.5, 80))
        open_case = rng.random() < 0.1
        steps.append(Step("decide", at, None if open_case else decided))
        cases.append(
            SyntheticCase(
                key=1000 + index,
                started=started,
                ended=None if open_case else decided,
                steps=steps,
                variables={
                    "fee": rng.choice([5000, 12000, 20000]),
                    "extended": rng.random() < 0.2,
                    "channel": rng.choice(["web", "paper"]),
                },
                process_id="permit",
            )
        )
    return cases


def decided_at(case: SyntheticCase) -> datetime | None:
    return next((s.end for s in case.steps if s.element_id == "decide"), None)


def paused(case: SyntheticCase) -> list[tuple[datetime, datetime]]:
    return [(s.start, s.end) for s in case.steps if s.element_id == "supplement" and s.end]


def working_days_between(a: date, b: date) -> int:
    count, day = 0, a + timedelta(days=1)
    while day <= b:
        if day.weekday() < 5 and day not in HOLIDAYS_2025:
            count += 1
        day += timedelta(days=1)
    return count


def local(moment: datetime) -> date:
    return moment.astimezone(STOCKHOLM).date()


def expected_duration(case: SyntheticCase, unit: str) -> float:
    end = decided_at(case)
    assert end is not None
    if unit == "working_days":
        total = working_days_between(local(case.started), local(end))
        return float(total - sum(working_days_between(local(a), local(b)) for a, b in paused(case)))
    active = (end - case.started) - sum((b - a for a, b in paused(case)), timedelta())
    return active.total_seconds() / (3600 if unit == "hours" else 86400)


def p90(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[math.ceil(0.9 * len(ordered)) - 1]


@pytest.fixture
def log() -> list[SyntheticCase]:
    cases = random_cases()
    insert_cases(cases)
    return cases


def months() -> list[tuple[datetime, datetime]]:
    return [
        (datetime(2025, m, 1, tzinfo=STOCKHOLM), datetime(2025 + m // 12, m % 12 + 1, 1,
                                                          tzinfo=STOCKHOLM))
        for m in range(1, 13)
    ]  # fmt: skip


DURATION = {
    "kind": "duration",
    "processes": ["permit"],
    "end": {"element": "decide", "event": "ELEMENT_COMPLETED"},
    "pauses": ["supplement"],
}


@pytest.mark.parametrize(
    ("unit", "aggregate", "statistic"),
    [
        ("days", "median", statistics.median),
        ("days", "mean", statistics.fmean),
        ("days", "p90", p90),
        ("hours", "median", statistics.median),
        ("working_days", "median", statistics.median),
        ("working_days", "p90", p90),
    ],
)
def test_durations_per_month_agree_with_a_plain_computation(log, unit, aggregate, statistic):
    definition = validate({**DURATION, "unit": unit, "aggregate": aggregate})
    results = measure_periods(definition, date(2025, 1, 1), date(2025, 12, 31))
    assert len(results) == 12
    checked = 0
    for result, (start, end) in zip(results, months(), strict=True):
        values = [
            expected_duration(c, unit)
            for c in log
            if decided_at(c) is not None and start <= decided_at(c) < end
        ]
        assert result.n == len(values)
        if values:
            assert result.value == pytest.approx(statistic(values), abs=1e-6)
            checked += 1
        else:
            assert result.value is None
    assert checked >= 10


def test_share_within_a_limit_with_an_extension_agrees(log):
    definition = validate(
        {**DURATION, "aggregate": "share_within", "limit": {"weeks": 4},
         "extension": {"weeks": 4, "when": "extended = true"}}
    )  # fmt: skip
    result = measure_window(definition, YEAR_START, YEAR_END)
    done = [c for c in log if decided_at(c) is not None and decided_at(c) < YEAR_END]
    met = [
        c for c in done if expected_duration(c, "days") <= (56 if c.variables["extended"] else 28)
    ]
    assert result.n == len(done)
    assert result.value == pytest.approx(100 * len(met) / len(done))


def test_fee_reduction_is_one_fifth_per_started_week_over_the_limit(log):
    definition = validate(
        {**DURATION, "aggregate": "fee_reduction", "limit": {"weeks": 4}, "fee_variable": "fee"}
    )
    result = measure_window(definition, YEAR_START, YEAR_END)
    total = 0.0
    for case in log:
        if decided_at(case) is None or decided_at(case) >= YEAR_END:
            continue
        over = expected_duration(case, "days") - 28
        weeks = min(math.ceil(over / 7), 5) if over > 0 else 0
        total += case.variables["fee"] * weeks / 5
    assert result.value == pytest.approx(total)
    assert total > 0


def test_share_meeting_a_feel_condition_agrees(log):
    definition = validate(
        {"kind": "share", "processes": ["permit"], "condition": 'channel = "web" and fee > 6000'}
    )
    result = measure_window(definition, YEAR_START, YEAR_END)
    ended = [c for c in log if c.ended is not None and c.ended < YEAR_END]
    met = [c for c in ended if c.variables["channel"] == "web" and c.variables["fee"] > 6000]
    assert result.n == len(ended)
    assert result.value == pytest.approx(100 * len(met) / len(ended))


@pytest.mark.parametrize("measure", ["started", "completed", "open_at_end", "arrival_rate"])
def test_counts_per_month_agree(log, measure):
    definition = validate({"kind": "count", "processes": ["permit"], "measure": measure})
    results = measure_periods(definition, date(2025, 1, 1), date(2025, 12, 31))
    for result, (start, end) in zip(results, months(), strict=True):
        if measure in ("started", "arrival_rate"):
            expected = sum(1 for c in log if start <= c.started < end)
        elif measure == "completed":
            expected = sum(1 for c in log if c.ended and start <= c.ended < end)
        else:
            expected = sum(
                1 for c in log if c.started < end and (c.ended is None or c.ended >= end)
            )
        if measure == "arrival_rate":
            assert result.value == pytest.approx(
                expected / ((end - start).total_seconds() / 86400 / 7)
            )
        else:
            assert result.value == expected
    assert sum(r.n for r in results) > 0


def test_open_longer_than_six_months(log):
    definition = validate(
        {"kind": "count", "processes": ["permit"], "measure": "open_longer_than",
         "limit": {"months": 6}}
    )  # fmt: skip
    end = datetime(2026, 1, 1, tzinfo=STOCKHOLM)
    result = measure_window(definition, datetime(2025, 12, 1, tzinfo=STOCKHOLM), end)
    expected = [
        c.key
        for c in log
        if c.started < end
        and (c.ended is None or c.ended >= end)
        and c.started.astimezone(STOCKHOLM)
        < datetime(2025, 7, 1, tzinfo=STOCKHOLM) - (datetime(2026, 1, 1, tzinfo=STOCKHOLM) - end)
    ]
    assert sorted(c.key for c in result.cases) == sorted(expected)


def test_test_instances_are_left_out(log):
    definition = validate({"kind": "count", "processes": ["permit"], "measure": "started"})
    before = measure_window(definition, YEAR_START, YEAR_END).value
    pd = ProcessDefinition.objects.create(
        bpmn_process_id="permit", version=1, resource=_resource(), checksum="x",
        deployed_at=YEAR_START,
    )  # fmt: skip
    ProcessInstance.objects.create(
        key=1000, definition=pd, bpmn_process_id="permit", version=1, started_at=YEAR_START,
        is_test=True,
    )  # fmt: skip
    assert measure_window(definition, YEAR_START, YEAR_END).value == before - 1


def _resource():  # type: ignore[no-untyped-def]
    from verka.processes.models import Deployment, Resource

    deployment = Deployment.objects.create(created_at=YEAR_START)
    return Resource.objects.create(deployment=deployment, kind="bpmn", name="p.bpmn", content="")


def test_share_submitted_digitally_and_abandoned_drafts():
    import uuid

    from verka.accounts.services import create_user
    from verka.eservices.models import Draft, EService, Submission

    cases = [SyntheticCase(k, datetime(2025, 3, k, 9, tzinfo=UTC), None, process_id="permit")
             for k in range(1, 6)]  # fmt: skip
    insert_cases(cases)
    eservice = EService.objects.create(
        slug="bygglov", title_sv="Bygglov", summary_sv="x", handling_time_sv="x",
        bpmn_process_id="permit", start_form_id="f",
    )  # fmt: skip
    for k in (1, 2, 4):
        Submission.objects.create(
            eservice=eservice, case_number=f"BYG-{k}", submit_token=uuid.uuid4(),
            submitted_at=datetime(2025, 3, k, 9, tzinfo=UTC), process_instance_key=k,
        )  # fmt: skip
    window = (datetime(2025, 3, 1, tzinfo=STOCKHOLM), datetime(2025, 4, 1, tzinfo=STOCKHOLM))
    digital = measure_window(
        validate({"kind": "eservice", "processes": ["permit"], "measure": "digital_share"}),
        *window,
    )
    assert (digital.n, digital.value) == (5, 60.0)
    assert {c.key for c in digital.cases if c.meets} == {1, 2, 4}
    for index, days_idle in enumerate((40, 35, 5)):
        user = create_user(f"u{index}", "pw-abc-12345", kind="citizen")
        draft = Draft.objects.create(eservice=eservice, owner=user)
        moment = datetime(2025, 3, 10, tzinfo=UTC)
        Draft.objects.filter(pk=draft.pk).update(
            created_at=moment, updated_at=window[1] - timedelta(days=days_idle)
        )
    abandoned = measure_window(
        validate({"kind": "eservice", "processes": ["permit"], "measure": "abandonment"}),
        *window,
    )
    # two drafts idle for over 30 days, one still being worked on, three submitted
    assert (abandoned.n, abandoned.value) == (5, 40.0)


def test_drill_down_rows_get_their_instance_start_and_end(log):
    from verka.goals.measure import with_instance_times

    definition = validate(
        {**DURATION, "start": {"element": "assess", "event": "ELEMENT_COMPLETED"}}
    )
    rows = measure_window(definition, YEAR_START, YEAR_END).cases
    assert rows and all(row.started is None for row in rows)  # not fetched for the number
    with_instance_times(definition, rows)
    by_key = {case.key: case for case in log}
    assert all(
        (row.started, row.ended) == (by_key[row.key].started, by_key[row.key].ended) for row in rows
    )


@pytest.mark.parametrize(
    "definition",
    [
        {**DURATION, "unit": "working_days", "aggregate": "p90"},
        {**DURATION, "aggregate": "fee_reduction", "limit": {"weeks": 4}, "fee_variable": "fee",
         "extension": {"weeks": 4, "when": "extended = true"}},
        {**DURATION, "cohort": "start"},
        {"kind": "share", "processes": ["permit"], "condition": 'channel = "web"'},
        {"kind": "count", "processes": ["permit"], "measure": "completed"},
        {"kind": "count", "processes": ["permit"], "measure": "arrival_rate"},
        {"kind": "count", "processes": ["permit"], "measure": "open_at_end"},
    ],
)  # fmt: skip
def test_a_window_looked_up_by_case_key_agrees_with_scanning_the_log(log, definition, monkeypatch):
    """Few cases in a window are grouped by case key; many by scanning: the numbers are alike."""
    from verka.goals import measure

    checked = validate(definition)
    monkeypatch.setattr(measure, "NARROW_SPAN", timedelta(days=400))  # the year, too, by key
    by_key = measure_periods(checked, date(2025, 1, 1), date(2025, 12, 31))
    march = measure_window(checked, months()[2][0], months()[2][1])
    monkeypatch.setattr(measure, "NARROW_LIMIT", 0)
    scanned = measure_periods(checked, date(2025, 1, 1), date(2025, 12, 31))
    assert [(r.value, r.n) for r in by_key] == [(r.value, r.n) for r in scanned]
    assert [c.key for c in march.cases] == [c.key for c in scanned[2].cases]
    assert sum(r.n for r in scanned) > 0
