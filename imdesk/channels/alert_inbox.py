"""The alert listener's two worker threads over its intake: the writer commits payloads to the
inbox in batches (group commit) before any sender gets its 2xx, the processor turns the inbox
into alerts and incidents one short transaction at a time. The intake is any object with the
`AlertIntake` shape (services/alerts/intake.AlertService in the application)."""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from imdesk.domain.alert_accept import Accepted
from imdesk.domain.alert_outcome import Outcome

log = logging.getLogger(__name__)

STORE_TIMEOUT_S = 10.0
WRITER_BATCH = 500
WRITER_FIRST_S = 5.0
PROCESS_BUDGET_S = 0.005  # while payloads arrive, a processing transaction holds the write lock
# about this long, however few payloads that is (a commit of the writer never waits long on it)
QUIET_S = 0.05  # no payload stored for this long: the storm is over (or paused)
QUIET_BUDGET_S = 0.2  # ... and processing may hold the write lock this long per transaction
QUIET_LEAST = 16  # (and does at least this many payloads: catching up in big transactions);
# as many while the last transaction opened incidents: a storm's new groups come first (one or
# four payloads a turn between the writer's commits left them waiting 1.7-5 s under load)
REST_FACTOR = 1.0  # while payloads arrive, processing rests as long as its last transaction took
PROCESS_BATCH = 500  # at most this many payloads in one transaction (the budget ends it first)


class InboxStore(Protocol):
    """The writer's own connection to the inbox, kept open while the listener runs."""

    def store(self, items: Sequence[Accepted]) -> None: ...

    def tidy(self) -> None:
        """Called after the replies to a commit have gone out: housekeeping (a side inbox
        deletes the rows the processor moved)."""

    def close(self) -> None: ...


class AlertIntake(Protocol):
    """What the listener needs of the alert intake."""

    def open_inbox_writer(self) -> InboxStore: ...

    def heartbeat_exists(self, name: str) -> bool: ...

    def parse_ahead(self, limit: int = 256) -> int: ...

    def checkpoint_apart(self) -> None: ...

    def checkpoint(self) -> None: ...

    def process_pending(self, batch: int = 200, *, budget_s: float | None = None,
                        between: Callable[[], None] | None = None,
                        transactions: int | None = None, least: int = 16) -> Outcome: ...


@dataclass
class _Pending:
    accepted: Accepted
    done: threading.Event = field(default_factory=threading.Event)
    ok: bool = False


