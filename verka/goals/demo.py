"""Exempelkommun's mission, goals, indicators, IT systems and one initiative — and a year of
history made by running simulated cases through the real process engine with a manual clock.

The simulation is a small discrete-event loop: each case schedules its next step (an officer
completes a task, the applicant supplements, the neighbours answer); every morning due timers
fire; service-task jobs are done by a stand-in worker at once. Seeded, so every load is alike.
"""

from __future__ import annotations

import heapq
import logging
import random
import uuid
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from verka.processes import services as engine
from verka.processes.clock import ManualClock, use_clock
from verka.processes.models import ProcessDefinition, UserTask

from . import services, snapshots
from .models import Goal, Indicator, Initiative, ITSystem, Mission

log = logging.getLogger(__name__)

PRESCHOOL, PERMIT = "preschoolPlacement", "buildingPermit"
SEED = 2026


# --- the simulation -----------------------------------------------------------------------


class Simulation:
    def __init__(self, start: datetime, end: datetime, go_live: datetime) -> None:
        self.clock = ManualClock(start)
        self.end = end
        self.go_live = go_live
        self.rng = random.Random(SEED)
        self.queue: list[tuple[datetime, int, Callable[[], object]]] = []
        self.sequence = 0
        self.eservices = _eservices()
        self.failures = 0
        self.clock_start = start

    def at(self, when: datetime, action: Callable[[], object]) -> None:
        if when < self.end:
            self.sequence += 1
            heapq.heappush(self.queue, (when, self.sequence, action))

    def office_hours(self, day: datetime, days: float) -> datetime:
        """`days` later, moved to a weekday between 08 and 16 local time."""
        moment = timezone.localtime(day + timedelta(days=days))
        while moment.weekday() >= 5:
            moment += timedelta(days=1)
        minutes = self.rng.randrange(8 * 60, 16 * 60)
        local = datetime.combine(moment.date(), time(minutes // 60, minutes % 60))
        return timezone.make_aware(local)

    def run(self) -> None:
        day = timezone.localtime(self.clock.current).date()
        while timezone.make_aware(datetime.combine(day, time(7))) < self.end:
            self.at(timezone.make_aware(datetime.combine(day, time(7))), self.tick)
            day += timedelta(days=1)
        with use_clock(self.clock):
            while self.queue:
                when, _seq, action = heapq.heappop(self.queue)
                self.clock.current = when
                try:
                    with transaction.atomic():
                        action()
                        self.work_jobs()
                except Exception:  # one odd case must not stop the demo
                    self.failures += 1
                    log.exception("demo case step failed")

    def tick(self) -> None:
        engine.fire_due_timers(limit=1000)

    def work_jobs(self) -> None:
        """The stand-in worker: e-mails sent, documents made, at once."""
        while True:
            jobs = engine.activate_jobs(
                "verka-email", "demo", types=["verka-email", "verka-document"], max_jobs=20
            )
            if not jobs:
                return
            for job in jobs:
                result = {}
                if job.type == "verka-document":
                    result = {
                        "document": {"documentId": f"doc-{job.key}", "fileName": "beslut.pdf"}
                    }
                engine.complete_job(job.key, result)

    def task(self, key: int, element: str, values: dict[str, Any]) -> None:
        task = UserTask.objects.filter(
            process_instance_id=key, element_id=element, state=UserTask.State.CREATED
        ).first()
        if task is not None:
            engine.complete_user_task(task.key, values, user="demo")

    def open_case(self, process_id: str, variables: dict[str, Any]) -> int:
        """Start a case as the e-service does: a case number, the instance, the submission."""
        from verka.eservices.models import Submission
        from verka.eservices.services import next_case_number

        now = self.clock.current
        eservice = self.eservices.get(process_id)
        prefix = eservice.case_prefix if eservice else "ARE"
        number = next_case_number(prefix, timezone.localtime(now).year)
        variables = {
            **variables,
            "caseNumber": number,
            "applicationDate": timezone.localtime(now).date().isoformat(),
        }
        instance = engine.start_instance(process_id, variables, business_key=number)
        if eservice is not None and variables.get("submittedDigitally"):
            Submission.objects.create(
                eservice=eservice,
                case_number=number,
                data={},
                submit_token=uuid.UUID(int=self.rng.getrandbits(128)),
                submitted_at=now,
                process_instance_key=instance.key,
            )
        return instance.key

    # --- preschool place ------------------------------------------------------------------

    def preschool(self) -> None:
        rng, now = self.rng, self.clock.current
        desired = timezone.localtime(now).date() + timedelta(days=rng.randint(45, 200))
        key = self.open_case(
            PRESCHOOL,
            {
                # Not a demo login: simulated cases stay off Anna's and Bertil's My pages.
                "applicant": "demo-vardnadshavare",
                "guardian": {"name": "Vårdnadshavare", "email": "demo@example.se"},
                "children": [{"name": "Barn"}],
                "desiredStartDate": desired.isoformat(),
                "firstChoice": "solrosen",
                "secondChoice": "ekbacken",
                "specialNeeds": rng.random() < 0.05,
                "siblingAtPreschool": rng.random() < 0.3,
                "movedToMunicipality": rng.random() < 0.1,
                "submittedDigitally": rng.random() < 0.9,
            },
        )
        wait = rng.uniform(15, 110) if rng.random() < 0.88 else rng.uniform(100, 170)
        self.at(self.office_hours(now, wait), lambda: self.offer(key, desired))

    def offer(self, key: int, desired: date) -> None:
        rng = self.rng
        start = desired if rng.random() < 0.8 else desired + timedelta(days=rng.randint(14, 60))
        self.task(key, "offerPlace", {"offeredPreschool": "solrosen",
                                      "offeredStartDate": start.isoformat()})  # fmt: skip
        answer = "accept" if rng.random() < 0.92 else "decline"
        values = {"offerAnswer": answer, "stayInQueue": False}
        self.at(self.office_hours(self.clock.current, rng.uniform(1, 5)),
                lambda: self.task(key, "answerOffer", values))  # fmt: skip

    # --- building permit ------------------------------------------------------------------

    def after_go_live(self) -> bool:
        return self.clock.current >= self.go_live

    def permit(self) -> None:
        rng, now = self.rng, self.clock.current
        digital_share = 0.6 + 0.3 * min(max((now - self.clock_start).days / 365, 0), 1)
        key = self.open_case(
            PERMIT,
            {
                "applicant": "demo-byggherre",
                "contact": {"name": "Byggherre", "email": "demo@example.se"},
                "propertyDesignation": f"Exempelby {rng.randint(1, 40)}:{rng.randint(1, 99)}",
                "measureType": rng.choice(["newHouse", "extension", "garage"]),
                "grossArea": rng.randint(15, 220),
                "description": "Demoärende",
                "drawings": [{"documentId": "doc-demo"}],
                "confirmation": True,
                "submittedDigitally": rng.random() < digital_share,
            },
        )
        self.at(self.office_hours(now, rng.uniform(1, 8)), lambda: self.check(key, first=True))

    def check(self, key: int, first: bool) -> None:
        rng = self.rng
        incomplete = 0.12 if self.after_go_live() else 0.45
        if first and rng.random() < incomplete:
            due = timezone.localtime(self.clock.current).date() + timedelta(days=21)
            self.task(key, "checkCompleteness", {"completeness": "incomplete",
                                                 "missingInformation": "Ritning saknas.",
                                                 "completionDueDate": due.isoformat()})  # fmt: skip
            self.at(self.office_hours(self.clock.current, rng.uniform(4, 20)),
                    lambda: self.supplement(key))  # fmt: skip
            return
        neighbours = rng.random() < 0.3
        self.task(key, "checkCompleteness", {"completeness": "complete",
                                             "neighbourConsultationNeeded": neighbours,
                                             "deadlineExtended": rng.random() < 0.08})  # fmt: skip
        if neighbours and rng.random() < 0.7:
            number = self.case_number(key)
            self.at(self.office_hours(self.clock.current, rng.uniform(7, 18)),
                    lambda: engine.publish_message("neighbour-response", number,
                                                   {"neighbourObjections": False}))  # fmt: skip
        work = rng.uniform(10, 40) if self.after_go_live() else rng.uniform(28, 90)
        if rng.random() < 0.03:  # now and then a case gets stuck for months
            work = rng.uniform(190, 260)
        self.at(self.office_hours(self.clock.current, work), lambda: self.decide(key))

    def supplement(self, key: int) -> None:
        self.task(key, "supplementApplication", {"supplementComment": "Bifogar ritning."})
        self.at(self.office_hours(self.clock.current, self.rng.uniform(1, 4)),
                lambda: self.check(key, first=False))  # fmt: skip

    def decide(self, key: int) -> None:
        if UserTask.objects.filter(
            process_instance_id=key, element_id="decide", state=UserTask.State.CREATED
        ).exists():
            decision = "granted" if self.rng.random() < 0.88 else "refused"
            self.task(key, "decide", {"decision": decision, "decisionMotivation": "Demobeslut."})
        else:  # still waiting for the neighbours: come back in a week
            self.at(self.office_hours(self.clock.current, 7), lambda: self.decide(key))

    def case_number(self, key: int) -> str:
        from verka.processes.models import ProcessInstance

        return ProcessInstance.objects.get(key=key).business_key

    def arrivals(self, per_week: float, start_case: Callable[[], None]) -> None:
        moment = self.clock.current
        while moment < self.end:
            moment += timedelta(days=self.rng.expovariate(per_week / 7))
            self.at(self.office_hours(moment, 0), start_case)


def _eservices() -> dict[str, Any]:
    from verka.eservices.models import EService

    return {
        e.bpmn_process_id: e
        for e in EService.objects.filter(bpmn_process_id__in=[PRESCHOOL, PERMIT])
    }


def _ensure_processes() -> None:
    """The demo e-services deploy the processes; deploy them here if they have not yet."""
    if ProcessDefinition.objects.filter(bpmn_process_id__in=[PRESCHOOL, PERMIT]).count() < 2:
        from verka.demo.models import resources

        engine.deploy(resources(), name="Exempelkommun (mål)")


def simulate_year(end: datetime, go_live: datetime, *, scale: float = 1.0) -> Simulation:
    start = end - timedelta(days=365)
    simulation = Simulation(start, end, go_live)
    simulation.arrivals(4.0 * scale, simulation.permit)
    simulation.arrivals(4.5 * scale, simulation.preschool)
    simulation.run()
    return simulation


# --- goals, indicators, systems -----------------------------------------------------------


def _month(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@transaction.atomic
def load_demo_goals(*, scale: float = 1.0, now: datetime | None = None) -> bool:
    """Create the demo goals and their year of history; False (and nothing done) if present."""
    if Mission.objects.exists():
        return False
    _ensure_processes()
    now = now or timezone.now()
    today = timezone.localtime(now).date()
    go_live_day = _month(today, -5)
    go_live = timezone.make_aware(datetime.combine(go_live_day, time.min))
    simulation = simulate_year(now, go_live, scale=scale)
    if simulation.failures:
        log.warning("demo simulation: %s case steps failed", simulation.failures)
    year_start = _month(today, -11)
    baseline_start, baseline_end = _month(today, -8), go_live_day

    mission = Mission.objects.create(
        organisation="Exempelkommun",
        text_sv="Vi gör vardagen enklare för dem som bor och verkar i Exempelkommun: rättssäkra "
        "beslut i tid, service dygnet runt och skattepengar som gör nytta.",
        text_en="We make everyday life easier for those who live and work in Exempelkommun: "
        "lawful decisions on time, round-the-clock service and tax money that makes a difference.",
    )
    top = Goal.objects.create(
        mission=mission, order=0, benefit_owner_role="Kommundirektör",
        title_sv="Invånare och företag får snabba och rättssäkra beslut",
        title_en="Residents and companies get fast, lawful decisions",
        description_sv="Inga ärenden ska bli liggande; lagens tidsfrister hålls.",
        description_en="No case is left lying; legal time limits are kept.",
        period_start=date(today.year, 1, 1), period_end=date(today.year + 2, 12, 31),
        process_ids=[PRESCHOOL, PERMIT],
    )  # fmt: skip
    preschool = Goal.objects.create(
        mission=mission, order=1, contributes_to=top,
        benefit_owner_role="Förskolechef, barn- och utbildningsförvaltningen",
        title_sv="Barnfamiljer får förskoleplats i tid",
        title_en="Families get a preschool place on time",
        process_ids=[PRESCHOOL],
    )  # fmt: skip
    permit = Goal.objects.create(
        mission=mission, order=2, contributes_to=top,
        benefit_owner_role="Bygglovschef, samhällsbyggnadsförvaltningen",
        title_sv="Byggherrar får bygglovsbeslut inom lagens tid",
        title_en="Builders get building-permit decisions within the legal time",
        process_ids=[PERMIT],
    )  # fmt: skip
    digital = Goal.objects.create(
        mission=mission, order=3, contributes_to=top, benefit_owner_role="Digitaliseringschef",
        title_sv="Fler ansöker digitalt", title_en="More people apply digitally",
        process_ids=[PRESCHOOL, PERMIT],
    )  # fmt: skip
    for goal in (preschool, permit, digital):
        goal.eservices.set(
            [e for pid, e in simulation.eservices.items() if pid in goal.process_ids]
        )

    def indicator(
        goal: Goal, name_sv: str, name_en: str, definition: dict[str, Any], direction: str,
        start_target: float, end_target: float, unit: str = "",
    ) -> Indicator:  # fmt: skip
        made = services.create_indicator(
            name_sv, definition, goal=goal, name_en=name_en, direction=direction, unit=unit,
            targets=[(year_start, start_target), (go_live_day, end_target)],
        )  # fmt: skip
        services.set_baseline(made, baseline_start, baseline_end)
        return made

    def template(goal: Goal, slug: str, start_target: float, end_target: float) -> Indicator:
        made = services.apply_template(slug, goal=goal)
        for day, value in ((year_start, start_target), (go_live_day, end_target)):
            made.targets.create(date=day, value=value)
        # A sum (kronor) is compared month by month, so its baseline is one month too.
        first = _month(go_live_day, -1) if slug.endswith("fee-reduction") else baseline_start
        services.set_baseline(made, first, baseline_end)
        return made

    indicator(
        top, "Öppna ärenden vid månadens slut", "Open cases at month end",
        {"kind": "count", "processes": [PRESCHOOL, PERMIT], "measure": "open_at_end"},
        "lower", 140, 110,
    )  # fmt: skip
    template(top, "open-over-6-months", 2, 0)
    template(preschool, "preschool-offer-4-months", 90, 98)
    template(preschool, "preschool-desired-date", 75, 85)
    indicator(
        preschool, "Mediantid till erbjudande", "Median time to offer",
        {"kind": "duration", "processes": [PRESCHOOL],
         "end": {"element": "offerPlace", "event": "ELEMENT_COMPLETED"}, "aggregate": "median"},
        "lower", 80, 60,
    )  # fmt: skip
    lead_time = indicator(
        permit, "Median handläggningstid bygglov (arbetsdagar, utan kompletteringstid)",
        "Median building-permit lead time (working days, completion time excluded)",
        {"kind": "duration", "processes": [PERMIT],
         "end": {"element": "decide", "event": "ELEMENT_COMPLETED"}, "unit": "working_days",
         "pauses": ["supplementApplication"], "aggregate": "median"},
        "lower", 45, 30,
    )  # fmt: skip
    in_time = template(permit, "building-permit-10-weeks", 90, 100)
    template(permit, "building-permit-fee-reduction", 20000, 0)
    first_time_right = indicator(
        permit, "Andel kompletta från början", "Share complete first time",
        {"kind": "share", "processes": [PERMIT], "condition": "completionRequestCount = 0"},
        "higher", 60, 85,
    )  # fmt: skip
    indicator(
        digital, "Andel bygglovsansökningar inlämnade digitalt",
        "Share of building-permit applications submitted digitally",
        {"kind": "eservice", "processes": [PERMIT], "measure": "digital_share"},
        "higher", 70, 90,
    )  # fmt: skip
    indicator(
        digital, "Nya ansökningar per vecka", "New applications per week",
        {"kind": "count", "processes": [PRESCHOOL, PERMIT], "measure": "arrival_rate"},
        "higher", 8, 9,
    )  # fmt: skip

    platform = ITSystem.objects.create(
        name="Verka e-tjänsteplattform", owner="Digitaliseringsenheten",
        lifecycle=ITSystem.Lifecycle.IN_USE, annual_cost=350000,
        description="E-tjänster, processmotor, beslutstabeller.",
        job_types=["verka-email", "verka-document"],
    )  # fmt: skip
    platform.goals.add(digital)
    ITSystem.objects.create(
        name="Driftsystemet gata/park", owner="Gatuenheten", annual_cost=180000,
        description="Tar emot felanmälningar från e-tjänsten och rapporterar status.",
        header_values=["drift.exempelkommun.se", "MAINTENANCE_API"],
    )  # fmt: skip
    ITSystem.objects.create(
        name="Förskolesystemet", owner="Barn- och utbildningsförvaltningen", annual_cost=420000,
        description="Kö och placering.", process_ids=[PRESCHOOL],
    )  # fmt: skip
    ITSystem.objects.create(
        name="Bygglovssystemet", owner="Samhällsbyggnadsförvaltningen", annual_cost=510000,
        description="Handläggning och diarium för bygglov.", process_ids=[PERMIT],
    )  # fmt: skip
    ITSystem.objects.create(
        name="Gamla lokalbokningen", owner="Kultur- och fritidsförvaltningen",
        lifecycle=ITSystem.Lifecycle.PHASING_OUT, annual_cost=95000,
        description="Ingen process, ingen e-tjänst och inget mål använder systemet.",
    )  # fmt: skip

    initiative = Initiative.objects.create(
        title="Digital kompletthetskontroll i bygglovs-e-tjänsten",
        goal=permit,
        hypothesis="Om e-tjänsten kräver ritningar och kontrollerar uppgifterna innan ansökan "
        "skickas in behövs färre kompletteringar, och besluten kommer snabbare.",
        change_kind=Initiative.ChangeKind.OTHER,
        change="Obligatoriska fält och kontroller i ansökningsformuläret; handläggarna "
        "prioriterar beslut när kompletteringarna minskar.",
        bpmn_process_id=PERMIT,
        go_live=go_live_day,
        window_days=120,
    )
    initiative.indicators.set([lead_time, first_time_right, in_time])
    # The indicators are newer than the year they measure, so the worker would not back-fill
    # it: freeze the closed months here and the dashboard computes only the current one.
    for made in Indicator.objects.filter(goal__mission=mission):
        snapshots.snapshot_indicator(made, now)
    return True
