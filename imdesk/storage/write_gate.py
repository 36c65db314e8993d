"""The alert intake's write gate on a SQLite file: the inbox writer (in `alerts serve`) and the
inbox processor (a process of its own) take turns at SQLite's one write lock through an OS file
lock beside the database, so neither waits in SQLite's busy handler (which sleeps in steps of
up to 100 ms): a process blocked on the file lock runs the moment the other lets go.

Within a process a thread lock serialises the threads too (a file lock belongs to the open
file, which the threads share). On a server database, or where the lock file cannot be made,
the gate is the thread lock alone and the database's own locking does the rest."""

from __future__ import annotations

import os
import sys
import threading
from pathlib import Path
from types import TracebackType


def gate_path(db_path: Path) -> Path:
    """The lock file beside the database (a file of its own: the database's are SQLite's)."""
    return db_path.with_name(db_path.name + ".write-gate")


class WriteGate:
    """A lock for `with`: the thread lock, then (on a SQLite file) the file lock. The lock file
    is opened for each turn (two system calls): nothing stays open when the service goes."""

    def __init__(self, db_path: Path | None) -> None:
        self._threads = threading.Lock()
        self._path = gate_path(db_path) if db_path is not None else None
        self._fd = -1

    def __enter__(self) -> WriteGate:
        self._threads.acquire()
        try:
            if self._path is not None:
                try:
                    fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
                except OSError:  # a read-only folder: nothing here writes anyway
                    return self
                try:
                    _lock(fd)
                except BaseException:
                    os.close(fd)
                    raise
                self._fd = fd
        except BaseException:
            self._threads.release()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        fd, self._fd = self._fd, -1
        try:
            if fd >= 0:
                os.close(fd)  # closing lets go of the lock
        finally:
            self._threads.release()


def _lock(fd: int) -> None:
    if sys.platform == "win32":
        import msvcrt

        msvcrt.locking(fd, msvcrt.LK_LOCK, 1)  # retries for 10 s, then raises
        return
    import fcntl

    fcntl.flock(fd, fcntl.LOCK_EX)
