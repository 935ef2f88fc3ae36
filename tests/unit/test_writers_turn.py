"""Processes writing one store take turns on its lock file (`<store>-lock`), and a process
killed in the middle of its turn hands the turn on (the kernel drops its lock)."""

from __future__ import annotations

import fcntl
import multiprocessing
import os
import signal
from multiprocessing.synchronize import Event
from pathlib import Path

from mock_okta.db import Database


def _write_when_allowed(path: str, go: Event, wrote: Event) -> None:
    db = Database(path)
    assert go.wait(30)
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('child', 'wrote')")
    wrote.set()
    db.close()


def _turn_is_free(path: str) -> bool:
    """Whether another process could take the writers' turn now (a new open file: a lock of its
    own, as another process's would be)."""
    fd = os.open(path + "-lock", os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)  # closing the open file drops its lock
    return True


def test_a_second_process_writes_only_after_the_first_commits(tmp_path: Path) -> None:
    path = str(tmp_path / "turns.db")
    db = Database(path)
    # spawned, not forked: SQLite's per-process lock records must not be copied into the child
    context = multiprocessing.get_context("spawn")
    go, wrote = context.Event(), context.Event()
    child = context.Process(target=_write_when_allowed, args=(path, go, wrote))
    child.start()
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('parent', 'first')")
        assert not _turn_is_free(path)  # the lock file, not only SQLite's lock, is held
        go.set()
        assert not wrote.wait(1.0), "the child wrote while the parent held its turn"
    assert wrote.wait(30)
    child.join(30)
    assert _turn_is_free(path)
    assert child.exitcode == 0
    assert os.path.exists(path + "-lock")
    with db.read() as conn:
        rows = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('parent', 'child')"))
    assert rows == {"parent": "first", "child": "wrote"}
    db.close()


def _die_mid_write(path: str, inside: Event) -> None:
    db = Database(path)
    with db.write() as conn:
        conn.execute("INSERT INTO meta (key, value) VALUES ('dead', 'never committed')")
        inside.set()
        os.kill(os.getpid(), signal.SIGKILL)


def test_a_process_killed_in_its_turn_does_not_block_the_others(tmp_path: Path) -> None:
    path = str(tmp_path / "killed.db")
    Database(path).close()
    context = multiprocessing.get_context("spawn")
    inside = context.Event()
    child = context.Process(target=_die_mid_write, args=(path, inside))
    child.start()
    assert inside.wait(30)
    child.join(30)
    assert child.exitcode == -signal.SIGKILL
    assert _turn_is_free(path)
    db = Database(path)
    with db.write() as conn:  # would wait forever if the dead process still held the turn
        conn.execute("INSERT INTO meta (key, value) VALUES ('after', 'written')")
    with db.read() as conn:
        keys = {k for (k,) in conn.execute("SELECT key FROM meta WHERE key IN ('dead', 'after')")}
    assert keys == {"after"}  # the dead process's transaction rolled back
    db.close()
