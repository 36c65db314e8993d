"""Reading and writing incident_milestone rows (the fold itself is imdesk.domain.milestones)."""

from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from imdesk.domain.milestones import FIELDS, Milestones, advance, fold
from imdesk.domain.timeline import TimelineEntry
from imdesk.storage import timeline_repo
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow


def to_milestones(row: MilestoneRow) -> Milestones:
    return Milestones(**{name: getattr(row, name) for name in FIELDS})


def _write(row: MilestoneRow, ms: Milestones) -> None:
    for name in FIELDS:
        setattr(row, name, getattr(ms, name))


def on_append(session: Session, incident: IncidentRow, entry: TimelineEntry) -> None:
    """Advance the incident's milestones by the entry just appended (same transaction)."""
    row = session.get(MilestoneRow, incident.id) if entry.seq > 1 else None
    if row is None:
        current = None
        if entry.seq > 1:  # a row missing (never filled): fold what came before
            current = fold(timeline_repo.entries_for(session, incident)[: entry.seq - 1])
        row = MilestoneRow(incident_id=incident.id)
        session.add(row)
        _write(row, advance(current, entry))
        return
    _write(row, advance(to_milestones(row), entry))


def get(session: Session, incident_id: int) -> Milestones | None:
    row = session.get(MilestoneRow, incident_id)
    return None if row is None else to_milestones(row)


def put(session: Session, incident_id: int, ms: Milestones) -> None:
    """Store a rebuilt row (migration, repair)."""
    row = session.get(MilestoneRow, incident_id)
    if row is None:
        row = MilestoneRow(incident_id=incident_id)
        session.add(row)
    _write(row, ms)


# Rows for bulk-seeded incidents whose story is plain (opened, acknowledged, resolved, closed;
# no hold, major, update or reopen): copied from their projection in one statement.
FILL_SIMPLE_SQL = (
        "INSERT INTO incident_milestone (incident_id, opened_at, acknowledged_at, major_at, "
        "first_update_at, first_resolved_at, resolved_at, closed_at, cancelled_at, reopened, "
        "on_hold_seconds, hold_started_at, status) "
        "SELECT id, opened_at, acknowledged_at, NULL, NULL, resolved_at, resolved_at, closed_at, "
        "NULL, 0, on_hold_seconds, hold_started_at, status FROM incident "
        "WHERE id BETWEEN :a AND :b")


def fill_simple(session: Session, first_id: int, last_id: int) -> None:
    session.execute(text(FILL_SIMPLE_SQL), {"a": first_id, "b": last_id})


def missing_ids(session: Session) -> list[int]:
    """Incidents without a milestone row."""
    return list(session.scalars(
        select(IncidentRow.id).outerjoin(MilestoneRow, MilestoneRow.incident_id == IncidentRow.id)
        .where(MilestoneRow.incident_id.is_(None))))
