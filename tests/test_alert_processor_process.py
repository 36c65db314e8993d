"""`imdesk alerts serve` runs the alert processor in a process of its own: posts are stored by
serve and processed by its child; stopping serve ends both; a killed serve takes its child with
it; a killed child loses nothing and is started again."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from imdesk.app import build_context
from tests.helpers.alert_payloads import alertmanager, am_alert, encode, post

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="finds the processor process through /proc")


def _until(what: Callable[[], bool], seconds: float = 60.0, step: float = 0.05) -> None:
    deadline = time.monotonic() + seconds
    pause = threading.Event()
    while not what():
        assert time.monotonic() < deadline, f"not within {seconds} s"
        pause.wait(step)


class Serve:
    """A headless `alerts serve` with its output read on a thread."""

    def __init__(self, url: str) -> None:
        env = {**os.environ, "PYTHON_KEYRING_BACKEND": "keyring.backends.null.Keyring"}
        self.proc = subprocess.Popen([sys.executable, "-m", "imdesk", "--db", url, "alerts", "serve",
                                      "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        self.errors: list[str] = []
        self._readers = [threading.Thread(target=self._read, daemon=True),
                         threading.Thread(target=self._read_errors, daemon=True)]
        for reader in self._readers:
            reader.start()
        self.port = int(self.expect("listening on").split()[2].rsplit(":", 1)[1])
        self.token = self.expect("bearer token").rsplit(" ", 1)[1]

    def close(self) -> None:
        """Once it has ended (and its processor too): the pipes read to their end, closed."""
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        for reader in self._readers:
            reader.join(30)
        assert self.proc.stdout is not None and self.proc.stderr is not None
        self.proc.stdout.close()
        self.proc.stderr.close()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("<ended>")

    def _read_errors(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.errors.append(line.rstrip("\n"))

    def expect(self, start: str) -> str:
        seen = []
        while True:
            line = self.lines.get(timeout=60)
            if line.startswith(start):
                return line
            assert line != "<ended>", (start, seen, self.errors)
            seen.append(line)

    def processor(self) -> int | None:
        """The pid of serve's processor process (None while there is none)."""
        for task in Path(f"/proc/{self.proc.pid}/task").glob("*/children"):
            for pid in task.read_text().split():
                if b"process-inbox" in _cmdline(int(pid)):
                    return int(pid)
        return None

    def post(self, n: int) -> int:
        body = encode(alertmanager(f"group-{n}", am_alert("Down", instance=f"h{n}")))
        return post(self.port, self.token, body, timeout=10)


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _gone(pid: int) -> bool:
    """Ended: no such process, or a zombie nobody reaped yet."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return True


def _check(url: str, groups: set[str]) -> None:
    ctx = build_context(url)
    try:
        assert ctx.alerts.intake.pending() == 0
        alerts = ctx.alerts.intake.alerts(limit=100_000)
        keys = [a.group_key for a in alerts]
        assert len(keys) == len(set(keys))  # each payload processed once
        assert groups <= set(keys)
        assert all(a.ref for a in alerts)  # each opened its incident
        assert ctx.timeline.verify(None).ok
    finally:
        ctx.close()


def _pending(url: str) -> int:
    ctx = build_context(url)
    try:
        return ctx.alerts.intake.pending()
    finally:
        ctx.close()


def test_serve_stores_its_processor_process_processes_and_stop_ends_both(db_url: str) -> None:
    serve = Serve(db_url)
    try:
        child = serve.processor()
        assert child is not None and child != serve.proc.pid
        assert all(serve.post(n) == 200 for n in range(12))
        opened = [serve.expect("opened") for _ in range(12)]  # reported by serve, from its child
        assert len(opened) == 12
        _check(db_url, {f"group-{n}" for n in range(12)})
        if hasattr(os, "SCHED_BATCH"):  # processing yields to intake: each of its threads
            threads = [int(t) for t in os.listdir(f"/proc/{child}/task")]
            assert {os.sched_getscheduler(t) for t in threads} == {os.SCHED_BATCH}
            assert os.sched_getscheduler(serve.proc.pid) == os.SCHED_OTHER
        serve.proc.send_signal(signal.SIGTERM)
        assert serve.proc.wait(30) == 0
        assert serve.expect("stopped") == "stopped"
        _until(lambda: _gone(child))
    finally:
        serve.close()


def test_a_killed_serve_takes_its_processor_with_it(sqlite_url: str) -> None:
    serve = Serve(sqlite_url)
    try:
        child = serve.processor()
        assert child is not None
        serve.proc.send_signal(signal.SIGKILL)
        serve.proc.wait(10)
        _until(lambda: _gone(child), 30)
    finally:
        serve.close()


@pytest.mark.slow
def test_a_killed_processor_loses_nothing_and_is_started_again(sqlite_url: str) -> None:
    serve = Serve(sqlite_url)
    try:
        _kill_the_processor_mid_storm(serve, sqlite_url)
    finally:
        serve.close()


def _kill_the_processor_mid_storm(serve: Serve, sqlite_url: str) -> None:
    first = serve.processor()
    assert first is not None
    acked: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()
    numbers = iter(range(100_000))

    def poster() -> None:
        while not stop.is_set():
            with lock:
                n = next(numbers)
            if serve.post(n) == 200:
                with lock:
                    acked.append(n)

    threads = [threading.Thread(target=poster) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        _until(lambda: len(acked) >= 150)
        os.kill(first, signal.SIGKILL)  # mid-storm, most likely mid-transaction
        _until(lambda: (serve.processor() or first) != first)
        count = len(acked)
        _until(lambda: len(acked) >= count + 100)  # intake never stopped
    finally:
        stop.set()
        for t in threads:
            t.join(20)
    _until(lambda: _pending(sqlite_url) == 0)  # the new processor took what was left
    assert any("the alert processor stopped (exit -9); started again" in e for e in serve.errors)
    serve.proc.send_signal(signal.SIGTERM)
    assert serve.proc.wait(30) == 0
    _check(sqlite_url, {f"group-{n}" for n in acked})
