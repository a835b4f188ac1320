"""Scheduled snapshots: the worker freezes each closed period once per definition version, the
pages read closed periods from them with the same numbers as computing live, and a drill-down
from a frozen period shows the cases that were measured then."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from verka.goals import measure, services, snapshots
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.models import Goal, Measurement, Mission
from verka.goals.snapshots import SnapshotSource, due_snapshots, take_snapshots
from verka.processes.clock import ManualClock, use_clock
from verka.worker.runner import registered_sources

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.goals.urls")]

DEFINITION = {"kind": "duration", "processes": ["permit"],
              "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}}  # fmt: skip
CREATED = datetime(2025, 1, 10, 9, tzinfo=UTC)
NOW = datetime(2025, 6, 15, 12, tzinfo=UTC)


def decided(key: int, on: datetime, days: float) -> SyntheticCase:
    began = on - timedelta(days=days)
    return SyntheticCase(key, began, on, [Step("decide", began, on)], process_id="permit")


def history() -> None:
    """Three decided cases in the middle of each month from January to June 2025."""
    cases = []
    for month in range(1, 7):
        for index, days in enumerate((5 + month, 20, 30 + 3 * month)):
            on = datetime(2025, month, 15, 10, tzinfo=UTC)
            cases.append(decided(month * 100 + index, on, days))
    insert_cases(cases)


def make_indicator(at: datetime = CREATED, definition: dict | None = None):  # type: ignore[no-untyped-def]
    with use_clock(ManualClock(at)):
        mission = Mission.objects.create(organisation="Exempelkommun", text_sv="Vardagen enklare.")
        goal = Goal.objects.create(mission=mission, title_sv="Snabba bygglov",
                                   process_ids=["permit"])  # fmt: skip
        return services.create_indicator(
            "Median handläggningstid", definition or DEFINITION, goal=goal
        )


def months(*numbers: int) -> list[datetime]:
    return [timezone.make_aware(datetime(2025, m, 1)) for m in numbers]


def scheduled(indicator) -> list[Measurement]:  # type: ignore[no-untyped-def]
    return list(Measurement.objects.filter(indicator=indicator, scheduled=True))


def test_the_worker_registers_the_snapshot_source():
    assert "goals-snapshots" in {source.name for source in registered_sources()}


def test_two_workers_freeze_each_closed_period_once_and_not_the_open_one():
    history()
    indicator = make_indicator()
    first, second = SnapshotSource(), SnapshotSource()
    with use_clock(ManualClock(NOW)):
        # January (the month it was created) to May have closed: five periods, four a poll.
        assert first.poll("worker-1") == 4
        assert second.poll("worker-2") == 1
        assert first.poll("worker-1") == 0
        assert SnapshotSource().poll("worker-3") == 0
    frozen = scheduled(indicator)
    assert [m.period_start for m in frozen] == months(1, 2, 3, 4, 5)
    assert [m.period_end for m in frozen] == months(2, 3, 4, 5, 6)
    assert all(m.kind == "snapshot" and m.definition_version.number == 1 for m in frozen)
    # The values are those computed live over the same periods.
    live = {r.start: r for r in services.series(indicator, 12, NOW)}
    for m in frozen:
        assert (m.value, m.n) == (live[m.period_start].value, live[m.period_start].n)
        assert sorted(m.details["cases"]) == sorted(c.key for c in live[m.period_start].cases)
    assert [m.value for m in frozen] == [20.0] * 5 and frozen[4].n == 3


def test_a_period_stored_by_another_worker_in_the_meantime_is_not_stored_twice():
    history()
    indicator = make_indicator()
    (due,) = due_snapshots(NOW)
    assert due.starts[0] == datetime(2025, 5, 1).date()
    assert take_snapshots(due, NOW, 2) == 2
    # A second worker that found the same periods due before the first stored them.
    assert take_snapshots(due, NOW, 2) == 0
    assert len(scheduled(indicator)) == 2


def test_a_period_closes_a_little_after_midnight_local_time():
    history()
    indicator = make_indicator()
    june = timezone.make_aware(datetime(2025, 6, 1))
    (due,) = due_snapshots(june + timedelta(minutes=1))
    assert due.starts[0] == datetime(2025, 4, 1).date()  # May is still in its grace time
    (due,) = due_snapshots(june + snapshots.GRACE)
    assert due.starts[0] == datetime(2025, 5, 1).date()
    assert indicator.pk == due.indicator_id


def test_back_filling_goes_back_twelve_periods_or_to_the_indicators_creation():
    history()
    old = make_indicator(datetime(2023, 2, 1, tzinfo=UTC))
    new = make_indicator(datetime(2025, 3, 31, 23, tzinfo=UTC))  # 1 April, local time
    quarterly = make_indicator(
        datetime(2023, 2, 1, tzinfo=UTC), {**DEFINITION, "period": "quarter"}
    )
    due = {d.indicator_id: d.starts for d in due_snapshots(NOW)}
    assert len(due[old.pk]) == 12
    assert due[old.pk][0] == datetime(2025, 5, 1).date()
    assert due[old.pk][-1] == datetime(2024, 6, 1).date()
    assert due[new.pk] == [datetime(2025, 5, 1).date(), datetime(2025, 4, 1).date()]
    assert due[quarterly.pk][:2] == [datetime(2025, 1, 1).date(), datetime(2024, 10, 1).date()]
    assert len(due[quarterly.pk]) == 9  # back to the quarter in which it was created


def test_a_changed_definition_gets_its_own_snapshots():
    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        while SnapshotSource().poll("w"):
            pass
        services.set_definition(indicator, {**DEFINITION, "aggregate": "mean"})
        assert SnapshotSource().poll("w") == 4
        assert SnapshotSource().poll("w") == 1
    by_version: dict[int, list[Measurement]] = {}
    for m in scheduled(indicator):
        by_version.setdefault(m.definition_version.number, []).append(m)
    assert sorted(by_version) == [1, 2]
    assert len(by_version[1]) == len(by_version[2]) == 5
    may = {v: next(m for m in ms if m.period_start == months(5)[0]) for v, ms in by_version.items()}
    assert may[1].value == 20.0  # median of 10, 20 and 45 days
    assert may[2].value == pytest.approx(25.0)  # their mean
    values = services.trend(indicator, 12, NOW)
    assert [v.snapshot.definition_version.number for v in values if v.snapshot] == [2] * 5


def test_nothing_is_looked_up_again_until_the_recheck_time_when_nothing_is_due():
    history()
    make_indicator()
    ticks = [1000.0]
    source = SnapshotSource(recheck=60, monotonic=lambda: ticks[0])
    with use_clock(ManualClock(NOW)):
        assert source.poll("w") == 4
        assert source.poll("w") == 1
        with CaptureQueriesContext(connection) as queries:
            assert source.poll("w") == 0
            assert source.poll("w") == 0
        assert len(queries) == 0  # the last look found less than a batch due
        ticks[0] += 61
        with CaptureQueriesContext(connection) as queries:
            assert source.poll("w") == 0
        assert len(queries) > 0


def test_an_indicator_that_fails_to_compute_does_not_hold_up_the_others(monkeypatch):
    history()
    broken = make_indicator()
    fine = make_indicator(definition={**DEFINITION, "aggregate": "p90"})
    real = measure.measure_periods

    def failing(definition, *args, **kwargs):  # type: ignore[no-untyped-def]
        if definition.get("aggregate") != "p90":
            raise ValueError("broken definition")
        return real(definition, *args, **kwargs)

    monkeypatch.setattr(measure, "measure_periods", failing)
    source = SnapshotSource()
    with use_clock(ManualClock(NOW)):
        assert source.poll("w") == 0  # the broken one took the batch and failed
        assert source.poll("w") == 4
        assert source.poll("w") == 1
    assert scheduled(broken) == []
    assert len(scheduled(fine)) == 5


def test_the_trend_reads_closed_periods_from_snapshots_with_the_live_numbers(monkeypatch):
    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        assert snapshots.snapshot_indicator(indicator) == 12  # back to June 2024
    calls: list[tuple[object, object]] = []
    real = measure.measure_periods

    def recording(definition, first, last, now=None):  # type: ignore[no-untyped-def]
        calls.append((first, last))
        return real(definition, first, last, now)

    monkeypatch.setattr(measure, "measure_periods", recording)
    frozen = services.trend(indicator, 12, NOW)
    assert calls == [(datetime(2025, 6, 1).date(), datetime(2025, 6, 15).date())]
    live = services.series(indicator, 12, NOW)
    assert [(v.start, v.end, v.value, v.n) for v in frozen] == [
        (r.start, r.end, r.value, r.n) for r in live
    ]
    assert [v.snapshot is not None for v in frozen] == [True] * 11 + [False]


def test_a_late_event_does_not_change_a_snapshot():
    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        while SnapshotSource().poll("w"):
            pass
    # A case decided in March is recorded only now (e.g. imported late).
    insert_cases([decided(999, datetime(2025, 3, 20, 10, tzinfo=UTC), 200)])
    march = next(v for v in services.trend(indicator, 12, NOW) if v.start == months(3)[0])
    again = next(r for r in services.series(indicator, 12, NOW) if r.start == months(3)[0])
    assert (march.value, march.n) == (20.0, 3)
    assert (again.value, again.n) == (29.5, 4)  # computed live, the late case counts


def test_the_dashboard_computes_only_the_open_period_and_says_which_values_are_stored(
    client, reader, monkeypatch
):
    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        snapshots.snapshot_indicator(indicator)
    client.force_login(reader)
    windows: list[object] = []
    real = measure.measure_periods

    def recording(definition, first, last, now=None):  # type: ignore[no-untyped-def]
        windows.append(first)
        return real(definition, first, last, now)

    monkeypatch.setattr(measure, "measure_periods", recording)
    with use_clock(ManualClock(NOW)):
        page = client.get("/mal/").content.decode()
        detail = client.get(f"/mal/indikatorer/{indicator.pk}/").content.decode()
    assert windows == [datetime(2025, 6, 1).date()] * 2
    assert "11 avslutade perioder visas från sparade mätningar" in page
    assert page.count("Sparad mätning (2025-06-15 14:00)") == 11  # computed_at, local time
    assert page.count("Beräknad nu") == 1
    assert "(schemalagd)" in detail


def test_drill_down_from_a_snapshot_shows_the_cases_measured_then(client, reader):
    history()
    indicator = make_indicator()
    with use_clock(ManualClock(NOW)):
        snapshots.snapshot_indicator(indicator)
    insert_cases([decided(999, datetime(2025, 3, 20, 10, tzinfo=UTC), 200)])  # late
    client.force_login(reader)
    with use_clock(ManualClock(NOW)):
        page = client.get(
            f"/mal/indikatorer/{indicator.pk}/arenden/?fran=2025-03-01&till=2025-04-01"
        ).content.decode()
        open_month = client.get(f"/mal/indikatorer/{indicator.pk}/arenden/").content.decode()
    assert "Sparad mätning från 2025-06-15 14:00" in page
    assert page.count("<tr>") == 4  # header + the three cases frozen in March
    assert "instans 300" in page and "instans 302" in page and "instans 999" not in page
    assert "39\u00a0dagar" in page  # 30 + 3 × 3 days, as measured then
    assert '<strong id="case-value">20\u00a0dagar</strong>' in page
    assert "Beräknat nu ur händelseloggen." in open_month
    assert "instans 600" in open_month


@pytest.mark.django_db(transaction=True)
def test_two_workers_polling_at_the_same_moment_compute_the_periods_once(monkeypatch):
    history()
    make_indicator()
    computed: list[str] = []
    real = measure.measure_periods

    def slow_measure(*args, **kwargs):  # type: ignore[no-untyped-def]
        computed.append(threading.current_thread().name)
        time.sleep(0.3)  # long enough for the other worker to get there too
        return real(*args, **kwargs)

    monkeypatch.setattr(measure, "measure_periods", slow_measure)
    together = threading.Barrier(2)
    stored: dict[str, int] = {}

    def worker(name: str) -> None:
        try:
            with use_clock(ManualClock(NOW)):
                together.wait(timeout=10)
                stored[name] = SnapshotSource().poll(name)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(f"w{n}",), name=f"w{n}") for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(stored.values()) == [0, 4]
    assert len(computed) == 1, f"both workers computed the same periods: {computed}"
