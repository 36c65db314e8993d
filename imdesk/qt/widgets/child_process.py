"""What the console's child processes (the alert listener, the outbox sender) share: JSON lines
read from their stdout, and a stop that asks first and kills only if they do not end."""

from __future__ import annotations

import json
from typing import Any

from PySide6.QtCore import QProcess


def read_json_lines(proc: QProcess, buffer: bytes) -> tuple[list[dict[str, Any]], bytes]:
    """The whole JSON lines now readable (anything else skipped), and the unfinished rest."""
    buffer += bytes(proc.readAllStandardOutput().data())
    *lines, rest = buffer.split(b"\n")
    messages = []
    for line in lines:
        try:
            raw = json.loads(line)
        except ValueError:
            continue
        if isinstance(raw, dict):
            messages.append(raw)
    return messages, rest


def stop_child(proc: QProcess, msecs: int, kill_wait_ms: int) -> None:
    """Ask it to stop (a "stop" line, then end of input); kill it if it has not ended in time."""
    if proc.state() == QProcess.ProcessState.NotRunning:
        return
    proc.write(b"stop\n")
    proc.closeWriteChannel()
    if not proc.waitForFinished(msecs):
        proc.kill()
        proc.waitForFinished(kill_wait_ms)
