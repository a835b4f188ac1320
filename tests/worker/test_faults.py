"""Faults on PostgreSQL: three `verka worker` and two `verka serve` processes, SIGKILLed at random
and started again, while API clients start process instances and citizens submit applications
(each with a receipt e-mail to an SMTP server the test runs). Afterwards every instance has
completed exactly once, every submission exists once with one receipt (one Message-ID),
nothing is stuck and the web processes sent no e-mail at all.

A receipt may arrive twice only in the window the outbox documents: a worker killed after the
mail server took it and before the worker recorded that. Such a copy carries the same
Message-ID; the test counts them and holds them to at most one per worker killed."""

from __future__ import annotations

import json
import os
import random
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection

from verka.access import grants
from verka.accounts.models import User
from verka.api import services as api_services
from verka.eservices.models import Category, Draft, EService, Submission
from verka.processes import services as processes
from verka.processes.models import HistoryEvent, Job, ProcessInstance
from verka.worker.models import Effect, WorkerHeartbeat

from ..processes import models as m
from ..processes.test_worker_processes import database_url
from .smtp import SmtpSink

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

INSTANCES = int(os.environ.get("VERKA_TEST_FAULT_INSTANCES", "1500"))
SUBMISSIONS = int(os.environ.get("VERKA_TEST_FAULT_SUBMISSIONS", "500"))
WORKERS = 3
WEBS = 2
CLIENTS = 8
LEASE_SECONDS = "3"

PROCESS = m.bpmn(
    '<bpmn:startEvent id="start"/>'
    + m.service_task("work", "fault-work")
    + '<bpmn:endEvent id="end"/>'
    + m.flow("f1", "start", "work")
    + m.flow("f2", "work", "end"),
    process_id="fault",
)
FORM = {
    "id": "fault-form",
    "type": "default",
    "components": [{"id": "nameField", "key": "name", "type": "textfield", "label": "Namn"}],
}
APPLICATION = m.bpmn(
    '<bpmn:startEvent id="start"><bpmn:extensionElements>'
    '<zeebe:formDefinition formId="fault-form"/></bpmn:extensionElements></bpmn:startEvent>'
    + m.service_task("work", "fault-work")
    + '<bpmn:endEvent id="end"/>'
    + m.flow("f1", "start", "work")
    + m.flow("f2", "work", "end"),
    process_id="fault-application",
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Figures:
    requests: int = 0
    server_errors: int = 0
    connection_errors: int = 0
    kills: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def count(self, what: str) -> None:
        with self.lock:
            setattr(self, what, getattr(self, what) + 1)


class Cluster:
    """The `verka` processes, each started again right after it was killed."""

    def __init__(self, tmp: Path, mail_port: int, web_mail_port: int) -> None:
        self.tmp = tmp
        base = dict(
            os.environ,
            DATABASE_URL=database_url(),
            VERKA_SECRET_KEY=settings.SECRET_KEY,
            VERKA_LOG_LEVEL="ERROR",
            VERKA_EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            VERKA_EMAIL_HOST="127.0.0.1",
            VERKA_EMAIL_TIMEOUT="5",
            VERKA_OUTBOX_LEASE_SECONDS=LEASE_SECONDS,
            VERKA_TEST_LEASE_SECONDS=LEASE_SECONDS,
            PYTHONPATH=str(ROOT),
        )
        self.worker_env = dict(
            base,
            VERKA_EMAIL_PORT=str(mail_port),
            VERKA_WORKER_MODULES="tests.worker.fault_handlers",
        )
        # A web process that tried to send mail would reach a sink of its own.
        self.web_env = dict(base, VERKA_EMAIL_PORT=str(web_mail_port))
        self.ports = [free_port() for _ in range(WEBS)]
        self.processes: dict[str, subprocess.Popen[bytes]] = {}
        self.worker_names: dict[str, str] = {}
        self.generation = 0

    def start(self, name: str) -> None:
        self.generation += 1
        log = (self.tmp / f"{name}.log").open("ab")
        if name.startswith("worker"):
            self.worker_names[name] = f"fault-{name}-{self.generation}"
            command = ["worker", "--name", self.worker_names[name]]
            env = self.worker_env
        else:
            port = self.ports[int(name.removeprefix("web"))]
            command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--threads", "4"]
            env = self.web_env
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "verka.cli", *command],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )

    def start_all(self) -> None:
        for n in range(WORKERS):
            self.start(f"worker{n}")
        for n in range(WEBS):
            self.start(f"web{n}")

    def kill(self, name: str) -> None:
        process = self.processes[name]
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
        self.start(name)

    def ready(self, name: str) -> bool:
        """Up and working: a worker has written its first heartbeat, a web process answers."""
        if name.startswith("worker"):
            return WorkerHeartbeat.objects.filter(name=self.worker_names[name]).exists()
        port = self.ports[int(name.removeprefix("web"))]
        try:
            return httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def stop_all(self) -> None:
        for process in self.processes.values():
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes.values():
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()

    def wait_for_webs(self, timeout: float = 240) -> None:
        deadline = time.monotonic() + timeout
        for port in self.ports:
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline:
                    pytest.fail(f"the web process on port {port} did not start")
                time.sleep(0.2)


