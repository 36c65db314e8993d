"""One way to do background work: run a function on the thread pool, deliver on the GUI thread.

The pool is handed a plain function, not a QRunnable subclass: a Python QRunnable that the pool
deletes can leave its wrapper alive, and with it the work's closure and its relay — a console
that runs tasks all day (every refresh is one) grew by them steadily (bench/bench_soak.py).
Nor is the finishing function decorated with @Slot: PySide keeps a little of every function it
is applied to, and one is made per task."""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QThreadPool, Signal

log = logging.getLogger(__name__)

Done = Callable[[Any], None]
Failed = Callable[[BaseException], None]


class _Relay(QObject):
    """Lives on the GUI thread; signals from the worker are queued to it."""

    finished = Signal(object, object)  # result, error


def _work(fn: Callable[[], Any], relay: _Relay) -> Callable[[], None]:
    def deliver(result: Any, error: BaseException | None) -> None:
        try:
            relay.finished.emit(result, error)
        except RuntimeError:  # the console closed while this ran: nobody waits for it now
            log.debug("a background task ended after its console closed")

    def run() -> None:
        try:
            result = fn()
        except BaseException as exc:  # delivered to the caller, never lost
            deliver(None, exc)
        else:
            deliver(result, None)

    return run


class TaskRunner(QObject):
    """Runs functions off the GUI thread. Workers never touch widgets.

    Signals: busy_changed(int) — number of tasks in flight.
    """

    busy_changed = Signal(int)
    immediate = False  # True: work runs at once on the calling thread (nothing to order after a paint)

    def __init__(self, parent: QObject | None = None, pool: QThreadPool | None = None) -> None:
        super().__init__(parent)
        self._pool = pool or QThreadPool.globalInstance()
        self._relays: set[_Relay] = set()

    def run(self, fn: Callable[[], Any], on_done: Done | None = None,
            on_error: Failed | None = None) -> None:
        relay = _Relay()
        self._relays.add(relay)

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
        self._pool.start(_work(fn, relay))

    @property
    def pending(self) -> int:
        return len(self._relays)

    def wait_idle(self, msecs: int = 10000) -> bool:
        return self._pool.waitForDone(msecs)


class SyncTaskRunner(TaskRunner):
    """Runs the function at once on the calling thread (pane tests)."""

    immediate = True

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
