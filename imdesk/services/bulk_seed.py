"""`imdesk demo seed`: many synthetic incidents with valid hash chains, fast (for benchmarks).

Each incident follows one fixed story (opened, in progress, notes, resolved, closed; the newest
2 % stay open), so its projection is computed directly instead of folding every entry; a test
proves the result equals a rebuild from the timeline.
"""

from __future__ import annotations

import json
import random
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select

from imdesk.domain.priority import Level, PriorityMatrix
from imdesk.domain.sla import SlaPolicy
from imdesk.domain.timeline import GENESIS_HASH, entry_hash
from imdesk.services.incidents import REF_BASE, REF_PREFIX
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow, ServiceRow, TimelineEntryRow

_WORDS = ("switch", "uplink", "mailbox", "printer", "VPN", "gateway", "database", "ERP", "login",
          "timeout", "certificate", "disk", "backup", "Wi-Fi", "payroll", "website", "DNS",
          "latency", "outage", "queue", "firewall", "cluster", "license", "phone", "portal")
_LEVELS = (Level.HIGH, Level.MEDIUM, Level.LOW)
_BATCH = 2000


@dataclass(frozen=True)
class SeedResult:
    incidents: int
    entries: int
    seconds: float

    @property
    def rate(self) -> float:
        return self.entries / self.seconds if self.seconds else 0.0


def _sqlite_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


def bulk_seed(db: Database, *, incidents: int, entries: int, seed: int = 1,
              now: datetime | None = None) -> SeedResult:
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    with db.write() as s:
        first_id = int(s.execute(select(func.coalesce(func.max(IncidentRow.id), 0))).scalar_one()) + 1
        services = [(r.id, r.name) for r in s.execute(select(ServiceRow.id, ServiceRow.name))]
    matrix, policy = PriorityMatrix(), SlaPolicy()
    per = [entries // incidents] * incidents
    for i in range(entries - sum(per)):
        per[i % incidents] += 1
    span = timedelta(days=30).total_seconds()
    gen = _generate(rng, now, span, first_id, per, services, matrix, policy)
    written = 0
    inc_batch: list[dict[str, Any]] = []
    ent_batch: list[dict[str, Any]] = []
    for inc_row, ent_rows in gen:
        inc_batch.append(inc_row)
        ent_batch.extend(ent_rows)
        written += len(ent_rows)
        if len(ent_batch) >= _BATCH * 5:
            _flush(db, inc_batch, ent_batch)
            inc_batch, ent_batch = [], []
    if inc_batch:
        _flush(db, inc_batch, ent_batch)
    return SeedResult(incidents, written, time.perf_counter() - started)


def _flush(db: Database, inc_rows: list[dict[str, Any]], ent_rows: list[dict[str, Any]]) -> None:
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("BEGIN IMMEDIATE")
            _raw_insert(cur, "incident", inc_rows, times=True)
            _raw_insert(cur, "timeline_entry", ent_rows, times=True)
            cur.execute("COMMIT")
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        return
    with db.write() as s:
        s.execute(insert(IncidentRow), inc_rows)
        s.execute(insert(TimelineEntryRow), ent_rows)


def _raw_insert(cur: Any, table: str, rows: list[dict[str, Any]], *, times: bool) -> None:
    if not rows:
        return
    cols = list(rows[0])
    sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})"

    def conv(v: Any) -> Any:
        if isinstance(v, datetime):
            return _sqlite_time(v)
        if isinstance(v, dict):
            return json.dumps(v)
        return v

    cur.executemany(sql, [tuple(conv(r[c]) for c in cols) for r in rows])


