"""Micro benchmark of FEEL evaluation, as wired into `verka bench`."""

from __future__ import annotations

import time
from decimal import Decimal

from verka.engine.feel import evaluate

CONDITION = 'amount > 1000 and status = "open"'


def bench_conditions(n: int) -> float:
    """Evaluations per second of a cached gateway-style condition over a small context."""
    contexts = [
        {"amount": Decimal(500), "status": "open"},
        {"amount": Decimal(5000), "status": "open"},
        {"amount": Decimal(5000), "status": "closed"},
    ]
    matched = 0
    # The benchmark's subject is the evaluator, so the measured interval is taken from the
    # process clock here, outside the engine's deterministic code paths.
    started = time.perf_counter()
    for i in range(n):
        if evaluate(CONDITION, contexts[i % 3]) is True:
            matched += 1
    elapsed = time.perf_counter() - started
    if matched != (n + 1) // 3:
        raise AssertionError(f"benchmark condition gave wrong results: {matched} of {n}")
    return n / elapsed if elapsed > 0 else float("inf")
