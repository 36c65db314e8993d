"""An incident row (any object with the incident table's column names as attributes) to the
domain's IncidentState. No SQLAlchemy: the start-up reader uses it on plain sqlite3 rows."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from imdesk.domain.incident import IncidentState, Origin
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, Priority


def state_from_mapping(m: Any, service: str | None) -> IncidentState:
    return IncidentState(
        ref=m.ref,
        title=m.title,
        description=m.description,
        service=service,
        impact=Level(m.impact),
        urgency=Level(m.urgency),
        priority=Priority(m.priority),
        status=Status(m.status),
        major=bool(m.major),
        origin=Origin(m.origin),
        exercise=bool(m.exercise),
        opened_at=m.opened_at,
        acknowledged_at=m.acknowledged_at,
        resolved_at=m.resolved_at,
        closed_at=m.closed_at,
        hold_started_at=m.hold_started_at,
        on_hold_seconds=m.on_hold_seconds,
        respond_minutes=m.respond_minutes,
        resolve_minutes=m.resolve_minutes,
        last_seq=m.last_seq,
        head_hash=m.head_hash,
        updated_at=m.updated_at,
    )




# The columns state_from_tuple reads, in its order (the incident table's names).
STATE_COLUMNS = (
    "ref", "title", "description", "service_name", "impact", "urgency", "priority", "status",
    "major", "origin", "exercise", "opened_at", "acknowledged_at", "resolved_at", "closed_at",
    "hold_started_at", "on_hold_seconds", "respond_minutes", "resolve_minutes", "last_seq",
    "head_hash", "updated_at",
)
_LEVELS: dict[Any, Level] = {m.value: m for m in Level}
_PRIORITIES: dict[Any, Priority] = {m.value: m for m in Priority}
_STATUSES: dict[Any, Status] = {m.value: m for m in Status}
_ORIGINS: dict[Any, Origin] = {m.value: m for m in Origin}
_UTC = UTC
_from_iso = datetime.fromisoformat


def _utc(value: Any) -> datetime | None:
    """A naive UTC time as SQLAlchemy stores it in SQLite (ISO text), aware."""
    if value is None:
        return None
    return _from_iso(value).replace(tzinfo=_UTC)


def state_from_tuple(r: Sequence[Any]) -> IncidentState:
    """IncidentState of a plain sqlite3 row of STATE_COLUMNS: what state_from_mapping makes of
    the ORM's row, at a fraction of its cost (the incident list reads 100 rows per page)."""
    return IncidentState(
        ref=r[0], title=r[1], description=r[2], service=r[3],
        impact=_LEVELS.get(r[4]) or Level(r[4]), urgency=_LEVELS.get(r[5]) or Level(r[5]),
        priority=_PRIORITIES.get(r[6]) or Priority(r[6]),
        status=_STATUSES.get(r[7]) or Status(r[7]), major=bool(r[8]),
        origin=_ORIGINS.get(r[9]) or Origin(r[9]), exercise=bool(r[10]),
        opened_at=_from_iso(r[11]).replace(tzinfo=_UTC), acknowledged_at=_utc(r[12]),
        resolved_at=_utc(r[13]), closed_at=_utc(r[14]), hold_started_at=_utc(r[15]),
        on_hold_seconds=r[16], respond_minutes=r[17], resolve_minutes=r[18], last_seq=r[19],
        head_hash=r[20], updated_at=_from_iso(r[21]).replace(tzinfo=_UTC),
    )