def _generate(rng: random.Random, now: datetime, span: float, first_id: int, per: list[int],
              services: list[tuple[int, str]], matrix: PriorityMatrix, policy: SlaPolicy,
              ) -> Iterator[tuple[dict[str, Any], list[dict[str, Any]]]]:
    n = len(per)
    for i, count in enumerate(per):
        inc_id = first_id + i
        ref = f"{REF_PREFIX}{REF_BASE + inc_id}"
        opened = now - timedelta(seconds=span * (n - i) / n) + timedelta(microseconds=rng.randrange(10**6))
        impact, urgency = rng.choice(_LEVELS), rng.choice(_LEVELS)
        priority = matrix.priority(impact, urgency)
        targets = policy.for_priority(priority)
        words = rng.sample(_WORDS, 3)
        title = f"{words[0].capitalize()} {words[1]} {words[2]} problem #{inc_id}"
        service = rng.choice(services) if services and rng.random() < 0.9 else None
        still_open = i >= n * 0.98
        # The story: opened, in_progress, notes..., resolved, closed (open ones stop early).
        kinds: list[tuple[str, str, dict[str, Any]]] = [("opened", title, {
            "title": title, "description": "", "service": None, "impact": impact.value,
            "urgency": urgency.value, "priority": priority.value, "major": False,
            "origin": "phone", "exercise": False, "respond_minutes": targets.respond_minutes,
            "resolve_minutes": targets.resolve_minutes})]
        tail = [] if still_open or count < 4 else [
            ("status", "fixed and confirmed by the user", {"from": "in_progress", "to": "resolved"}),
            ("status", "", {"from": "resolved", "to": "closed"})]
        if count >= 2:
            kinds.append(("status", "", {"from": "new", "to": "in_progress"}))
        while len(kinds) + len(tail) < count:
            a, b = rng.sample(_WORDS, 2)
            kinds.append(("note", f"checked {a} and {b}; see ticket {rng.randrange(10000, 99999)}", {}))
        kinds += tail
        step = timedelta(seconds=rng.randrange(30, 900))
        entries: list[dict[str, Any]] = []
        prev = GENESIS_HASH
        at = opened
        for seq, (kind, text, data) in enumerate(kinds, start=1):
            entry_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
            if kind == "opened" and service is not None:
                data = dict(data, service=service[1])
            digest = entry_hash(prev_hash=prev, incident_ref=ref, seq=seq, uuid=entry_uuid,
                                kind=kind, text=text, author="seed", recorded_at=at,
                                occurred_at=None, data=data)
            entries.append({"uuid": entry_uuid, "incident_id": inc_id, "seq": seq, "kind": kind,
                            "text": text, "author": "seed", "recorded_at": at,
                            "occurred_at": None, "data": data, "prev_hash": prev, "hash": digest})
            prev = digest
            at += step
        row = _incident_row(inc_id, ref, title, impact, urgency, priority.value, targets.respond_minutes,
                            targets.resolve_minutes, opened, entries)
        row["service_id"] = service[0] if service else None
        yield row, entries


def _incident_row(inc_id: int, ref: str, title: str, impact: Level, urgency: Level, priority: str,
                  respond: int, resolve: int, opened: datetime,
                  entries: list[dict[str, Any]]) -> dict[str, Any]:
    ack = resolved = closed = None
    status = "new"
    for e in entries[1:]:
        if e["kind"] == "status":
            status = e["data"]["to"]
            if status == "in_progress":
                ack = e["recorded_at"]
            elif status == "resolved":
                resolved = e["recorded_at"]
            elif status == "closed":
                closed = e["recorded_at"]
    respond_due = opened + timedelta(minutes=respond)
    resolve_due = opened + timedelta(minutes=resolve)
    sla_due = None if status in ("resolved", "closed") else (respond_due if ack is None else resolve_due)
    return {
        "id": inc_id, "ref": ref, "title": title, "description": "", "service_id": None,
        "impact": impact.value, "urgency": urgency.value, "priority": priority, "status": status,
        "major": False, "origin": "phone", "exercise": False, "opened_at": opened,
        "acknowledged_at": ack, "resolved_at": resolved, "closed_at": closed,
        "hold_started_at": None, "on_hold_seconds": 0, "respond_minutes": respond,
        "resolve_minutes": resolve, "respond_due": respond_due, "resolve_due": resolve_due,
        "sla_due": sla_due, "last_seq": entries[-1]["seq"], "head_hash": entries[-1]["hash"],
        "updated_at": entries[-1]["recorded_at"],
    }
