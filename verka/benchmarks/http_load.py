"""Benchmark 5: e-service submissions over HTTP, from concurrent clients to `verka serve`."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx

from .models import HEADER

ROOT = Path(__file__).resolve().parents[2]
FORM = {
    "id": "bench-form",
    "type": "default",
    "schemaVersion": 16,
    "components": [
        {
            "id": "nameField",
            "key": "name",
            "type": "textfield",
            "label": "Namn",
            "validate": {"required": True, "maxLength": 100},
        },
        {
            "id": "amountField",
            "key": "amount",
            "type": "number",
            "label": "Belopp",
            "validate": {"min": 0},
        },
    ],
}
PROCESS = (
    HEADER
    + """<bpmn:process id="bench-eservice" isExecutable="true">
<bpmn:startEvent id="start"><bpmn:extensionElements><zeebe:formDefinition formId="bench-form"/>
</bpmn:extensionElements></bpmn:startEvent>
<bpmn:userTask id="handle"><bpmn:extensionElements><zeebe:userTask/>
<zeebe:assignmentDefinition candidateGroups="bench"/></bpmn:extensionElements></bpmn:userTask>
<bpmn:endEvent id="end"/>
<bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="handle"/>
<bpmn:sequenceFlow id="f2" sourceRef="handle" targetRef="end"/>
</bpmn:process></bpmn:definitions>
"""
)
TOKEN = re.compile(r'name="(csrfmiddlewaretoken|submit_token)" value="([^"]+)"')


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _prepare() -> None:
    from verka.eservices.models import EService
    from verka.processes import services

    services.deploy(
        [("bench-eservice.bpmn", PROCESS.encode()), ("bench.form", json.dumps(FORM).encode())]
    )
    EService.objects.update_or_create(
        slug="bench",
        defaults={
            "title_sv": "Benchmark",
            "summary_sv": "Benchmark",
            "handling_time_sv": "-",
            "bpmn_process_id": "bench-eservice",
            "start_form_id": "bench-form",
            "case_prefix": "BEN",
            "published": True,
            "allow_anonymous": True,
        },
    )


def _tokens(html: str) -> dict[str, str]:
    return dict(TOKEN.findall(html))


def _submit_once(client: httpx.Client, n: int) -> float:
    page = client.get("/e-tjanster/bench/ansok/")
    page.raise_for_status()
    tokens = _tokens(page.text)
    step = client.post(
        "/e-tjanster/bench/ansok/",
        data={
            "csrfmiddlewaretoken": tokens["csrfmiddlewaretoken"],
            "step": "0",
            "answers": json.dumps({"name": f"Sökande {n}", "amount": n}),
            "action": "next",
        },
    )
    if step.status_code != 302:
        raise RuntimeError(f"step answered {step.status_code}")
    review = client.get("/e-tjanster/bench/ansok/granska/")
    tokens = _tokens(review.text)
    began = time.perf_counter()
    done = client.post(
        "/e-tjanster/bench/ansok/granska/",
        data={
            "csrfmiddlewaretoken": tokens["csrfmiddlewaretoken"],
            "submit_token": tokens["submit_token"],
        },
    )
    latency = (time.perf_counter() - began) * 1000
    if done.status_code != 302:
        raise RuntimeError(f"submit answered {done.status_code}")
    return latency


def run_http_load(clients: int, submissions: int) -> dict[str, Any]:
    from .dbsuite import percentile

    _prepare()
    port = _free_port()
    env = dict(os.environ, VERKA_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    server = subprocess.Popen(
        [sys.executable, "-m", "verka.cli", "serve", "--port", str(port), "--threads", "8"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("verka serve did not come up")
            time.sleep(0.2)
        latencies: list[float] = []
        errors: list[str] = []
        counter = iter(range(submissions))
        lock = threading.Lock()

        def client_loop() -> None:
            # Each client is one citizen session: cookies (session, CSRF) are its own.
            with httpx.Client(base_url=base, timeout=30) as client:
                while True:
                    with lock:
                        n = next(counter, None)
                    if n is None:
                        return
                    try:
                        latency = _submit_once(client, n)
                    except Exception as error:  # counted, and the run goes on
                        with lock:
                            errors.append(str(error))
                        continue
                    with lock:
                        latencies.append(latency)

        threads = [threading.Thread(target=client_loop) for _ in range(clients)]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
    return {
        "clients": clients,
        "submissions": len(latencies),
        "errors": len(errors),
        "submissions_per_s": len(latencies) / elapsed,
        "requests_per_s": 4 * len(latencies) / elapsed,
        "submit_p50_ms": percentile(latencies, 0.5),
        "submit_p99_ms": percentile(latencies, 0.99),
    }
