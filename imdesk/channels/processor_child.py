"""The alert processor in a process of its own, started and stopped by `imdesk alerts serve`:
intake (HTTP, checks, inbox commits) and processing (inbox → alerts, incidents, timeline) then
each have an interpreter lock and a core, and intake runs at its full rate.

The two talk over the child's stdin and stdout, one line each:
  serve → processor: "w" a batch is stored (wake up), "stop"; the end of stdin stops it too
                     (serve went away).
  processor → serve: the listener's report lines (domain/alert_report: {"outcome": ...}) and
                     {"failed": TEXT} when a processing round failed (tried again on the next
                     payload).
On a SQLite file serve stores into the side inbox (storage/alert_side), which the processor
moves into the inbox in its own transactions: neither waits for the other's write lock.
The child dies with its parent (stdin's end; on Linux also PR_SET_PDEATHSIG), and a child that
dies is started again (serve ends, exit 1, when it keeps dying)."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import IO, Any

from imdesk.channels.alert_inbox import QUIET_S, AlertIntake, InboxProcessor
from imdesk.domain.alert_report import outcome_line

log = logging.getLogger(__name__)

PROCESSOR_ARGS = ("alerts", "process-inbox")
CHILD_BUDGET_S = 0.1  # a processing transaction while payloads arrive, about (a new group's
# incident shows in the console after its commit; 50 ms: the storm's lag 1.7 s, 100 ms: 1.4 s,
# a new group's incident no later)
OPEN_LEAST = 16  # payloads a transaction does at least while a storm's new groups open
STORM_LEAST = 16  # ... and otherwise while payloads arrive (what a transaction costs, spread)
CHECKPOINT_S = 0.5  # the WAL is checkpointed this often, between transactions
RESTARTS = 3  # a child that dies this often within RESTART_WINDOW_S is not started again
RESTART_WINDOW_S = 60.0
STOP_TIMEOUT_S = 30.0
PARENT_ENV = "IMDESK_PROCESSOR_PARENT"  # serve's pid, for the child's first check


def processor_command() -> list[str]:
    """How to start the processor from this build (the bundle, a wheel or the source)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, *PROCESSOR_ARGS]
    return [sys.executable, "-m", "imdesk", *PROCESSOR_ARGS]


class ProcessorChild:
    """Serve's side: starts the child, wakes it after each commit, hands its report lines to
    `on_line` (on a thread of its own) and, when it dies unexpectedly, starts it again and
    calls `on_exit(code, restarted)`; restarted is False when it kept dying (give up)."""

    def __init__(self, db_url: str, on_line: Callable[[str], None],
                 on_exit: Callable[[int, bool], None]) -> None:
        self._db_url = db_url
        self._on_line = on_line
        self._on_exit = on_exit
        self._proc: subprocess.Popen[bytes] | None = None
        self._stdin = -1
        self._stopping = False
        self._deaths: list[float] = []
        self._lock = threading.Lock()

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self._proc is not None else None

    def start(self) -> None:
        env = {**os.environ, "IMDESK_DB": self._db_url,  # not on the command line: a password
               PARENT_ENV: str(os.getpid())}
        proc = subprocess.Popen(processor_command(), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                env=env, bufsize=0)
        assert proc.stdin is not None
        _blocking(proc.stdin.fileno(), False)  # a wake never blocks a commit
        with self._lock:
            self._proc, self._stdin = proc, proc.stdin.fileno()
        threading.Thread(target=self._read, args=(proc,), name="imdesk-processor-out",
                         daemon=True).start()

    def _send(self, data: bytes) -> None:
        with self._lock:
            if self._stdin < 0:
                return
            with contextlib.suppress(OSError):  # full (it wakes anyway) or gone (restarted)
                os.write(self._stdin, data)

    def stored(self) -> None:
        self._send(b"w\n")

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for raw in proc.stdout:
            line = raw.decode("utf-8", "replace").strip()
            if line:
                self._on_line(line)
        code = proc.wait()
        if self._stopping:
            return
        now = time.monotonic()
        self._deaths = [t for t in self._deaths if now - t < RESTART_WINDOW_S] + [now]
        again = len(self._deaths) < RESTARTS
        log.warning("the alert processor stopped (exit %s)%s", code,
                    "; starting it again" if again else "")
        if again:
            self.start()  # what it left unprocessed is still in the inbox
        self._on_exit(code, again)

    def stop(self) -> None:
        """Ask the child to stop after its transaction; killed after STOP_TIMEOUT_S."""
        self._stopping = True
        with self._lock:
            proc, self._proc = self._proc, None
            fd, self._stdin = self._stdin, -1
        if proc is None:
            return
        try:
            _blocking(fd, True)
            os.write(fd, b"stop\n")
        except OSError:
            pass
        assert proc.stdin is not None
        with contextlib.suppress(OSError):
            proc.stdin.close()
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _blocking(fd: int, blocking: bool) -> None:
    if hasattr(os, "set_blocking"):  # not for pipes on Windows before Python 3.12
        with contextlib.suppress(OSError):
            os.set_blocking(fd, blocking)


