"""Computes an indicator definition over the history event log.

How it scales: the database does the heavy lifting. One grouped query over HistoryEvent returns
one row per case with the timestamps the definition needs (conditional MIN/MAX aggregates:
`MIN(CASE WHEN element_id = 'decide' AND event_type = 'ELEMENT_COMPLETED' THEN timestamp END)`),
already restricted by HAVING to the cases whose period falls in the window; the (bpmn_process_id,
event_type, timestamp) index narrows the scan. Paused intervals come from a second grouped query
(one row per paused element instance), and case variables for FEEL conditions from a third
(the latest value per case and name: MAX(id) grouped by case and name). Python then sees one
row per case, not per event, and does only what SQL cannot do portably on both SQLite and
PostgreSQL: working-day arithmetic, FEEL conditions, percentiles.
"""

from __future__ import annotations

import math
import re
import statistics
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import (
    Case,
    DateTimeField,
    F,
    Max,
    Min,
    Q,
    QuerySet,
    When,
)

from verka.engine.feel import evaluate
from verka.processes import codec
from verka.processes.models import HistoryEvent, ProcessInstance

from .workdays import (
    WorkingDays,
    add_months_dt,
    current_zone,
    local_date,
    local_midnight,
    periods,
)

ENDED = ("ELEMENT_COMPLETED", "ELEMENT_TERMINATED")
FEEL_KEYWORDS = {
    "and", "or", "not", "if", "then", "else", "for", "in", "return", "some", "every",
    "satisfies", "between", "instance", "of", "null", "true", "false", "function", "date",
    "time", "duration", "string", "number", "today", "now",
}  # fmt: skip
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# The cases of a short window (an open period, a drill-down) are looked up by case key rather
# than by scanning the process's whole log: they are usually a small share of it. A long window
# holds most cases, and looked up one by one they would cost more than the scan.
NARROW_SPAN = timedelta(days=92)
NARROW_LIMIT = 20000


@dataclass
class CaseRow:
    """One case behind a number: its instance dates, the measured interval and result."""

    key: int
    version: int
    started: datetime | None
    ended: datetime | None
    start: datetime | None = None
    end: datetime | None = None
    value: float | None = None
    meets: bool | None = None
    at: datetime | None = None  # the moment that puts the case in a period


@dataclass
class Result:
    start: datetime
    end: datetime
    value: float | None
    n: int
    cases: list[CaseRow] = field(default_factory=list)


# --- the SQL part -------------------------------------------------------------------------


def history(definition: dict[str, Any]) -> QuerySet[HistoryEvent]:
    """The events of the definition's processes, without test instances."""
    if "keys" in definition:  # internal: the cases of a drill-down or of a narrow window
        # An instance's events all carry its process id, so the keys alone select them; left
        # to itself SQLite would scan the process's whole log by its process-id index.
        events = HistoryEvent.objects.filter(process_instance_key__in=definition["keys"])
    else:
        events = HistoryEvent.objects.filter(bpmn_process_id__in=definition["processes"])
    if definition.get("versions"):
        events = events.filter(version__in=definition["versions"])
    tests = ProcessInstance.objects.filter(
        is_test=True, bpmn_process_id__in=definition["processes"]
    ).values("key")
    return events.exclude(process_instance_key__in=tests)


# The history keeps a passing state (ACTIVATING, COMPLETING, TERMINATING) only where an element
# stopped in it; where it went on at once, the next state's row (same moment) stands for both.
_STORED_AS = {
    "ELEMENT_ACTIVATING": ("ELEMENT_ACTIVATING", "ELEMENT_ACTIVATED"),
    "ELEMENT_COMPLETING": ("ELEMENT_COMPLETING", "ELEMENT_COMPLETED"),
    "ELEMENT_TERMINATING": ("ELEMENT_TERMINATING", "ELEMENT_TERMINATED"),
}


