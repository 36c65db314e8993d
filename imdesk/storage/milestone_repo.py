"""Reading and writing incident_milestone rows (the reading itself is imdesk.domain.milestones,
stepped by imdesk.domain.milestone_steps)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, cast

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from imdesk.domain.milestone_steps import STEP_FIELDS, Step, advance, flat, fold, unflat
from imdesk.domain.timeline import EntryKind, TimelineEntry
from imdesk.storage import deferred_writes, timeline_repo
from imdesk.storage.link_repo import CALLER
from imdesk.storage.metrics_models import COPIED, MilestoneRow
from imdesk.storage.models import IncidentRow

if TYPE_CHECKING:
    from imdesk.storage.locked_incident import LockedIncident


def to_step(row: MilestoneRow) -> Step:
    return unflat({name: getattr(row, name) for name in STEP_FIELDS})


def _write(row: MilestoneRow, step: Step) -> None:
    from imdesk.storage.incident_repo import set_changed  # (here: keeps the imports as they were)

    set_changed(row, flat(step))


def on_append(session: Session, incident: IncidentRow, entry: TimelineEntry) -> None:
    """Advance the incident's milestones by the entry just appended (same transaction), and
    copy what the metrics need of the incident (priority, SLA targets; after a link entry,
    whether it is now a caller)."""
    row = _row(session, incident.id) if entry.seq > 1 else None
    if row is None:
        current = None
        if entry.seq > 1:  # no row yet (a database older than the table): fold what came before
            current = fold(timeline_repo.entries_for(session, incident)[: entry.seq - 1])
        row = MilestoneRow(incident_id=incident.id, caller=False)
        session.add(row)
        session.info.setdefault(_PENDING, {})[incident.id] = row
        _write(row, advance(current, entry))
        linked = entry.seq > 1
    else:
        _write(row, advance(to_step(row), entry))
        linked = entry.kind == EntryKind.LINK
    for name in COPIED:
        setattr(row, name, getattr(incident, name))
    if linked:  # the link rows are written before the entries that tell of them
        row.caller = is_caller(session, incident.id)


def on_append_many(session: Session, incident: IncidentRow,
                   entries: Sequence[TimelineEntry]) -> None:
    """`on_append` for a run of entries already stored, the incident row already written with
    the state after the last: the steps are folded in memory and the row written once."""
    row = _row(session, incident.id) if entries and entries[0].seq > 1 else None
    if row is None:  # the first entry, or a database older than the table: one at a time
        for entry in entries:
            on_append(session, incident, entry)
        return
    step = to_step(row)
    for entry in entries:
        step = advance(step, entry)
    _write(row, step)
    for name in COPIED:
        setattr(row, name, getattr(incident, name))
    if any(entry.kind == EntryKind.LINK for entry in entries):
        row.caller = is_caller(session, incident.id)


_TABLE = cast(Table, MilestoneRow.__table__)
_READ = select(*_TABLE.c).where(_TABLE.c.incident_id == bindparam("id"))
_READ_MANY = select(*_TABLE.c).where(_TABLE.c.incident_id.in_(bindparam("ids", expanding=True)))
_INSERT = insert(_TABLE)
_UPDATE = update(_TABLE).where(_TABLE.c.incident_id == bindparam("_id"))


def on_append_plain(session: Session, incident: LockedIncident, entry: TimelineEntry) -> None:
    """`on_append` without ORM objects (the plain append, services/journal.py `append`): the
    row read, stepped and written back as one statement of the columns that changed; the
    incident's projection is already written. The same row as `on_append` makes."""
    stored = incident.milestone
    if stored is None and entry.seq > 1:
        row = session.execute(_READ, {"id": incident.id}).first()
        stored = None if row is None else dict(row._mapping)
    copies = {name: incident.stored[name] for name in COPIED}
    if stored is None:  # the first entry, or a database older than the table: fold before it
        current = None
        if entry.seq > 1:
            current = fold(timeline_repo.entries_for(session, incident)[: entry.seq - 1])
        values = {"incident_id": incident.id, "caller": False, **flat(advance(current, entry)),
                  **copies}
        if entry.seq > 1:
            values["caller"] = is_caller(session, incident.id)
        deferred_writes.insert_row(session, _INSERT, values)
        incident.milestone = values
        return
    values = {**flat(advance(unflat({name: stored[name] for name in STEP_FIELDS}), entry)),
              **copies}
    if entry.kind == EntryKind.LINK:
        values["caller"] = is_caller(session, incident.id)
    changed = {name: value for name, value in values.items() if stored[name] != value}
    if changed:
        deferred_writes.update_row(session, _UPDATE, incident.id, stored, changed)
    incident.milestone = stored


def preload(session: Session, incidents: Sequence[LockedIncident]) -> None:
    """The milestone rows of INCIDENTS read in one statement (their appends then read none)."""
    by_id = {i.id: i for i in incidents if i.milestone is None}
    if by_id:
        for row in session.execute(_READ_MANY, {"ids": sorted(by_id)}):
            by_id[row.incident_id].milestone = dict(row._mapping)


