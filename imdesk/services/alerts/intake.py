"""Alert intake: check a payload, store it in the inbox (before the sender's 2xx), and process
the inbox into alerts and incidents. The listener and `imdesk alerts ingest` share this path."""

from __future__ import annotations

import hashlib
import json
import logging
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.alert_accept import MAX_BODY as MAX_BODY
from imdesk.domain.alert_accept import Accepted as Accepted
from imdesk.domain.alert_accept import accept as accept
from imdesk.domain.alert_outcome import Outcome
from imdesk.domain.alert_payload import AlertNotice, PayloadError, load_json, parse
from imdesk.domain.alert_rules import AlertMapping, Window, parse_matchers
from imdesk.services.alerts.apply import NoticeApplier
from imdesk.services.alerts.monitoring_watch import heartbeat_seen
from imdesk.services.alerts.settings import MAPPING_KEY
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.incidents import IncidentService
from imdesk.storage import alert_repo, alert_side, incident_repo
from imdesk.storage.alert_models import AlertRow
from imdesk.storage.database import Database

log = logging.getLogger(__name__)

# Payloads are read, parsed and looked up (one query each for groups, alerts, incidents) a chunk
# at a time: first as many as the transaction does at least (LEAST; 2 when that is 1), then twice
# as many each time up to CHUNK, so that a transaction cut short by its time budget has read
# little more than it used, and one of 16 reads and looks up its payloads once (not 8 + 8).
CHUNK = 256
MOVE = 2000  # at most this many side inbox rows are moved in one transaction
PARSE_AHEAD = 256  # at most this many payloads wait parsed ahead (see parse_ahead)
_UNPARSED = object()
LEAST = 16  # by default a transaction with a time budget still does this many (what it costs to
# begin, look up and commit is then spread over enough payloads to keep pace with a storm)


@dataclass(frozen=True)
class AlertView:
    """One alert as the list, the detail and `alerts list` show it."""

    id: int
    source: str
    group_key: str
    alert_key: str
    status: str
    summary: str
    severity: str
    labels: dict[str, str]
    annotations: dict[str, str]
    links: list[tuple[str, str]]
    first_seen: datetime
    last_seen: datetime
    count: int
    ref: str | None
    suppressed: bool
    maintenance_id: int | None

    def to_json(self) -> dict[str, Any]:
        from imdesk.domain.timeline import iso

        return {"source": self.source, "group_key": self.group_key, "alert_key": self.alert_key,
                "status": self.status, "summary": self.summary, "severity": self.severity,
                "first_seen": iso(self.first_seen), "last_seen": iso(self.last_seen),
                "count": self.count, "ref": self.ref, "suppressed": self.suppressed,
                "labels": self.labels, "annotations": self.annotations,
                "links": [{"label": a, "url": b} for a, b in self.links]}


def _digest(body: str, assigned_key: str | None) -> str:
    return hashlib.sha256(f"{assigned_key or ''}\n{body}".encode()).hexdigest()


