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

from sqlalchemy import case, func, insert, select
from sqlalchemy.orm import Session

from imdesk.domain.alert_accept import MAX_BODY as MAX_BODY
from imdesk.domain.alert_accept import Accepted as Accepted
from imdesk.domain.alert_accept import accept as accept
from imdesk.domain.alert_outcome import Outcome
from imdesk.domain.alert_payload import PayloadError, parse
from imdesk.domain.alert_rules import Window
from imdesk.services.alerts.apply import NoticeApplier
from imdesk.services.alerts.monitoring_watch import heartbeat_seen, load_windows
from imdesk.services.alerts.settings import load_mapping
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.incidents import IncidentService
from imdesk.storage import incident_repo
from imdesk.storage.alert_models import AlertGroupRow, AlertInboxRow, AlertRow, HeartbeatRow
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow

log = logging.getLogger(__name__)

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
        # Serialises this process's inbox writes and processing transactions, so neither waits
        # in SQLite's busy handler (which sleeps in steps of up to 100 ms) behind the other.
        self._gate = threading.Lock()

    # -- intake ---------------------------------------------------------------------------
    def store(self, items: Sequence[Accepted]) -> None:
        """Commit payloads to the inbox in one transaction (durable when this returns)."""
        if not items:
            return
        now = self._clock.now()
        rows = [{"received_at": now, "endpoint": a.endpoint, "body": a.body,
                 "assigned_key": a.assigned_key} for a in items]
        with self._gate, self._db.write() as s:
            s.execute(insert(AlertInboxRow), rows)

    def open_inbox_writer(self) -> InboxConnection:
        return InboxConnection(self._db, self._gate, self._clock)

    def heartbeat_exists(self, name: str) -> bool:
        with self._db.read() as s:
            return s.scalars(select(HeartbeatRow.id).where(HeartbeatRow.name == name)).first() is not None

    def ingest(self, body: bytes, fmt: str = "auto") -> tuple[Accepted, Outcome]:
        """What `imdesk alerts ingest` does: the listener's checks, the inbox, then processing."""
        accepted = accept(body, fmt)
        self.store([accepted])
        return accepted, self.process_pending()

    # -- processing -----------------------------------------------------------------------
    def pending(self) -> int:
        with self._db.read() as s:
            return int(s.execute(select(func.count()).select_from(AlertInboxRow)
                                 .where(AlertInboxRow.processed_at.is_(None))).scalar_one())

    def process_pending(self, batch: int = 200, *, budget_s: float | None = None,
                        between: Callable[[], None] | None = None,
                        transactions: int | None = None) -> Outcome:
        """Process every unprocessed inbox row, oldest first, a batch per transaction. With a
        budget a transaction commits after that much work (it holds the write lock only so
        long); `between` runs before each transaction (the listener lets its writer go first)."""
        total = Outcome()
        rounds = 0
        while True:
            if between is not None:
                between()
            done, exhausted, outcome = self._process_batch(batch, budget_s)
            total.merge(outcome)
            rounds += 1
            if exhausted or done == 0 or (transactions is not None and rounds >= transactions):
                return total

    def _process_batch(self, batch: int, budget_s: float | None) -> tuple[int, bool, Outcome]:
        try:
            with self._gate, self._db.write() as s:
                started = time.perf_counter()
                rows = self._next(s, batch)
                outcome = Outcome()
                appliers: list[NoticeApplier] = []  # one per transaction: settings read once
                for row in rows:
                    outcome.merge(self._process_row(s, row, appliers))
                    outcome.processed += 1
                    if budget_s is not None and time.perf_counter() - started > budget_s:
                        break
                return outcome.processed, len(rows) < batch and outcome.processed == len(rows), outcome
        except Exception:
            if batch == 1:
                return *self._quarantine(), Outcome(processed=1)
            log.exception("alert batch failed; processing one by one")
            outcome = Outcome()
            count = 0
            for _ in range(batch):
                n, exhausted, one = self._process_batch(1, None)
                outcome.merge(one)
                count += n
                if exhausted or n == 0:
                    return count, True, outcome
            return count, False, outcome

    def _next(self, s: Session, limit: int) -> Sequence[AlertInboxRow]:
        # SKIP LOCKED: two processors on one PostgreSQL database (two desks listening) never
        # take the same payload; SQLite's write lock serialises them anyway.
        return s.scalars(select(AlertInboxRow).where(AlertInboxRow.processed_at.is_(None))
                         .order_by(AlertInboxRow.id).limit(limit)
                         .with_for_update(skip_locked=True)).all()

    def _quarantine(self) -> tuple[int, bool]:
        """A payload whose processing fails (a bug): set aside with the reason, never lost."""
        log.exception("an alert payload could not be processed")
        with self._gate, self._db.write() as s:
            rows = self._next(s, 1)
            for row in rows:
                row.processed_at = self._clock.now()
                row.outcome = "failed: could not be processed (kept in the inbox)"
            return len(rows), not rows

    def _process_row(self, s: Session, row: AlertInboxRow, appliers: list[NoticeApplier]) -> Outcome:
        now = self._clock.now()
        row.processed_at = now
        if row.endpoint == "heartbeat":
            outcome = heartbeat_seen(s, self._incidents, row.body, row.received_at)
        else:
            try:
                notice = parse(json.loads(row.body), row.endpoint, assigned_key=row.assigned_key)
            except PayloadError as exc:  # accepted by an older check: kept, with the reason
                row.outcome = f"refused: {exc}"
                return Outcome(notes=[row.outcome])
            if not appliers:
                appliers.append(NoticeApplier(self._incidents, load_mapping(s), self._windows(s)))
            outcome = appliers[0].apply(s, notice, _digest(row.body, row.assigned_key), row.received_at)
        row.outcome = "; ".join(outcome.notes)[:2000] or "processed"
        return outcome

    def _windows(self, s: Session) -> list[Window]:
        return load_windows(s, self._clock.now())

    # -- reading --------------------------------------------------------------------------
    def alerts(self, *, ref: str | None = None, limit: int = 1000, offset: int = 0,
               status: str | None = None) -> list[AlertView]:
        """Newest first; only one incident's alerts when ref is given."""
        with self._db.read() as s:
            query = (select(AlertRow, AlertGroupRow.group_key, IncidentRow.ref)
                     .join(AlertGroupRow, AlertGroupRow.id == AlertRow.group_id)
                     .outerjoin(IncidentRow, IncidentRow.id == AlertRow.incident_id))
            if ref is not None:
                incident = incident_repo.get_row(s, ref)
                query = query.where(AlertRow.incident_id == incident.id)
            if status is not None:
                query = query.where(AlertRow.status == status)
            query = query.order_by(AlertRow.last_seen.desc(), AlertRow.id.desc()).offset(offset).limit(limit)
            return [_view(a, key, inc_ref) for a, key, inc_ref in s.execute(query)]

    def alert_counts(self, refs: Sequence[str]) -> dict[str, tuple[int, int]]:
        """ref → (alerts attached, of which firing or acknowledged)."""
        if not refs:
            return {}
        with self._db.read() as s:
            rows = s.execute(
                select(IncidentRow.ref, func.count(AlertRow.id),
                       func.sum(case((AlertRow.status != "resolved", 1), else_=0)))
                .join(AlertRow, AlertRow.incident_id == IncidentRow.id)
                .where(IncidentRow.ref.in_(list(refs))).group_by(IncidentRow.ref))
            return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}

    def inbox(self, limit: int = 200) -> list[tuple[int, datetime, str, str | None, int]]:
        """The newest inbox rows: (id, received, endpoint, outcome or None while pending, size)."""
        with self._db.read() as s:
            rows = s.execute(select(AlertInboxRow.id, AlertInboxRow.received_at, AlertInboxRow.endpoint,
                                    AlertInboxRow.outcome, func.length(AlertInboxRow.body))
                             .order_by(AlertInboxRow.id.desc()).limit(limit))
            return [(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]


class InboxConnection:
    """The listener's own connection for storing payloads, kept open while it runs. On SQLite it
    does no WAL auto-checkpoint: a checkpoint writes and syncs the database file, and that would
    land on a sender's reply; the processor's commits (after the storm) checkpoint instead."""

    def __init__(self, db: Database, gate: threading.Lock, clock: Clock) -> None:
        self._gate = gate
        self._clock = clock
        self._sqlite = db.is_sqlite
        self._conn = db.engine.connect().execution_options(imdesk_begin="IMMEDIATE")
        if self._sqlite:
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            self._conn.commit()

    def store(self, items: Sequence[Accepted]) -> None:
        """Commit payloads to the inbox in one transaction (durable when this returns)."""
        now = self._clock.now()
        rows = [{"received_at": now, "endpoint": a.endpoint, "body": a.body,
                 "assigned_key": a.assigned_key} for a in items]
        with self._gate, self._conn.begin():
            self._conn.execute(insert(AlertInboxRow), rows)

    def close(self) -> None:
        if self._sqlite:
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 1000")
            self._conn.commit()
        self._conn.close()


def _view(a: AlertRow, group_key: str, ref: str | None) -> AlertView:
    return AlertView(id=a.id, source=a.source, group_key=group_key, alert_key=a.alert_key,
                     status=a.status, summary=a.summary, severity=a.severity,
                     labels=dict(a.labels or {}), annotations=dict(a.annotations or {}),
                     links=[(str(x[0]), str(x[1])) for x in (a.links or [])],
                     first_seen=a.first_seen, last_seen=a.last_seen, count=a.count, ref=ref,
                     suppressed=a.suppressed, maintenance_id=a.maintenance_id)
