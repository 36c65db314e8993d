"""One console per SQLite file: an OS file lock plus a note of who holds it (host, pid, since)."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from imdesk.errors import DatabaseLocked


def _try_lock(handle: IO[str]) -> bool:
    if sys.platform == "win32":
        import msvcrt

        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


def _host() -> str:
    """The host name without importing socket (its enums cost milliseconds at every start)."""
    if hasattr(os, "uname"):
        return os.uname().nodename
    import socket

    return socket.gethostname()


def _user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "?"


def _same_file(handle: IO[str], path: Path) -> bool:
    try:
        return os.fstat(handle.fileno()).st_ino == os.stat(path).st_ino
    except FileNotFoundError:
        return False


class InstanceLock:
    """Held for the life of a console. A leftover note without a live lock means a crash."""

    def __init__(self, db_path: Path) -> None:
        self.path = db_path.with_name(db_path.name + ".lock")
        self._handle: IO[str] | None = None

    def holder(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def describe(holder: dict[str, Any]) -> str:
        if not holder:
            return "another imdesk"
        return (f"imdesk on {holder.get('host', '?')} (pid {holder.get('pid', '?')}, "
                f"user {holder.get('user', '?')}) since {holder.get('since', '?')}")

    def acquire(self, *, take_over_stale: bool = False) -> None:
        """Take the lock, or raise DatabaseLocked naming the holder (stale=True after a crash)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        while True:
            handle = open(self.path, "a+", encoding="utf-8")  # noqa: SIM115 - held until release
            if not _try_lock(handle):
                handle.close()
                holder = self.holder()
                raise DatabaseLocked(
                    f"this database is already open in {self.describe(holder)}", holder=holder
                )
            if _same_file(handle, self.path):
                break
            handle.close()  # the holder removed the file as we locked it: lock the new one
        previous = self.holder()
        if previous and not take_over_stale:
            handle.close()
            raise DatabaseLocked(
                f"{self.describe(previous)} did not close cleanly (a crash or power loss?). "
                "Its lock is stale and can be taken over.",
                holder=previous,
                stale=True,
            )
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "host": _host(),
            "pid": os.getpid(),
            "user": _user(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }))
        handle.flush()
        os.fsync(handle.fileno())
        self._handle = handle

    def release(self) -> None:
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        self._handle.close()
        self._handle = None
        with contextlib.suppress(OSError):
            self.path.unlink()

    @property
    def held(self) -> bool:
        return self._handle is not None