def event_q(spec: dict[str, Any]) -> Q:
    if "instance" in spec:
        if spec["instance"] == "start":
            return Q(element_type="process", event_type="ELEMENT_ACTIVATED")
        return Q(element_type="process", event_type__in=ENDED)
    q = (
        Q(event_type__in=_STORED_AS.get(spec["event"], (spec["event"],)))
        if spec.get("event")
        else Q()
    )
    if spec.get("element"):
        q &= Q(element_id=spec["element"])
    if spec.get("element_type"):
        q &= Q(element_type=spec["element_type"])
    return q


def _at(q: Q, last: bool = False) -> Any:
    when = Case(When(q, then=F("timestamp")), output_field=DateTimeField())
    return Max(when) if last else Min(when)


def _is_last(spec: dict[str, Any]) -> bool:
    return spec.get("occurrence") == "last" or spec.get("instance") == "end"


def case_times(
    definition: dict[str, Any],
    specs: dict[str, dict[str, Any]],
    having: Q | None = None,
    *,
    instance: bool = True,
    within: tuple[dict[str, Any], datetime, datetime] | None = None,
) -> list[dict[str, Any]]:
    """One row per case: one timestamp per named event spec, and the instance's start and end
    unless instance=False (every timestamp fetched costs: parsing them is most of the time).
    `within` = (event spec, start, end): in a short window, only the cases with such an event in
    [start, end) — a superset of those HAVING keeps — are grouped, looked up by case key, so that
    one open period does not group the process's whole log."""
    annotations: dict[str, Any] = {"i_version": Max("version")}
    wanted = Q(pk__in=[])
    if instance:
        instance_start = event_q({"instance": "start"})
        instance_end = event_q({"instance": "end"})
        wanted = instance_start | instance_end
        annotations["i_start"] = _at(instance_start)
        annotations["i_end"] = _at(instance_end, last=True)
    for name, spec in specs.items():
        q = event_q(spec)
        wanted |= q
        annotations[name] = _at(q, _is_last(spec))
    if within is not None and short(within[1], within[2]):
        spec, since, until = within
        keys = set(
            history(definition)
            .filter(event_q(spec), timestamp__gte=since, timestamp__lt=until)
            .values_list("process_instance_key", flat=True)
            .distinct()[: NARROW_LIMIT + 1]
        )
        if len(keys) <= NARROW_LIMIT:
            result = []
            for scoped in _scoped(by_key(definition, keys)):
                result.extend(_grouped(scoped, wanted, annotations, having))
            return result
    return _grouped(definition, wanted, annotations, having)


def _grouped(
    definition: dict[str, Any], wanted: Q, annotations: dict[str, Any], having: Q | None
) -> list[dict[str, Any]]:
    rows = history(definition).filter(wanted).values("process_instance_key")
    rows = rows.annotate(**annotations)
    if having is not None:
        rows = rows.filter(having)
    return list(rows.order_by("process_instance_key"))


def with_instance_times(definition: dict[str, Any], rows: list[CaseRow]) -> list[CaseRow]:
    """Fill in when each case (instance) started and ended, for showing the cases of a number."""
    by_key = {row.key: row for row in rows}
    keys = sorted(by_key)
    for index in range(0, len(keys), 500):  # bounded IN lists for SQLite
        chunk = keys[index : index + 500]
        for raw in case_times({**definition, "keys": chunk}, {}):
            row = by_key[raw["process_instance_key"]]
            row.started, row.ended = raw["i_start"], raw["i_end"]
    return rows


