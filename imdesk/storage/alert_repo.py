"""Alert intake queries: the inbox (stored before the reply, taken in order by the processor),
alert groups and alerts, maintenance windows and heartbeats, and what the lists show. Functions
over a session (and the listener's own inbox connection); the services own the transactions."""

from __future__ import annotations

import typing
from collections.abc import Callable, Collection, Sequence
from contextlib import AbstractContextManager
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Connection,
    Row,
    Select,
    String,
    Table,
    bindparam,
    case,
    cast,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.orm import Session, defer
from sqlalchemy.sql.elements import BindParameter

from imdesk.domain.alert_accept import Accepted
from imdesk.storage.alert_models import (
    AlertGroupRow,
    AlertInboxRow,
    AlertRow,
    HeartbeatRow,
    MaintenanceWindowRow,
)
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow, SettingRow


# -- the inbox ----------------------------------------------------------------------------------
def _inbox_rows(items: Sequence[Accepted], now: datetime) -> list[dict[str, Any]]:
    return [{"received_at": now, "endpoint": a.endpoint, "body": a.body,
             "assigned_key": a.assigned_key} for a in items]


def add_to_inbox(s: Session, items: Sequence[Accepted], now: datetime) -> None:
    s.execute(insert(AlertInboxRow), _inbox_rows(items, now))


def pending_count(s: Session) -> int:
    return int(s.execute(select(func.count()).select_from(AlertInboxRow)
                         .where(AlertInboxRow.processed_at.is_(None))).scalar_one())


def next_pending(s: Session, limit: int) -> Sequence[AlertInboxRow]:
    """The oldest unprocessed payloads, locked. SKIP LOCKED: two processors on one PostgreSQL
    database (two desks listening) never take the same payload; SQLite's write lock serialises
    them anyway."""
    return s.scalars(select(AlertInboxRow).where(AlertInboxRow.processed_at.is_(None))
                     .order_by(AlertInboxRow.id).limit(limit)
                     .with_for_update(skip_locked=True)).all()


PendingRow = Row[int, datetime, str, str, str | None]


# The processor's statements, built once (building one costs more CPU than running it): each
# takes its values as bound parameters, lists as expanding ones.
_BUILT: dict[str, Any] = {}


def _built(name: str, build: Callable[[], Any]) -> Any:
    statement = _BUILT.get(name)
    if statement is None:
        statement = _BUILT[name] = build()
    return statement


def _pending_statement(lock: bool = True) -> Any:
    i = AlertInboxRow
    statement = (select(i.id, i.received_at, i.endpoint, i.body, i.assigned_key)
                 .where(i.processed_at.is_(None), i.id > bindparam("after"))
                 .order_by(i.id).limit(bindparam("limit")))
    return statement.with_for_update(skip_locked=True) if lock else statement


def next_pending_rows(s: Session, limit: int, after: int = 0) -> Sequence[PendingRow]:
    """As next_pending (after inbox id AFTER), as plain rows (id, received_at, endpoint, body,
    assigned_key): the processor reads them once and marks them with mark_processed."""
    statement = _built("pending", _pending_statement)
    rows: Sequence[PendingRow] = s.connection().execute(
        statement, {"after": after, "limit": limit}).all()
    return rows


def pending_rows_after(s: Session, limit: int, after: int) -> Sequence[PendingRow]:
    """As next_pending_rows without locking them: the processor parses them ahead, outside
    its write transaction."""
    statement = _built("ahead", lambda: _pending_statement(lock=False))
    rows: Sequence[PendingRow] = s.connection().execute(
        statement, {"after": after, "limit": limit}).all()
    return rows


def _mark_statement() -> Any:
    table = typing.cast(Table, AlertInboxRow.__table__)
    return (update(table).where(table.c.id == bindparam("b_id"))
            .values(processed_at=bindparam("b_at"), outcome=bindparam("b_outcome")))