_clients = threading.local()


def http() -> httpx.Client:
    """One HTTP client per client thread: making one per request costs a TLS context each."""
    client = getattr(_clients, "client", None)
    if client is None:
        client = _clients.client = httpx.Client(timeout=20)
    client.cookies.clear()  # the threads' requests are for many citizens: none kept between
    return client


def refused_for_good(response: httpx.Response) -> None:
    """A client error other than "busy" means the test asks for something it may not have:
    retrying would only hide that (and take hours), so the test fails at once."""
    if 400 <= response.status_code < 500 and response.status_code not in {409, 429}:
        raise AssertionError(f"{response.request.url}: {response.status_code} {response.text}")


def with_retries(figures: Figures, ports: list[int], attempt: Callable[[str, bool], bool]) -> None:
    """Call `attempt(base_url, again)` against a random web process until it reports success;
    `again` tells it an earlier attempt may have done the work without answering."""
    pause = 0.05
    for tries in range(600):
        base = f"http://127.0.0.1:{random.choice(ports)}"
        try:
            if attempt(base, tries > 0):
                return
        except httpx.HTTPError:
            figures.count("connection_errors")  # the process was killed under the request
        time.sleep(pause)
        pause = min(pause * 2, 1.0)
    raise AssertionError("a request failed 600 times")