def pause_intervals(
    definition: dict[str, Any], keys: set[int]
) -> dict[int, list[tuple[datetime, datetime | None]]]:
    """Per case, the intervals during which a pausing element was active."""
    if not definition.get("pauses") or not keys:
        return {}
    rows = [
        row
        for scoped in _scoped(definition)
        for row in history(scoped)
        .filter(element_id__in=definition["pauses"])
        .filter(Q(event_type="ELEMENT_ACTIVATED") | Q(event_type__in=ENDED))
        .values("process_instance_key", "element_instance_key")
        .annotate(
            paused=_at(Q(event_type="ELEMENT_ACTIVATED")),
            resumed=_at(Q(event_type__in=ENDED), last=True),
        )
    ]
    result: dict[int, list[tuple[datetime, datetime | None]]] = defaultdict(list)
    for row in rows:
        if row["process_instance_key"] in keys and row["paused"] is not None:
            result[row["process_instance_key"]].append((row["paused"], row["resumed"]))
    return result


def condition_names(*texts: str) -> list[str]:
    names: set[str] = set()
    for text in texts:
        # Strings are not names: drop them before looking for identifiers.
        bare = re.sub(r'"(?:[^"\\]|\\.)*"', " ", text)
        names.update(n for n in NAME.findall(bare) if n not in FEEL_KEYWORDS)
    return sorted(names)


def latest_variables(
    definition: dict[str, Any], names: Iterable[str], keys: set[int]
) -> dict[int, dict[str, Any]]:
    """Each case's process variables (latest value) among `names`, as FEEL values."""
    names = list(names)
    if not names or not keys:
        return {}
    result: dict[int, dict[str, Any]] = defaultdict(dict)
    for scoped in _scoped(definition):
        variables = history(scoped).filter(
            event_type__in=("VARIABLE_CREATED", "VARIABLE_UPDATED"),
            element_type="process",
            name__in=names,
        )
        latest = variables.values("process_instance_key", "name").annotate(last=Max("id"))
        ids = latest.values("last")
        for key, name, value in HistoryEvent.objects.filter(id__in=ids).values_list(
            "process_instance_key", "name", "value"
        ):
            if key not in keys:
                continue
            try:
                result[key][name] = codec.from_json_text(value) if value else None
            except ValueError:
                result[key][name] = value
    return result


def short(start: datetime, end: datetime) -> bool:
    return end - start <= NARROW_SPAN


def by_key(definition: dict[str, Any], keys: set[int]) -> dict[str, Any]:
    """The definition restricted to these cases, when they are few enough to list."""
    return {**definition, "keys": sorted(keys)} if len(keys) <= NARROW_LIMIT else definition


def _scoped(definition: dict[str, Any]) -> list[dict[str, Any]]:
    """A definition restricted to cases, a few hundred at a time (bounded IN lists for SQLite)."""
    if "keys" not in definition:
        return [definition]
    keys = definition["keys"]
    return [{**definition, "keys": keys[i : i + 500]} for i in range(0, len(keys), 500)]


# --- the arithmetic -----------------------------------------------------------------------


def merged(
    intervals: list[tuple[datetime, datetime | None]], start: datetime, end: datetime
) -> list[tuple[datetime, datetime]]:
    """Pause intervals clipped to [start, end] and merged where they overlap."""
    clipped = sorted(
        (max(a, start), min(b or end, end)) for a, b in intervals if a < end and (b or end) > start
    )
    result: list[tuple[datetime, datetime]] = []
    for a, b in clipped:
        if result and a <= result[-1][1]:
            result[-1] = (result[-1][0], max(result[-1][1], b))
        elif b > a:
            result.append((a, b))
    return result


def duration_in_unit(
    definition: dict[str, Any],
    start: datetime,
    end: datetime,
    pauses: list[tuple[datetime, datetime]],
    working: WorkingDays | None,
    zone: Any = None,
) -> float:
    unit = definition["unit"]
    if unit == "working_days":
        assert working is not None
        days = working.between(local_date(start, zone), local_date(end, zone))
        for a, b in pauses:
            days -= working.between(local_date(a, zone), local_date(b, zone))
        return float(days)
    active = (end - start) - sum((b - a for a, b in pauses), timedelta())
    seconds = active.total_seconds()
    return seconds / 3600 if unit == "hours" else seconds / 86400