def mark_processed(s: Session, marks: Sequence[tuple[int, datetime, str]]) -> None:
    """Set (id, processed_at, outcome) on inbox rows: one statement for the batch (on the
    session's connection: the ORM's changes are flushed at the commit, as before)."""
    if marks:
        s.connection().execute(_built("mark", _mark_statement), [
            {"b_id": i, "b_at": at, "b_outcome": outcome} for i, at, outcome in marks])


def newest_inbox(s: Session, limit: int) -> list[tuple[int, datetime, str, str | None, int]]:
    """(id, received, endpoint, outcome or None while pending, size) of the newest rows."""
    rows = s.execute(select(AlertInboxRow.id, AlertInboxRow.received_at, AlertInboxRow.endpoint,
                            AlertInboxRow.outcome, func.length(AlertInboxRow.body))
                     .order_by(AlertInboxRow.id.desc()).limit(limit))
    return [(int(r[0]), r[1], r[2], r[3], int(r[4])) for r in rows]


class InboxConnection:
    """The listener's own connection for storing payloads, kept open while it runs. On SQLite it
    does no WAL auto-checkpoint: a checkpoint writes and syncs the database file, and that would
    land on a sender's reply; the processor's commits (after the storm) checkpoint instead."""

    def __init__(self, db: Database, gate: AbstractContextManager[object],
                 now: Callable[[], datetime]) -> None:
        self._gate = gate
        self._now = now
        self._sqlite = db.is_sqlite
        self._conn: Connection = db.engine.connect().execution_options(imdesk_begin="IMMEDIATE")
        if self._sqlite:
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 0")
            self._conn.commit()

    def store(self, items: Sequence[Accepted]) -> None:
        """Commit payloads to the inbox in one transaction (durable when this returns)."""
        rows = _inbox_rows(items, self._now())
        with self._gate, self._conn.begin():
            self._conn.execute(insert(AlertInboxRow), rows)

    def tidy(self) -> None:
        """Nothing to tidy: the processor reads these rows where they are."""

    def close(self) -> None:
        if self._sqlite:
            self._conn.exec_driver_sql("PRAGMA wal_autocheckpoint = 1000")
            self._conn.commit()
        self._conn.close()


def processor_connections(db: Database) -> None:
    """The alert processor's SQLite connections (a process of its own) leave the WAL checkpoint
    to `checkpoint`, run between its transactions: an automatic one runs inside a commit and
    would lengthen the transaction. Its commits stay synchronous=FULL: once one has moved
    payloads out of the side inbox (storage/alert_side), the listener may delete them there."""
    from sqlalchemy import event

    def off(dbapi_conn: Any, _record: object) -> None:
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA wal_autocheckpoint = 0")
        cur.close()

    event.listen(db.engine, "connect", off)
    db.engine.dispose()  # connections made before: gone, made again with it off


def checkpoint(db: Database) -> None:
    """A passive WAL checkpoint, outside any transaction: it never holds the write lock, so
    other writers' commits go on meanwhile."""
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")


# -- groups and alerts ----------------------------------------------------------------------------
def group(s: Session, source: str, key_hash: str) -> AlertGroupRow | None:
    return s.scalars(select(AlertGroupRow).where(
        AlertGroupRow.source == source, AlertGroupRow.key_hash == key_hash)).first()


def groups(s: Session, keys: Collection[tuple[str, str]]) -> list[AlertGroupRow]:
    """The groups with these (source, key hash) pairs, in one query."""
    if not keys:
        return []
    wanted = set(keys)
    statement = _built("groups", lambda: select(AlertGroupRow).where(
        AlertGroupRow.key_hash.in_(bindparam("hashes", expanding=True))))
    rows = s.scalars(statement, {"hashes": sorted({k for _, k in wanted})}).all()
    return [g for g in rows if (g.source, g.key_hash) in wanted]