def test_killed_workers_and_web_processes_lose_nothing_and_send_every_receipt_once(
    tmp_path, record_property
):
    if connection.vendor != "postgresql":
        pytest.skip("several processes on one database: this runs in the PostgreSQL pass")
    processes.deploy(
        [
            ("fault.bpmn", PROCESS),
            ("application.bpmn", APPLICATION),
            ("fault.form", json.dumps(FORM).encode()),
        ]
    )
    EService.objects.create(
        slug="fault",
        category=Category.objects.create(slug="test", name_sv="Test", name_en="Test"),
        title_sv="Felprov",
        title_en="Fault test",
        bpmn_process_id="fault-application",
        start_form_id="fault-form",
        case_prefix="FEL",
        published=True,
    )
    # The integration that starts instances: a service account granted the process.
    intake = User.objects.create(username="intake", kind="service")
    grants.grant(intake, "process", "fault")
    token = api_services.create_token("faults", intake, ["processes:read", "processes:write"])
    citizens = User.objects.bulk_create(
        [
            User(username=f"citizen{n}", kind="citizen", email=f"citizen{n}@example.se")
            for n in range(SUBMISSIONS)
        ]
    )
    sessions = {}
    for citizen in citizens:
        session = SessionStore()
        session[SESSION_KEY] = str(citizen.pk)
        # The backend that logs people in (the first one is django-axes', which only counts).
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = citizen.get_session_auth_hash()
        session.create()
        sessions[citizen.pk] = session.session_key

    sink, web_sink = SmtpSink(), SmtpSink()
    cluster = Cluster(tmp_path, sink.port, web_sink.port)
    figures = Figures()
    csrf = secrets.token_hex(16)  # 32 characters: Django compares it with the cookie as is

    def start_instance(n: int) -> None:
        business_key = f"fault-{n}"
        headers = {"Authorization": f"Bearer {token.secret}"}

        def attempt(base: str, again: bool) -> bool:
            if again:
                # A killed web process may have committed the start without answering.
                figures.count("requests")
                found = http().get(
                    f"{base}/api/v1/process-instances",
                    params={"businessKey": business_key, "bpmnProcessId": "fault"},
                    headers=headers,
                )
                if found.status_code >= 500:
                    figures.count("server_errors")
                refused_for_good(found)
                if found.status_code != 200:
                    return False
                if found.json()["items"]:
                    return True
            figures.count("requests")
            started = http().post(
                f"{base}/api/v1/process-instances",
                json={"bpmnProcessId": "fault", "businessKey": business_key},
                headers=headers,
            )
            if started.status_code >= 500:
                figures.count("server_errors")
            refused_for_good(started)
            return started.status_code == 201

        with_retries(figures, cluster.ports, attempt)

    def submit(citizen: User) -> None:
        headers = {
            "Cookie": f"sessionid={sessions[citizen.pk]}; csrftoken={csrf}",
            "X-CSRFToken": csrf,
        }

        def attempt(base: str, again: bool) -> bool:
            draft = None
            if again:
                if Submission.objects.filter(applicant=citizen).exists():
                    return True
                draft = Draft.objects.filter(owner=citizen).exclude(data={}).first()
            if draft is None:
                figures.count("requests")
                answered = http().post(
                    f"{base}/e-tjanster/fault/ansok/",
                    data={"step": "0", "answers": json.dumps({"name": citizen.username})},
                    headers=headers,
                )
                if answered.status_code >= 500:
                    figures.count("server_errors")
                if answered.status_code != 302:
                    return False
                draft = Draft.objects.get(owner=citizen)
            figures.count("requests")
            # The same submit token on every try: a repeat finds the case the first one made.
            submitted = http().post(
                f"{base}/e-tjanster/fault/ansok/granska/",
                data={"submit_token": str(draft.submit_token)},
                headers=headers,
            )
            if submitted.status_code >= 500:
                figures.count("server_errors")
            return submitted.status_code == 302 and "/kvitto/" in submitted.headers["Location"]

        with_retries(figures, cluster.ports, attempt)

    load_done = threading.Event()

    def chaos() -> None:
        """Kill a process that is up and working, at random, as long as another of its kind
        is: on a slow machine a process takes seconds to start, and killing it before it has
        done anything tests nothing."""
        names = [f"worker{n}" for n in range(WORKERS)] + [f"web{n}" for n in range(WEBS)]
        try:
            while not load_done.wait(random.uniform(1.0, 2.5)):
                up = [name for name in names if cluster.ready(name)]
                kinds = Counter(name.rstrip("0123456789") for name in up)
                victims = [name for name in up if kinds[name.rstrip("0123456789")] > 1]
                if victims:
                    name = random.choice(victims)
                    cluster.kill(name)
                    figures.kills[name.rstrip("0123456789")] += 1
        finally:
            connection.close()

    began = time.monotonic()
    cluster.start_all()
    try:
        cluster.wait_for_webs()
        killer = threading.Thread(target=chaos, daemon=True)
        killer.start()
        work: list[Callable[[], None]] = [lambda n=n: start_instance(n) for n in range(INSTANCES)]
        work += [lambda c=c: submit(c) for c in citizens]
        random.shuffle(work)

        def run(item: Callable[[], None]) -> None:
            try:
                item()
            finally:
                connection.close()  # the pool's threads end without closing theirs

        with ThreadPoolExecutor(CLIENTS) as pool:
            for future in [pool.submit(run, item) for item in work]:
                future.result()
        load_done.set()
        killer.join(timeout=30)
        loaded = time.monotonic() - began

        total = INSTANCES + SUBMISSIONS

        def settled() -> bool:
            completed = ProcessInstance.objects.filter(
                bpmn_process_id__in=["fault", "fault-application"], status="COMPLETED"
            ).count()
            unsent = Effect.objects.exclude(state=Effect.State.SENT).count()
            return completed >= total and unsent == 0

        deadline = time.monotonic() + 90
        while not settled() and time.monotonic() < deadline:
            time.sleep(0.5)
    finally:
        cluster.stop_all()
        sink.close()
        web_sink.close()
        connection.close()  # the subprocesses' rows are read afresh below
    took = time.monotonic() - began

    instances = ProcessInstance.objects.filter(bpmn_process_id__in=["fault", "fault-application"])
    per_business_key = Counter(
        instances.filter(bpmn_process_id="fault").values_list("business_key", flat=True)
    )
    completions = Counter(
        HistoryEvent.objects.filter(
            bpmn_process_id__in=["fault", "fault-application"],
            element_id="end",
            event_type="ELEMENT_COMPLETED",
        ).values_list("process_instance_key", flat=True)
    )
    submissions = list(Submission.objects.all())
    receipts: dict[str, Counter[str]] = {}
    for message in sink.received():
        case = str(message["Subject"]).rsplit(" ", 1)[-1]
        receipts.setdefault(case, Counter())[str(message["Message-ID"])] += 1
    copies = sum(sum(ids.values()) for ids in receipts.values())
    lost = [s.case_number for s in submissions if s.case_number not in receipts]
    duplicates = copies - len(receipts)
    report = {
        "instances": INSTANCES,
        "submissions": SUBMISSIONS,
        "requests tried": figures.requests,
        "5xx seen": figures.server_errors,
        "connections broken": figures.connection_errors,
        "kills": dict(figures.kills),
        "duplicate receipts (same Message-ID)": duplicates,
        "lost receipts": len(lost),
        "instances completed twice": sum(1 for n in completions.values() if n > 1),
        "seconds under load": round(loaded, 1),
        "seconds in all": round(took, 1),
    }
    print("\nfault test:", json.dumps(report, ensure_ascii=False))
    record_property("faults", json.dumps(report, ensure_ascii=False))

    # Every instance started once and completed once.
    assert len(per_business_key) == INSTANCES and set(per_business_key.values()) == {1}
    assert len(submissions) == SUBMISSIONS
    assert len({s.applicant_id for s in submissions}) == SUBMISSIONS
    assert instances.count() == INSTANCES + SUBMISSIONS
    assert instances.exclude(status="COMPLETED").count() == 0
    assert set(completions) == set(instances.values_list("key", flat=True))
    assert set(completions.values()) == {1}
    # Nothing stuck: no job, no effect left behind.
    assert not Job.objects.exclude(state=Job.State.COMPLETED).exists()
    assert not Effect.objects.exclude(state=Effect.State.SENT).exists()
    # Every receipt went out, each under one identity; copies only from the crash window.
    assert lost == []
    assert all(len(ids) == 1 for ids in receipts.values()), "a receipt under two identities"
    assert set(receipts) == {s.case_number for s in submissions}
    assert duplicates <= figures.kills["worker"]
    assert web_sink.received() == [], "a web process sent e-mail"
    assert figures.kills["worker"] > 0 and figures.kills["web"] > 0