def limit_in_unit(limit: dict[str, Any], unit: str) -> float:
    days = float(limit.get("days", 0))
    weeks = float(limit.get("weeks", 0))
    if unit == "working_days":
        return days + 5 * weeks
    total_days = days + 7 * weeks
    return total_days * 24 if unit == "hours" else total_days


def _truthy(expression: str, variables: dict[str, Any]) -> bool:
    return evaluate(expression, variables) is True


def judge(
    definition: dict[str, Any],
    row: CaseRow,
    pauses: list[tuple[datetime, datetime]],
    variables: dict[str, Any],
) -> None:
    """Set `meets` (within the limit, extension included) and, for a fee reduction, `value`."""
    limit = definition.get("limit")
    if limit is None or row.start is None or row.end is None or row.value is None:
        return
    extension = definition.get("extension")
    extended = bool(extension) and _truthy(extension["when"], variables)
    unit = definition["unit"]
    if "months" in limit:
        months = int(limit["months"]) + (int(extension.get("months", 0)) if extended else 0)
        deadline = add_months_dt(row.start, months)
        extra_days = limit_in_unit(extension, unit) if extended else 0.0
        paused = sum((b - a for a, b in pauses), timedelta())
        row.meets = row.end - paused <= deadline + timedelta(days=extra_days)
        return
    allowed = limit_in_unit(limit, unit)
    if extended:
        allowed += limit_in_unit(extension, unit)
    row.meets = row.value <= allowed
    if definition.get("aggregate") == "fee_reduction":
        fee = variables.get(definition["fee_variable"])
        over = row.value - allowed
        week = {"working_days": 5.0, "hours": 168.0}.get(unit, 7.0)
        started_weeks = min(math.ceil(over / week), 5) if over > 0 else 0
        row.value = float(fee) * started_weeks / 5 if fee is not None else 0.0


def nearest_rank(values: list[float], share: float) -> float:
    """The percentile by the nearest-rank method: the smallest value with `share` at or below."""
    ordered = sorted(values)
    return ordered[max(math.ceil(share * len(ordered)) - 1, 0)]


def aggregate(definition: dict[str, Any], cases: list[CaseRow], days: float) -> float | None:
    if definition["kind"] == "count":
        if definition["measure"] == "arrival_rate":
            return len(cases) / (days / 7) if days > 0 else None
        return float(len(cases))
    if not cases:
        return None
    how = definition.get("aggregate", "share_within" if definition["kind"] == "share" else "")
    if definition["kind"] == "share" or how == "share_within":
        return 100.0 * sum(1 for c in cases if c.meets) / len(cases)
    values = [c.value for c in cases if c.value is not None]
    if how == "fee_reduction":
        return float(sum(values))
    if how == "mean":
        return statistics.fmean(values)
    if how == "p90":
        return nearest_rank(values, 0.9)
    return float(statistics.median(values))


# --- the cases of a window ----------------------------------------------------------------


def _row(raw: dict[str, Any]) -> CaseRow:
    return CaseRow(
        key=raw["process_instance_key"],
        version=raw["i_version"],
        started=raw.get("i_start"),
        ended=raw.get("i_end"),
        start=raw.get("t_start"),
        end=raw.get("t_end"),
    )


