"""`verka serve`, paused where a request's idempotency response is about to be stored, so that a
test can SIGKILL the web process at exactly that point (tests/api/test_idempotency_crash.py).

Run as `python -m tests.api.idempotency_server serve …`. With VERKA_TEST_PAUSED_FILE set, the
request writes that file when it gets to storing its response, then waits until
VERKA_TEST_RELEASE_FILE exists (or forever, until killed). Nothing in Verka is changed: the pause
is a receiver of the model's pre_save signal, which fires wherever the response is saved."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from django.db.models.signals import pre_save


def pause_where_the_response_is_stored(sender: Any, instance: Any, **kwargs: Any) -> None:
    if sender._meta.label != "api.IdempotencyKey" or instance.status is None:
        return
    Path(os.environ["VERKA_TEST_PAUSED_FILE"]).write_text(instance.key)
    release = Path(os.environ.get("VERKA_TEST_RELEASE_FILE", "/nonexistent/never"))
    while not release.exists():
        time.sleep(0.02)


if __name__ == "__main__":
    if os.environ.get("VERKA_TEST_PAUSED_FILE"):
        pre_save.connect(pause_where_the_response_is_stored, weak=False)
    from verka.cli import main

    sys.exit(main(sys.argv[1:]))
