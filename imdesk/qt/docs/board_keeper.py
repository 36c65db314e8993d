"""Keeps the awareness board current: after a relevant change (an incident written here, or
the incident list's change marker moving: another desk, the command line), the board is
collected and written atomically by a worker — the GUI thread only starts the job and hears
back. A failure (a share gone, a full disk) is reported and never blocks anything; the next
change tries again.

Signals: written(str path), failed(str reason)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Signal

from imdesk.context import AppContext
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.debounced_job import DebouncedJob

DEBOUNCE_MS = 700
REFRESH_EVERY = 10  # counts-timer ticks (30 s each): five minutes


class BoardKeeper(DebouncedJob):
    written = Signal(str)
    failed = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, parent: QObject | None = None,
                 delay_ms: int = DEBOUNCE_MS) -> None:
        super().__init__(runner, delay_ms, parent)
        self._ctx = ctx
        self._marker: Any = None
        self._checks = 0
        self.failing = False

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

    def job(self, *, force: bool) -> Callable[[], str]:
        ctx = self._ctx

        def work() -> str:
            from imdesk.services.board.writer import write_board

            return str(write_board(ctx).path)

        return work

    def done(self, result: str) -> None:
        if self.failing:
            self.failing = False
            self.written.emit(result)  # back after a failure: say so once

    def error(self, exc: BaseException) -> None:
        self.failing = True
        self.failed.emit(str(exc))