def newest_alerts(s: Session, group_ids: Collection[int]) -> Sequence[AlertRow]:
    """The newest alert of every key in these groups, in one query."""
    if not group_ids:
        return []
    return s.scalars(_built("newest", _newest_statement), {"ids": sorted(group_ids)}).all()


def _newest_statement() -> Any:
    newest = (select(func.max(AlertRow.id))
              .where(AlertRow.group_id.in_(bindparam("ids", expanding=True)))
              .group_by(AlertRow.group_id, AlertRow.alert_key))
    return (select(AlertRow).where(AlertRow.id.in_(newest))
            .options(defer(AlertRow.labels), defer(AlertRow.links)))


def newest_alert(s: Session, group_id: int, key: str) -> AlertRow | None:
    """The newest alert with this key in the group."""
    return s.scalars(select(AlertRow).where(
        AlertRow.group_id == group_id, AlertRow.alert_key == key)
        .order_by(AlertRow.id.desc()).limit(1)).first()


def unresolved_ids(s: Session, incident_id: int) -> list[int]:
    """The stored alerts of the incident that are not resolved."""
    return list(s.scalars(select(AlertRow.id).where(
        AlertRow.incident_id == incident_id, AlertRow.status != "resolved")))


def alerts_with_refs(s: Session, *, incident_id: int | None, status: str | None, limit: int,
                     offset: int) -> list[tuple[AlertRow, str, str | None]]:
    """(alert, its group key, its incident's ref) newest first; only one incident's when given."""
    query = (select(AlertRow, AlertGroupRow.group_key, IncidentRow.ref)
             .join(AlertGroupRow, AlertGroupRow.id == AlertRow.group_id)
             .outerjoin(IncidentRow, IncidentRow.id == AlertRow.incident_id))
    if incident_id is not None:
        query = query.where(AlertRow.incident_id == incident_id)
    if status is not None:
        query = query.where(AlertRow.status == status)
    query = query.order_by(AlertRow.last_seen.desc(), AlertRow.id.desc()).offset(offset).limit(limit)
    return [(a, key, ref) for a, key, ref in s.execute(query)]


def alert_counts(s: Session, refs: Sequence[str]) -> dict[str, tuple[int, int]]:
    """ref → (alerts attached, of which not resolved)."""
    rows = s.execute(
        select(IncidentRow.ref, func.count(AlertRow.id),
               func.sum(case((AlertRow.status != "resolved", 1), else_=0)))
        .join(AlertRow, AlertRow.incident_id == IncidentRow.id)
        .where(IncidentRow.ref.in_(list(refs))).group_by(IncidentRow.ref))
    return {r[0]: (int(r[1]), int(r[2] or 0)) for r in rows}


# -- maintenance windows and heartbeats ------------------------------------------------------------
def windows_not_over(s: Session, floor: datetime) -> Sequence[MaintenanceWindowRow]:
    """Windows neither past their end nor ended by hand at `floor`, in start order."""
    return s.scalars(select(MaintenanceWindowRow).where(
        MaintenanceWindowRow.ends_at > floor,
        or_(MaintenanceWindowRow.ended_at.is_(None), MaintenanceWindowRow.ended_at > floor))
        .order_by(MaintenanceWindowRow.starts_at, MaintenanceWindowRow.id)).all()


WindowRaw = tuple[int, str, str, str | None, datetime, datetime, datetime | None]


def _settings_statement() -> Select[Any]:
    w = MaintenanceWindowRow
    floor: BindParameter[datetime] = bindparam("floor")
    windows = select(w.id, w.name, w.matchers, w.service, w.starts_at, w.ends_at, w.ended_at).where(
        w.ends_at > floor, or_(w.ended_at.is_(None), w.ended_at > floor))
    setting = select(literal(0), cast(SettingRow.value, String), null(), null(), null(), null(),
                     null()).where(SettingRow.key == bindparam("key"))
    return union_all(windows, setting)  # type: ignore[return-value]


