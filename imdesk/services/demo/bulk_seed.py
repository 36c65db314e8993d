"""`imdesk demo seed`: many synthetic incidents with valid hash chains, fast (for benchmarks).

Each incident follows one fixed story (opened, in progress, notes, resolved, closed; the newest
2 % stay open), so its projection is computed directly instead of folding every entry; a test
proves the result equals a rebuild from the timeline.
"""

from __future__ import annotations

import hashlib
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
from imdesk.domain.timeline import GENESIS_HASH, canonical_json_of, compact_json
from imdesk.services.incidents import REF_BASE, REF_PREFIX
from imdesk.storage.database import Database
from imdesk.storage.incident_repo import SLA_NEVER
from imdesk.storage.milestone_repo import fill_simple, fill_simple_sql
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
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


ENTRY_COLUMNS = ("uuid", "incident_id", "seq", "kind", "text", "author", "recorded_at",
                 "occurred_at", "data", "prev_hash", "hash")
INCIDENT_COLUMNS = ("id", "ref", "title", "description", "service_id", "service_name", "impact", "urgency",
                    "priority", "status", "major", "origin", "exercise", "opened_at",
                    "acknowledged_at", "resolved_at", "closed_at", "hold_started_at",
                    "on_hold_seconds", "respond_minutes", "resolve_minutes", "respond_due",
                    "resolve_due", "sla_due", "last_seq", "head_hash", "updated_at")


