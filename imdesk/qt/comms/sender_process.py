"""The outbox sender in a process of its own (`imdesk outbox serve`), started by the console
after the first paint: sending, retrying and waiting on slow servers never take the
interpreter from the window. Commands go down its stdin, one per line; each run's report
comes back as a JSON line. Secrets kept for this session only are handed over the pipe.

Signals: report(RunReport), failed(str), lease(bool held here, LeaseInfo) — who holds the
team's sender lease, when that changes (never on a SQLite file).
"""

from __future__ import annotations

import json
import os
import sys

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, Signal

from imdesk.qt.widgets.child_process import read_json_lines, stop_child
from imdesk.services.comms.sender_loop import report_from_json


def serve_command() -> list[str]:
    """How to start `imdesk outbox serve` from this build (source or bundle)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "outbox", "serve"]
    return [sys.executable, "-m", "imdesk", "outbox", "serve"]


class SenderProcess(QObject):
    report = Signal(object)
    failed = Signal(str)
    lease = Signal(bool, object)

    def __init__(self, db_url: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._url = db_url
        self._proc: QProcess | None = None
        self._buffer = b""
        self._stopping = False

    def start(self) -> None:
        if self._proc is not None:
            return
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("IMDESK_DB", self._url)  # not on the command line: it may hold a password
        proc.setProcessEnvironment(env)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        proc.readyReadStandardOutput.connect(self._read)
        proc.readyReadStandardError.connect(self._stderr)
        proc.finished.connect(self._finished)
        command = serve_command()
        proc.start(command[0], command[1:])
        self._proc = proc

    def command(self, line: str) -> None:
        if self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning:
            self._proc.write((line + "\n").encode("utf-8"))

    def wake(self) -> None:
        self.command("wake")

    def send_now(self) -> None:
        self.command("send-now")

    def give_secret(self, provider: str, secret: str) -> None:
        """A secret kept for this session only (no keyring): the sender needs it too."""
        self.command("secret " + json.dumps([provider, secret]))

    def credentials_changed(self, provider: str) -> None:
        self.command("reset " + json.dumps(provider))

    def stop(self, msecs: int = 5000) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._stopping = True
        stop_child(proc, msecs, 1000)

    def _read(self) -> None:
        if self._proc is None:
            return
        messages, self._buffer = read_json_lines(self._proc, self._buffer)
        for raw in messages:
            if "error" in raw:
                self.failed.emit(str(raw["error"]))
            elif "lease" in raw:
                from imdesk.domain.lease import LeaseInfo

                self.lease.emit(bool(raw.get("held")), LeaseInfo.from_json(raw["lease"]))
            else:
                self.report.emit(report_from_json(raw))

    def _stderr(self) -> None:
        if self._proc is not None:
            data = bytes(self._proc.readAllStandardError().data()).decode("utf-8", "replace")
            if data.strip():
                os.write(2, data.encode("utf-8"))  # the sender's own diagnostics, as they are

    def _finished(self, code: int, _status: object) -> None:
        if not self._stopping:
            self.failed.emit(f"the outbox sender stopped (exit {code}); restart imdesk to resume")
