"""One console per SQLite file: a second one is refused naming the holder (host, pid, since); a
lock left by a crash is reported stale and can be taken over; release removes it."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imdesk.errors import DatabaseLocked
from imdesk.storage.instance_lock import InstanceLock


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "imdesk.sqlite"


@pytest.fixture
def first(db_path: Path) -> Iterator[InstanceLock]:
    lock = InstanceLock(db_path)
    lock.acquire()
    yield lock
    lock.release()


def test_a_second_acquire_is_refused_naming_the_holder(first: InstanceLock,
                                                       db_path: Path) -> None:
    assert first.held and first.path.exists()
    second = InstanceLock(db_path)
    with pytest.raises(DatabaseLocked) as err:
        second.acquire()
    assert not err.value.stale and not second.held
    holder = err.value.holder
    assert holder["pid"] == os.getpid() and holder["host"] == socket.gethostname()
    since = datetime.fromisoformat(str(holder["since"]))
    assert abs((datetime.now(UTC) - since).total_seconds()) < 60
    message = str(err.value)
    assert str(os.getpid()) in message and socket.gethostname() in message
    assert str(holder["since"]) in message
    # take_over_stale does not take a live lock
    with pytest.raises(DatabaseLocked):
        second.acquire(take_over_stale=True)
    assert first.held


def test_release_removes_the_lock_and_frees_the_file(first: InstanceLock, db_path: Path) -> None:
    first.release()
    assert not first.held and not first.path.exists()
    again = InstanceLock(db_path)
    again.acquire()  # no stale report after a clean release
    assert again.held
    again.release()
    first.release()  # releasing twice is harmless
    assert not first.path.exists()


def test_a_leftover_note_is_stale_and_can_be_taken_over(db_path: Path) -> None:
    lock = InstanceLock(db_path)
    note = {"host": "desk-7", "pid": 4242, "user": "amy", "since": "2026-11-01T22:10:00+00:00"}
    lock.path.write_text(json.dumps(note), encoding="utf-8")
    with pytest.raises(DatabaseLocked) as err:
        lock.acquire()
    assert err.value.stale and err.value.holder == note
    assert "desk-7" in str(err.value) and "4242" in str(err.value)
    assert "2026-11-01T22:10:00" in str(err.value)
    assert "did not close cleanly" in str(err.value)
    assert not lock.held
    lock.acquire(take_over_stale=True)
    try:
        assert lock.held
        assert lock.holder()["pid"] == os.getpid()
    finally:
        lock.release()
    assert not lock.path.exists()


CHILD = """
import sys
from pathlib import Path
from imdesk.storage.instance_lock import InstanceLock
lock = InstanceLock(Path(sys.argv[1]))
lock.acquire()
print("locked", flush=True)
sys.stdin.read()  # hold until the parent closes stdin (or kills us)
lock.release()
print("released", flush=True)
"""


def _child(db_path: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(db_path)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    assert proc.stdout.readline() == "locked\n"
    return proc


def test_another_process_holding_the_lock_is_detected(db_path: Path) -> None:
    proc = _child(db_path)
    try:
        started = time.monotonic()
        with pytest.raises(DatabaseLocked) as err:
            InstanceLock(db_path).acquire()
        assert time.monotonic() - started < 1.0  # refused at once, no waiting
        assert not err.value.stale
        assert err.value.holder["pid"] == proc.pid
        assert f"pid {proc.pid}" in str(err.value)
        # a clean exit of the other console frees the file
        out, _ = proc.communicate("", timeout=30)
        assert out == "released\n" and proc.returncode == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    lock = InstanceLock(db_path)
    lock.acquire()
    lock.release()


def test_after_the_holder_is_killed_its_lock_is_stale(db_path: Path) -> None:
    proc = _child(db_path)
    proc.kill()  # SIGKILL: no release, the note stays
    proc.wait()
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.close()
    proc.stdout.close()
    lock = InstanceLock(db_path)
    with pytest.raises(DatabaseLocked) as err:
        lock.acquire()
    assert err.value.stale and err.value.holder["pid"] == proc.pid
    lock.acquire(take_over_stale=True)
    assert lock.holder()["pid"] == os.getpid()
    lock.release()
