"""Appending to and reading an incident's timeline (hash-chained, per-incident seq)."""

from __future__ import annotations

import uuid as uuid_mod
from collections.abc import Iterator, Sequence
from datetime import datetime
from typing import Protocol, cast

from sqlalchemy import Table, bindparam, insert, select
from sqlalchemy.orm import Session

from imdesk.domain.timeline import EntryDraft, TimelineEntry, entry_hash
from imdesk.storage import deferred_writes
from imdesk.storage.incident_repo import get_row
from imdesk.storage.models import IncidentRow, TimelineEntryRow

TABLE = cast(Table, TimelineEntryRow.__table__)
_INSERT = insert(TABLE)
_KIND_AT = select(TABLE.c.kind).where(TABLE.c.incident_id == bindparam("id"),
                                      TABLE.c.seq == bindparam("seq"))


class IncidentKey(Protocol):
    """What reading an incident's entries needs of it (an ORM row or a locked incident)."""

    @property
    def id(self) -> int: ...

    @property
    def ref(self) -> str: ...

    @property
    def last_seq(self) -> int: ...


def to_entry(row: TimelineEntryRow, ref: str) -> TimelineEntry:
    return TimelineEntry(
        incident_ref=ref,
        seq=row.seq,
        uuid=row.uuid,
        kind=row.kind,
        text=row.text,
        author=row.author,
        recorded_at=row.recorded_at,
        occurred_at=row.occurred_at,
        data=row.data or {},
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def add(session: Session, incident_id: int, entry: TimelineEntry) -> None:
    """Store one entry made by `new_entry` through the session (the spool sees it). The caller
    holds the incident's write lock."""
    session.add(TimelineEntryRow(
        uuid=entry.uuid, incident_id=incident_id, seq=entry.seq, kind=entry.kind,
        text=entry.text, author=entry.author, recorded_at=entry.recorded_at,
        occurred_at=entry.occurred_at, data=dict(entry.data), prev_hash=entry.prev_hash,
        hash=entry.hash))


def new_entry(incident_ref: str, draft: EntryDraft, *, author: str, now: datetime,
              prev_hash: str, seq: int) -> TimelineEntry:
    """The entry after (prev_hash, seq-1), hashed, not stored yet: `add` stores one, and
    `insert_entries` a run of them in one statement (the outbox's sender records hundreds per
    commit)."""
    entry_uuid = str(uuid_mod.uuid4())
    data = dict(draft.data)
    digest = entry_hash(prev_hash=prev_hash, incident_ref=incident_ref, seq=seq, uuid=entry_uuid,
                        kind=draft.kind, text=draft.text, author=author, recorded_at=now,
                        occurred_at=draft.occurred_at, data=data)
    return TimelineEntry(incident_ref=incident_ref, seq=seq, uuid=entry_uuid, kind=draft.kind,
                         text=draft.text, author=author, recorded_at=now,
                         occurred_at=draft.occurred_at, data=data, prev_hash=prev_hash,
                         hash=digest)


def insert_entries(session: Session, incident_id: int, entries: Sequence[TimelineEntry]) -> None:
    """Store entries made by `new_entry` (one statement; no ORM objects, no ids read back;
    the offline replica's spool sees them as it sees the ORM's). In a unit that defers its
    plain writes (storage/deferred_writes.py) they wait for its flush."""
    if entries:
        rows = [{"uuid": e.uuid, "incident_id": incident_id, "seq": e.seq, "kind": e.kind,
                 "text": e.text, "author": e.author, "recorded_at": e.recorded_at,
                 "occurred_at": e.occurred_at, "data": dict(e.data), "prev_hash": e.prev_hash,
                 "hash": e.hash} for e in entries]
        deferred = deferred_writes.active(session)
        if deferred is None:
            session.execute(_INSERT, rows)  # (one statement for the run)
        else:
            for row in rows:
                deferred.insert(_INSERT, row)


def kind_at(session: Session, incident_id: int, seq: int) -> str | None:
    """The kind of the incident's entry SEQ (None: no such entry)."""
    kind: str | None = session.execute(_KIND_AT, {"id": incident_id, "seq": seq}).scalar()
    return kind


def entry_at(session: Session, incident: IncidentRow, seq: int) -> TimelineEntry | None:
    row = session.scalars(select(TimelineEntryRow).where(
        TimelineEntryRow.incident_id == incident.id, TimelineEntryRow.seq == seq)).first()
    return None if row is None else to_entry(row, incident.ref)


def entries_for(session: Session, incident: IncidentKey,
                last: int | None = None) -> list[TimelineEntry]:
    """The incident's entries in seq order; only the newest `last` when given."""
    query = select(TimelineEntryRow).where(TimelineEntryRow.incident_id == incident.id)
    if last is not None:
        query = query.where(TimelineEntryRow.seq > incident.last_seq - last)
    rows: Sequence[TimelineEntryRow] = session.scalars(query.order_by(TimelineEntryRow.seq)).all()
    return [to_entry(r, incident.ref) for r in rows]


def iter_all(session: Session, batch: int = 5000) -> Iterator[tuple[IncidentRow, list[TimelineEntry]]]:
    """Every incident with its entries, in id order, in batches (for checks over big databases)."""
    last_id = 0
    while True:
        incidents = session.scalars(
            select(IncidentRow).where(IncidentRow.id > last_id).order_by(IncidentRow.id).limit(500)
        ).all()
        if not incidents:
            return
        ids = [i.id for i in incidents]
        by_incident: dict[int, list[TimelineEntryRow]] = {i: [] for i in ids}
        for row in session.scalars(
            select(TimelineEntryRow)
            .where(TimelineEntryRow.incident_id.in_(ids))
            .order_by(TimelineEntryRow.incident_id, TimelineEntryRow.seq)
            .execution_options(yield_per=batch)
        ):
            by_incident[row.incident_id].append(row)
        for inc in incidents:
            yield inc, [to_entry(r, inc.ref) for r in by_incident[inc.id]]
        last_id = ids[-1]
        session.expunge_all()


def timelines(session: Session, ref: str | None) -> Iterator[tuple[IncidentRow, list[TimelineEntry]]]:
    """One incident with its entries, or every incident (in batches) when ref is None."""
    if ref is None:
        yield from iter_all(session)
        return

    row = get_row(session, ref)
    yield row, entries_for(session, row)
