"""The benchmarks that need a database, run in a process of their own per database:
`python -m verka.benchmarks.dbsuite` with DATABASE_URL set prints one JSON object."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def percentile(values: list[float], share: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def reset() -> None:
    """Empty the engine's tables between benchmarks so each one starts from the same state."""
    from verka.processes import models as m

    for model in (
        m.HistoryEvent,
        m.Variable,
        m.ElementInstance,
        m.Job,
        m.UserTaskCandidate,
        m.UserTask,
        m.Timer,
        m.MessageSubscription,
        m.Incident,
    ):
        model.objects.all().delete()
    m.ProcessInstance.objects.all().delete()


def deploy(name: str, xml: str) -> None:
    from verka.processes import services

    services.deploy([(name, xml.encode())])


# --- 1. one service task, completed by `verka worker` processes ------------------------------


def start_workers(count: int) -> list[subprocess.Popen[bytes]]:
    env = dict(
        os.environ,
        VERKA_WORKER_MODULES="verka.benchmarks.handlers",
        VERKA_LOG_LEVEL="WARNING",
        PYTHONPATH=str(ROOT),
    )
    return [
        subprocess.Popen(
            [sys.executable, "-m", "verka.cli", "worker", "--name", f"bench-{n}"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for n in range(count)
    ]


def wait_for_workers(count: int, timeout: float = 60) -> None:
    from verka.worker.models import WorkerHeartbeat

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = WorkerHeartbeat.objects.filter(
            name__startswith="bench-", stopped_at__isnull=True
        ).count()
        if alive >= count:
            return
        time.sleep(0.1)
    raise RuntimeError(f"{count} workers did not start within {timeout}s")


def stop_workers(workers: list[subprocess.Popen[bytes]]) -> None:
    for worker in workers:
        worker.terminate()
    for worker in workers:
        try:
            worker.wait(timeout=30)
        except subprocess.TimeoutExpired:
            worker.kill()


def start_starters(
    count: int, instances: int, rate: float, batch: int, process_id: str = "bench-one-task"
) -> list[subprocess.Popen[str]]:
    """Processes that start the instances (see starter.py); each takes an equal share."""
    env = dict(os.environ, VERKA_LOG_LEVEL="WARNING", PYTHONPATH=str(ROOT))
    shares = [instances // count + (1 if n < instances % count else 0) for n in range(count)]
    starters = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "verka.benchmarks.starter",
                process_id,
                str(share),
                str(rate / count if rate else 0),
                str(batch),
            ],
            cwd=ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        for share in shares
        if share
    ]
    for starter in starters:
        assert starter.stdout is not None
        if starter.stdout.readline().strip() != "ready":
            raise RuntimeError("a starter process did not start")
    return starters


def one_service_task(
    workers: int, instances: int, rate: float, starters: int = 4, batch: int = 100
) -> dict[str, Any]:
    """Instances started by `starters` processes at `rate` instances/s in total (0: as fast as
    they can), completed by `workers` `verka worker` processes. A starter that has fallen
    behind starts up to `batch` due instances in one call (1: every start alone). Latency runs
    from the moment a start was due to the instance's end; throughput from the first due start
    to the last end."""
    from verka.processes.models import ProcessInstance
    from verka.worker.models import WorkerHeartbeat

    reset()
    WorkerHeartbeat.objects.all().delete()
    cpu_before = _children_cpu()
    procs = start_workers(workers)
    try:
        wait_for_workers(workers)
        feeders = start_starters(starters, instances, rate, batch)
        begin = time.time() + 0.2
        for feeder in feeders:
            assert feeder.stdin is not None
            feeder.stdin.write(f"{begin!r}\n")
            feeder.stdin.flush()
        due: dict[int, float] = {}
        call_ms: list[float] = []
        starter_cpu = 0.0
        for feeder in feeders:
            out, _ = feeder.communicate(timeout=max(120.0, instances / 5))
            if feeder.returncode != 0:
                raise RuntimeError("a starter process failed")
            found = json.loads(out)
            due.update(zip(found["keys"], found["due"], strict=True))
            call_ms.extend(found["call_ms"])
            starter_cpu += found["cpu_s"]
        deadline = time.monotonic() + max(60.0, instances / 5)
        while ProcessInstance.objects.filter(status="ACTIVE").exists():
            if time.monotonic() > deadline:
                raise RuntimeError("instances did not complete in time")
            time.sleep(0.02)
    finally:
        stop_workers(procs)
    cpu = _children_cpu() - cpu_before
    ended = dict(ProcessInstance.objects.filter(key__in=list(due)).values_list("key", "ended_at"))
    latencies = [(ended[key].timestamp() - at) * 1000 for key, at in due.items()]
    last = max(moment.timestamp() for moment in ended.values())
    return {
        "workers": workers,
        "instances": instances,
        "offered_per_s": rate or None,
        "starter_processes": len(feeders),
        "start_batch_at_most": batch,
        "start_calls": len(call_ms),
        "instances_per_s": instances / (last - begin),
        "latency_p50_ms": percentile(latencies, 0.50),
        "latency_p99_ms": percentile(latencies, 0.99),
        "start_call_p50_ms": percentile(call_ms, 0.50),
        "start_call_p99_ms": percentile(call_ms, 0.99),
        # CPU the starter and worker processes used (start-up included; not the database's).
        "client_cpu_ms_per_instance": cpu * 1000 / instances,
        # CPU the starters used for their start calls alone (no start-up).
        "start_cpu_ms_per_instance": starter_cpu * 1000 / instances,
    }


def _children_cpu() -> float:
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


# --- 2. ten-branch parallel split and join -------------------------------------------------


def parallel(instances: int, batch: int = 1) -> dict[str, Any]:
    """Instances started one after another, each in its own transaction (`batch` 1) or
    `batch` at a time in one (`services.start_instances`); each runs to its end at once."""
    from verka.processes import services

    reset()
    began = time.perf_counter()
    if batch == 1:
        for _ in range(instances):
            services.start_instance("bench-parallel")
    else:
        for first in range(0, instances, batch):
            size = min(batch, instances - first)
            services.start_instances("bench-parallel", [services.NewInstance()] * size)
    elapsed = time.perf_counter() - began
    return {"instances": instances, "batch": batch, "instances_per_s": instances / elapsed}


def parallel_concurrent(instances: int, starters: int) -> dict[str, Any]:
    """Instances started by `starters` processes at once, as fast as they can, each start in a
    transaction of its own: what several web processes or API clients starting one instance
    each get out of the machine (the same starters as benchmark 1's capacity runs)."""
    from verka.processes.models import ProcessInstance

    reset()
    feeders = start_starters(starters, instances, 0, 1, process_id="bench-parallel")
    begin = time.time() + 0.2
    for feeder in feeders:
        assert feeder.stdin is not None
        feeder.stdin.write(f"{begin!r}\n")
        feeder.stdin.flush()
    keys: list[int] = []
    for feeder in feeders:
        out, _ = feeder.communicate(timeout=max(120.0, instances / 5))
        if feeder.returncode != 0:
            raise RuntimeError("a starter process failed")
        keys.extend(json.loads(out)["keys"])
    ended = ProcessInstance.objects.filter(key__in=keys, status="COMPLETED").values_list(
        "ended_at", flat=True
    )
    if len(ended) != instances:
        raise RuntimeError("not every parallel instance completed")
    last = max(moment.timestamp() for moment in ended)
    return {
        "instances": instances,
        "starter_processes": len(feeders),
        "instances_per_s": instances / (last - begin),
    }


# --- 3. user tasks completed through the service layer -------------------------------------


def user_tasks(instances: int) -> dict[str, Any]:
    from verka.processes import services
    from verka.processes.models import UserTask

    reset()
    began = time.perf_counter()
    for _ in range(instances):
        services.start_instance("bench-user-task")
    created = time.perf_counter()
    keys = list(UserTask.objects.filter(state="CREATED").values_list("key", flat=True))
    for key in keys:
        services.complete_user_task(key, {"approved": True}, user="bench")
    done = time.perf_counter()
    return {
        "instances": instances,
        "starts_per_s": instances / (created - began),
        "tasks_per_s": len(keys) / (done - created),
    }


# --- 5. e-service submissions over HTTP ------------------------------------------------------


def eservice_http(clients: int, submissions: int) -> dict[str, Any]:
    from .http_load import run_http_load

    reset()
    return run_http_load(clients, submissions)


# --- the database's own limit --------------------------------------------------------------


def database_limit(transactions: int) -> dict[str, Any]:
    """Single-row INSERT + COMMIT transactions per second on one connection: the ceiling for a
    design that commits once per step."""
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS verka_bench_limit")
        cursor.execute("CREATE TABLE verka_bench_limit (id integer PRIMARY KEY, payload text)")
    began = time.perf_counter()
    for n in range(transactions):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                "INSERT INTO verka_bench_limit (id, payload) VALUES (%s, %s)", [n, "x" * 64]
            )
    elapsed = time.perf_counter() - began
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE verka_bench_limit")
    return {"transactions": transactions, "transactions_per_s": transactions / elapsed}


