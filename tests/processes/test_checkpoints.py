"""On SQLite the log is copied back into the database file by a thread of the committing
process, outside any writer's turn, instead of inside the commit that fills it (where every
other writer would wait for the copy)."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import pytest
from django.db import connection

from verka.processes import rows


def test_a_commit_asks_the_thread_for_a_checkpoint_after_its_turn(monkeypatch, transactional_db):
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL checkpoints in its own background processes")
    turns = rows._writer_turns(connection)
    assert turns is not None
    held_then: list[bool] = []
    monkeypatch.setattr(
        turns.checkpoints, "committed", lambda: held_then.append(turns.threads.locked())
    )
    with rows.write_transaction(), connection.cursor() as cursor:
        cursor.execute("UPDATE processes_keyblock SET next_block = next_block WHERE 1 = 0")
    assert held_then == [False]  # once, and after the turn was given back


def test_the_thread_copies_the_log_back_without_a_commit_doing_it(tmp_path: Path, monkeypatch):
    path = tmp_path / "log.sqlite3"
    writer = sqlite3.connect(path, isolation_level=None)
    writer.execute("PRAGMA journal_mode=WAL")
    writer.execute("PRAGMA wal_autocheckpoint=0")  # only the thread checkpoints here
    writer.execute("CREATE TABLE t (v text)")
    writer.execute("BEGIN")
    writer.executemany("INSERT INTO t VALUES (?)", [("x" * 500,)] * 2000)
    writer.execute("COMMIT")
    before = path.stat().st_size  # the new pages are still in the log only
    monkeypatch.setattr(rows._Checkpoints, "EVERY", 0.01)
    rows._Checkpoints(str(path)).committed()
    deadline = time.monotonic() + 10
    while path.stat().st_size <= before and time.monotonic() < deadline:
        time.sleep(0.02)
    assert path.stat().st_size > before + 500 * 1000
    assert writer.execute("SELECT count(*) FROM t").fetchone() == (2000,)
    writer.close()
