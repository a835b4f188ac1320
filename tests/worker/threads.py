"""Workers as threads of the test process, each with its own database connection, polling
every work source like `verka worker` does until told to stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection

from verka.worker.runner import Worker


@contextmanager
def running_workers(count: int, pause: float = 0.02) -> Iterator[list[Worker]]:
    stop = threading.Event()
    workers = [Worker(name=f"test-worker-{n}") for n in range(count)]
    errors: list[BaseException] = []

    def loop(worker: Worker) -> None:
        try:
            while not stop.is_set():
                worker.run_once()
                time.sleep(pause)
        except BaseException as error:  # surfaced in the test thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=loop, args=(w,), daemon=True) for w in workers]
    for thread in threads:
        thread.start()
    try:
        yield workers
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
    if errors:
        raise errors[0]


def wait_until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()
