"""The goals app's public functions: indicators and their versions, measurements, templates,
the IT-system links derived from deployed processes, and initiative before/after comparisons."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from lxml import etree

from verka.processes import clock
from verka.processes.models import ProcessDefinition

from . import measure, presets, snapshots, stats
from .definition import DefinitionError, unit_label, validate
from .models import (
    Goal,
    Indicator,
    IndicatorDefinitionVersion,
    IndicatorTarget,
    Initiative,
    ITSystem,
    Measurement,
)
from .workdays import local_midnight, periods

validate_definition = validate
snapshot_indicator = snapshots.snapshot_indicator
stored_cases = snapshots.stored_cases

__all__ = [
    "DefinitionError",
    "apply_template",
    "can_edit",
    "can_view",
    "case_numbers",
    "compare",
    "create_indicator",
    "derived_system_processes",
    "series",
    "set_baseline",
    "set_definition",
    "snapshot_for",
    "snapshot_indicator",
    "stored_cases",
    "systems_without_goal",
    "take_measurement",
    "trend",
    "validate_definition",
]

EDITOR_GROUP = "digitalisering"
MIN_CASES = 5


# --- access -------------------------------------------------------------------------------


def can_view(user: Any) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def can_edit(user: Any) -> bool:
    if not can_view(user):
        return False
    return bool(user.is_superuser or user.groups.filter(name=EDITOR_GROUP).exists())


# --- indicators ---------------------------------------------------------------------------


@transaction.atomic
def create_indicator(
    name_sv: str,
    definition: dict[str, Any],
    *,
    goal: Goal | None = None,
    name_en: str = "",
    unit: str = "",
    direction: str = Indicator.Direction.LOWER,
    user: Any = None,
    targets: list[tuple[date, float]] | None = None,
) -> Indicator:
    checked = validate(definition)
    indicator = Indicator.objects.create(
        goal=goal,
        name_sv=name_sv,
        name_en=name_en,
        unit=unit or unit_label(checked),
        direction=direction,
        definition=checked,
        version=0,
    )
    set_definition(indicator, checked, user=user)
    for day, value in targets or []:
        IndicatorTarget.objects.create(indicator=indicator, date=day, value=value)
    return indicator


@transaction.atomic
def set_definition(indicator: Indicator, definition: dict[str, Any], *, user: Any = None) -> bool:
    """Validate and store a definition; a changed one becomes the next version (earlier
    measurements keep pointing at the version they were computed with). True if changed."""
    checked = validate(definition)
    if indicator.version and checked == indicator.definition:
        return False
    number = indicator.version + 1
    IndicatorDefinitionVersion.objects.create(
        indicator=indicator,
        number=number,
        definition=checked,
        created_at=clock.now(),
        created_by=user if getattr(user, "pk", None) else None,
    )
    Indicator.objects.filter(pk=indicator.pk).update(definition=checked, version=number)
    indicator.definition, indicator.version = checked, number
    return True


def current_version(indicator: Indicator) -> IndicatorDefinitionVersion:
    return IndicatorDefinitionVersion.objects.get(indicator=indicator, number=indicator.version)


def apply_template(
    slug: str,
    parameters: dict[str, str] | None = None,
    *,
    goal: Goal | None = None,
    user: Any = None,
) -> Indicator:
    template = presets.BY_SLUG.get(slug)
    if template is None:
        raise DefinitionError("template", f"no template {slug!r}")
    return create_indicator(
        template.name_sv,
        template.build(parameters or {}),
        goal=goal,
        name_en=template.name_en,
        unit=template.unit,
        direction=template.direction,
        user=user,
    )


# --- measurements -------------------------------------------------------------------------


def _window(start: date | datetime, end: date | datetime) -> tuple[datetime, datetime]:
    s = start if isinstance(start, datetime) else local_midnight(start)
    e = end if isinstance(end, datetime) else local_midnight(end)
    return s, e


def take_measurement(
    indicator: Indicator,
    start: date | datetime,
    end: date | datetime,
    *,
    kind: str = Measurement.Kind.SNAPSHOT,
) -> Measurement:
    """Compute the indicator over [start, end) and freeze it as an immutable snapshot."""
    s, e = _window(start, end)
    now = clock.now()
    result = measure.measure_window(indicator.definition, s, e, now)
    details = snapshots.case_details(result)
    return Measurement.objects.create(
        indicator=indicator,
        definition_version=current_version(indicator),
        kind=kind,
        period_start=s,
        period_end=e,
        value=result.value,
        n=result.n,
        computed_at=now,
        details=details,
    )


def set_baseline(indicator: Indicator, start: date | datetime, end: date | datetime) -> Measurement:
    baseline = take_measurement(indicator, start, end, kind=Measurement.Kind.BASELINE)
    Indicator.objects.filter(pk=indicator.pk).update(baseline=baseline)
    indicator.baseline = baseline
    return baseline


def _first_month(now: datetime, months: int) -> tuple[date, date]:
    today = timezone.localtime(now).date()
    first = date(today.year, today.month, 1)
    for _step in range(months - 1):
        first = (first - timedelta(days=1)).replace(day=1)
    return first, today


def series(indicator: Indicator, months: int = 12, now: datetime | None = None) -> list[Any]:
    """The indicator per period over the last `months` months, computed live from the log."""
    now = now or clock.now()
    first, today = _first_month(now, months)
    return measure.measure_periods(indicator.definition, first, today, now)


@dataclass
class PeriodValue:
    """One period of a trend: from its scheduled snapshot (`snapshot`) or computed now."""

    start: datetime
    end: datetime
    value: float | None
    n: int
    snapshot: Measurement | None = None


def trend(indicator: Indicator, months: int = 12, now: datetime | None = None) -> list[PeriodValue]:
    """The same periods as `series`, but a closed period with a scheduled snapshot of the
    current definition version is read from it; only the open period and closed periods still
    without one are computed, in one pass over the log from the oldest of them."""
    now = now or clock.now()
    first, today = _first_month(now, months)
    period = indicator.definition.get("period", "month")
    spans = [
        (local_midnight(a), local_midnight(b))
        for a, b in periods(first, today, period)
        if local_midnight(a) < now
    ]
    if not spans:
        return []
    stored = {
        m.period_start: m
        for m in Measurement.objects.filter(
            indicator=indicator,
            scheduled=True,
            definition_version__number=indicator.version,
            period_start__gte=spans[0][0],
            period_start__lt=spans[-1][1],
        )
    }
    frozen = {
        start: stored[start]
        for start, end in spans
        if end <= now and start in stored and stored[start].period_end == end
    }
    live: dict[datetime, measure.Result] = {}
    missing = [start for start, _end in spans if start not in frozen]
    if missing:
        begin = timezone.localtime(missing[0]).date()
        for result in measure.measure_periods(indicator.definition, begin, today, now):
            live[result.start] = result
    values = []
    for start, end in spans:
        if start in frozen:
            m = frozen[start]
            values.append(PeriodValue(start, end, m.value, m.n, m))
        elif start in live:
            r = live[start]
            values.append(PeriodValue(start, end, r.value, r.n))
    return values


def snapshot_for(indicator: Indicator, start: datetime, end: datetime) -> Measurement | None:
    """The scheduled snapshot of exactly [start, end) under the current definition, if any."""
    return (
        Measurement.objects.filter(
            indicator=indicator,
            scheduled=True,
            definition_version__number=indicator.version,
            period_start=start,
            period_end=end,
        )
        .select_related("definition_version")
        .first()
    )


def case_numbers(keys: list[int]) -> dict[int, str]:
    """E-service case numbers of process instances (cases started from an e-service)."""
    from verka.eservices.models import Submission

    rows = Submission.objects.filter(process_instance_key__in=keys).values_list(
        "process_instance_key", "case_number"
    )
    return {key: number for key, number in rows if key is not None}


# --- IT systems ---------------------------------------------------------------------------

ZEEBE = "http://camunda.org/schema/zeebe/1.0"


def _task_signatures(xml: str) -> dict[str, list[tuple[str, list[str]]]]:
    """Per process id: (job type, header values) of each task with a zeebe task definition."""
    result: dict[str, list[tuple[str, list[str]]]] = defaultdict(list)
    try:
        root = etree.fromstring(xml.encode())
    except etree.XMLSyntaxError:
        return result
    for process in root.iter("{*}process"):
        for definition in process.iter(f"{{{ZEEBE}}}taskDefinition"):
            task = definition.getparent().getparent()
            headers = [h.get("value", "") for h in task.iter(f"{{{ZEEBE}}}header")]
            result[process.get("id", "")].append((definition.get("type", ""), headers))
    return result


def derived_system_processes() -> dict[int, set[str]]:
    """Which deployed processes (latest versions) use which system, read from job types and
    task headers (e.g. a `verka-http` task whose url header names the system's host)."""
    systems = list(ITSystem.objects.all())
    latest: dict[str, ProcessDefinition] = {}
    for definition in ProcessDefinition.objects.filter(is_test=False).select_related("resource"):
        if (
            definition.bpmn_process_id not in latest
            or definition.version > latest[definition.bpmn_process_id].version
        ):
            latest[definition.bpmn_process_id] = definition
    parsed: dict[int, dict[str, list[tuple[str, list[str]]]]] = {}
    result: dict[int, set[str]] = defaultdict(set)
    for process_id, definition in latest.items():
        if definition.resource_id not in parsed:
            parsed[definition.resource_id] = _task_signatures(definition.resource.content)
        for job_type, headers in parsed[definition.resource_id].get(process_id, []):
            for system in systems:
                needles = [v.lower() for v in system.header_values if v]
                if job_type in system.job_types or any(
                    needle in header.lower() for needle in needles for header in headers
                ):
                    result[system.pk].add(process_id)
    return result


def system_processes(system: ITSystem, derived: dict[int, set[str]] | None = None) -> list[str]:
    derived = derived if derived is not None else derived_system_processes()
    return sorted(set(system.process_ids) | derived.get(system.pk, set()))


def system_goals(system: ITSystem, processes: list[str]) -> set[Goal]:
    """Goals a system serves: linked by hand, or through a goal's processes or indicators."""
    goals = set(system.goals.all())
    wanted = set(processes)
    for goal in Goal.objects.prefetch_related("indicators"):
        if wanted & set(goal.process_ids):
            goals.add(goal)
        for indicator in goal.indicators.all():
            if wanted & set(indicator.process_ids):
                goals.add(goal)
    goals.update(i.goal for i in system.indicators.exclude(goal=None).select_related("goal"))
    return goals


def systems_without_goal() -> list[ITSystem]:
    derived = derived_system_processes()
    return [
        s
        for s in ITSystem.objects.all()
        if not system_goals(s, system_processes(s, derived))
        and s.lifecycle != ITSystem.Lifecycle.RETIRED
    ]


# --- initiatives --------------------------------------------------------------------------


@dataclass
class Side:
    start: datetime
    end: datetime
    n: int
    value: float | None
    interval: stats.Interval | None
    cases: list[measure.CaseRow]


@dataclass
class Comparison:
    indicator: Indicator
    before: Side
    after: Side
    difference: float | None
    interval: stats.Interval | None
    verdict: str  # improved, worse, unclear, too_few
    statistic: str

    @property
    def verdict_text(self) -> str:
        return str(VERDICTS[self.verdict])


VERDICTS = {
    "improved": _("Förbättrat"),
    "worse": _("Försämrat"),
    "unclear": _("Ingen tydlig skillnad"),
    "too_few": _("För få ärenden för att avgöra"),
}


def _side(definition: dict[str, Any], start: datetime, end: datetime, now: datetime) -> Side:
    result = measure.measure_window(definition, start, end, now)
    interval = None
    if _is_share(definition):
        interval = stats.wilson(_successes(result.value, result.n), result.n)
    return Side(start, min(end, now), result.n, result.value, interval, result.cases)


def _is_share(definition: dict[str, Any]) -> bool:
    return definition["kind"] in ("share", "eservice") or definition.get("aggregate") == (
        "share_within"
    )


def _successes(value: float | None, n: int) -> int:
    # Shares are kept as per cent of n; abandonment has no case rows to count them from.
    return round((value or 0.0) * n / 100)


def compare(initiative: Initiative, now: datetime | None = None) -> list[Comparison]:
    now = now or clock.now()
    go_live = local_midnight(initiative.go_live)
    window = timedelta(days=initiative.window_days)
    return [
        compare_indicator(indicator, go_live, window, now)
        for indicator in initiative.indicators.all()
    ]


def compare_indicator(
    indicator: Indicator, go_live: datetime, window: timedelta, now: datetime
) -> Comparison:
    """The same definition over the window before and the window after go-live."""
    definition = indicator.definition
    before = _side(definition, go_live - window, go_live, now)
    after = _side(definition, go_live, go_live + window, now)
    kind, how = definition["kind"], definition.get("aggregate", "")
    if _is_share(definition):
        statistic = "share"
    elif kind == "count" and definition["measure"] in ("open_at_end", "open_longer_than"):
        statistic = "stock"
    elif kind == "count":
        # Flows are compared per week, so that a shorter after-window (go-live was recent)
        # is not read as fewer cases.
        statistic = "rate"
        for side in (before, after):
            weeks = (side.end - side.start).total_seconds() / 86400 / 7
            side.value = side.n / weeks if weeks > 0 else None
    else:
        statistic = how
    difference = (
        after.value - before.value if after.value is not None and before.value is not None else None
    )
    if statistic not in ("rate", "stock") and (before.n < MIN_CASES or after.n < MIN_CASES):
        return Comparison(indicator, before, after, difference, None, "too_few", statistic)
    interval = _difference_interval(definition, statistic, before, after)
    verdict = "unclear"
    if interval is not None and interval.excludes_zero():
        # The interval's side of zero, not the point difference: for fee reductions the
        # interval is of the mean per case while the shown difference is of the sums.
        up = interval.low > 0
        better = up if indicator.direction == Indicator.Direction.HIGHER else not up
        verdict = "improved" if better else "worse"
    return Comparison(indicator, before, after, difference, interval, verdict, statistic)


def _difference_interval(
    definition: dict[str, Any], statistic: str, before: Side, after: Side
) -> stats.Interval | None:
    if statistic == "share":
        return stats.share_difference(
            _successes(before.value, before.n),
            before.n,
            _successes(after.value, after.n),
            after.n,
        )
    if statistic == "stock":
        # Cases open at the end of each window: two Poisson counts.
        return stats.rate_difference(before.n, 7, after.n, 7)
    if statistic == "rate":
        days_before = (before.end - before.start).total_seconds() / 86400
        days_after = (after.end - after.start).total_seconds() / 86400
        if days_after <= 0 or days_before <= 0:
            return None
        return stats.rate_difference(before.n, days_before, after.n, days_after)
    b = [c.value for c in before.cases if c.value is not None]
    a = [c.value for c in after.cases if c.value is not None]
    if statistic == "median":
        return stats.bootstrap_difference(b, a, statistics.median)
    if statistic == "p90":
        return stats.bootstrap_difference(b, a, lambda v: measure.nearest_rank(list(v), 0.9))
    return stats.mean_difference(b, a)
