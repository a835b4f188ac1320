"""Real `verka worker` processes against the real database: a worker killed with SIGKILL in the
middle of a job loses nothing and does nothing twice; four workers share 10,000 instances on
PostgreSQL without completing any job twice."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from django.db import connection

from verka.processes import services
from verka.processes.models import HistoryEvent, Job, ProcessInstance

from . import models as m

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(settings['NAME']).resolve()}"
    user = settings.get("USER") or "postgres"
    password = f":{settings['PASSWORD']}" if settings.get("PASSWORD") else ""
    host = settings.get("HOST") or "127.0.0.1"
    port = settings.get("PORT") or 5432
    return f"postgres://{user}{password}@{host}:{port}/{settings['NAME']}"


def start_worker(name: str, log: Path, **env: str) -> subprocess.Popen[bytes]:
    environment = dict(
        os.environ,
        DATABASE_URL=database_url(),
        VERKA_WORKER_MODULES="tests.processes.handlers",
        VERKA_TEST_JOB_LOG=str(log),
        VERKA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
        **env,
    )
    return subprocess.Popen(
        [sys.executable, "-m", "verka.cli", "worker", "--name", name],
        cwd=ROOT,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def wait_for(condition, timeout: float, what: str) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    pytest.fail(f"timed out after {timeout}s waiting for {what}")


def stop(worker: subprocess.Popen[bytes]) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def log_lines(log: Path) -> list[str]:
    return log.read_text().splitlines() if log.exists() else []


def test_sigkill_in_the_middle_of_a_job_loses_nothing_and_does_nothing_twice(tmp_path):
    services.deploy([("crash.bpmn", m.single_task("crash", "crash-test"))])
    keys = [services.start_instance("crash", {"n": n}).key for n in range(5)]
    log = tmp_path / "jobs.log"
    hang = tmp_path / "hang"
    hang.touch()

    first = start_worker(
        "doomed", log, VERKA_TEST_HANG_FILE=str(hang), VERKA_TEST_LEASE_SECONDS="2"
    )
    try:
        wait_for(lambda: any(line.startswith("start") for line in log_lines(log)), 60, "a job")
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
    finally:
        if first.poll() is None:
            first.kill()
    killed_job = int(log_lines(log)[0].split()[1])
    assert Job.objects.get(key=killed_job).state == Job.State.ACTIVATED  # leased, not lost
    assert all(ProcessInstance.objects.get(key=k).status == "ACTIVE" for k in keys)

    hang.unlink()
    second = start_worker("survivor", log, VERKA_TEST_LEASE_SECONDS="2")
    try:
        wait_for(
            lambda: ProcessInstance.objects.filter(key__in=keys, status="COMPLETED").count() == 5,
            90,
            "all five instances to complete after the restart",
        )
    finally:
        stop(second)

    done = Counter(line.split()[1] for line in log_lines(log) if line.startswith("done"))
    assert sorted(int(k) for k in done) == sorted(Job.objects.values_list("key", flat=True))
    assert set(done.values()) == {1}, f"a job was done twice: {done}"
    assert Job.objects.filter(state=Job.State.COMPLETED).count() == 5
    completions = Counter(
        HistoryEvent.objects.filter(element_id="work", event_type="ELEMENT_COMPLETED").values_list(
            "process_instance_key", flat=True
        )
    )
    assert completions == Counter(dict.fromkeys(keys, 1))


INSTANCES = int(os.environ.get("VERKA_TEST_MANY_INSTANCES", "10000"))


def test_four_workers_on_postgresql_share_instances_without_a_duplicate(tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SKIP LOCKED concurrency is a PostgreSQL feature; this runs in the PostgreSQL pass"
        )
    process = m.bpmn(
        '<bpmn:startEvent id="start"/>'
        + m.service_task("work", "many-workers")
        + '<bpmn:endEvent id="end"/>'
        + m.flow("f1", "start", "work")
        + m.flow("f2", "work", "end"),
        process_id="many",
    )
    services.deploy([("many.bpmn", process)])
    for n in range(INSTANCES):
        services.start_instance("many", {"n": n})
    log = tmp_path / "jobs.log"
    workers = [start_worker(f"w{i}", log) for i in range(4)]
    try:
        wait_for(
            lambda: (
                not ProcessInstance.objects.filter(status="ACTIVE").exists()
                or any(w.poll() is not None for w in workers)
            ),
            600,
            f"{INSTANCES} instances to complete",
        )
        assert all(w.poll() is None for w in workers), "a worker died"
    finally:
        for worker in workers:
            stop(worker)

    assert ProcessInstance.objects.filter(status="COMPLETED").count() == INSTANCES
    done = Counter(line.split()[1] for line in log_lines(log))
    assert len(done) == INSTANCES
    assert max(done.values()) == 1, "a job was executed twice"
    completions = HistoryEvent.objects.filter(element_id="work", event_type="ELEMENT_COMPLETED")
    assert completions.count() == INSTANCES
    assert Job.objects.filter(state=Job.State.COMPLETED).count() == INSTANCES
    pids = Counter(line.split()[2] for line in log_lines(log))
    assert len(pids) == 4, f"work was not shared by all four workers: {pids}"