class AlertService:
    """Stores and processes alert payloads. Incidents change only through IncidentService."""

    def __init__(self, db: Database, incidents: IncidentService, clock: Clock | None = None) -> None:
        self._db = db
        self._incidents = incidents
        self._clock = clock or SystemClock()
        # Serialises this process's inbox writes and processing transactions (other processes:
        # the database's own locking; on a SQLite file the listener's intake writes the side
        # inbox, storage/alert_side, and never waits for the processor)
        self._gate = threading.Lock()
        path = db.info.path if db.is_sqlite and not db.read_only else None
        self._side_path = alert_side.side_path(path) if path is not None else None
        self._side = alert_side.SideReader(self._side_path) if self._side_path is not None else None
        # Payloads parsed ahead, outside the write lock, by inbox id (see parse_ahead)
        self._parsed: dict[int, AlertNotice | str | None] = {}
        # The mapping and windows last read, with what they were parsed from (see _settings)
        self._settings: tuple[object, AlertMapping, list[Window]] | None = None
        # The applier, kept across transactions with the groups and alerts it holds, and the
        # last inbox id this service processed in a committed transaction (0: hold nothing)
        self._applier: NoticeApplier | None = None
        self._last_done = 0

    # -- intake ---------------------------------------------------------------------------
    def store(self, items: Sequence[Accepted]) -> None:
        """Commit payloads to the inbox in one transaction (durable when this returns)."""
        if not items:
            return
        now = self._clock.now()
        with self._gate, self._db.write() as s:
            self._move_all(s)  # payloads the listener stored before come first
            alert_repo.add_to_inbox(s, items, now)

    def open_inbox_writer(self) -> alert_repo.InboxConnection | alert_side.SideWriter:
        """The listener's own connection for storing payloads (kept open while it runs): on
        a SQLite file to the side inbox, on a server to the inbox itself."""
        if self._side_path is not None:
            return alert_side.SideWriter(self._side_path, self._clock.now, self._moved_mark)
        return alert_repo.InboxConnection(self._db, self._gate, self._clock.now)

    def _moved_mark(self) -> alert_side.Mark | None:
        with self._db.read() as s:
            return alert_side.read_mark(s)

    def _move_all(self, s: Session) -> None:
        while self._side is not None and alert_side.move(s, self._side, MOVE)[1]:
            pass

    def heartbeat_exists(self, name: str) -> bool:
        with self._db.read() as s:
            return alert_repo.heartbeat_exists(s, name)

    def ingest(self, body: bytes, fmt: str = "auto") -> tuple[Accepted, Outcome]:
        """What `imdesk alerts ingest` does: the listener's checks, the inbox, then processing."""
        accepted = accept(body, fmt)
        self.store([accepted])
        return accepted, self.process_pending()

    # -- processing -----------------------------------------------------------------------
    def pending(self) -> int:
        """Payloads not processed yet: in the inbox, and in the side inbox not moved yet."""
        waiting = 0
        if self._side is not None:  # the mark, the side rows after it, then the inbox afresh:
            waiting = self._side.waiting(self._moved_mark())  # (a row moved meanwhile is there)
        with self._db.read() as s:
            return waiting + alert_repo.pending_count(s)

    def process_pending(self, batch: int = 200, *, budget_s: float | None = None,
                        between: Callable[[], None] | None = None,
                        transactions: int | None = None, least: int = LEAST) -> Outcome:
        """Process every unprocessed inbox row, oldest first, a batch per transaction (each
        first moves what waits in the side inbox, storage/alert_side). With a budget a
        transaction commits after that much work and at least LEAST payloads (it holds the write
        lock about so long: least=1 caps it by time alone); `between` runs before each
        transaction (parsing ahead, a checkpoint: outside the write lock)."""
        total = Outcome()
        rounds = 0
        while True:
            if between is not None:
                between()
            done, exhausted, outcome = self._process_batch(batch, budget_s, least)
            total.merge(outcome)
            rounds += 1
            if exhausted or done == 0 or (transactions is not None and rounds >= transactions):
                return total

    def checkpoint_apart(self) -> None:
        """A processor process: its commits leave the SQLite WAL checkpoint to `checkpoint`, run
        between its transactions (one inside a commit lengthens the transaction;
        alert_repo.processor_connections)."""
        if self._db.is_sqlite:
            alert_repo.processor_connections(self._db)

    def checkpoint(self) -> None:
        if self._db.is_sqlite:
            alert_repo.checkpoint(self._db)

    def parse_ahead(self, limit: int = PARSE_AHEAD) -> int:
        """Read and parse the next pending payloads outside the write lock (a read transaction:
        on SQLite's WAL a reader never waits on the writer), so that the processing transaction
        that takes them holds the lock to apply them only. How many wait parsed."""
        after = max(self._parsed, default=0)
        if len(self._parsed) < limit:
            with self._db.read() as s:
                rows = alert_repo.pending_rows_after(s, limit - len(self._parsed), after)
            for row in rows:
                self._parsed[row.id] = self._parse(row)
        return len(self._parsed)

    def _parsed_or_parse(self, row: alert_repo.PendingRow) -> AlertNotice | str | None:
        found = self._parsed.pop(row.id, _UNPARSED)
        return self._parse(row) if found is _UNPARSED else found  # type: ignore[return-value]

    def _forget_parsed_before(self, first_id: int) -> None:
        """Payloads parsed ahead that another processor took meanwhile (two desks on a server)."""
        for stale in [i for i in self._parsed if i < first_id]:
            del self._parsed[stale]

    def _process_batch(self, batch: int, budget_s: float | None,
                       least: int = LEAST) -> tuple[int, bool, Outcome]:
        """One transaction over up to BATCH of the oldest payloads, in inbox order; with a budget
        it commits once that much time is spent and at least LEAST payloads are done. Payloads
        are read and looked up a chunk at a time, so a small budget reads no more than it uses."""
        try:
            with self._gate, self._db.write() as s:
                started = time.perf_counter()
                more = self._side is not None and alert_side.move(s, self._side, MOVE)[1]
                outcome = Outcome()
                marks: list[tuple[int, datetime, str]] = []
                applier: NoticeApplier | None = None
                last, exhausted, spent, size = 0, False, False, min(CHUNK, max(least, 2))
                keep = False
                while not (exhausted or spent) and len(marks) < batch:
                    want = min(size, batch - len(marks))
                    chunk = alert_repo.next_pending_rows(s, want, last)
                    exhausted, size = len(chunk) < want, min(size * 2, CHUNK)
                    if chunk and not marks and self._parsed:
                        self._forget_parsed_before(chunk[0].id)
                    if chunk and not marks:
                        keep = self._still_held(s, chunk[0].id)
                    parsed = [self._parsed_or_parse(row) for row in chunk]
                    notices = [(p, row.received_at) for p, row in zip(parsed, chunk, strict=True)
                               if isinstance(p, AlertNotice)]
                    if notices and applier is None:  # once per transaction: settings read once
                        applier = self._begin_applier(s, keep)
                    if applier is not None and notices:
                        applier.prefetch(s, notices)
                    for row, item in zip(chunk, parsed, strict=True):
                        one, note = self._process_row(s, row, item, applier)
                        marks.append((row.id, self._clock.now(), note))
                        last = row.id
                        outcome.merge(one)
                        outcome.processed += 1
                        if (outcome.processed >= least and budget_s is not None
                                and time.perf_counter() - started > budget_s):
                            spent = True
                            break
                    exhausted = exhausted and not spent
                exhausted = exhausted and not more  # the side inbox has more to move
                if applier is not None:
                    applier.finish(s)
                alert_repo.mark_processed(s, marks)
            self._last_done = last or self._last_done  # none processed: nothing changed
            return outcome.processed, exhausted, outcome
        except Exception:
            self._last_done = 0  # rolled back: what the applier holds may differ from what is stored
            if batch == 1:
                done, exhausted = self._quarantine()
                return done, exhausted, Outcome(processed=done, failed=done)
            log.info("an alert batch failed; processing it one by one")
            log.debug("the batch failed with", exc_info=True)
            outcome = Outcome()
            count = 0
            for _ in range(batch):
                n, exhausted, one = self._process_batch(1, None)
                outcome.merge(one)
                count += n
                if exhausted or n == 0:
                    return count, True, outcome
            return count, False, outcome

    def _still_held(self, s: Session, first_id: int) -> bool:
        """May this transaction use the groups and alerts the applier kept? On a SQLite file
        only (one writer at a time), when this service committed the last transaction and no
        inbox row between the last it processed and FIRST_ID was processed by another process
        (`alerts ingest`, a second listener): only processors write alerts and groups."""
        if not self._db.is_sqlite or self._last_done <= 0 or first_id <= self._last_done:
            return False
        return alert_repo.processed_between(s, self._last_done, first_id) == 0

    def _begin_applier(self, s: Session, keep: bool) -> NoticeApplier:
        mapping, windows = self._read_settings(s)
        if self._applier is None:
            self._applier = NoticeApplier(self._incidents, mapping, windows)
            keep = False
        self._applier.begin(s, mapping, windows, keep)
        return self._applier

    def _quarantine(self) -> tuple[int, bool]:
        """A payload whose processing fails (a bug): set aside with the reason, never lost."""
        log.info("an alert payload could not be processed; it is kept in the inbox, marked failed")
        log.debug("it failed with", exc_info=True)
        with self._gate, self._db.write() as s:
            if self._side is not None:  # the failed transaction's move was rolled back too
                alert_side.move(s, self._side, MOVE)
            rows = alert_repo.next_pending(s, 1)
            for row in rows:
                row.processed_at = self._clock.now()
                row.outcome = "failed: could not be processed (kept in the inbox)"
            return len(rows), not rows

    @staticmethod
    def _parse(row: alert_repo.PendingRow) -> AlertNotice | str | None:
        """The row's notice; the reason it is refused (a string); None for a heartbeat."""
        if row.endpoint == "heartbeat":
            return None
        try:
            # cleaned as it was when accepted (and its nesting checked then)
            data = load_json(row.body.encode("utf-8"), depth_checked=True)
            return parse(data, row.endpoint, assigned_key=row.assigned_key)
        except PayloadError as exc:  # accepted by an older check: kept, with the reason
            return f"refused: {exc}"

    def _process_row(self, s: Session, row: alert_repo.PendingRow, item: AlertNotice | str | None,
                     applier: NoticeApplier | None) -> tuple[Outcome, str]:
        """The row's outcome and the note the inbox keeps for it."""
        if item is None:
            outcome = heartbeat_seen(s, self._incidents, row.body, row.received_at)
        elif isinstance(item, str):
            return Outcome(notes=[item]), item
        else:
            assert applier is not None
            outcome = applier.apply(s, item, _digest(row.body, row.assigned_key), row.received_at)
        return outcome, "; ".join(outcome.notes)[:2000] or "processed"

    def _read_settings(self, s: Session) -> tuple[AlertMapping, list[Window]]:
        """The mapping and the windows not over, as stored when this transaction reads them (a
        change committed by any process applies to the next payload processed): read in one
        plain statement, parsed again only when what is stored differs from the last read."""
        raw = alert_repo.processing_settings(s, MAPPING_KEY, self._clock.now())
        if self._settings is None or self._settings[0] != raw:
            text, rows = raw
            mapping = AlertMapping() if text is None else AlertMapping.from_json(json.loads(text))
            windows = [Window(id=i, name=name, starts_at=starts, ends_at=ends,
                              matchers=parse_matchers(matchers), service=service, ended_at=ended)
                       for i, name, matchers, service, starts, ends, ended in rows]
            self._settings = (raw, mapping, windows)
        return self._settings[1], self._settings[2]

    # -- reading --------------------------------------------------------------------------
    def alerts(self, *, ref: str | None = None, limit: int = 1000, offset: int = 0,
               status: str | None = None) -> list[AlertView]:
        """Newest first; only one incident's alerts when ref is given."""
        with self._db.read() as s:
            incident_id = incident_repo.get_row(s, ref).id if ref is not None else None
            return [_view(a, key, inc_ref) for a, key, inc_ref in alert_repo.alerts_with_refs(
                s, incident_id=incident_id, status=status, limit=limit, offset=offset)]

    def alert_counts(self, refs: Sequence[str]) -> dict[str, tuple[int, int]]:
        """ref → (alerts attached, of which firing or acknowledged)."""
        if not refs:
            return {}
        with self._db.read() as s:
            return alert_repo.alert_counts(s, refs)

    def inbox(self, limit: int = 200) -> list[tuple[int, datetime, str, str | None, int]]:
        """The newest inbox rows: (id, received, endpoint, outcome or None while pending, size);
        first those stored in the side inbox and not moved yet (id 0: not in the inbox yet)."""
        with self._db.read() as s:
            waiting = (self._side.newest(alert_side.read_mark(s), limit)
                       if self._side is not None else [])
            return waiting + alert_repo.newest_inbox(s, limit - len(waiting))


def _view(a: AlertRow, group_key: str, ref: str | None) -> AlertView:
    return AlertView(id=a.id, source=a.source, group_key=group_key, alert_key=a.alert_key,
                     status=a.status, summary=a.summary, severity=a.severity,
                     labels=dict(a.labels or {}), annotations=dict(a.annotations or {}),
                     links=[(str(x[0]), str(x[1])) for x in (a.links or [])],
                     first_seen=a.first_seen, last_seen=a.last_seen, count=a.count, ref=ref,
                     suppressed=a.suppressed, maintenance_id=a.maintenance_id)
