"""SQL for the offline replica and the spool: copying rows from the server into a desk's replica,
the spool's items, provisional refs, and the conflicts the merge found."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, delete, func, insert, select, text, update
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

import imdesk.storage.contact_models
import imdesk.storage.doc_models
import imdesk.storage.link_models
import imdesk.storage.metrics_models  # noqa: F401  (the tables join Base.metadata)
from imdesk.storage.models import Base, IncidentRow, TimelineEntryRow
from imdesk.storage.spool_models import (
    ReplicaStateRow,
    SpoolConflictRow,
    SpoolItemRow,
    SpoolRefRow,
)

# What a desk needs to work blind besides its incidents: copied whole when they change.
REFERENCE_TABLES = (
    "setting", "service", "contact", "contact_phone", "contact_email", "contact_tag",
    "contact_term", "contact_check", "team", "team_member", "escalation_step", "roster_shift",
    "service_profile", "service_stakeholder", "distribution_list", "list_member", "document",
    "document_version", "service_dependency",
)
CHUNK = 500


def reference_tables() -> list[Table]:
    """The reference tables, parents before children."""
    return [t for t in Base.metadata.sorted_tables if t.name in REFERENCE_TABLES]


def table(name: str) -> Table:
    return Base.metadata.tables[name]


def fingerprint(s: Session) -> list[Any]:
    """Cheap: each reference table's row count and highest id (or updated_at where it has one)."""
    out: list[Any] = []
    for t in reference_tables():
        cols: list[Any] = [func.count()]
        for name in ("updated_at", "verified_at", "id"):
            if name in t.c:
                cols.append(func.max(t.c[name]))
        out.append([str(v) for v in s.execute(select(*cols).select_from(t)).one()])
    return out


def read_rows(s: Session, t: Table, where: Any = None) -> list[dict[str, Any]]:
    query = select(t) if where is None else select(t).where(where)
    return [dict(m) for m in s.execute(query).mappings()]


def replace_reference(replica: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    """Swap the replica's reference tables for the server's rows (foreign keys checked at commit)."""
    replica.execute(text("PRAGMA defer_foreign_keys = ON"))
    tables = reference_tables()
    for t in reversed(tables):
        replica.execute(delete(t))
    for t in tables:
        batch = rows.get(t.name, [])
        for n in range(0, len(batch), CHUNK):
            replica.execute(insert(t), batch[n:n + CHUNK])


def upsert(replica: Session, t: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert or update by primary key (never a delete: the timeline's triggers refuse those)."""
    keys = [c.name for c in t.primary_key.columns]
    for n in range(0, len(rows), CHUNK):
        stmt = sqlite_insert(t).values(list(rows[n:n + CHUNK]))
        rest = {c.name: stmt.excluded[c.name] for c in t.columns if c.name not in keys}
        replica.execute(stmt.on_conflict_do_update(index_elements=keys, set_=rest))


def insert_entries(replica: Session, rows: Sequence[dict[str, Any]]) -> None:
    t = table("timeline_entry")
    for n in range(0, len(rows), CHUNK):
        replica.execute(sqlite_insert(t).on_conflict_do_nothing(index_elements=["uuid"]),
                        list(rows[n:n + CHUNK]))


def chunks(ids: Sequence[int]) -> Iterable[list[int]]:
    for n in range(0, len(ids), CHUNK):
        yield list(ids[n:n + CHUNK])


def last_seqs(replica: Session, ids: Sequence[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for part in chunks(ids):
        out.update({i: s for i, s in replica.execute(
            select(IncidentRow.id, IncidentRow.last_seq).where(IncidentRow.id.in_(part)))})
    return out


def entries_after(server: Session, incident_id: int, seq: int) -> list[dict[str, Any]]:
    t = table("timeline_entry")
    return read_rows(server, t, (t.c.incident_id == incident_id) & (t.c.seq > seq))


# -- the replica's own facts -----------------------------------------------------------------

def state_get(s: Session, key: str, default: Any = None) -> Any:
    row = s.get(ReplicaStateRow, key)
    return default if row is None else row.value


def state_set(s: Session, key: str, value: Any) -> None:
    row = s.get(ReplicaStateRow, key)
    if row is None:
        s.add(ReplicaStateRow(key=key, value=value))
    else:
        row.value = value


# -- the spool ---------------------------------------------------------------------------------

def pending_count(s: Session) -> int:
    return int(s.scalar(select(func.count()).select_from(SpoolItemRow)
                        .where(SpoolItemRow.state == "pending")) or 0)


def pending_incidents(s: Session) -> list[int]:
    """The replica ids of incidents with something pending, the earliest-written first."""
    rows = s.execute(select(SpoolItemRow.incident_id, func.min(SpoolItemRow.recorded_at))
                     .where(SpoolItemRow.state == "pending")
                     .group_by(SpoolItemRow.incident_id)).all()
    return [i for i, _ in sorted(rows, key=lambda r: (r[1], r[0]))]


def pending_items(s: Session, incident_id: int) -> list[SpoolItemRow]:
    return list(s.scalars(select(SpoolItemRow).where(
        SpoolItemRow.state == "pending", SpoolItemRow.incident_id == incident_id)
        .order_by(SpoolItemRow.recorded_at, SpoolItemRow.id)))


def mark(s: Session, uuids: Sequence[str], state: str, at: datetime) -> None:
    for part in range(0, len(uuids), CHUNK):
        s.execute(update(SpoolItemRow).where(SpoolItemRow.uuid.in_(uuids[part:part + CHUNK]))
                  .values(state=state, merged_at=at))


def entry_rows(s: Session, uuids: Sequence[str]) -> dict[str, TimelineEntryRow]:
    out: dict[str, TimelineEntryRow] = {}
    for n in range(0, len(uuids), CHUNK):
        out.update({r.uuid: r for r in s.scalars(select(TimelineEntryRow).where(
            TimelineEntryRow.uuid.in_(uuids[n:n + CHUNK])))})
    return out


def known_uuids(s: Session, uuids: Sequence[str]) -> set[str]:
    """Which of these entry uuids the server already has (a merge that was interrupted)."""
    out: set[str] = set()
    for n in range(0, len(uuids), CHUNK):
        out.update(s.scalars(select(TimelineEntryRow.uuid).where(
            TimelineEntryRow.uuid.in_(uuids[n:n + CHUNK]))))
    return out


def mapped_ref(s: Session, provisional: str) -> str | None:
    row = s.get(SpoolRefRow, provisional)
    return None if row is None else row.server_ref


def open_conflicts(s: Session, include_settled: bool = False) -> list[SpoolConflictRow]:
    query = select(SpoolConflictRow).order_by(SpoolConflictRow.id)
    if not include_settled:
        query = query.where(SpoolConflictRow.state == "open")
    return list(s.scalars(query))
