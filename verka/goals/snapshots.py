"""Scheduled snapshots: when a period of an indicator has closed, the worker freezes its value once
per definition version, and the pages show these instead of computing closed periods again.

A snapshot is what the log said when the period closed: a case of that period that changes
later (a late event) does not change it. Two workers may close the same period at once; the
unique constraint on (indicator, definition version, period start) keeps one of them.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from verka.processes import clock
from verka.worker import duties

from . import measure
from .models import Indicator, IndicatorDefinitionVersion, Measurement
from .workdays import add_months, local_midnight, next_period, period_start

log = logging.getLogger(__name__)

# A period counts as closed a little after midnight, so that a transaction that stamped its
# events just before midnight has committed before the period is frozen.
GRACE = timedelta(minutes=5)
BACKFILL = 12  # closed periods per indicator and definition version, newest first
BATCH = 4  # periods per poll: one poll never holds the worker for long
CASE_DETAIL_LIMIT = 10000
DUTY = "goals-snapshots"
# Longer than a poll takes (BATCH periods, one pass over the log); a worker that dies holding
# it holds up the snapshots this long at most.
DUTY_LEASE = timedelta(minutes=10)
STEP = {"month": 1, "quarter": 3, "year": 12}


def case_details(result: measure.Result) -> dict[str, Any]:
    """What a measurement keeps of its cases: their keys (`cases`) and, in the same order, what
    was measured for each (`measured`: version, measured from, to, value, meets, and the moment
    that put it in the period), so a drill-down
    shows the cases as they were when the value was frozen."""
    kept = result.cases[:CASE_DETAIL_LIMIT]
    return {
        "cases": [c.key for c in kept],
        "measured": [
            [
                c.version,
                c.start.isoformat() if c.start else None,
                c.end.isoformat() if c.end else None,
                c.value,
                c.meets,
                c.at.isoformat() if c.at else None,
            ]
            for c in kept
        ],
        "met": sum(1 for c in result.cases if c.meets),
    }


def stored_cases(measurement: Measurement) -> list[measure.CaseRow]:
    """The cases a measurement was computed from, with what was measured for each then."""
    details = measurement.details or {}
    keys = details.get("cases", [])
    # Measurements taken by hand before the per-case figures were kept have only the keys.
    measured = details.get("measured") or [[0, None, None, None, None, None]] * len(keys)
    rows = []
    for key, (version, start, end, value, meets, at) in zip(keys, measured, strict=True):
        rows.append(
            measure.CaseRow(
                key=key,
                version=version,
                started=None,
                ended=None,
                start=_moment(start),
                end=_moment(end),
                value=value,
                meets=meets,
                at=_moment(at),
            )
        )
    return rows


def _moment(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def closed_periods(period: str, now: datetime, count: int = BACKFILL) -> list[date]:
    """First days of the last `count` periods that had closed (plus GRACE) by `now`, newest
    first; periods follow local time."""
    current = period_start(timezone.localtime(now - GRACE).date(), period)
    return [add_months(current, -STEP[period] * n) for n in range(1, count + 1)]


@dataclass
class Due:
    """The periods of one indicator's current definition version still without a snapshot."""

    indicator_id: int
    version: IndicatorDefinitionVersion
    starts: list[date]  # newest first


def due_snapshots(
    now: datetime, *, indicator_ids: list[int] | None = None, since_creation: bool = True
) -> list[Due]:
    """What is left to freeze, in three small queries. Back-filling goes back BACKFILL periods
    and, with since_creation, not to periods that had closed before the indicator existed."""
    indicators = Indicator.objects.order_by("pk").values_list("pk", "version")
    if indicator_ids is not None:
        indicators = indicators.filter(pk__in=indicator_ids)
    current = dict(indicators)
    versions: dict[int, IndicatorDefinitionVersion] = {}
    created: dict[int, datetime] = {}
    for version in IndicatorDefinitionVersion.objects.filter(indicator_id__in=list(current)):
        if version.number == 1:
            created[version.indicator_id] = version.created_at
        if version.number == current[version.indicator_id]:
            versions[version.indicator_id] = version
    candidates: dict[int, list[date]] = {}
    for pk, version in versions.items():
        period = version.definition.get("period", "month")
        starts = closed_periods(period, now)
        if since_creation and pk in created:
            made = created[pk]
            starts = [s for s in starts if local_midnight(next_period(s, period)) > made]
        candidates[pk] = starts
    earliest = min((s[-1] for s in candidates.values() if s), default=None)
    if earliest is None:
        return []
    taken = set(
        Measurement.objects.filter(
            scheduled=True,
            definition_version__in=[v.pk for v in versions.values()],
            period_start__gte=local_midnight(earliest),
        ).values_list("definition_version_id", "period_start")
    )
    result = []
    for pk, starts in candidates.items():
        version = versions[pk]
        missing = [s for s in starts if (version.pk, local_midnight(s)) not in taken]
        if missing:
            result.append(Due(pk, version, missing))
    return result


