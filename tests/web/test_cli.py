"""The `verka` command: help everywhere, createuser, the demo data, and the worker loop."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from django.db import OperationalError

from verka import cli
from verka.accounts.models import User
from verka.demo import DEMO_LOGINS, load_demo
from verka.worker import runner
from verka.worker.models import WorkerHeartbeat

COMMANDS = ["demo", "serve", "worker", "migrate", "createuser"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_command_has_help(command, capsys):
    argv = ["--help"] if command is None else [command, "--help"]
    with pytest.raises(SystemExit) as exit_:
        cli.main(argv)
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    assert "usage: verka" in out
    if command is None:
        for name in COMMANDS + ["tck"]:
            assert name in out


def test_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_:
        cli.main(["frobnicate"])
    assert exit_.value.code == 2
    assert "invalid choice: 'frobnicate'" in capsys.readouterr().err


@pytest.mark.django_db
def test_createuser_makes_a_staff_member_in_groups(capsys):
    code = cli.main(["createuser", "kim", "--password", "s3cret-pw-for-kim", "--group", "bygglov"])
    assert code == 0
    user = User.objects.get(username="kim")
    assert user.kind == User.Kind.STAFF
    assert user.check_password("s3cret-pw-for-kim")
    assert list(user.groups.values_list("name", flat=True)) == ["bygglov"]


@pytest.mark.django_db
def test_createuser_refuses_a_duplicate_and_changes_nothing(capsys):
    assert cli.main(["createuser", "kim", "--password", "first-pw-of-kim"]) == 0
    assert cli.main(["createuser", "kim", "--password", "second-pw-of-kim"]) == 2
    assert "already exists" in capsys.readouterr().err
    assert User.objects.get(username="kim").check_password("first-pw-of-kim")


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("password", "reason"),
    [
        ("kort-lösen", "too short"),
        ("password1234", "too common"),
        ("kim-the-officer", "too similar"),
    ],
)
def test_createuser_refuses_a_weak_password_and_changes_nothing(capsys, password, reason):
    code = cli.main(
        ["createuser", "kim", "--password", password, "--email", "kim-the-officer@x.se"]
    )
    assert code == 2
    assert reason in capsys.readouterr().err
    assert not User.objects.filter(username="kim").exists()


@pytest.mark.django_db
def test_demo_data_loads_once_and_logins_work(client):
    load_demo()
    load_demo()
    assert User.objects.count() == len(DEMO_LOGINS)
    anna = next(login for login in DEMO_LOGINS if login.username == "anna")
    response = client.post(
        "/konto/logga-in/", {"username": anna.username, "password": anna.password}
    )
    assert response.status_code == 302
    assert client.get("/").context["user"].username == "anna"


@pytest.mark.django_db(transaction=True)  # the worker manages its own connections
def test_worker_polls_sources_records_heartbeats_and_stops(monkeypatch):
    polled = []

    def poll(worker_name: str) -> int:
        polled.append(worker_name)
        if len(polled) >= 3:
            worker.stop()
        return 1

    failing = runner.WorkSource("broken", lambda name: 1 // 0)
    monkeypatch.setattr(runner, "_SOURCES", {})
    runner.register(failing)
    runner.register(runner.WorkSource("test", poll))
    worker = runner.Worker(name="w1", clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))
    worker.run()  # returns once the test source has asked it to stop
    assert polled == ["w1", "w1", "w1"]
    beat = WorkerHeartbeat.objects.get(name="w1")
    assert beat.processed == 3
    assert beat.stopped_at is not None


@pytest.mark.django_db(transaction=True)  # the worker records heartbeats
def test_a_quiet_source_rests_while_another_keeps_the_worker_busy(monkeypatch):
    asked: dict[str, int] = {"busy": 0, "quiet": 0}

    def busy(worker_name: str) -> int:
        asked["busy"] += 1
        if asked["busy"] >= 20:
            worker.stop()
        return 1

    def quiet(worker_name: str) -> int:
        asked["quiet"] += 1
        return 0

    monkeypatch.setattr(runner, "_SOURCES", {})
    runner.register(runner.WorkSource("busy", busy))
    runner.register(runner.WorkSource("quiet", quiet))
    # A long rest: twenty busy passes take far less, so the quiet source is asked once.
    worker = runner.Worker(name="w2", idle_min=60.0)
    worker.run()
    assert asked == {"busy": 20, "quiet": 1}
    # Called on its own (as tests and tools do), a pass asks every source.
    worker.run_once()
    assert asked["quiet"] == 2


@pytest.mark.django_db(transaction=True)  # the worker records heartbeats
@pytest.mark.parametrize(("per_pass", "gathers"), [(1, True), (10, False)])
def test_after_a_thin_pass_the_worker_lets_work_gather(monkeypatch, per_pass, gathers):
    times: list[float] = []

    def poll(worker_name: str) -> int:
        times.append(time.monotonic())
        if len(times) >= 3:
            worker.stop()
        return per_pass

    monkeypatch.setattr(runner, "_SOURCES", {})
    runner.register(runner.WorkSource("jobs", poll))
    worker = runner.Worker(name="w3", gather=0.3, full_pass=10)
    worker.run()
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    # A full pass goes straight on; a thin one waits for more work to arrive first.
    assert all(gap >= 0.3 for gap in gaps) if gathers else all(gap < 0.3 for gap in gaps)


@pytest.mark.django_db(transaction=True)  # the worker records heartbeats
def test_a_heartbeat_the_database_refuses_does_not_stop_the_worker(monkeypatch, caplog):
    passes: list[str] = []
    write_beat = runner.Worker._write_beat
    beats: list[datetime] = []

    def busy_beat(self: runner.Worker, started: datetime, now: datetime) -> None:
        beats.append(now)
        if len(beats) == 2:  # the first beat after start: SQLite busy past its timeout
            raise OperationalError("database is locked")
        write_beat(self, started, now)

    def poll(worker_name: str) -> int:
        passes.append(worker_name)
        if len(passes) >= 4:
            worker.stop()
        return 10

    monkeypatch.setattr(runner.Worker, "_write_beat", busy_beat)
    monkeypatch.setattr(runner, "_SOURCES", {})
    runner.register(runner.WorkSource("jobs", poll))
    worker = runner.Worker(name="w4", heartbeat_every=0.0)
    worker.run()
    assert len(passes) == 4  # it went on working after the refused beat
    assert len(beats) >= 3  # and beat again
    assert "worker heartbeat not written" in caplog.text
    assert WorkerHeartbeat.objects.get(name="w4").stopped_at is not None