def duration_cases(definition: dict[str, Any], start: datetime, end: datetime) -> list[CaseRow]:
    cohort = "t_end" if definition["cohort"] == "end" else "t_start"
    having = Q(t_start__isnull=False, t_end__isnull=False)
    having &= Q(**{f"{cohort}__gte": start, f"{cohort}__lt": end})
    raw = case_times(
        definition,
        {"t_start": definition["start"], "t_end": definition["end"]},
        having,
        instance=False,
        within=(definition[definition["cohort"]], start, end),
    )
    rows = [_row(r) for r in raw]
    rows = [r for r in rows if r.start is not None and r.end is not None and r.end >= r.start]
    keys = {r.key for r in rows}
    # In a short window the pauses and variables of its few cases are read by case key.
    scope = by_key(definition, keys) if short(start, end) else definition
    pauses = pause_intervals(scope, keys)
    texts = [definition["extension"]["when"]] if definition.get("extension") else []
    names = condition_names(*texts)
    if definition.get("fee_variable"):
        names.append(definition["fee_variable"])
    variables = latest_variables(scope, names, keys)
    working = None
    zone = current_zone()
    if definition["unit"] == "working_days" and rows:
        first = min(local_date(r.start, zone) for r in rows if r.start)
        last = max(local_date(r.end, zone) for r in rows if r.end)
        working = WorkingDays(first, last, definition["holidays"])
    for row in rows:
        assert row.start is not None and row.end is not None
        paused = merged(pauses.get(row.key, []), row.start, row.end)
        row.value = duration_in_unit(definition, row.start, row.end, paused, working, zone)
        row.at = row.end if definition["cohort"] == "end" else row.start
        judge(definition, row, paused, variables.get(row.key, {}))
    return rows


def condition_cases(definition: dict[str, Any], start: datetime, end: datetime) -> list[CaseRow]:
    having = Q(t_at__isnull=False, t_at__gte=start, t_at__lt=end)
    raw = case_times(
        definition,
        {"t_at": definition["at"]},
        having,
        instance=False,
        within=(definition["at"], start, end),
    )
    rows = []
    for r in raw:
        row = _row(r)
        row.at = r["t_at"]
        rows.append(row)
    keys = {r.key for r in rows}
    scope = by_key(definition, keys) if short(start, end) else definition
    variables = latest_variables(scope, condition_names(definition["condition"]), keys)
    for row in rows:
        row.meets = _truthy(definition["condition"], variables.get(row.key, {}))
    return rows


def instance_cases(definition: dict[str, Any], start: datetime, end: datetime) -> list[CaseRow]:
    """Cases alive at some moment of [start, end): started before its end, not ended before it."""
    having = Q(i_start__isnull=False, i_start__lt=end) & (
        Q(i_end__isnull=True) | Q(i_end__gte=start)
    )
    # Flows need only the cases that started or ended in the window; stocks need every case
    # still open, however old.
    within = {
        "started": ({"instance": "start"}, start, end),
        "arrival_rate": ({"instance": "start"}, start, end),
        "completed": ({"instance": "end"}, start, end),
    }.get(definition.get("measure", ""))
    return [_row(r) for r in case_times(definition, {}, having, within=within)]


def count_cases(
    definition: dict[str, Any], rows: list[CaseRow], start: datetime, end: datetime
) -> list[CaseRow]:
    measure = definition["measure"]
    selected = []
    for row in rows:
        assert row.started is not None
        open_at_end = row.started < end and (row.ended is None or row.ended >= end)
        if measure in ("started", "arrival_rate"):
            keep = start <= row.started < end
            row.at = row.started
        elif measure == "completed":
            keep = row.ended is not None and start <= row.ended < end
            row.at = row.ended
        elif measure == "open_at_end":
            keep = open_at_end
            row.at = end
        else:
            limit = definition["limit"]
            if "months" in limit:
                too_old = add_months_dt(row.started, int(limit["months"])) < end
            else:
                too_old = end - row.started > timedelta(days=limit_in_unit(limit, "days"))
            keep = open_at_end and too_old
            row.at = end
        if keep:
            selected.append(row)
    return selected


def measure_window(
    definition: dict[str, Any], start: datetime, end: datetime, now: datetime | None = None
) -> Result:
    """The definition's value over one window [start, end)."""
    cut = min(end, now) if now is not None else end
    if definition["kind"] == "eservice":
        return eservice_result(definition, start, end, cut)
    if definition["kind"] == "count":
        rows = instance_cases(definition, start, cut)
        cases = count_cases(definition, rows, start, cut)
    elif definition["kind"] == "share" and "condition" in definition:
        cases = condition_cases(definition, start, cut)
    else:
        cases = duration_cases(definition, start, cut)
    days = (cut - start).total_seconds() / 86400
    return Result(start, end, aggregate(definition, cases, days), len(cases), cases)


