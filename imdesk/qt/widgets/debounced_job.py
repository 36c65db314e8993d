"""A file kept current in the background (the emergency pack, the awareness board): after a
change, wait for things to be quiet for a moment, then run one job on a worker; a change
arriving while it runs makes it run once more afterwards, never twice at the same time. The GUI
thread only starts the job and hears back."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QTimer

from imdesk.qt.tasks import TaskRunner


class DebouncedJob(QObject):
    """Subclasses give `job()` (a function for the worker) and take `done`/`error` back."""

    def __init__(self, runner: TaskRunner, delay_ms: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self.write_now)
        self._running = False
        self._again = False

    def schedule(self) -> None:
        """Something changed: run once things have been quiet for a moment."""
        self._timer.start()

    def job(self, *, force: bool) -> Callable[[], Any]:
        raise NotImplementedError

    def done(self, result: Any) -> None:
        raise NotImplementedError

    def error(self, exc: BaseException) -> None:
        raise NotImplementedError

    def write_now(self, *, force: bool = False) -> None:
        self._timer.stop()
        if self._running:
            self._again = True
            return
        self._running = True
        self._runner.run(self.job(force=force), self._finished, self._failed)

    def _finished(self, result: Any) -> None:
        self._running = False
        self.done(result)
        self._rerun()

    def _failed(self, exc: BaseException) -> None:
        self._running = False
        self.error(exc)
        self._rerun()

    def _rerun(self) -> None:
        if self._again:
            self._again = False
            self.write_now()

    @property
    def busy(self) -> bool:
        return self._running or self._timer.isActive()
