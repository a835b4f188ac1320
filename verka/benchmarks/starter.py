"""One of the processes that start benchmark 1's instances at a fixed rate (open loop).

`python -m verka.benchmarks.starter PROCESS_ID COUNT RATE` sets Django up, prints "ready",
waits for a line on stdin holding the wall-clock time to begin at, then starts COUNT instances
through the service layer, the n-th one due at begin + n / RATE. A start that falls behind its
schedule goes at once, and its latency still counts from when it was due, so a system that
cannot keep up shows it in the latency instead of quietly being offered less work.
It prints one JSON object: the instances' keys with the times they were due, and how long the
start calls took.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    process_id, count, rate = argv[0], int(argv[1]), float(argv[2])
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
    import django

    django.setup()
    from verka.processes import repository, services

    # Warm up as a running service is: connected, the model parsed, the code paths loaded.
    # Otherwise each starter's first few instances carry a quarter second of start-up.
    repository.process_model(repository.latest_process(process_id))
    print("ready", flush=True)
    begin = float(sys.stdin.readline())
    cpu_before = time.process_time()
    due_times: list[float] = []
    keys: list[int] = []
    call_ms: list[float] = []
    for n in range(count):
        due = begin + n / rate if rate > 0 else time.time()
        wait = due - time.time()
        if wait > 0:
            time.sleep(wait)
        called = time.perf_counter()
        instance = services.start_instance(process_id, {"amount": 150 + n % 2})
        call_ms.append((time.perf_counter() - called) * 1000)
        keys.append(instance.key)
        due_times.append(due)
    cpu_s = time.process_time() - cpu_before
    json.dump({"keys": keys, "due": due_times, "call_ms": call_ms, "cpu_s": cpu_s}, sys.stdout)


if __name__ == "__main__":
    main(sys.argv[1:])
