"""The console's alert listener in a process of its own (`imdesk alerts serve --report-json`):
request threads, commits and processing never take the interpreter lock from the window.
The console hands over the token on stdin (it owns the keyring or the session token) and
reads JSON lines back: where it listens, each processing round's outcome, or why it cannot
listen. Closing stdin (or `stop`) stops it; the console stops it when it closes.

Signals: listening(str url), outcome(Outcome), failed(str) — could not listen or stopped
unexpectedly, processing_failed(str), lease(bool held here, LeaseInfo) — who holds the team's
listener lease, when that changes (never on a SQLite file; while another desk holds it this
process stands by without listening).
"""

from __future__ import annotations

import os
import sys
from functools import partial

from PySide6.QtCore import QObject, QProcess, QProcessEnvironment, QTimer, Signal

from imdesk.qt.widgets.child_process import read_json_lines, stop_child


def _end(proc: QProcess, *_args: object) -> None:
    if proc.state() != QProcess.ProcessState.NotRunning:
        proc.write(b"stop\n")
        proc.closeWriteChannel()
        if not proc.waitForFinished(3000):
            proc.kill()
            proc.waitForFinished(1000)


def serve_command(host: str, port: int) -> list[str]:
    """How to start the listener process from this build (source or bundle)."""
    args = ["alerts", "serve", "--report-json", "--host", host, "--port", str(port)]
    if getattr(sys, "frozen", False):
        return [sys.executable, *args]
    return [sys.executable, "-m", "imdesk", *args]


class AlertProcess(QObject):
    listening = Signal(str)
    outcome = Signal(object)
    failed = Signal(str)
    processing_failed = Signal(str)
    lease = Signal(bool, object)
    stopped = Signal()  # the process has ended (however)

    def __init__(self, db_url: str, token: str, host: str, port: int,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._url = db_url
        self._token = token
        self.host = host
        self.port = port
        self.url = ""
        self._proc: QProcess | None = None
        self._buffer = b""
        self._stopping = False

    @property
    def token(self) -> str:
        return self._token

    def start(self) -> None:
        proc = QProcess(self)
        env = QProcessEnvironment.systemEnvironment()
        env.insert("IMDESK_DB", self._url)  # not on the command line: it may hold a password
        proc.setProcessEnvironment(env)
        proc.setProcessChannelMode(QProcess.ProcessChannelMode.SeparateChannels)
        proc.readyReadStandardOutput.connect(self._read)
        proc.readyReadStandardError.connect(self._stderr)
        proc.finished.connect(self._finished)
        proc.errorOccurred.connect(self._error)
        # A window dropped without closing: end the process before Qt deletes its QProcess
        # (destroyed() comes before the children go).
        self.destroyed.connect(partial(_end, proc))
        command = serve_command(self.host, self.port)
        self._proc = proc
        proc.start(command[0], command[1:])
        proc.write(f"token {self._token}\n".encode())  # buffered until the process runs

    def set_token(self, token: str) -> None:
        self._token = token
        if self._proc is not None:
            self._proc.write(f"token {token}\n".encode())

    def stop_later(self, msecs: int = 10_000) -> None:
        """Ask it to stop without waiting here; `stopped` follows (killed after msecs)."""
        proc = self._proc
        self._stopping = True
        if proc is None or proc.state() == QProcess.ProcessState.NotRunning:
            QTimer.singleShot(0, self.stopped.emit)
            return
        proc.write(b"stop\n")
        proc.closeWriteChannel()
        QTimer.singleShot(msecs, self, self._kill_if_running)  # not after self is deleted

    def _kill_if_running(self) -> None:
        if self._proc is not None and self._proc.state() != QProcess.ProcessState.NotRunning:
            self._proc.kill()

    def stop(self, msecs: int = 10_000) -> None:
        proc, self._proc = self._proc, None
        if proc is None:
            return
        self._stopping = True
        stop_child(proc, msecs, 2000)

    def _read(self) -> None:
        if self._proc is None:
            return
        messages, self._buffer = read_json_lines(self._proc, self._buffer)
        for raw in messages:
            if "outcome" in raw:
                from imdesk.domain.alert_report import outcome_from_json

                self.outcome.emit(outcome_from_json(raw["outcome"]))
            elif "listening" in raw:
                self.port = int(raw["port"])
                self.url = str(raw["listening"])
                self.listening.emit(self.url)
            elif "error" in raw:
                self._stopping = True  # it exits by itself; one message is enough
                self.failed.emit(str(raw["error"]))
            elif "failed" in raw:
                self.processing_failed.emit(str(raw["failed"]))
            elif "lease" in raw:
                from imdesk.domain.lease import LeaseInfo

                self.lease.emit(bool(raw.get("held")), LeaseInfo.from_json(raw["lease"]))

    def _stderr(self) -> None:
        if self._proc is not None:
            data = bytes(self._proc.readAllStandardError().data())
            if data.strip():
                os.write(2, data)  # the listener's own diagnostics, as they are

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart and not self._stopping:
            self._stopping = True
            self.failed.emit("the listener process could not start")

    def _finished(self, code: int, _status: object) -> None:
        if not self._stopping:
            self._stopping = True
            self.failed.emit(f"the listener process stopped (exit {code})")
        self.stopped.emit()
