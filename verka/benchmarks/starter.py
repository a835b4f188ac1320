"""One of the processes that start benchmark 1's instances at a fixed rate (open loop).

`python -m verka.benchmarks.starter PROCESS_ID COUNT RATE [BATCH]` sets Django up, prints
"ready", waits for a line on stdin holding the wall-clock time to begin at, then starts COUNT
instances through the service layer, the n-th one due at begin + n / RATE (RATE 0: as fast as
it can). A start that is on time goes alone (`services.start_instance`). A starter that has
fallen behind sends every start already due, up to BATCH, in one transaction
(`services.start_instances`), as a client with a queue of work would; their latency still
counts from when each was due, so a system that cannot keep up shows it in the latency instead
of quietly being offered less work. BATCH 1 starts every instance alone.
It prints one JSON object: the instances' keys with the times they were due, how long the start
calls took, how many calls there were, and the CPU they used.
"""

from __future__ import annotations

import json
import os
import sys
import time


def main(argv: list[str]) -> None:
    process_id, count, rate = argv[0], int(argv[1]), float(argv[2])
    most = int(argv[3]) if len(argv) > 3 else 100
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "verka.conf.settings")
    import django

    django.setup()
    from verka.processes import repository, services

    # Warm up as a running service is: connected, the model parsed, the code paths loaded.
    # Otherwise each starter's first few instances carry a quarter second of start-up.
    repository.process_model(repository.latest_process(process_id))
    from verka.cli import settle_memory

    settle_memory()
    print("ready", flush=True)
    begin = float(sys.stdin.readline())
    cpu_before = time.process_time()
    due_times: list[float] = []
    keys: list[int] = []
    call_ms: list[float] = []
    # Flat out too, nobody starts before the clock does: throughput counts from `begin`.
    if begin > time.time():
        time.sleep(begin - time.time())
    n = 0
    while n < count:
        if rate > 0:
            wait = begin + n / rate - time.time()
            if wait > 0:
                time.sleep(wait)
            # Every start due by now, the n-th included.
            due_now = int((time.time() - begin) * rate) + 1 - n
        else:
            due_now = count - n
        batch = max(1, min(due_now, most, count - n))
        called_at = time.time()
        called = time.perf_counter()
        if batch == 1:
            started = [services.start_instance(process_id, {"amount": 150 + n % 2})]
        else:
            started = services.start_instances(
                process_id,
                [services.NewInstance({"amount": 150 + (n + i) % 2}) for i in range(batch)],
            )
        call_ms.append((time.perf_counter() - called) * 1000)
        for i, instance in enumerate(started):
            keys.append(instance.key)
            due_times.append(begin + (n + i) / rate if rate > 0 else called_at)
        n += batch
    cpu_s = time.process_time() - cpu_before
    json.dump(
        {"keys": keys, "due": due_times, "call_ms": call_ms, "cpu_s": cpu_s},
        sys.stdout,
    )


if __name__ == "__main__":
    main(sys.argv[1:])
