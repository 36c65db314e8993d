"""An incident row (any object with the incident table's column names as attributes) to the
domain's IncidentState. No SQLAlchemy: the start-up reader uses it on plain sqlite3 rows."""

from __future__ import annotations

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