def processing_settings(s: Session, key: str, floor: datetime) -> tuple[str | None, tuple[WindowRaw, ...]]:
    """In one statement, as stored: setting KEY's JSON text (None when unset) and the windows
    not over at `floor` (id, name, matchers, service, starts, ends, ended) in start order. Plain
    rows on the session's connection (no ORM): the processor compares them with the last ones
    it read and parses again only when they differ."""
    text: str | None = None
    found: list[WindowRaw] = []
    for row in s.connection().execute(_built("settings", _settings_statement),
                                      {"floor": floor, "key": key}):
        if row[4] is None:  # the setting's row (a window always has its start)
            text = row[1]
        else:
            found.append((row[0], row[1], row[2], row[3], row[4], row[5], row[6]))
    found.sort(key=lambda r: (r[4], r[0]))
    return text, tuple(found)


def heartbeat(s: Session, name: str) -> HeartbeatRow | None:
    return s.scalars(select(HeartbeatRow).where(HeartbeatRow.name == name)).first()


def heartbeat_exists(s: Session, name: str) -> bool:
    return s.scalars(select(HeartbeatRow.id).where(HeartbeatRow.name == name)).first() is not None


def heartbeats(s: Session) -> Sequence[HeartbeatRow]:
    return s.scalars(select(HeartbeatRow).order_by(HeartbeatRow.name)).all()


def heartbeats_not_missed(s: Session) -> Sequence[HeartbeatRow]:
    return s.scalars(select(HeartbeatRow).where(HeartbeatRow.state != "missed")).all()


# -- the processor's plain writes (no ORM flush) ----------------------------------------------------
def _table(model: type[Any]) -> Table:
    return typing.cast(Table, model.__table__)


def _change_statement(model: type[Any], names: Sequence[str]) -> Any:
    table = _table(model)
    return (update(table).where(table.c.id == bindparam("b_id"))
            .values({n: bindparam(f"b_{n}") for n in names}))


def _driver_update(s: Session, model: type[Any], names: Sequence[str]) -> tuple[str, list[Any]]:
    """SQLite: the UPDATE as the driver takes it, and each value's bind processor (the
    columns' types' own: JSON text, naive UTC times), so that executemany goes straight to
    sqlite3 (SQLAlchemy's per-row work cost more than the statement)."""
    table = _table(model)
    dialect = s.get_bind().dialect
    sql = (f"UPDATE {table.name} SET " + ", ".join(f"{n} = ?" for n in names) + " WHERE id = ?")
    return sql, [table.c[n].type.bind_processor(dialect) for n in names]


def write_changes(s: Session, model: type[Any], names: Sequence[str],
                  rows: Sequence[Sequence[Any]]) -> None:
    """Set NAMES on stored rows of MODEL: each row is its values in that order, then its id.
    One statement (an executemany) for them all."""
    if not rows:
        return
    conn = s.connection()
    if conn.dialect.name == "sqlite":
        sql, procs = _built(f"driver {model.__name__} {names}",
                            lambda: _driver_update(s, model, names))
        params = [tuple([p(v) if p is not None else v for p, v in zip(procs, r, strict=False)]
                        + [r[-1]]) for r in rows]
        conn.exec_driver_sql(sql, params)
        return
    statement = _built(f"changes {model.__name__} {names}",
                       lambda: _change_statement(model, names))
    conn.execute(statement, [{"b_id": r[-1], **{f"b_{n}": v for n, v in zip(names, r, strict=False)}}
                             for r in rows])


def processed_between(s: Session, after: int, before: int) -> int:
    """How many inbox rows lie strictly between ids AFTER and BEFORE (none pending there: a
    processor that finds some knows another one processed them)."""
    i = AlertInboxRow
    statement = _built("between", lambda: select(func.count()).select_from(i).where(
        i.id > bindparam("after"), i.id < bindparam("before")))
    return int(s.connection().execute(statement, {"after": after, "before": before}).scalar_one())