def start_processor(db_url: str, on_line: Callable[[str], None],
                    on_exit: Callable[[int, bool], None]) -> ProcessorChild:
    child = ProcessorChild(db_url, on_line, on_exit)
    child.start()
    return child


def die_with_parent() -> None:
    """On Linux the kernel kills this process when its parent ends (whatever ends it)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return


def yield_to_intake() -> None:
    """Processing is background work next to intake, which a sender waits on: on Linux the
    processor runs as SCHED_BATCH (the same share of the CPU, but a woken intake thread is not
    kept waiting for the processor's time slice to end). Measured: the storm's p99 reply
    24 -> 21 ms, a new group's incident no later."""
    if hasattr(os, "SCHED_BATCH"):
        with contextlib.suppress(OSError):
            os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))


class _Writer:
    """What the child knows of serve's writer: when it last committed."""

    def __init__(self) -> None:
        self.last = 0.0

    def note(self) -> None:
        self.last = time.monotonic()

    def quiet(self) -> bool:
        return time.monotonic() - self.last >= QUIET_S


def run_processor(intake: AlertIntake, stdin: IO[bytes], stdout: IO[str]) -> int:
    """The child's main loop: process what is pending, then whatever serve stores, until
    "stop" or the end of stdin; what is left stays in the inbox for the next start."""
    die_with_parent()
    yield_to_intake()  # (before the processing thread starts: it inherits the policy)
    parent = os.environ.get(PARENT_ENV, "")
    if parent.isdigit() and os.getppid() != int(parent):  # gone before the line above took effect
        return 1
    out_lock = threading.Lock()

    def say(line: str) -> None:
        with out_lock:
            try:
                stdout.write(line + "\n")
                stdout.flush()
            except (BrokenPipeError, ValueError):  # serve is gone: the next read ends this
                pass

    def failed(exc: BaseException) -> None:
        say(json.dumps({"failed": str(exc)}))

    writer = _Writer()

    checkpointed = [time.monotonic()]

    def between() -> None:
        intake.parse_ahead()  # outside the write lock: the transaction applies only
        if time.monotonic() - checkpointed[0] >= CHECKPOINT_S:
            intake.checkpoint()  # outside it too: the writer's commits go on meanwhile
            checkpointed[0] = time.monotonic()

    intake.checkpoint_apart()

    processor = InboxProcessor(intake, lambda o: say(outcome_line(o)), failed, between=between,
                               quiet=writer.quiet, rest_factor=0.0, budget_s=CHILD_BUDGET_S,
                               open_least=OPEN_LEAST, least=STORM_LEAST)
    processor.start()  # first what a kill left in the inbox
    try:
        for raw in stdin:
            command = raw.strip()
            if command == b"stop":
                break
            if command == b"w":
                writer.note()
                processor.wake()
    finally:
        processor.stop()
    return 0


def report_line(line: str) -> dict[str, Any] | None:
    """A report line of the child as data (None: not one of its lines)."""
    try:
        data = json.loads(line)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