def measure_periods(
    definition: dict[str, Any], first: date, last: date, now: datetime | None = None
) -> list[Result]:
    """One result per period (the definition's month, quarter or year) from first to last.
    The events are fetched once for the whole range and then put into their periods."""
    spans = periods(first, last, definition["period"])
    if not spans:
        return []
    range_start = local_midnight(spans[0][0])
    range_end = local_midnight(spans[-1][1])
    range_cut = min(range_end, now) if now is not None else range_end
    if definition["kind"] == "eservice":  # few rows per period: one small query each
        return [
            measure_window(definition, local_midnight(a), local_midnight(b), now)
            for a, b in spans
            if now is None or local_midnight(a) < now
        ]
    if definition["kind"] == "count":
        everything = instance_cases(definition, range_start, range_cut)
    else:
        everything = measure_window(definition, range_start, range_end, now).cases
    starts = [local_midnight(first) for first, _end in spans]
    buckets: list[list[CaseRow]] = [[] for _span in spans]
    if definition["kind"] != "count":
        for case in everything:
            index = bisect_right(starts, case.at) - 1 if case.at is not None else -1
            if index >= 0:
                buckets[index].append(case)
    results = []
    for index, (_first, period_end) in enumerate(spans):
        start, end = starts[index], local_midnight(period_end)
        if now is not None and start >= now:
            break
        cut = min(end, now) if now is not None else end
        if definition["kind"] == "count":
            cases = count_cases(definition, list(_copies(everything)), start, cut)
        else:
            cases = [c for c in buckets[index] if c.at is not None and c.at < cut]
        days = (cut - start).total_seconds() / 86400
        results.append(Result(start, end, aggregate(definition, cases, days), len(cases), cases))
    return results


def _copies(rows: list[CaseRow]) -> Iterable[CaseRow]:
    # count_cases sets `at` per period, so each period works on its own copies.
    for row in rows:
        yield CaseRow(row.key, row.version, row.started, row.ended)


def eservice_result(
    definition: dict[str, Any], start: datetime, end: datetime, cut: datetime
) -> Result:
    """E-service indicators. digital_share: of the cases started in the window, those that came
    in through an e-service (a Submission names the instance). abandonment: of the applications
    begun in the window, the drafts left untouched for longer than the limit; drafts are deleted
    when submitted, so begun = such drafts + submissions made in the window."""
    from verka.eservices.models import Draft, Submission

    if definition["measure"] == "abandonment":
        submitted = Submission.objects.filter(
            eservice__bpmn_process_id__in=definition["processes"],
            submitted_at__gte=start,
            submitted_at__lt=cut,
        ).count()
        stale = cut - timedelta(days=limit_in_unit(definition["limit"], "days"))
        abandoned = Draft.objects.filter(
            eservice__bpmn_process_id__in=definition["processes"],
            created_at__gte=start,
            created_at__lt=cut,
            updated_at__lt=stale,
        ).count()
        begun = abandoned + submitted
        value = 100.0 * abandoned / begun if begun else None
        return Result(start, end, value, begun, [])
    started = ({"instance": "start"}, start, cut)
    cases = [
        _row(r)
        for r in case_times(definition, {}, Q(i_start__gte=start, i_start__lt=cut), within=started)
    ]
    keys = [c.key for c in cases]
    digital: set[int] = set()
    for index in range(0, len(keys), 500):  # bounded IN lists for SQLite
        digital.update(
            Submission.objects.filter(
                process_instance_key__in=keys[index : index + 500]
            ).values_list("process_instance_key", flat=True)
        )
    for case in cases:
        case.meets = case.key in digital
        case.at = case.started
    value = 100.0 * sum(1 for c in cases if c.meets) / len(cases) if cases else None
    return Result(start, end, value, len(cases), cases)