def bulk_seed(db: Database, *, incidents: int, entries: int, seed: int = 1,
              now: datetime | None = None, open_share: float = 0.02,
              span: timedelta = timedelta(days=30)) -> SeedResult:
    """Insert synthetic incidents opened evenly over the `span` before `now`; the newest
    `open_share` of them stay open."""
    started = time.perf_counter()
    rng = random.Random(seed)
    now = now or datetime.now(UTC)
    with db.write() as s:
        first_id = int(s.execute(select(func.coalesce(func.max(IncidentRow.id), 0))).scalar_one()) + 1
        services = [(r.id, r.name) for r in s.execute(select(ServiceRow.id, ServiceRow.name))]
    per = [entries // incidents] * incidents
    for i in range(entries - sum(per)):
        per[i % incidents] += 1
    story = _Story(rng, now, first_id, per, services, PriorityMatrix(), SlaPolicy())
    story.open_from = incidents * (1 - open_share)
    story.span = span
    written = 0
    inc_batch: list[tuple[Any, ...]] = []
    ent_batch: list[tuple[Any, ...]] = []
    for inc_row, ent_rows in story.rows():
        inc_batch.append(inc_row)
        ent_batch.extend(ent_rows)
        written += len(ent_rows)
        if len(ent_batch) >= _BATCH * 10:
            _flush(db, inc_batch, ent_batch)
            inc_batch, ent_batch = [], []
    if inc_batch:
        _flush(db, inc_batch, ent_batch)
    return SeedResult(incidents, written, time.perf_counter() - started)


def _flush(db: Database, inc_rows: list[tuple[Any, ...]], ent_rows: list[tuple[Any, ...]]) -> None:
    """Rows hold values as SQLAlchemy stores them on SQLite: naive UTC text, JSON text."""
    if db.is_sqlite:
        raw = db.engine.raw_connection()
        try:
            cur = raw.cursor()
            cur.execute("BEGIN IMMEDIATE")
            cur.executemany(_insert_sql("incident", INCIDENT_COLUMNS), inc_rows)
            cur.executemany(_insert_sql("timeline_entry", ENTRY_COLUMNS), ent_rows)
            cur.execute(fill_simple_sql("sqlite"), {"a": inc_rows[0][0], "b": inc_rows[-1][0]})
            cur.execute("COMMIT")
        except BaseException:
            raw.rollback()
            raise
        finally:
            raw.close()
        return
    with db.write() as s:
        s.execute(insert(IncidentRow), [_typed(dict(zip(INCIDENT_COLUMNS, r, strict=True)))
                                        for r in inc_rows])
        s.execute(insert(TimelineEntryRow), [_typed(dict(zip(ENTRY_COLUMNS, r, strict=True)))
                                             for r in ent_rows])
        fill_simple(s, inc_rows[0][0], inc_rows[-1][0])


def _insert_sql(table: str, columns: tuple[str, ...]) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"


def _typed(row: dict[str, Any]) -> dict[str, Any]:
    """Back from SQLite text to Python values, for other databases."""
    for key, value in row.items():
        if isinstance(value, str) and (key.endswith("_at") or key.endswith("_due")):
            row[key] = datetime.fromisoformat(value).replace(tzinfo=UTC)
        elif key == "data":
            row[key] = json.loads(value)
    return row


def _stamp(value: datetime) -> tuple[str, str]:
    """(SQLite column text, ISO text for the hash) of one UTC time."""
    naive = value.replace(tzinfo=None)
    return naive.isoformat(" ", "microseconds"), naive.isoformat() + "Z"


class _Story:
    """Each incident: opened, in progress, notes, resolved, closed (the newest 2 % stay open)."""

    def __init__(self, rng: random.Random, now: datetime, first_id: int, per: list[int],
                 services: list[tuple[int, str]], matrix: PriorityMatrix, policy: SlaPolicy) -> None:
        self.rng, self.now, self.first_id, self.per = rng, now, first_id, per
        self.services, self.matrix, self.policy = services, matrix, policy
        self.open_from = len(per) * 0.98
        self.span = timedelta(days=30)
        self.notes = [f"checked {a} and {b}; see ticket {rng.randrange(10000, 99999)}"
                      for a in _WORDS for b in _WORDS if a != b]
        self.to_progress = compact_json({"from": "new", "to": "in_progress"})
        self.to_resolved = compact_json({"from": "in_progress", "to": "resolved"})
        self.to_closed = compact_json({"from": "resolved", "to": "closed"})

    def rows(self) -> Iterator[tuple[tuple[Any, ...], list[tuple[Any, ...]]]]:
        rng, n = self.rng, len(self.per)
        span = self.span.total_seconds()
        for i, count in enumerate(self.per):
            inc_id = self.first_id + i
            ref = f"{REF_PREFIX}{REF_BASE + inc_id}"
            opened = (self.now - timedelta(seconds=span * (n - i) / n)).replace(
                microsecond=rng.randrange(1, 10**6))
            impact, urgency = rng.choice(_LEVELS), rng.choice(_LEVELS)
            priority = self.matrix.priority(impact, urgency)
            targets = self.policy.for_priority(priority)
            words = rng.sample(_WORDS, 3)
            title = f"{words[0].capitalize()} {words[1]} {words[2]} problem #{inc_id}"
            service = rng.choice(self.services) if self.services and rng.random() < 0.9 else None
            still_open = i >= self.open_from
            opened_data = compact_json({
                "title": title, "description": "", "service": service[1] if service else None,
                "impact": impact.value, "urgency": urgency.value, "priority": priority.value,
                "major": False, "origin": "phone", "exercise": False,
                "respond_minutes": targets.respond_minutes, "resolve_minutes": targets.resolve_minutes})
            kinds: list[tuple[str, str, str]] = [("opened", title, opened_data)]
            tail = [] if still_open or count < 4 else [
                ("status", "fixed and confirmed by the user", self.to_resolved),
                ("status", "", self.to_closed)]
            if count >= 2:
                kinds.append(("status", "", self.to_progress))
            notes = self.notes
            while len(kinds) + len(tail) < count:
                kinds.append(("note", notes[int(rng.random() * len(notes))], "{}"))
            kinds += tail
            step = timedelta(seconds=rng.randrange(30, 900))
            entries: list[tuple[Any, ...]] = []
            prev = GENESIS_HASH
            at = opened
            times: list[datetime] = []
            for seq, (kind, text, data_json) in enumerate(kinds, start=1):
                entry_uuid = str(uuid.UUID(int=rng.getrandbits(128), version=4))
                stored, iso_text = _stamp(at)
                digest = hashlib.sha256(canonical_json_of(
                    prev, ref, seq, entry_uuid, kind, text, "seed", iso_text, None, data_json,
                ).encode("utf-8")).hexdigest()
                entries.append((entry_uuid, inc_id, seq, kind, text, "seed", stored, None,
                                data_json, prev, digest))
                times.append(at)
                prev = digest
                at += step
            yield self._incident(inc_id, ref, title, impact, urgency, priority.value, targets.respond_minutes,
                                 targets.resolve_minutes, opened, kinds, times, prev,
                                 service), entries

    @staticmethod
    def _incident(inc_id: int, ref: str, title: str, impact: Level, urgency: Level, priority: str,
                  respond: int, resolve: int, opened: datetime, kinds: list[tuple[str, str, str]],
                  times: list[datetime], head: str,
                  service: tuple[int, str] | None) -> tuple[Any, ...]:
        ack = resolved = closed = None
        status = "new"
        for (kind, _text, data_json), at in zip(kinds, times, strict=True):
            if kind == "status":
                status = json.loads(data_json)["to"]
                if status == "in_progress":
                    ack = at
                elif status == "resolved":
                    resolved = at
                elif status == "closed":
                    closed = at
        respond_due = opened + timedelta(minutes=respond)
        resolve_due = opened + timedelta(minutes=resolve)
        sla_due = SLA_NEVER if status in ("resolved", "closed") else (
            respond_due if ack is None else resolve_due)

        def t(value: datetime | None) -> str | None:
            return None if value is None else _stamp(value)[0]

        return (inc_id, ref, title, "", service[0] if service else None,
                service[1] if service else None, impact.value, urgency.value, priority, status,
                False, "phone", False, t(opened), t(ack), t(resolved), t(closed), None, 0, respond,
                resolve, t(respond_due), t(resolve_due), t(sla_due), len(kinds), head,
                t(times[-1]))
