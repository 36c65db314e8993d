"""Incident rows: writing the projection, loading it, and the list query (filter/sort in SQL)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, or_, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.incident import IncidentState, Origin
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, Priority
from imdesk.storage.models import IncidentRow, ServiceRow

SORT_KEYS = ("ref", "priority", "title", "service", "status", "major", "age", "sla", "updated")

_STATE_FIELDS = (
    "ref", "title", "description", "impact", "urgency", "priority", "status", "major", "origin",
    "exercise", "opened_at", "acknowledged_at", "resolved_at", "closed_at", "hold_started_at",
    "on_hold_seconds", "respond_minutes", "resolve_minutes", "last_seq", "head_hash", "updated_at",
)


def write_state(row: IncidentRow, state: IncidentState, service_id: int | None) -> None:
    for name in _STATE_FIELDS:
        value = getattr(state, name)
        setattr(row, name, value.value if hasattr(value, "value") else value)
    row.service_id = service_id
    row.respond_due = state.respond_due
    row.resolve_due = state.resolve_due
    row.sla_due = state.sla_due


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


def service_name(session: Session, service_id: int | None) -> str | None:
    if service_id is None:
        return None
    return session.get(ServiceRow, service_id).name  # type: ignore[union-attr]


def row_state(session: Session, row: IncidentRow) -> IncidentState:
    return state_from_mapping(row, service_name(session, row.service_id))


def get_row(session: Session, ref: str, *, for_update: bool = False) -> IncidentRow:
    query = select(IncidentRow).where(IncidentRow.ref == ref.strip().upper())
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None:
        raise NotFoundError(f"no incident {ref!r}")
    return row


def service_id_for(session: Session, name: str | None) -> int | None:
    if name is None or not name.strip():
        return None
    found = session.scalars(
        select(ServiceRow.id).where(func.lower(ServiceRow.name) == name.strip().lower())
    ).first()
    if found is None:
        raise ValidationError("service", f"no service named {name!r}")
    return found


@dataclass(frozen=True)
class IncidentQuery:
    """What the incident list shows: filters and the sort, all done in SQL."""

    text: str = ""
    statuses: tuple[Status, ...] = ()  # empty: all
    priorities: tuple[Priority, ...] = ()
    major_only: bool = False
    sort: str = "sla"
    descending: bool = False
    include_exercise: bool = True
    services: tuple[str, ...] = field(default=())


_TOKEN = re.compile(r"\w+", re.UNICODE)


def _tokens(value: str) -> list[str]:
    return _TOKEN.findall(value.lower())[:8]


def _ts_term(token: str) -> str:
    """A prefix term for to_tsquery. PostgreSQL's parser reads the number in 'INC-1003' as the
    signed integer '-1003', so a number typed by the user also matches it with the minus."""
    if token.isascii() and token.isdigit():
        return f"({token}:* | -{token}:*)"
    return f"{token}:*"


def _text_clause(session: Session, value: str) -> Any:
    tokens = _tokens(value)
    if not tokens:
        return None
    dialect = session.get_bind().dialect.name
    # The service name holds the whole text; % and _ typed by the user are literal characters.
    needle = value.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    service_ids = select(ServiceRow.id).where(
        func.lower(ServiceRow.name).like(f"%{needle}%", escape="\\")
    )
    if dialect == "sqlite":
        match = " AND ".join(f'"{t}"*' for t in tokens)
        fts = text("SELECT rowid FROM incident_fts WHERE incident_fts MATCH :q").bindparams(q=match)
        return or_(IncidentRow.id.in_(fts), IncidentRow.service_id.in_(service_ids))
    tsquery = " & ".join(_ts_term(t) for t in tokens)
    doc: ColumnClause[Any] = literal_column(
        "to_tsvector('simple', incident.ref || ' ' || incident.title || ' ' || "
        "incident.description)"
    )
    return or_(
        doc.op("@@")(func.to_tsquery("simple", tsquery)),
        IncidentRow.service_id.in_(service_ids),
    )


def _filtered(session: Session, query: IncidentQuery, base: Select[Any]) -> Select[Any]:
    conditions = []
    if query.statuses:
        conditions.append(IncidentRow.status.in_([s.value for s in query.statuses]))
    if query.priorities:
        conditions.append(IncidentRow.priority.in_([p.value for p in query.priorities]))
    if query.major_only:
        conditions.append(IncidentRow.major.is_(True))
    if not query.include_exercise:
        conditions.append(IncidentRow.exercise.is_(False))
    if query.text.strip():
        clause = _text_clause(session, query.text)
        if clause is not None:
            conditions.append(clause)
    return base.where(and_(*conditions)) if conditions else base


def _order(query: IncidentQuery) -> list[Any]:
    desc = query.descending
    columns: dict[str, Any] = {
        "ref": IncidentRow.id,
        "priority": IncidentRow.priority,
        "title": func.lower(IncidentRow.title),
        "service": func.lower(ServiceRow.name),
        "status": IncidentRow.status,
        "major": IncidentRow.major,
        "age": IncidentRow.opened_at,
        "sla": IncidentRow.sla_due,
        "updated": IncidentRow.updated_at,
    }
    if query.sort not in columns:
        raise ValidationError("sort", f"cannot sort by {query.sort!r}")
    col = columns[query.sort]
    if query.sort == "age":  # oldest first reads as "age descending"
        desc = not desc
    ordered = col.desc() if desc else col.asc()
    keys: list[Any] = []
    if query.sort in ("sla", "service"):
        keys.append(col.is_(None))  # rows without a running clock or service go last
    keys += [ordered, IncidentRow.id.desc()]
    return keys


def list_page(session: Session, query: IncidentQuery, offset: int, limit: int) -> list[IncidentState]:
    base = select(IncidentRow.__table__, ServiceRow.name.label("service_name")).outerjoin(
        ServiceRow, ServiceRow.id == IncidentRow.service_id
    )
    stmt = _filtered(session, query, base).order_by(*_order(query)).offset(offset).limit(limit)
    return [state_from_mapping(r, r.service_name) for r in session.execute(stmt)]


def count(session: Session, query: IncidentQuery) -> int:
    base = select(func.count()).select_from(IncidentRow)
    if query.sort == "service":
        base = base.outerjoin(ServiceRow, ServiceRow.id == IncidentRow.service_id)
    return int(session.execute(_filtered(session, query, base)).scalar_one())


def open_states(session: Session) -> Sequence[IncidentState]:
    q = IncidentQuery(statuses=(Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD))
    return list_page(session, q, 0, 100_000)
