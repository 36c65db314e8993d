"""A desk's offline replica: a local SQLite file per server database (the normal imdesk schema,
migrated the normal way) holding what the desk needs to work blind — open and recent incidents
with their timelines (the war rooms are read from those), the whole contact book, services,
settings and templates, runbooks. Refreshed incrementally while online; made afresh after a merge.

Written to only while the server is unreachable: every entry and queued message written then gets
a spool item (services/desk/spool.py), and a new incident a provisional ref INC-OFF-DESK-n.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Connection, Insert, Table, event, insert, or_, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session
from sqlalchemy.sql.dml import UpdateBase

from imdesk.domain.desk import Desk
from imdesk.domain.lifecycle import OPEN_STATUSES
from imdesk.errors import DatabaseReadOnly
from imdesk.paths import data_dir
from imdesk.storage import spool_repo
from imdesk.storage.database import NEW_REF, SPOOLED, Database
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow, TimelineEntryRow
from imdesk.storage.outbox_models import OutboxMessageRow
from imdesk.storage.spool_models import ReplicaStateRow, SpoolItemRow

RECENT = timedelta(days=14)  # closed incidents younger than this are kept too
LOOKBACK = timedelta(seconds=60)  # a commit seen late (its clock ran before a newer one's)
REFERENCE_EVERY = timedelta(seconds=60)  # reference tables re-checked at least this often
# What may be written offline: incidents, their timelines and messages (all merged later).
SPOOLABLE = (IncidentRow, TimelineEntryRow, MilestoneRow, OutboxMessageRow, SpoolItemRow,
             ReplicaStateRow)


def replica_path(server_url: str, folder: Path | None = None) -> Path:
    """The replica file of a server database: one per server and database name."""
    url = make_url(server_url)
    key = url.set(password=None).render_as_string(hide_password=False)
    slug = re.sub(r"[^A-Za-z0-9]+", "-", f"{url.host or 'local'}-{url.database or ''}").strip("-")
    digest = hashlib.sha256(key.encode()).hexdigest()[:12]
    return (folder or data_dir()) / "replicas" / f"{slug[:40]}-{digest}.sqlite"


def desk_slug(desk: Desk) -> str:
    return (re.sub(r"[^A-Za-z0-9]+", "", desk.name).upper() or "DESK")[:16]


class ReplicaDatabase(Database):
    """The replica: its write units spool what they write; sync units (`sync_write`) do not."""

    def __init__(self, path: Path, desk: Desk) -> None:
        super().__init__(path)
        self.path = path
        self.owner = desk  # the desk whose replica this is (its provisional refs, its spool)
        self.desk = desk.as_data()  # what its writes carry, as on the server (Database.desk)

    @contextmanager
    def write(self) -> Iterator[Session]:
        with super().write() as s:
            s.info[NEW_REF] = self._new_ref
            s.info[SPOOLED] = True
            event.listen(s, "before_flush", self._spool)
            # every statement of the unit, the ORM's flushes and plain ones alike, passes here
            connection = s.connection()
            event.listen(connection, "before_execute", _refuse_unspoolable)
            event.listen(connection, "after_execute", self._spool_entries)
            yield s

    @contextmanager
    def sync_write(self) -> Iterator[Session]:
        with super().write() as s:
            yield s

    def _new_ref(self, s: Session) -> str:
        n = int(spool_repo.state_get(s, "ref_counter", 0)) + 1
        spool_repo.state_set(s, "ref_counter", n)
        return f"INC-OFF-{desk_slug(self.owner)}-{n}"

    def _spool(self, s: Session, _ctx: object, _instances: object) -> None:
        for obj in list(s.new) + list(s.dirty):
            if not isinstance(obj, SPOOLABLE):
                raise DatabaseReadOnly(
                    "offline: only incidents, their timelines and messages can be written until "
                    "the server is back (this change was not saved)")
        made_here = s.info.setdefault("imdesk.new_outbox", set())
        made_here.update(id(o) for o in s.new if isinstance(o, OutboxMessageRow))
        for obj in s.dirty:
            if isinstance(obj, OutboxMessageRow) and id(obj) not in made_here:
                # a sender claiming a message queued before: offline, nothing goes out
                raise DatabaseReadOnly("offline: messages wait in the spool until the server "
                                       "is back; the team's sender sends them then")
        for obj in list(s.new):  # (entries: spooled as they are inserted, _spool_entries)
            if isinstance(obj, OutboxMessageRow):
                s.add(SpoolItemRow(kind="message", uuid=obj.uuid, incident_id=obj.incident_id,
                                   recorded_at=obj.created_at, desk=self.owner.as_data(),
                                   state="pending"))

    def _spool_entries(self, connection: Connection, statement: Any, multiparams: Any,
                       params: Any, _options: Any, _result: Any) -> None:
        """A spool item for each entry inserted, whichever way (an ORM flush, a plain
        statement), in the same transaction and in the order written."""
        if not (isinstance(statement, Insert) and statement.table is _ENTRIES):
            return
        rows = list(multiparams) or [params]
        if not all(rows):  # (values in the statement itself: not seen here)
            raise DatabaseReadOnly("offline: an entry written without its values as "
                                   "parameters cannot be spooled (this change was not saved)")
        desk = self.owner.as_data()
        connection.execute(_SPOOL_INSERT, [
            {"kind": "entry", "uuid": row["uuid"], "incident_id": row["incident_id"],
             "recorded_at": row["recorded_at"], "desk": desk, "state": "pending"}
            for row in rows])


_ENTRIES = cast(Table, TimelineEntryRow.__table__)
_SPOOL_INSERT = insert(cast(Table, SpoolItemRow.__table__))
_SPOOLABLE_TABLES = frozenset(cast(Table, c.__table__).name for c in SPOOLABLE)


def _refuse_unspoolable(_connection: Connection, statement: Any, *_args: Any) -> None:
    """A plain INSERT, UPDATE or DELETE offline is refused as the ORM's are (`_spool`) unless
    its table is one the merge carries over."""
    table = statement.table if isinstance(statement, UpdateBase) else None
    if table is not None and getattr(table, "name", None) not in _SPOOLABLE_TABLES:
        raise DatabaseReadOnly(
            "offline: only incidents, their timelines and messages can be written until "
            "the server is back (this change was not saved)")


def open_replica(path: Path, desk: Desk) -> ReplicaDatabase:
    """The replica at PATH, made (and migrated to the current schema) when missing."""
    from imdesk.storage.migrate import needs_upgrade, run_alembic_upgrade

    path.parent.mkdir(parents=True, exist_ok=True)
    db = ReplicaDatabase(path, desk)
    try:
        if needs_upgrade(db):
            run_alembic_upgrade(db)
    except BaseException:
        db.dispose()
        raise
    return db


@dataclass(frozen=True)
class RefreshResult:
    incidents: int  # incidents copied or brought up to date
    entries: int  # entries copied
    reference: bool  # the contact book, services, settings… were copied again
    at: datetime


def refresh(server: Database, replica: ReplicaDatabase, now: datetime, *,
            full: bool = False) -> RefreshResult:
    """Bring the replica up to the server: incidents changed since the cursor (all open and
    recent ones the first time) with their new entries, and the reference tables when they
    changed. Never while something written offline waits: the merge comes first."""
    with replica.read() as r:
        if spool_repo.pending_count(r) and not full:
            return RefreshResult(0, 0, False, now)
        cursor = None if full else spool_repo.state_get(r, "incident_cursor")
        checked = spool_repo.state_get(r, "reference_checked")
        old_print = spool_repo.state_get(r, "reference_print")
    with server.read() as s:
        inc_t, ms_t = spool_repo.table("incident"), spool_repo.table("incident_milestone")
        if cursor is None:
            where = or_(inc_t.c.status.in_([st.value for st in OPEN_STATUSES]),
                        inc_t.c.updated_at >= now - RECENT)
        else:
            where = inc_t.c.updated_at >= datetime.fromisoformat(cursor) - LOOKBACK
        incidents = spool_repo.read_rows(s, inc_t, where)
        ids = [row["id"] for row in incidents]
        new_cursor = max((row["updated_at"] for row in incidents), default=None)
        with replica.read() as r:
            have = spool_repo.last_seqs(r, ids)
        entries: list[dict[str, Any]] = []
        changed = [row for row in incidents if have.get(row["id"]) != row["last_seq"]]
        fresh = [row["id"] for row in changed if row["id"] not in have]
        ent_t = spool_repo.table("timeline_entry")
        for part in spool_repo.chunks(fresh):
            entries += spool_repo.read_rows(s, ent_t, ent_t.c.incident_id.in_(part))
        for row in changed:
            if row["id"] in have:
                entries += spool_repo.entries_after(s, row["id"], have[row["id"]])
        milestones: list[dict[str, Any]] = []
        for part in spool_repo.chunks([row["id"] for row in changed]):
            milestones += spool_repo.read_rows(s, ms_t, ms_t.c.incident_id.in_(part))
        reference: dict[str, list[dict[str, Any]]] | None = None
        due = full or checked is None or now - datetime.fromisoformat(checked) >= REFERENCE_EVERY
        new_print = spool_repo.fingerprint(s) if due else old_print
        if new_print != old_print or full:
            reference = {t.name: spool_repo.read_rows(s, t) for t in spool_repo.reference_tables()}
    if not changed and reference is None and not due and cursor is not None:
        # nothing new: no write (no fsync) on the desk every few seconds; the cursor and
        # "synced at" are written with the next change or the next reference check
        return RefreshResult(0, 0, False, now)
    with replica.sync_write() as w:
        if reference is not None:
            spool_repo.replace_reference(w, reference)
        spool_repo.upsert(w, inc_t, [row for row in incidents if row["id"] in
                                     {c["id"] for c in changed}])
        spool_repo.insert_entries(w, entries)
        if milestones:
            spool_repo.upsert(w, ms_t, milestones)
        if new_cursor is not None:
            spool_repo.state_set(w, "incident_cursor", new_cursor.isoformat())
        elif cursor is None:
            spool_repo.state_set(w, "incident_cursor", (now - RECENT).isoformat())
        if due:
            spool_repo.state_set(w, "reference_checked", now.isoformat())
            spool_repo.state_set(w, "reference_print", new_print)
        spool_repo.state_set(w, "synced_at", now.isoformat())
    return RefreshResult(len(changed), len(entries), reference is not None, now)


def synced_at(replica: Database) -> datetime | None:
    with replica.read() as r:
        value = spool_repo.state_get(r, "synced_at")
    return None if value is None else datetime.fromisoformat(value)


def incident_count(replica: Database) -> int:
    with replica.read() as r:
        return len(r.scalars(select(IncidentRow.id)).all())
