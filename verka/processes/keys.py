"""Engine keys: unique 64-bit integers handed out in blocks, so a command needs no round trip.

On PostgreSQL a block number comes from a sequence: `nextval` is not rolled back and holds no
lock, so one block per process serves many commands and workers never wait on each other.
On SQLite (writers are serialised anyway) the block comes from the KeyBlock row inside the
command's own transaction, and lives only as long as that command: if the command rolls back,
so does the block, and no key can ever be handed out twice. A command prepared before its
transaction takes its block in a short transaction of its own.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection

BLOCK_SIZE = 1000
SEQUENCE = "verka_key_blocks"


class _Block:
    def __init__(self, take_block: Callable[[], int]) -> None:
        self._take_block = take_block
        self._next = 0
        self._end = 0

    def __call__(self) -> int:
        if self._next >= self._end:
            block = self._take_block()
            self._next, self._end = block * BLOCK_SIZE, (block + 1) * BLOCK_SIZE
        key = self._next
        self._next += 1
        return key


def _postgres_block() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [SEQUENCE])
        return int(cursor.fetchone()[0])


def _sqlite_block() -> int:
    if not connection.in_atomic_block:
        # A command run ahead of its transaction (see Execution's `preparing`) takes its
        # block in a transaction of its own, in its writer's turn; the block is used or lost,
        # never handed out twice.
        from .rows import write_transaction

        with write_transaction():
            return _sqlite_block()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE processes_keyblock SET next_block = next_block + 1 WHERE name = 'engine'"
            " RETURNING next_block - 1"
        )
        row = cursor.fetchone()
        if row is None:
            cursor.execute("INSERT INTO processes_keyblock (name, next_block) VALUES ('engine', 2)")
            return 1
        return int(row[0])


_shared_lock = threading.Lock()
_shared_block = _Block(_postgres_block)


def _shared_key() -> int:
    with _shared_lock:
        return _shared_block()


def keys_for_command() -> Callable[[], int]:
    """The key source for one command; call inside the command's transaction."""
    if connection.vendor == "postgresql":
        return _shared_key
    return _Block(_sqlite_block)
