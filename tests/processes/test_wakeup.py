"""On SQLite an idle worker sleeps between polls; a command that creates jobs wakes it once it
has committed (a datagram to the worker's socket), and a nudge to a worker that is gone is
cleaned up instead of failing the command."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from verka.processes import services
from verka.worker import wakeup

from . import models as m

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sqlite_only():
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL wakes workers with LISTEN/NOTIFY (tests/api/test_jobs.py)")


def waited(waiter: wakeup.Wakeup, timeout: float, during) -> float:  # type: ignore[no-untyped-def]
    began = time.monotonic()
    thread = threading.Thread(target=waiter.wait, args=(timeout,))
    thread.start()
    time.sleep(0.2)
    during()
    thread.join()
    return time.monotonic() - began


def test_a_committed_job_wakes_an_idle_worker(django_capture_on_commit_callbacks):
    services.deploy([("one-task.bpmn", m.ONE_TASK)])
    waiter = wakeup.Wakeup(threading.Event())
    try:

        def start() -> None:
            with django_capture_on_commit_callbacks(execute=True):
                services.start_instance("one-task", {"amount": 5})

        assert waited(waiter, 30, start) < 10  # woken, not timed out
        # Nothing new: the next wait runs to its timeout.
        assert waited(waiter, 0.5, lambda: None) >= 0.5
    finally:
        waiter.close()
    assert waiter._socket_path is None


def test_a_command_without_jobs_wakes_nobody(django_capture_on_commit_callbacks):
    services.deploy([("review.bpmn", m.USER_TASK)])
    waiter = wakeup.Wakeup(threading.Event())
    try:

        def start() -> None:
            with django_capture_on_commit_callbacks(execute=True):
                services.start_instance("review")

        assert waited(waiter, 1.0, start) >= 1.0
    finally:
        waiter.close()


def dead_socket(name: str) -> Path:
    """The socket file a worker killed mid-wait leaves behind: bound, and nobody reads it."""
    folder = wakeup.nudge_folder()
    assert folder is not None
    folder.mkdir(mode=0o700, exist_ok=True)
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    sock.bind(str(folder / name))
    sock.close()
    return folder / name


def test_the_socket_of_a_worker_that_is_gone_is_removed():
    gone = dead_socket("gone")

    wakeup._nudge(gone.parent)

    assert not gone.exists()
    gone.parent.rmdir()


def test_a_starting_worker_sweeps_away_the_sockets_of_killed_ones():
    killed = dead_socket("killed")

    waiter = wakeup.Wakeup(threading.Event())
    try:
        assert not killed.exists()
        assert waiter._socket_path is not None and waiter._socket_path.exists()
    finally:
        waiter.close()
    assert not killed.parent.exists()  # the last worker out takes the folder with it
