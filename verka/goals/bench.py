"""Benchmark of indicator computation: a synthetic history bulk-inserted, one indicator timed.
Also the synthetic-history builder the goals tests use for logs with a known answer."""

from __future__ import annotations

import random
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.db import connection, transaction

from verka.processes import codec
from verka.processes.models import HistoryEvent
from verka.processes.rows import INSERT_HISTORY

BENCH_PROCESS = "goals-bench"


@dataclass
class Step:
    """An activity of a synthetic case: activated at `start`, completed at `end` (or open)."""

    element_id: str
    start: datetime
    end: datetime | None
    element_type: str = "userTask"


@dataclass
class SyntheticCase:
    key: int
    started: datetime
    ended: datetime | None
    steps: Sequence[Step] = ()
    variables: dict[str, Any] = field(default_factory=dict)
    process_id: str = "p"
    version: int = 1
    terminated: bool = False


def case_events(case: SyntheticCase) -> list[HistoryEvent]:
    """The history events the engine would write for such a case (the subset indicators use)."""

    def event(at: datetime, element: str, element_type: str, event_type: str, **extra: Any) -> Any:
        return HistoryEvent(
            timestamp=at,
            process_instance_key=case.key,
            bpmn_process_id=case.process_id,
            version=case.version,
            element_instance_key=extra.pop("element_key", case.key),
            element_id=element,
            element_type=element_type,
            event_type=event_type,
            **extra,
        )

    events = [event(case.started, case.process_id, "process", "ELEMENT_ACTIVATED")]
    for name, value in case.variables.items():
        events.append(
            event(
                case.started,
                case.process_id,
                "process",
                "VARIABLE_CREATED",
                name=name,
                value=codec.to_json_text(codec.from_plain_json(value)),
            )
        )
    for index, step in enumerate(case.steps, start=1):
        element_key = case.key * 1000 + index
        events.append(
            event(step.start, step.element_id, step.element_type, "ELEMENT_ACTIVATED",
                  element_key=element_key)
        )  # fmt: skip
        if step.end is not None:
            events.append(
                event(step.end, step.element_id, step.element_type, "ELEMENT_COMPLETED",
                      element_key=element_key)
            )  # fmt: skip
    if case.ended is not None:
        ending = "ELEMENT_TERMINATED" if case.terminated else "ELEMENT_COMPLETED"
        events.append(event(case.ended, case.process_id, "process", ending))
    return events


def insert_cases(cases: Iterable[SyntheticCase], batch: int = 20000) -> int:
    """Write the cases' events with the engine's own INSERT, many rows per round trip
    (bulk_create is capped at a few rows per statement on SQLite)."""
    rows: list[tuple[Any, ...]] = []
    count = 0

    def flush() -> None:
        with connection.cursor() as cursor:
            cursor.executemany(INSERT_HISTORY, rows)

    with transaction.atomic():
        for case in cases:
            rows.extend(
                (e.timestamp, e.process_instance_key, e.bpmn_process_id, e.version,
                 e.element_instance_key, e.element_id, e.element_type, e.event_type, e.name,
                 e.value, e.data)
                for e in case_events(case)
            )  # fmt: skip
            if len(rows) >= batch:
                flush()
                count += len(rows)
                rows = []
        if rows:
            flush()
            count += len(rows)
    return count


BENCH_DEFINITION = {
    "kind": "duration",
    "processes": [BENCH_PROCESS],
    "start": {"instance": "start"},
    "end": {"element": "decide", "event": "ELEMENT_COMPLETED"},
    "unit": "working_days",
    "pauses": ["supplement"],
    "aggregate": "median",
    "period": "month",
}


def bench_cases(n_events: int, seed: int = 1) -> Iterable[SyntheticCase]:
    """About 6.6 events per case over one year: start, assess, maybe a supplement, decide."""
    rng = random.Random(seed)
    first = datetime(2025, 1, 1, 8, tzinfo=UTC)
    for index in range(max(round(n_events / 6.6), 1)):
        started = first + timedelta(minutes=rng.randrange(0, 365 * 24 * 60))
        assessed = started + timedelta(hours=rng.uniform(1, 200))
        steps = [Step("assess", started, assessed)]
        at = assessed
        if rng.random() < 0.3:
            resumed = at + timedelta(days=rng.uniform(1, 20))
            steps.append(Step("supplement", at, resumed))
            at = resumed
        decided = at + timedelta(days=rng.uniform(1, 60))
        steps.append(Step("decide", at, decided))
        yield SyntheticCase(
            key=9_000_000_000 + index,
            started=started,
            ended=decided,
            steps=steps,
            process_id=BENCH_PROCESS,
        )


def bench_indicator(n_events: int, *, cleanup: bool = True) -> dict[str, Any]:
    """Insert a synthetic history of about n_events events (about 6.6 per case) and time one
    indicator computation (median working-day lead time with a paused step, per month over the
    year). Writes into the current database; the rows are removed again unless cleanup=False."""
    from .definition import validate
    from .measure import measure_periods

    HistoryEvent.objects.filter(bpmn_process_id=BENCH_PROCESS).delete()
    began = time.perf_counter()
    inserted = insert_cases(bench_cases(n_events))
    insert_ms = (time.perf_counter() - began) * 1000
    began = time.perf_counter()
    results = measure_periods(
        validate(BENCH_DEFINITION), datetime(2025, 1, 1).date(), datetime(2025, 12, 31).date()
    )
    compute_ms = (time.perf_counter() - began) * 1000
    if cleanup:
        HistoryEvent.objects.filter(bpmn_process_id=BENCH_PROCESS).delete()
    return {
        "events": inserted,
        "cases": sum(r.n for r in results),
        "insert_ms": round(insert_ms, 1),
        "compute_ms": round(compute_ms, 1),
        "periods": len(results),
    }
