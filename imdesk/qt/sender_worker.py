"""The outbox sender living off the GUI thread: a Python thread that recovers once, then sends
what is due, sleeps until the next message is due (or it is woken), and reports each run.

Signals (delivered on the GUI thread): report(RunReport), failed(str).
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QObject, Signal

from imdesk.services.sender import Connectivity, OutboxSender

log = logging.getLogger(__name__)

IDLE_WAIT_S = 30.0
OFFLINE_PROBE_S = 15.0


class SenderWorker(QObject):
    report = Signal(object)
    failed = Signal(str)

    def __init__(self, sender: OutboxSender, now: Any, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.sender = sender
        self._now = now
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="imdesk-outbox", daemon=True)
            self._thread.start()

    def wake(self) -> None:
        """Something new is queued, or the user asked to send now."""
        self._wake.set()

    def send_now(self) -> None:
        def release() -> None:
            self.sender.release()
            self._wake.set()

        threading.Thread(target=release, name="imdesk-send-now", daemon=True).start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        try:
            self.sender.recover()
        except Exception as exc:  # the database may be unavailable: say so, keep trying
            self.failed.emit(f"outbox: {exc}")
        while not self._stop.is_set():
            wait = IDLE_WAIT_S
            try:
                if self.sender.connectivity in (Connectivity.OFFLINE,
                                                Connectivity.PROVIDER_UNREACHABLE):
                    self.sender.probe()
                result = self.sender.run_once()
                self.report.emit(result)
                if result.picked:
                    continue  # more may be due (one per incident and person per run)
                wait = _seconds_until(result.next_due, self._now(), IDLE_WAIT_S)
                if result.connectivity != Connectivity.ONLINE and result.connectivity != \
                        Connectivity.UNKNOWN:
                    wait = min(wait, OFFLINE_PROBE_S)
            except Exception as exc:
                log.warning("outbox run failed: %s", exc)
                self.failed.emit(f"outbox: {exc}")
            self._wake.wait(max(0.05, wait))
            self._wake.clear()


def _seconds_until(when: datetime | None, now: datetime, cap: float) -> float:
    if when is None:
        return cap
    return max(0.0, min(cap, (when - now) / timedelta(seconds=1)))
