"""The metrics query: one row per incident opened in the range (milestones joined with the
incident's priority, service, origin and SLA targets), durations computed in SQL as seconds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, extract, func, select
from sqlalchemy.orm import Session

from imdesk.domain.metrics import Sample
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow


@dataclass(frozen=True)
class MetricsFilter:
    start: datetime  # inclusive, UTC-aware
    end: datetime  # exclusive
    priorities: tuple[str, ...] = ()
    service: str | None = None
    origin: str | None = None
    exercises: bool = False  # True: only drills; False (default): drills left out


def _epoch(session: Session, column: Any) -> Any:
    if session.get_bind().dialect.name == "sqlite":
        return (func.julianday(column) - 2440587.5) * 86400.0
    return extract("epoch", column)


def conditions(session: Session, f: MetricsFilter) -> list[Any]:
    m, i = MilestoneRow, IncidentRow
    out: list[Any] = [m.opened_at >= f.start, m.opened_at < f.end, m.exercise.is_(f.exercises)]
    if f.priorities:
        out.append(i.priority.in_(f.priorities))
    if f.service:
        out.append(func.lower(i.service_name) == f.service.strip().lower())
    if f.origin:
        out.append(i.origin == f.origin)
    return out


def _stored(value: datetime) -> str:
    """A UTC time as SQLAlchemy keeps it in a SQLite text column (compared as text)."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


_SINCE = "round((julianday(m.{0}) - julianday(m.opened_at)) * 86400.0, 3)"
_EPOCH = "(julianday(m.{0}) - 2440587.5) * 86400.0"
SQLITE_SAMPLES = (
    "SELECT m.incident_id, i.priority, " + _EPOCH.format("opened_at") + ", "
    + _SINCE.format("acknowledged_at") + ", " + _SINCE.format("resolved_at") + ", "
    "m.hold_before_ack_seconds, m.hold_before_resolve_seconds, i.respond_minutes * 60.0, "
    "i.resolve_minutes * 60.0, m.cancelled, " + _EPOCH.format("major_at") + ", "
    + _EPOCH.format("first_communication_at") + " "
    "FROM incident_milestone m JOIN incident i ON i.id = m.incident_id "
    "WHERE m.opened_at >= ? AND m.opened_at < ? AND m.exercise = ?")


def _sqlite_samples(session: Session, f: MetricsFilter) -> list[tuple[Any, ...]]:
    """The same query straight on the driver: a year of incidents is 100k rows, and the
    driver's plain tuples are what the statistics read (no result-row objects in between)."""
    sql, params = SQLITE_SAMPLES, [_stored(f.start), _stored(f.end), int(f.exercises)]
    if f.priorities:
        sql += f" AND i.priority IN ({', '.join('?' * len(f.priorities))})"
        params += list(f.priorities)
    if f.service:
        sql += " AND lower(i.service_name) = ?"
        params.append(f.service.strip().lower())
    if f.origin:
        sql += " AND i.origin = ?"
        params.append(f.origin)
    cursor = session.connection().connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(sql, params)
        return list(cursor.fetchall())
    finally:
        cursor.close()


def samples(session: Session, f: MetricsFilter) -> list[Sample]:
    """Durations are differences computed in SQL (seconds, rounded to the millisecond); the
    rows come back as plain tuples (no ORM objects for a year of incidents)."""
    m, i = MilestoneRow, IncidentRow
    opened = _epoch(session, m.opened_at)

    def since(column: Any) -> Any:
        return func.round(_epoch(session, column) - opened, 3)

    stmt = (select(m.incident_id, i.priority, opened, since(m.acknowledged_at),
                   since(m.resolved_at), m.hold_before_ack_seconds, m.hold_before_resolve_seconds,
                   i.respond_minutes * 60.0, i.resolve_minutes * 60.0, m.cancelled,
                   _epoch(session, m.major_at), _epoch(session, m.first_communication_at))
            .join(i, i.id == m.incident_id)
            .where(and_(*conditions(session, f))))
    if session.get_bind().dialect.name == "sqlite":
        rows: list[Any] = _sqlite_samples(session, f)
        found = [Sample(*r[1:]) for r in rows]  # SQLite gives floats, ints and 0/1 already
    else:
        rows = list(session.execute(stmt).all())
        found = [_sample(r) for r in rows]
    return outages(session, found, [int(r[0]) for r in rows])


def _sample(r: Any) -> Sample:
    """PostgreSQL: numerics (Decimal) to floats."""
    def fl(v: Any) -> float | None:
        return None if v is None else float(v)

    return Sample(r[1], float(r[2]), fl(r[3]), fl(r[4]), float(r[5]), float(r[6]), float(r[7]),
                  float(r[8]), bool(r[9]), fl(r[10]), fl(r[11]))


def outages(session: Session, found: list[Sample], incident_ids: list[int]) -> list[Sample]:
    """THE one place that decides which incidents count as one outage. Today each incident is
    its own; linked incidents (a master and its callers) are to count once here."""
    del session, incident_ids
    return found


def raw_count(session: Session, f: MetricsFilter) -> int:
    """A plain count over the same join (the benchmark's baseline)."""
    stmt = (select(func.count()).select_from(MilestoneRow)
            .join(IncidentRow, IncidentRow.id == MilestoneRow.incident_id)
            .where(and_(*conditions(session, f))))
    return int(session.execute(stmt).scalar_one())