# --- 6. large history: inbox and indicators ------------------------------------------------


def large_history(events: int, tasks: int) -> dict[str, Any]:
    result: dict[str, Any] = {}
    try:
        from verka.workspace.bench import bench_inbox
    except ImportError:
        result["inbox"] = "not available"
    else:
        result["inbox"] = bench_inbox(tasks)
    try:
        from verka.goals.bench import bench_indicator
    except ImportError:
        result["indicator"] = "not available"
    else:
        result["indicator"] = bench_indicator(events)
    return result


def main() -> None:
    sizes = json.loads(os.environ.get("VERKA_BENCH_SIZES", "{}"))
    setup()
    from django.db import connection

    from . import models

    deploy("bench-one-task.bpmn", models.ONE_TASK)
    deploy("bench-parallel.bpmn", models.PARALLEL)
    deploy("bench-user-task.bpmn", models.USER_TASK)
    report: dict[str, Any] = {"database": connection.vendor}
    count = sizes.get("one_task", 2000)
    starters = sizes.get("starters", 4)
    batch = sizes.get("start_batch", 100)
    report["one_service_task"] = [
        one_service_task(workers, count, sizes.get("one_task_rate", 300), starters, batch)
        for workers in sizes.get("workers", [1, 2, 4])
    ]
    if sizes.get("capacity"):
        # 2 workers again, the starters going as fast as they can: the most it completes,
        # with the starts batched as a client with a queue would, and with every start alone.
        flat_out = sizes.get("capacity_instances", count)
        report["one_service_task_capacity"] = one_service_task(2, flat_out, 0, starters, batch)
        report["one_service_task_capacity_alone"] = one_service_task(2, flat_out, 0, starters, 1)
    report["parallel"] = parallel(sizes.get("parallel", 1000))
    report["parallel_batched"] = parallel(sizes.get("parallel", 1000), batch)
    report["parallel_concurrent"] = parallel_concurrent(sizes.get("parallel", 1000), starters)
    report["user_tasks"] = user_tasks(sizes.get("user_tasks", 10000))
    report["eservice_http"] = eservice_http(sizes.get("http_clients", 8), sizes.get("http", 400))
    report["database_limit"] = database_limit(sizes.get("limit", 2000))
    if sizes.get("history_events", 0):
        report["large_history"] = large_history(
            sizes["history_events"], sizes.get("inbox_tasks", 100000)
        )
    reset()
    json.dump(report, sys.stdout)


if __name__ == "__main__":
    main()
