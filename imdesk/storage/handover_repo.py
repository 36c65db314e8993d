"""Handover rows and their step chain; the window queries the compiler reads."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, Text, func, select, text, type_coerce
from sqlalchemy.orm import Session

from imdesk.domain.handover import Step, StepRecord
from imdesk.domain.timeline import GENESIS_HASH
from imdesk.storage.handover_models import HandoverRow, HandoverStepRow
from imdesk.storage.models import IncidentRow, TimelineEntryRow


def to_record(row: HandoverStepRow) -> StepRecord:
    return StepRecord(row.handover_id, row.seq, Step(row.step), row.name, row.at, row.text,
                      row.body or {}, row.prev_hash, row.hash)


def by_window(s: Session, start: datetime) -> HandoverRow | None:
    return s.scalars(select(HandoverRow).where(HandoverRow.window_start == start)).first()


def get(s: Session, handover_id: int, *, for_update: bool = False) -> HandoverRow | None:
    q = select(HandoverRow).where(HandoverRow.id == handover_id)
    if for_update:
        q = q.with_for_update()
    return s.scalars(q).first()


def steps_of(s: Session, handover_ids: Sequence[int]) -> dict[int, list[StepRecord]]:
    out: dict[int, list[StepRecord]] = {i: [] for i in handover_ids}
    if handover_ids:
        for row in s.scalars(select(HandoverStepRow).where(
                HandoverStepRow.handover_id.in_(list(handover_ids))).order_by(HandoverStepRow.seq)):
            out[row.handover_id].append(to_record(row))
    return out


def newest(s: Session, limit: int) -> list[HandoverRow]:
    return list(s.scalars(select(HandoverRow).order_by(HandoverRow.window_start.desc())
                          .limit(limit)))


def all_steps(s: Session) -> list[StepRecord]:
    return [to_record(r) for r in s.scalars(select(HandoverStepRow).order_by(HandoverStepRow.seq))]


def chain_head(s: Session) -> tuple[int, str]:
    """(seq, hash) of the newest step, serialised against other writers on PostgreSQL."""
    if s.get_bind().dialect.name == "postgresql":
        s.execute(text("LOCK TABLE handover_step IN SHARE ROW EXCLUSIVE MODE"))
    row = s.scalars(select(HandoverStepRow).order_by(HandoverStepRow.seq.desc()).limit(1)).first()
    return (0, GENESIS_HASH) if row is None else (row.seq, row.hash)


def add_step(s: Session, record: StepRecord) -> None:
    s.add(HandoverStepRow(handover_id=record.handover_id, seq=record.seq, step=record.step.value,
                          name=record.name, at=record.at, text=record.text, body=dict(record.body),
                          prev_hash=record.prev_hash, hash=record.hash))


# -- what the compiler reads ---------------------------------------------------------------------
# What a section shows of an incident (plain rows, not ORM objects: a shift speaks of
# thousands of incidents on a big desk, and reading whole rows costs ten times as much).
BRIEF = (IncidentRow.id, IncidentRow.ref, IncidentRow.title, IncidentRow.priority,
         IncidentRow.status, IncidentRow.service_name, IncidentRow.major, IncidentRow.exercise,
         IncidentRow.last_seq, IncidentRow.head_hash)
CLOCK = (IncidentRow.opened_at, IncidentRow.acknowledged_at, IncidentRow.resolved_at,
         IncidentRow.closed_at, IncidentRow.hold_started_at, IncidentRow.on_hold_seconds,
         IncidentRow.respond_minutes, IncidentRow.resolve_minutes)


def open_incidents(s: Session, statuses: Sequence[str]) -> list[Row[Any]]:
    return list(s.execute(select(*BRIEF, *CLOCK).where(IncidentRow.status.in_(list(statuses)))
                          .order_by(IncidentRow.priority, IncidentRow.opened_at)))


def opened_between(s: Session, start: datetime, end: datetime) -> list[Row[Any]]:
    return list(s.execute(select(*BRIEF, IncidentRow.opened_at).where(
        IncidentRow.opened_at >= start, IncidentRow.opened_at < end)))


def backdated_into(s: Session, start: datetime, end: datetime) -> list[tuple[int, datetime]]:
    """(incident id, occurred_at) of entries written since `start` that say they happened
    inside the window, before their incident was opened."""
    rows = s.execute(select(TimelineEntryRow.incident_id, TimelineEntryRow.occurred_at,
                            TimelineEntryRow.data).where(
        TimelineEntryRow.recorded_at >= start, TimelineEntryRow.occurred_at.is_not(None),
        TimelineEntryRow.occurred_at < end)).all()
    return [(i, at) for i, at, data in rows if at is not None and (data or {}).get("before_opened")]


def earliest_backdated(s: Session, incident_ids: Sequence[int]) -> dict[int, datetime]:
    """The earliest occurred_at of entries backdated to before their incident was opened."""
    if not incident_ids:
        return {}
    out: dict[int, datetime] = {}
    rows = s.execute(select(TimelineEntryRow.incident_id, TimelineEntryRow.occurred_at,
                            TimelineEntryRow.data).where(
        TimelineEntryRow.incident_id.in_(list(incident_ids)),
        TimelineEntryRow.occurred_at.is_not(None))).all()
    for i, at, data in rows:
        if at is not None and (data or {}).get("before_opened") and (i not in out or at < out[i]):
            out[i] = at
    return out


def status_changes(s: Session, start: datetime, end: datetime) -> list[tuple[Row[Any], datetime,
                                                                          dict[str, Any]]]:
    """(incident brief, recorded_at, data) of the status entries recorded in the window that
    resolve, close, cancel or reopen, in order — one query with the incident joined."""
    rows = s.execute(
        select(*BRIEF, IncidentRow.opened_at, TimelineEntryRow.recorded_at,
               type_coerce(TimelineEntryRow.data, Text).label("data_text"))
        .join(IncidentRow, IncidentRow.id == TimelineEntryRow.incident_id)
        .where(TimelineEntryRow.recorded_at >= start, TimelineEntryRow.recorded_at < end,
               TimelineEntryRow.kind == "status")
        .order_by(TimelineEntryRow.recorded_at, TimelineEntryRow.id))
    out: list[tuple[Row[Any], datetime, dict[str, Any]]] = []
    row: Any
    for row in rows:
        raw = row.data_text or ""
        if isinstance(raw, dict):  # psycopg hands JSON over decoded
            data = raw
        elif "resolved" in raw or "closed" in raw or "cancelled" in raw:
            data = json.loads(raw)  # most moves are to in progress from new: decode only these
        else:
            continue
        if data.get("to") in ("resolved", "closed", "cancelled") or data.get("from") == "resolved":
            out.append((row, row.recorded_at, data))
    return out


def lines_of(s: Session, incident_id: int, kinds: Sequence[str], start: datetime,
             end: datetime) -> list[TimelineEntryRow]:
    return list(s.scalars(select(TimelineEntryRow).where(
        TimelineEntryRow.incident_id == incident_id, TimelineEntryRow.kind.in_(list(kinds)),
        TimelineEntryRow.recorded_at >= start, TimelineEntryRow.recorded_at < end)
        .order_by(TimelineEntryRow.seq)))


def incidents_by_id(s: Session, ids: Sequence[int]) -> dict[int, Row[Any]]:
    if not ids:
        return {}
    out: dict[int, Row[Any]] = {}
    for n in range(0, len(ids), 5000):
        chunk = list(ids[n:n + 5000])
        r: Any
        for r in s.execute(select(*BRIEF, IncidentRow.opened_at).where(IncidentRow.id.in_(chunk))):
            out[r.id] = r
    return out


def entries_upto(s: Session, ref: str, seq: int) -> list[TimelineEntryRow]:
    inc = s.scalars(select(IncidentRow.id).where(IncidentRow.ref == ref)).first()
    if inc is None:
        return []
    return list(s.scalars(select(TimelineEntryRow).where(
        TimelineEntryRow.incident_id == inc, TimelineEntryRow.seq <= seq)
        .order_by(TimelineEntryRow.seq)))


def step_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(HandoverStepRow)) or 0)
