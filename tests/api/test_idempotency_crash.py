"""A real `verka serve` process SIGKILLed after an idempotent batch start did its work and before
its response was stored: the same key and body afterwards start the batch once, never twice; a
repeat while the first is still at work waits for it or is told it is in progress."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from django.db import connection
from django.db.models import F

from verka.api import services as api_services
from verka.api.models import IdempotencyKey, Scope
from verka.processes import services
from verka.processes.models import ProcessInstance

from ..processes.test_worker_processes import database_url
from . import bpmn
from .conftest import service_account

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)

# The finding's batch had 1,000 business keys; a few hundred show the same.
STARTS = 300


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """`verka serve` in a process of its own on the test database."""

    def __init__(self, tmp_path: Path, *, pause: bool) -> None:
        self.port = free_port()
        self.paused = tmp_path / "paused"
        self.release = tmp_path / "release"
        env = dict(
            os.environ,
            DATABASE_URL=database_url(),
            VERKA_LOG_LEVEL="WARNING",
            PYTHONPATH=str(ROOT),
        )
        if pause:
            env.update(VERKA_TEST_PAUSED_FILE=str(self.paused))
            env.update(VERKA_TEST_RELEASE_FILE=str(self.release))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.api.idempotency_server", "serve"]
            + ["--host", "127.0.0.1", "--port", str(self.port), "--threads", "4"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.url = f"http://127.0.0.1:{self.port}/api/v1"
        deadline = time.monotonic() + 60
        while True:
            assert self.process.poll() is None, "the server did not start"
            try:
                httpx.get(f"{self.url}/process-definitions", timeout=1)
                return
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail("the server did not answer within a minute")
                time.sleep(0.2)

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


def wait_for(path: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > deadline:
            pytest.fail(f"the request did not get to storing its response within {timeout}s")
        time.sleep(0.02)


@pytest.fixture
def token() -> str:
    # An integration's service account, granted the process it starts.
    user = service_account("intake", ("process", "*"))
    return api_services.create_token("intake", user, [Scope.PROCESSES_WRITE]).secret


BODY = {
    "bpmnProcessId": "one-task",
    "instances": [{"businessKey": f"case-{n}"} for n in range(STARTS)],
}


def post(server: Server, token: str, timeout: float = 60) -> httpx.Response:
    return httpx.post(
        f"{server.url}/process-instances/batch",
        json=BODY,
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "intake-2026-12-07"},
        timeout=timeout,
    )


def send_in_background(server: Server, token: str) -> tuple[threading.Thread, list[Any]]:
    outcome: list[Any] = []

    def send() -> None:
        try:
            outcome.append(post(server, token))
        except httpx.TransportError as error:
            outcome.append(error)

    thread = threading.Thread(target=send)
    thread.start()
    return thread, outcome


def test_a_web_process_killed_before_storing_the_response_never_starts_the_batch_twice(
    tmp_path, token
):
    services.deploy([("one.bpmn", bpmn.ONE_TASK)])
    doomed = Server(tmp_path, pause=True)
    try:
        thread, outcome = send_in_background(doomed, token)
        wait_for(doomed.paused)
        doomed.kill()
        thread.join(timeout=30)
    finally:
        doomed.kill()
    assert isinstance(outcome[0], httpx.TransportError), "the killed request was answered"

    survivor = Server(tmp_path, pause=False)
    try:
        retry = post(survivor, token)
        if retry.status_code == 409:
            # Told the first is still running, the client waits and comes back later.
            assert retry.json()["type"] == "urn:verka:problem:idempotency-in-progress"
            IdempotencyKey.objects.update(created_at=F("created_at") - timedelta(minutes=10))
            retry = post(survivor, token)
        assert retry.status_code == 201, retry.text
        started = ProcessInstance.objects.filter(bpmn_process_id="one-task")
        assert started.count() == STARTS, "the batch was started twice"
        assert sorted(started.values_list("business_key", flat=True)) == sorted(
            instance["businessKey"] for instance in BODY["instances"]
        )
        again = post(survivor, token)
        assert again.status_code == 201
        assert again.content == retry.content
        assert again.headers["Idempotent-Replayed"] == "true"
        assert started.count() == STARTS
    finally:
        survivor.stop()


def test_a_repeat_while_the_first_is_at_work_waits_for_it_or_is_told_it_is_in_progress(
    tmp_path, token
):
    services.deploy([("one.bpmn", bpmn.ONE_TASK)])
    server = Server(tmp_path, pause=True)
    try:
        first_thread, first = send_in_background(server, token)
        wait_for(server.paused)
        server.paused.unlink()
        sent = time.monotonic()
        repeat_thread, repeat = send_in_background(server, token)
        if connection.vendor == "postgresql":
            # It waits on the key's unique index for the first's commit, at most 5 seconds.
            repeat_thread.join(timeout=30)
            assert not repeat_thread.is_alive(), "the repeat waited past its limit"
            assert time.monotonic() - sent >= 4.5, "the repeat did not wait for the first"
            (answer,) = repeat
            assert answer.status_code == 409, answer.text
            assert answer.json()["type"] == "urn:verka:problem:idempotency-in-progress"
            assert answer.headers["Retry-After"] == "1"
            server.release.touch()
            first_thread.join(timeout=60)
        else:
            # SQLite: it waits for the writer's turn, which the first holds until its commit.
            repeat_thread.join(timeout=3)
            assert repeat_thread.is_alive()
            server.release.touch()
            first_thread.join(timeout=60)
            repeat_thread.join(timeout=60)
            (answer,) = repeat
            assert answer.status_code == 201
            assert answer.content == first[0].content
            assert answer.headers["Idempotent-Replayed"] == "true"
        assert first[0].status_code == 201, first[0].text
        assert ProcessInstance.objects.count() == STARTS
        later = post(server, token)
        assert later.status_code == 201
        assert later.content == first[0].content
        assert ProcessInstance.objects.count() == STARTS
    finally:
        server.release.touch()
        server.stop()
