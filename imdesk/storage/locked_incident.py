"""An incident read for writing without the ORM: the plain-SQL append (services/journal.py
`append`) locks and reads the row with one prebuilt statement (SELECT … FOR UPDATE on
PostgreSQL; on SQLite the write unit's BEGIN IMMEDIATE already holds the database) and writes
the projection back as one UPDATE of the columns that changed — the values the ORM path
(`incident_repo.write_state`) sets, with no ORM object, identity map or flush.

A write unit uses one path for an incident: an ORM row of it in the same session would not see
these updates (and could write its stale values back)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, text, update
from sqlalchemy import insert as insert_statement
from sqlalchemy.orm import Session

from imdesk.domain.errors import NotFoundError
from imdesk.domain.incident import IncidentState
from imdesk.storage import deferred_writes
from imdesk.storage.incident_repo import state_values
from imdesk.storage.incident_rows import state_from_mapping
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow
from imdesk.storage.spool_models import SpoolRefRow

INCIDENT = cast(Table, IncidentRow.__table__)
_SPOOL_REF = cast(Table, SpoolRefRow.__table__)
_MILESTONE = cast(Table, MilestoneRow.__table__)
# by ref (the composer's lock): the milestone row read with it, so that its append reads nothing
_BY_REF = (select(*INCIDENT.c, *(c.label(f"milestone_{c.name}") for c in _MILESTONE.c))
           .outerjoin(_MILESTONE, _MILESTONE.c.incident_id == INCIDENT.c.id)
           .where(INCIDENT.c.ref == bindparam("ref")).with_for_update(of=INCIDENT))
_BY_ID = select(*INCIDENT.c).where(INCIDENT.c.id == bindparam("id")).with_for_update()
_BY_IDS = (select(*INCIDENT.c).where(INCIDENT.c.id.in_(bindparam("ids", expanding=True)))
           .order_by(INCIDENT.c.id).with_for_update())
_MAPPED = select(_SPOOL_REF.c.server_ref).where(_SPOOL_REF.c.provisional_ref == bindparam("ref"))
_UPDATE = update(INCIDENT).where(INCIDENT.c.id == bindparam("_id"))
_ABSENT = object()


@dataclass(eq=False)
class LockedIncident:
    """An incident row read inside a write unit that holds its lock: what is stored (column →
    value) and its state; both move on as `write_projection` writes."""

    id: int
    ref: str
    service_id: int | None
    stored: dict[str, Any]
    state: IncidentState
    # its incident_milestone row as stored (column → value) once read or written in this unit;
    # None: not read yet (storage/milestone_repo.py `on_append_plain`)
    milestone: dict[str, Any] | None = None

    @property
    def last_seq(self) -> int:
        return self.state.last_seq


def _locked(row: Any) -> LockedIncident:
    stored = dict(row._mapping)
    milestone = None
    if "milestone_incident_id" in stored:  # (read with it: see _BY_REF)
        milestone = {c.name: stored.pop(f"milestone_{c.name}") for c in _MILESTONE.c}
        if milestone["incident_id"] is None:
            milestone = None  # none yet (a database older than the table)
    return LockedIncident(id=stored["id"], ref=stored["ref"], service_id=stored["service_id"],
                          stored=stored, state=state_from_mapping(row, stored["service_name"]),
                          milestone=milestone)


def lock(s: Session, ref: str) -> LockedIncident:
    """The incident (by ref, any case; a provisional INC-OFF-… ref written offline finds the
    incident it became at the merge), locked for this transaction; NotFoundError if none."""
    wanted = ref.strip().upper()
    row = s.execute(_BY_REF, {"ref": wanted}).first()
    if row is None and wanted.startswith("INC-OFF-"):
        mapped = s.execute(_MAPPED, {"ref": wanted}).scalar()
        if mapped is not None:
            return lock(s, mapped)
    if row is None:
        raise NotFoundError(f"no incident {ref!r}")
    return _locked(row)


def lock_id(s: Session, incident_id: int) -> LockedIncident | None:
    """The incident with this id, locked for this transaction (None when it is gone)."""
    row = s.execute(_BY_ID, {"id": incident_id}).first()
    return None if row is None else _locked(row)


def next_id(s: Session) -> int:
    """The id the next incident of this unit takes (its ref is made from it before the row is
    written): the sequence's next value on PostgreSQL; on SQLite, whose write unit holds the
    database, one past the highest stored or handed out in this unit."""
    if s.get_bind().dialect.name != "sqlite":
        return int(s.execute(_NEXTVAL).scalar_one())
    stored = s.execute(_MAX_ID).scalar() or 0
    handed = int(s.info.get(_HANDED, 0))
    s.info[_HANDED] = found = max(stored, handed) + 1
    return int(found)


def insert(s: Session, values: dict[str, Any]) -> LockedIncident:
    """A new incident row with VALUES (its id and ref among them), held as stored. In a unit
    that defers its writes the row is inserted at the flush with the values its first entry's
    projection gives it (one INSERT: no UPDATE, no second pass of the search triggers)."""
    stored = {**_UNSET, **values}
    deferred_writes.insert_row(s, _INSERT, stored, parent=True)
    return LockedIncident(id=stored["id"], ref=stored["ref"], service_id=stored["service_id"],
                          stored=stored, state=state_from_mapping(SimpleNamespace(**stored), None))


_UNSET = dict.fromkeys(("acknowledged_at", "resolved_at", "closed_at", "hold_started_at",
                        "service_name", "service_id"))
_INSERT = insert_statement(INCIDENT)
_MAX_ID = select(func.max(INCIDENT.c.id))
_NEXTVAL = text("SELECT nextval(pg_get_serial_sequence('incident', 'id'))")
_HANDED = "imdesk.incident_ids_handed"


def lock_ids(s: Session, ids: Collection[int]) -> list[LockedIncident]:
    """The incidents with these ids (those that exist), locked for this transaction in id
    order, in one statement."""
    if not ids:
        return []
    return [_locked(row) for row in s.execute(_BY_IDS, {"ids": sorted(ids)})]


def write_projection(s: Session, incident: LockedIncident, state: IncidentState) -> None:
    """Store STATE as the incident's projection: one UPDATE of the columns whose value
    changed (none: no statement; in a unit that defers, at its flush)."""
    values = state_values(state, incident.service_id)
    stored = incident.stored
    changed = {k: v for k, v in values.items() if stored.get(k, _ABSENT) != v}
    if changed:
        deferred_writes.update_row(s, _UPDATE, incident.id, stored, changed)
    incident.state = state
