"""Measurements are immutable snapshots that survive deleted case data; IT systems are linked
to processes from deployed job types and task headers, and flagged when they serve no goal."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from verka.goals import services
from verka.goals.bench import Step, SyntheticCase, insert_cases
from verka.goals.models import Goal, ImmutableMeasurement, ITSystem, Measurement
from verka.processes import services as engine
from verka.processes.models import HistoryEvent

from .conftest import bpmn, flow

pytestmark = pytest.mark.django_db

DEFINITION = {"kind": "duration", "processes": ["permit"],
              "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}}  # fmt: skip


def cases() -> None:
    t0 = datetime(2025, 3, 3, 9, tzinfo=UTC)
    insert_cases(
        SyntheticCase(k, t0, t0 + timedelta(days=k), [Step("decide", t0, t0 + timedelta(days=k))],
                      process_id="permit")
        for k in (10, 20, 40)
    )  # fmt: skip


def test_a_snapshot_is_frozen_and_survives_deleting_the_cases():
    cases()
    indicator = services.create_indicator("Ledtid", DEFINITION)
    snapshot = services.take_measurement(indicator, date(2025, 3, 1), date(2025, 6, 1))
    assert (snapshot.value, snapshot.n, snapshot.definition_version.number) == (20.0, 3, 1)
    assert sorted(snapshot.details["cases"]) == [10, 20, 40]
    snapshot.value = 1
    with pytest.raises(ImmutableMeasurement):
        snapshot.save()
    with pytest.raises(ImmutableMeasurement):
        snapshot.delete()
    with pytest.raises(ImmutableMeasurement):
        Measurement.objects.filter(pk=snapshot.pk).update(value=2)
    with pytest.raises(ImmutableMeasurement):
        Measurement.objects.all().delete()
    HistoryEvent.objects.all().delete()
    again = Measurement.objects.get(pk=snapshot.pk)
    assert (again.value, again.n) == (20.0, 3)
    # Recomputed now, the log is empty; the snapshot still says what was measured then.
    assert services.take_measurement(indicator, date(2025, 3, 1), date(2025, 6, 1)).n == 0


def test_a_baseline_stays_with_its_definition_version():
    cases()
    indicator = services.create_indicator("Ledtid", DEFINITION)
    baseline = services.set_baseline(indicator, date(2025, 3, 1), date(2025, 6, 1))
    services.set_definition(indicator, {**DEFINITION, "aggregate": "mean"})
    indicator.refresh_from_db()
    assert indicator.baseline == baseline
    assert (baseline.kind, baseline.definition_version.number, indicator.version) == (
        "baseline", 1, 2,
    )  # fmt: skip


HTTP_PROCESS = bpmn(
    "faults",
    '<bpmn:startEvent id="s"/>'
    '<bpmn:serviceTask id="forward"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="verka-http"/><zeebe:taskHeaders>'
    '<zeebe:header key="url" value="https://drift.exempelkommun.se/api/v1/faults"/>'
    "</zeebe:taskHeaders></bpmn:extensionElements></bpmn:serviceTask>"
    '<bpmn:serviceTask id="archive"><bpmn:extensionElements>'
    '<zeebe:taskDefinition type="earkiv-store"/></bpmn:extensionElements></bpmn:serviceTask>'
    '<bpmn:endEvent id="e"/>' + flow("f1", "s", "forward") + flow("f2", "forward", "archive")
    + flow("f3", "archive", "e"),
)  # fmt: skip


def test_systems_are_derived_from_job_types_and_headers_and_unlinked_ones_are_flagged():
    engine.deploy([("faults.bpmn", HTTP_PROCESS)])
    drift = ITSystem.objects.create(name="Driftsystemet", header_values=["drift.exempelkommun.se"])
    archive = ITSystem.objects.create(name="E-arkivet", job_types=["earkiv-store"])
    manual = ITSystem.objects.create(name="Förskolesystemet", process_ids=["preschool"])
    idle = ITSystem.objects.create(name="Lokalbokningen")
    derived = services.derived_system_processes()
    assert derived == {drift.pk: {"faults"}, archive.pk: {"faults"}}
    assert services.system_processes(manual, derived) == ["preschool"]
    goal = Goal.objects.create(title_sv="Trygga gator", process_ids=["faults"])
    assert {s.name for s in services.systems_without_goal()} == {"Förskolesystemet",
                                                                 "Lokalbokningen"}  # fmt: skip
    idle.goals.add(goal)
    services.create_indicator(
        "Förskola", {"kind": "count", "processes": ["preschool"], "measure": "started"},
        goal=goal,
    )  # fmt: skip
    assert services.systems_without_goal() == []
