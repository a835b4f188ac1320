"""`verka bench` runs end to end with tiny sizes and reports every figure (no timing asserted)."""

from __future__ import annotations

import os

import pytest

from verka.benchmarks import QUICK, collect, print_table


def test_bench_runs_every_benchmark_with_tiny_sizes(capsys):
    sizes = dict(QUICK, workers=[1], one_task=5, user_tasks=5, http=3, limit=10, capacity=True)
    databases = ["sqlite"]
    if os.environ.get("CI"):
        databases.append("postgresql")
    report = collect(
        sizes,
        databases,
        os.environ.get(
            "VERKA_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/verka_bench"
        ),
    )
    assert report["engine"]["feel_conditions_per_s"] > 0
    assert report["engine"]["dmn_table_per_s"] > 0
    for result in report["databases"]:
        assert "error" not in result, result
        run = result["one_service_task"][0]
        assert run["instances"] == 5 and run["instances_per_s"] > 0
        assert run["latency_p99_ms"] >= run["latency_p50_ms"] > 0
        # Started by separate processes at a fixed rate; latency counts from when a start was due.
        assert run["offered_per_s"] == QUICK["one_task_rate"] and run["starter_processes"] == 2
        assert run["start_call_p99_ms"] >= run["start_call_p50_ms"] > 0
        # Flat out, the starters start what they owe in batches; or each start alone.
        batched = result["one_service_task_capacity"]
        assert batched["start_batch_at_most"] == QUICK["start_batch"]
        assert batched["instances"] == 5 and batched["start_calls"] == 2  # one per starter
        alone = result["one_service_task_capacity_alone"]
        assert alone["start_calls"] == 5 and alone["instances_per_s"] > 0
        assert result["parallel"]["instances_per_s"] > 0
        assert result["parallel_batched"]["batch"] == QUICK["start_batch"]
        assert result["parallel_batched"]["instances_per_s"] > 0
        # Several starter processes, each start in a transaction of its own.
        concurrent = result["parallel_concurrent"]
        assert concurrent["starter_processes"] == QUICK["starters"]
        assert concurrent["instances"] == QUICK["parallel"] and concurrent["instances_per_s"] > 0
        assert result["user_tasks"]["tasks_per_s"] > 0
        assert result["eservice_http"]["submissions"] == 3
        assert result["eservice_http"]["errors"] == 0
        assert result["database_limit"]["transactions_per_s"] > 0
    if report["spiffworkflow"]["available"]:
        assert report["spiffworkflow"]["one_task_saved"] > 0
        assert any("Spiff saved" in name for name in report["ratios"])
    print_table(report)
    out = capsys.readouterr().out
    assert "one service task, 1 worker(s)" in out
    assert "flat out, each start alone" in out
    assert "starts a transaction" in out
    assert "starter processes, each start alone" in out
    assert "database limit" in out
    # Every target is reported with the figure it was judged by, met or not.
    names = {target["target"] for target in report["targets"]}
    assert "FEEL simple conditions, evaluations/s" in names
    assert all(isinstance(target["met"], bool) for target in report["targets"])
    assert "target FEEL simple conditions" in out


def test_targets_are_judged_by_the_runs_figures():
    from verka.benchmarks import targets

    run = {"workers": 2, "offered_per_s": 300, "instances_per_s": 298.0, "latency_p99_ms": 40.0}
    report = {
        "engine": {"feel_conditions_per_s": 99_000},
        "spiffworkflow": {"available": True, "one_task_saved": 1000.0, "parallel_saved": 50.0},
        "databases": [
            {
                "database": "sqlite",
                "one_service_task": [run],
                "one_service_task_capacity": {"instances_per_s": 2600.0},
                "parallel": {"instances_per_s": 450.0},
                "parallel_batched": {"instances_per_s": 700.0},
                "parallel_concurrent": {"instances_per_s": 520.0, "starter_processes": 4},
            },
            {"database": "postgresql", "error": "unavailable"},
        ],
    }
    verdicts = {(t["database"], t["target"]): t["met"] for t in targets(report)}
    assert verdicts == {
        ("-", "FEEL simple conditions, evaluations/s"): False,
        ("sqlite", "1. 2 workers keep up with 300/s, p99 latency ms"): True,
        ("sqlite", "1. capacity, 2 workers / SpiffWorkflow saved per step"): True,
        ("sqlite", "2. parallel (one client, each start alone) / SpiffWorkflow saved per step"): (
            False
        ),
        (
            "sqlite",
            "2. parallel (concurrent clients, each start alone) / SpiffWorkflow saved per step",
        ): True,
        ("sqlite", "2. parallel (one client, batched) / SpiffWorkflow saved per step"): True,
    }
    # Falling behind the offered rate fails the latency target however low the p99.
    run["instances_per_s"] = 250.0
    late = targets(report)
    assert not next(t for t in late if t["target"].startswith("1. 2 workers"))["met"]


def test_bench_refuses_an_unknown_database():
    from verka.benchmarks import main

    with pytest.raises(SystemExit) as exit_:
        main(["--databases", "oracle"])
    assert exit_.value.code == 2