def take_snapshots(due: Due, now: datetime, limit: int | None = None) -> int:
    """Freeze up to `limit` of the due periods (newest first) with one pass over the log;
    returns how many were stored (a period another worker stored first is not counted)."""
    starts = due.starts[:limit] if limit is not None else due.starts
    if not starts:
        return 0
    definition = due.version.definition
    results = measure.measure_periods(definition, min(starts), max(starts), now)
    wanted = {local_midnight(s) for s in starts}
    stored = 0
    for result in results:
        if result.start not in wanted:
            continue
        try:
            with transaction.atomic():
                Measurement.objects.create(
                    indicator_id=due.indicator_id,
                    definition_version=due.version,
                    kind=Measurement.Kind.SNAPSHOT,
                    scheduled=True,
                    period_start=result.start,
                    period_end=result.end,
                    value=result.value,
                    n=result.n,
                    computed_at=now,
                    details=case_details(result),
                )
        except IntegrityError:
            continue  # another worker froze this period first
        stored += 1
    return stored


def snapshot_indicator(indicator: Indicator, now: datetime | None = None) -> int:
    """Freeze every due closed period of one indicator, however recent the indicator: for the
    demo, whose indicators are made after the year of history they measure."""
    now = now or clock.now()
    dues = due_snapshots(now, indicator_ids=[indicator.pk], since_creation=False)
    return sum(take_snapshots(due, now) for due in dues)


@dataclass
class SnapshotSource:
    """The worker's "goals-snapshots" source. While nothing is due it looks again only every
    `recheck` seconds (a period closes at most once a day), and an indicator whose definition
    fails to compute is left alone for `retry` seconds so that it cannot hold up the others."""

    recheck: float = 60.0
    retry: float = 3600.0
    busy_recheck: float = 5.0  # another worker holds the duty: look again this much later
    monotonic: Callable[[], float] = time.monotonic
    next_check: float = 0.0
    failed: dict[int, float] = field(default_factory=dict)  # indicator → retry after

    def poll(self, worker_name: str) -> int:
        """Freeze up to BATCH due periods (the newest first); returns how many were stored."""
        moment = self.monotonic()
        if moment < self.next_check:
            return 0
        failed = self.failed
        for pk, until in list(failed.items()):
            if until <= moment:
                del failed[pk]
        # One worker at a time freezes periods, however many run: the others would compute
        # the same periods for nothing (the unique constraint keeps only one result anyway).
        with duties.held(DUTY, worker_name, DUTY_LEASE) as mine:
            if not mine:
                self.next_check = moment + self.busy_recheck
                return 0
            return self._freeze(worker_name, moment)

    def _freeze(self, worker_name: str, moment: float) -> int:
        failed = self.failed
        now = clock.now()
        stored = 0
        left = BATCH
        for due in due_snapshots(now):
            if left <= 0:
                break
            if due.indicator_id in failed:
                continue
            count = min(left, len(due.starts))
            left -= count
            try:
                stored += take_snapshots(due, now, count)
            except Exception:
                log.exception(
                    "indicator snapshot failed",
                    extra={"indicator": due.indicator_id, "worker": worker_name},
                )
                failed[due.indicator_id] = moment + self.retry
        if left > 0:  # nothing more was due: look again in a while
            self.next_check = moment + self.recheck
        return stored
