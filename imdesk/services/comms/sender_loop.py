"""The sender's life as a service: recover once, then send what is due, sleep until the next
message is due (or until woken), probe a provider that was unreachable, report every run.

Used by `imdesk outbox serve`, the process the console starts so that sending never competes
with the window for the interpreter (or that runs headless on a server). With `may_run` (the
team's sender lease is held here) it stands by while another desk sends.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from imdesk.services.comms.sender import OutboxSender
from imdesk.services.comms.status import Connectivity, RunReport

IDLE_WAIT_S = 30.0
OFFLINE_PROBE_S = 15.0
STANDBY_WAIT_S = 5.0  # how often a sender standing by looks again (a lease change wakes it)
TEAM_CHECK_S = 1.0  # sending for a team: how often to ask whether another desk queued one


def report_json(report: RunReport) -> dict[str, Any]:
    return {"picked": report.picked, "sent": report.sent, "delivered": report.delivered,
            "retried": report.retried, "failed_over": report.failed_over,
            "failed": report.failed, "expired": report.expired,
            "waiting": {k: v.value for k, v in report.waiting.items()},
            "connectivity": report.connectivity.value,
            "next_due": report.next_due.isoformat() if report.next_due else None}


def report_from_json(raw: dict[str, Any]) -> RunReport:
    from imdesk.credentials.store import CredentialState

    return RunReport(
        picked=int(raw.get("picked", 0)), sent=int(raw.get("sent", 0)),
        delivered=int(raw.get("delivered", 0)), retried=int(raw.get("retried", 0)),
        failed_over=int(raw.get("failed_over", 0)), failed=int(raw.get("failed", 0)),
        expired=int(raw.get("expired", 0)),
        waiting={k: CredentialState(v) for k, v in dict(raw.get("waiting") or {}).items()},
        connectivity=Connectivity(str(raw.get("connectivity", "unknown"))),
        next_due=datetime.fromisoformat(raw["next_due"]) if raw.get("next_due") else None)


class SenderLoop:
    def __init__(self, sender: OutboxSender, now: Callable[[], datetime],
                 on_report: Callable[[RunReport], None],
                 on_error: Callable[[str], None],
                 may_run: Callable[[], bool] | None = None) -> None:
        self.sender = sender
        self._may_run = may_run
        self._now = now
        self._on_report = on_report
        self._on_error = on_error
        self._wake = threading.Event()
        self._stop = threading.Event()

    def wake(self) -> None:
        self._wake.set()

    def send_now(self) -> None:
        self.sender.release()
        self._wake.set()

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()

    def run(self) -> None:
        recovered = False
        while not self._stop.is_set():
            if self._may_run is not None and not self._may_run():
                self._wake.wait(STANDBY_WAIT_S)  # another desk sends: stand by
                self._wake.clear()
                continue
            if not recovered:
                recovered = True
                try:
                    self.sender.recover()
                except Exception as exc:  # the database may be unavailable: say so, keep trying
                    self._on_error(f"outbox: {exc}")
            wait = IDLE_WAIT_S
            try:
                if self.sender.connectivity in (Connectivity.OFFLINE,
                                                Connectivity.PROVIDER_UNREACHABLE):
                    self.sender.probe()
                result = self.sender.run_once()
                self._on_report(result)
                if result.picked:
                    continue  # more may be due (one per incident and person per run)
                wait = _seconds_until(result.next_due, self._now(), IDLE_WAIT_S)
                if result.connectivity in (Connectivity.OFFLINE, Connectivity.PROVIDER_UNREACHABLE):
                    wait = min(wait, OFFLINE_PROBE_S)
            except Exception as exc:
                self._on_error(f"outbox: {exc}")
            self._idle(max(0.05, wait))
        self.sender.close()  # no SMTP connection left open behind a stopped sender

    def _idle(self, wait: float) -> None:
        """Wait until woken or `wait` is over. Sending for a team, messages queued on other
        desks wake nobody here: one tiny query every TEAM_CHECK_S asks whether one is due."""
        if self._may_run is None or self.sender.is_single_desk:
            self._wake.wait(wait)
            self._wake.clear()
            return
        end = time.monotonic() + wait
        while not self._stop.is_set():
            left = end - time.monotonic()
            if left <= 0 or self._wake.wait(min(left, TEAM_CHECK_S)):
                break
            try:
                due = self.sender.next_due()
            except Exception:
                continue  # the database is away: the next run says so
            if due is not None and due <= self._now():
                break
        self._wake.clear()


def _seconds_until(when: datetime | None, now: datetime, cap: float) -> float:
    if when is None:
        return cap
    return max(0.0, min(cap, (when - now) / timedelta(seconds=1)))
