"""The console's one signal for "another desk changed something": `changed(names)`, with the
incident refs and groups ("contacts", "outbox", …) that changed, or None for "anything may
have". PostgreSQL: the listener thread of services/desk/listener.py (its callback re-emitted
here, queued onto the GUI thread). SQLite: the file's `PRAGMA data_version`, read once a second
on a connection of its own (microseconds, no lock, no read of the file's pages)."""

from __future__ import annotations

import contextlib
import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.domain.desk import Change
    from imdesk.services.desk.listener import PgChangeListener

SQLITE_POLL_MS = 1000


class LiveFeed(QObject):
    changed = Signal(object)  # frozenset[str] | None
    _from_thread = Signal(object)  # list[Change], emitted by the listener thread

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.listener: PgChangeListener | None = None
        self._sqlite: sqlite3.Connection | None = None
        self._version: int | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(SQLITE_POLL_MS)
        self._timer.timeout.connect(self.poll_file)
        self._from_thread.connect(self._relay)
        self.received = 0  # changes passed on (for the status line and tests)

    def start(self, ctx: AppContext) -> None:
        """Listen on the database the context is open on (call once it is open)."""
        path = ctx.info.path
        if path is not None:
            self._watch_file(path)
            return
        from imdesk.services.desk.listener import PgChangeListener, conninfo_of

        db = ctx.db
        self.listener = PgChangeListener(conninfo_of(db.engine.url), self._from_listener,
                                         own=lambda counter: counter in db.own_counters,
                                         desk=ctx.desk.name)
        self.listener.start()

    def stop(self) -> None:
        self._timer.stop()
        if self.listener is not None:
            self.listener.stop(wait_s=1.0)
            self.listener = None
        if self._sqlite is not None:
            self._sqlite.close()
            self._sqlite = None

    # -- PostgreSQL ------------------------------------------------------------------------------
    def _from_listener(self, changes: list[Change]) -> None:
        with contextlib.suppress(RuntimeError):  # the console closed while the listener read
            self._from_thread.emit(changes)

    def _relay(self, changes: list[Change]) -> None:
        names: set[str] = set()
        for change in changes:
            names.update(change.what)
        self.received += len(changes)
        self.changed.emit(None if "*" in names else frozenset(names))

    # -- SQLite ------------------------------------------------------------------------------------
    def _watch_file(self, path: Path) -> None:
        try:
            self._sqlite = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
            self._version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            self._sqlite = None
            return
        self._timer.start()

    def poll_file(self) -> None:
        """Has another connection (the command line, a worker of this console) committed?"""
        if self._sqlite is None:
            return
        try:
            version = self._sqlite.execute("PRAGMA data_version").fetchone()[0]
        except sqlite3.Error:
            return
        if version != self._version:
            self._version = version
            self.received += 1
            self.changed.emit(None)
