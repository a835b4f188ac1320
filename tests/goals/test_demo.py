"""The demo goals: a (scaled-down) year of cases run through the real engine gives every
indicator real numbers, frozen for the closed months, the initiative a before and an after,
and loading twice does nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from verka.goals import services
from verka.goals.demo import load_demo_goals
from verka.goals.models import Goal, Indicator, Initiative, ITSystem, Measurement
from verka.processes.models import HistoryEvent, ProcessInstance

pytestmark = pytest.mark.django_db


def test_the_demo_year_is_made_by_the_engine_and_measured():
    assert load_demo_goals(scale=0.2)
    assert not load_demo_goals(scale=0.2)  # already there: skipped
    assert ProcessInstance.objects.filter(bpmn_process_id="buildingPermit").count() > 20
    assert HistoryEvent.objects.filter(event_type="ELEMENT_COMPLETED").count() > 500
    assert Goal.objects.count() == 4
    assert Indicator.objects.count() == 11
    assert Measurement.objects.filter(kind="baseline").count() == 11
    measured = [i for i in Indicator.objects.all() if any(r.n for r in services.series(i))]
    assert len(measured) >= 9
    # The closed months are frozen already, with the numbers the live computation gives.
    now = timezone.now()  # one moment for both: an open period's rate moves with the clock
    for indicator in Indicator.objects.all():
        assert Measurement.objects.filter(indicator=indicator, scheduled=True).count() == 12
        stored = services.trend(indicator, now=now)
        live = services.series(indicator, now=now)
        assert sum(1 for v in stored if v.snapshot) >= 10  # 11, or 10 just after midnight
        assert [(v.start, v.value, v.n) for v in stored] == [(r.start, r.value, r.n) for r in live]
    (initiative,) = Initiative.objects.all()
    comparisons = services.compare(initiative)
    assert all(c.before.n > 0 and c.after.n > 0 for c in comparisons)
    flagged = {s.name for s in services.systems_without_goal()}
    assert "Gamla lokalbokningen" in flagged
    assert "Förskolesystemet" not in flagged
    assert ITSystem.objects.count() == 5