def is_caller(session: Session, incident_id: int) -> bool:
    """Whether the incident is linked as a caller of a master (it then never counts alone)."""
    return session.execute(text(
        f"SELECT 1 FROM incident_link WHERE incident_id = :i AND kind = '{CALLER}'"),
        {"i": incident_id}).first() is not None


def copied(session: Session, incident: IncidentRow) -> dict[str, object]:
    """What the milestone row should carry of the incident (the check compares it)."""
    return {**{name: getattr(incident, name) for name in COPIED},
            "caller": is_caller(session, incident.id)}


def stored_copies(session: Session, incident_id: int) -> dict[str, object] | None:
    row = session.get(MilestoneRow, incident_id)
    return None if row is None else {name: getattr(row, name) for name in (*COPIED, "caller")}


_PENDING = "imdesk.milestone_rows"  # rows added or loaded in this session (one transaction)


def _row(session: Session, incident_id: int) -> MilestoneRow | None:
    """The incident's row: one added earlier in this transaction (an incident opened and
    appended to in one unit of work: not in the identity map before a flush), or the stored one."""
    held = session.info.setdefault(_PENDING, {})
    pending = held.get(incident_id)
    if pending is not None and pending in session:
        return pending  # type: ignore[no-any-return]
    row = session.get(MilestoneRow, incident_id)
    if row is not None:  # held for the transaction: many appends load it once, not per flush
        held[incident_id] = row
    return row


def get(session: Session, incident_id: int) -> Step | None:
    row = session.get(MilestoneRow, incident_id)
    return None if row is None else to_step(row)


def stored(session: Session, incident_id: int) -> dict[str, object] | None:
    """The row as stored, column by column (the check compares it with a rebuild)."""
    row = session.get(MilestoneRow, incident_id)
    return None if row is None else {name: getattr(row, name) for name in STEP_FIELDS}


def put(session: Session, incident_id: int, step: Step) -> None:
    """Store a rebuilt row (migration, repair), with the incident's copied values."""
    row = session.get(MilestoneRow, incident_id)
    if row is None:
        row = MilestoneRow(incident_id=incident_id)
        session.add(row)
    _write(row, step)
    incident = session.get(IncidentRow, incident_id)
    if incident is not None:
        for name, value in copied(session, incident).items():
            setattr(row, name, value)


# Rows for bulk-seeded incidents whose story is plain (opened, in progress, resolved, closed; no
# hold, major, update, reopen or backdating): copied from their projection in one statement.
FILL_SIMPLE_SQL = (
    "INSERT INTO incident_milestone (incident_id, opened_at, reported_at, acknowledged_at, "
    "major_at, first_communication_at, first_resolved_at, resolved_at, closed_at, cancelled, "
    "reopened, hold_seconds, hold_before_ack_seconds, hold_before_resolve_seconds, exercise, "
    "status, hold_started_at, tta_ms, tta_net_ms, ttr_ms, ttr_net_ms, priority, respond_minutes, "
    "resolve_minutes, caller) "
    "SELECT id, opened_at, opened_at, acknowledged_at, NULL, NULL, resolved_at, resolved_at, "
    "closed_at, false, 0, 0, 0, 0, exercise, status, NULL, {ack}, {ack}, {res}, {res}, priority, "
    "respond_minutes, resolve_minutes, false "
    "FROM incident WHERE id BETWEEN :a AND :b")
# epoch_ms (milestone_steps) in SQL: whole seconds * 1000 + the microseconds cut to ms
_MS = {"sqlite": "(CAST(strftime('%s', {0}) AS INTEGER) * 1000 + CAST(substr({0}, 21, 3) AS INTEGER))",
       "postgresql": "CAST(round(extract(epoch FROM date_trunc('milliseconds', {0})) * 1000) AS BIGINT)"}


def fill_simple_sql(dialect: str) -> str:
    """FILL_SIMPLE_SQL with the durations in milliseconds (no hold: with and without the same)."""
    ms = _MS.get(dialect, _MS["postgresql"])
    return FILL_SIMPLE_SQL.format(ack=ms.format("acknowledged_at") + " - " + ms.format("opened_at"),
                                  res=ms.format("resolved_at") + " - " + ms.format("opened_at"))


def fill_simple(session: Session, first_id: int, last_id: int) -> None:
    sql = fill_simple_sql(session.get_bind().dialect.name)
    session.execute(text(sql), {"a": first_id, "b": last_id})


def missing_ids(session: Session) -> list[int]:
    """Incidents without a milestone row."""
    return list(session.scalars(
        select(IncidentRow.id).outerjoin(MilestoneRow, MilestoneRow.incident_id == IncidentRow.id)
        .where(MilestoneRow.incident_id.is_(None))))
