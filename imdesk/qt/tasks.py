"""One way to do background work: run a function on the thread pool, deliver on the GUI thread."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; signals from the worker are queued to it."""

    finished = Signal(object, object)  # result, error


class _Task(QRunnable):
    def __init__(self, fn: Callable[[], Any], relay: _Relay) -> None:
        super().__init__()
        self._fn = fn
        self._relay = relay

    def run(self) -> None:
        try:
            result = self._fn()
        except BaseException as exc:  # delivered to the caller, never lost
            self._relay.finished.emit(None, exc)
        else:
            self._relay.finished.emit(result, None)


class TaskRunner(QObject):
    """Runs functions off the GUI thread. Workers never touch widgets.

    Signals: busy_changed(int) — number of tasks in flight.
    """

    busy_changed = Signal(int)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None) -> None:
        relay = _Relay()
        self._relays.add(relay)

        @Slot(object, object)
        def finish(result: Any, error: BaseException | None) -> None:
            self._relays.discard(relay)
            relay.deleteLater()
            self.busy_changed.emit(len(self._relays))
            if error is not None:
                if on_error is not None:
                    on_error(error)
                else:
                    log.error("background task failed: %s",
                              "".join(traceback.format_exception(error)))
            elif on_done is not None:
                on_done(result)

        relay.finished.connect(finish)
        self.busy_changed.emit(len(self._relays))
        self._pool.start(_Task(fn, relay))

    @property
    def pending(self) -> int:
        return len(self._relays)

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)


class SyncTaskRunner(TaskRunner):
    """Runs the function at once on the calling thread (pane tests)."""

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None) -> None:
        try:
            result = fn()
        except Exception as exc:
            if on_error is None:
                raise
            on_error(exc)
        else:
            if on_done is not None:
                on_done(result)