class InboxWriter:
    """Commits payloads to the inbox in batches; each request waits until its row is durable."""

    def __init__(self, intake: AlertIntake, on_stored: Callable[[], None]) -> None:
        self._intake = intake
        self._on_stored = on_stored
        self._queue: queue.Queue[_Pending | None] = queue.Queue()
        self._idle = threading.Event()
        self._idle.set()
        self._commits = 0
        self._last_commit = 0.0
        self._committed = threading.Condition()
        self._thread = threading.Thread(target=self._run, name="imdesk-inbox-writer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._queue.put(None)
        self._thread.join(STORE_TIMEOUT_S)

    def store(self, accepted: Accepted) -> bool:
        """True once the payload is committed (False: the database refused or took too long)."""
        pending = _Pending(accepted)
        self._idle.clear()
        self._queue.put(pending)
        return pending.done.wait(STORE_TIMEOUT_S) and pending.ok

    def _run(self) -> None:
        inbox = self._intake.open_inbox_writer()
        try:
            self._loop(inbox)
        finally:
            inbox.close()

    def _loop(self, inbox: InboxStore) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stop = False
            while len(batch) < WRITER_BATCH:
                try:
                    item = self._queue.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                batch.append(item)
            try:
                inbox.store([p.accepted for p in batch])
                ok = True
            except Exception:
                log.exception("alert payloads could not be stored")
                ok = False
            for p in batch:
                p.ok = ok
                p.done.set()
            self._last_commit = time.monotonic()
            with self._committed:
                self._commits += 1
                if self._queue.empty():
                    self._idle.set()
                self._committed.notify_all()
            if ok:
                self._on_stored()
            try:
                inbox.tidy()
            except Exception:
                log.exception("the alert inbox could not be tidied")
            if stop:
                return

    def quiet(self) -> bool:
        """Nothing waits to be stored and nothing was for QUIET_S."""
        return self._idle.is_set() and time.monotonic() - self._last_commit >= QUIET_S

    def let_go_first(self) -> None:
        """Replies come before processing: when payloads wait to be stored, wait until the
        writer's next commit (at most WRITER_FIRST_S). In a storm that never pauses, processing
        and storing then take turns: one short processing transaction between two commits."""
        with self._committed:
            seen = self._commits
            deadline = time.monotonic() + WRITER_FIRST_S
            while not self._idle.is_set() and self._commits == seen:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                self._committed.wait(left)


class _Stopping(Exception):
    pass


class InboxProcessor:
    """Processes the inbox whenever payloads were stored (and once at start: what a killed
    process left unprocessed). Reports each round that processed rows through `on_outcome`
    (called on this thread)."""

    def __init__(self, intake: AlertIntake, on_outcome: Callable[[Outcome], None],
                 on_error: Callable[[BaseException], None] | None = None,
                 between: Callable[[], None] | None = None,
                 quiet: Callable[[], bool] | None = None, rest_factor: float = REST_FACTOR,
                 budget_s: float = PROCESS_BUDGET_S, open_least: int = QUIET_LEAST, least: int = 1) -> None:
        self._intake = intake
        # a storm's new groups first: at least this many payloads while the last transaction
        # opened incidents (fewer in a processor process: it is soon back, on its own core)
        self._open_least = open_least
        self._least = least  # ... and otherwise (what a transaction costs is spread over them)
        self._budget_s = budget_s  # per transaction while payloads arrive
        self._rest_factor = rest_factor  # 0 in a processor process: it takes no CPU from intake
        self._between = between
        self._quiet = quiet
        self._rest = 0.0
        self._opening = True  # the first transaction of a storm may open incidents
        self._began = 0.0
        self._on_outcome = on_outcome
        self._on_error = on_error
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="imdesk-inbox-processor", daemon=True)

    def start(self) -> None:
        self._wake.set()
        self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        self._thread.join(STORE_TIMEOUT_S * 3)

    def _next_transaction(self) -> None:
        if self._stopping.is_set():
            raise _Stopping  # what is left stays in the inbox for the next start
        if self._rest > 0 and self._quiet is not None and not self._quiet():
            self._stopping.wait(self._rest)  # payloads arrive: processing takes its share only
        if self._between is not None:
            self._between()
        if self._stopping.is_set():
            raise _Stopping
        self._began = time.monotonic()  # the transaction starts now

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait()
            self._wake.clear()
            if self._stopping.is_set():
                return
            self._drain()
            if self._stopping.is_set():
                return

    def _drain(self) -> None:
        """One short transaction at a time, each reported, until the inbox is empty: while
        payloads arrive, PROCESS_BUDGET_S between two of the writer's commits; once the intake
        is quiet, QUIET_BUDGET_S (more payloads per commit to catch up)."""
        while True:
            try:
                quiet = self._quiet is not None and self._quiet()
                budget = QUIET_BUDGET_S if quiet else self._budget_s
                least = QUIET_LEAST if quiet else self._open_least if self._opening else self._least
                outcome = self._intake.process_pending(batch=PROCESS_BATCH, budget_s=budget,
                                                       between=self._next_transaction,
                                                       transactions=1, least=least)
                self._opening = bool(outcome.opened)
                # no rest after opening incidents: a new group's incident is what the desk
                # waits for, and a storm's new groups come first
                self._rest = 0.0 if outcome.opened else (time.monotonic() - self._began) * self._rest_factor
            except _Stopping:
                return
            except Exception as exc:  # the database went away: try again on the next payload
                log.exception("alert processing failed")
                if self._on_error is not None:
                    self._on_error(exc)
                return
            if not outcome.processed:
                self._rest = 0.0  # the next storm's first payloads are processed at once
                self._opening = True
                return
            self._on_outcome(outcome)
