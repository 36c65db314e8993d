"""Keeps the awareness board current: after a relevant change (an incident written here, or
the incident list's change marker moving: another desk, the command line), the board is
collected and written atomically by a worker — the GUI thread only starts the job and hears
back. A failure (a share gone, a full disk) is reported and never blocks anything; the next
change tries again.

Signals: written(str path), failed(str reason)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from imdesk.context import AppContext
from imdesk.qt.tasks import TaskRunner

DEBOUNCE_MS = 700
REFRESH_EVERY = 10  # counts-timer ticks (30 s each): five minutes


class BoardKeeper(QObject):
    written = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None,
                 delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(parent)
        self._ctx = ctx
        self._runner = runner
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.write_now)
        self._running = False
        self._again = False
        self._marker: Any = None
        self._checks = 0
        self.failing = False

    def schedule(self) -> None:
        """Something changed: write once things have been quiet for a moment."""
        self._timer.start()

    def check_marker(self) -> None:
        """Called on the console's counts timer: a change made elsewhere rewrites the board, and
        every REFRESH_EVERY checks it is rewritten anyway (maintenance windows starting, "as of")."""
        incidents = self._ctx.incidents
        self._checks += 1

        def seen(marker: Any) -> None:
            if marker != self._marker or self._checks % REFRESH_EVERY == 0:
                self._marker = marker
                self.schedule()

        self._runner.run(incidents.change_marker, seen, lambda _e: None)

    def write_now(self) -> None:
        self._timer.stop()
        if self._running:
            self._again = True
            return
        self._running = True
        ctx = self._ctx

        def work() -> str:
            from imdesk.services.board.writer import write_board

            return str(write_board(ctx).path)

        self._runner.run(work, self._done, self._error)

    def _done(self, path: str) -> None:
        self._running = False
        if self.failing:
            self.failing = False
            self.written.emit(path)  # back after a failure: say so once
        self._rerun()

    def _error(self, exc: BaseException) -> None:
        self._running = False
        self.failing = True
        self.failed.emit(str(exc))
        self._rerun()

    def _rerun(self) -> None:
        if self._again:
            self._again = False
            self.write_now()
