"""Team mode offline, as the console and the command line use it: open the server or, when it
cannot be reached, the desk's replica; keep the replica fresh while online; try the server while
offline and merge what was written meanwhile; list and settle the conflicts the merge found."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.domain.desk import Desk
from imdesk.errors import DatabaseUnavailable, KnownError
from imdesk.services.desk import merge as merge_mod
from imdesk.services.desk.replica import (
    RefreshResult,
    ReplicaDatabase,
    open_replica,
    refresh,
    replica_path,
    synced_at,
)
from imdesk.services.desk.team_db import UNREACHABLE, TeamDatabase, connect_quickly
from imdesk.storage import spool_repo
from imdesk.storage.database import Database

if TYPE_CHECKING:
    from imdesk.services.incidents import IncidentService

Opener = Callable[[str], "tuple[Database, Path | None]"]  # app.open_database


class NoReplica(KnownError):
    """Offline, and this desk never made a replica of the server."""


def open_team(url: str, open_database: Opener, desk: Desk,
              folder: Path | None = None) -> tuple[TeamDatabase, Path | None]:
    """The server database (migrated as ever) with its replica; offline on the replica when the
    server cannot be reached, and NoReplica when there is none."""
    path = replica_path(url, folder)
    try:
        server, backup = open_database(connect_quickly(url))
    except DatabaseUnavailable as exc:
        if not path.exists():
            raise NoReplica(f"{exc}; and this desk has no replica of it to work offline",
                            hint="A desk makes its replica while online (the console, or "
                                 "imdesk desk sync).") from exc
        from imdesk.storage.database import Database as Plain

        server = Plain(connect_quickly(url))
        replica = open_replica(path, desk)
        with replica.read() as r:
            since = spool_repo.state_get(r, "offline_since")
        at = datetime.fromisoformat(since) if since else None
        db = TeamDatabase(server, replica)
        db.go_offline(at)
        return db, None
    # online: the replica is opened when first refreshed (the console, desk sync), so a one-off
    # command does not make one
    known = open_replica(path, desk) if path.exists() else None
    return TeamDatabase(server, known, path), backup


@dataclass(frozen=True)
class SpoolStatus:
    offline_since: datetime | None
    waiting: int  # entries and messages written offline, not merged yet
    synced_at: datetime | None  # the replica's last refresh from the server
    conflicts: int  # open conflicts on the server (None offline: not known) — 0 when offline

    @property
    def offline(self) -> bool:
        return self.offline_since is not None


@dataclass(frozen=True)
class Conflict:
    id: int
    incident_ref: str
    kind: str
    text: str
    to_status: str | None
    author: str
    desk: str
    recorded_at: datetime
    reason: str
    state: str


class SpoolService:
    """The desk's replica, spool and merge over a TeamDatabase."""

    def __init__(self, db: TeamDatabase, desk: Desk, clock: Callable[[], datetime]) -> None:
        self.db = db
        self.desk = desk
        self._now = clock

    @property
    def replica(self) -> ReplicaDatabase:
        """The desk's replica, made now when this desk never had one."""
        if self.db.replica is None:
            assert self.db.replica_file is not None
            self.db.adopt(open_replica(self.db.replica_file, self.desk))
        assert self.db.replica is not None
        return self.db.replica

    @property
    def has_replica(self) -> bool:
        return self.db.replica is not None

    def status(self) -> SpoolStatus:
        with self.replica.read() as r:
            waiting = spool_repo.pending_count(r)
        conflicts = 0
        if not self.db.offline:
            try:
                with self.db.server.read() as s:
                    conflicts = len(spool_repo.open_conflicts(s))
            except UNREACHABLE:
                conflicts = 0
        return SpoolStatus(self.db.offline_since, waiting, synced_at(self.replica), conflicts)

    def go_offline(self) -> None:
        if self.db.go_offline(self._now()):
            with self.replica.sync_write() as w:
                spool_repo.state_set(w, "offline_since", self._now().isoformat())

    def tick(self) -> merge_mod.MergeReport | RefreshResult | None:
        """What the console runs every few seconds off the GUI thread: online, refresh the
        replica; offline, try the server and merge when it answers. None when still offline."""
        if not self.db.offline:
            try:
                return refresh(self.db.server, self.replica, self._now())
            except UNREACHABLE:
                self.go_offline()
                return None
        if not self.server_answers():
            return None
        return self.merge_now()

    def server_answers(self) -> bool:
        try:
            with self.db.server.engine.connect() as conn:
                conn.exec_driver_sql("SELECT 1")
            return True
        except Exception:  # refused, timeout, DNS: all mean "not yet"
            return False

    def merge_now(self) -> merge_mod.MergeReport:
        """Merge the spool into the server; when nothing is left, online again on a fresh
        replica. Raises DatabaseUnavailable when the server went away meanwhile."""
        try:
            report = merge_mod.merge(self.db.server, self.replica, self._now())
        except UNREACHABLE as exc:
            self.go_offline()
            raise DatabaseUnavailable(f"the server went away during the merge: {exc}") from exc
        with self.replica.read() as r:
            left = spool_repo.pending_count(r)
        if left == 0:
            self.db.go_online()  # new work goes to the server from now on
            late = merge_mod.merge(self.db.server, self.replica, self._now())  # begun before
            report.entries += late.entries
            report.messages += late.messages
            report.refs += late.refs
            report.conflicts += late.conflicts
            self._rebuild()
        return report

    def sync(self) -> merge_mod.MergeReport | RefreshResult:
        """`imdesk desk sync`: merge what waits, else refresh the replica (DatabaseUnavailable
        when the server cannot be reached)."""
        if not self.server_answers():
            self.go_offline()
            raise DatabaseUnavailable("the server cannot be reached; nothing was merged")
        with self.replica.read() as r:
            waiting = spool_repo.pending_count(r)
        if waiting or self.db.offline:
            return self.merge_now()
        return refresh(self.db.server, self.replica, self._now())

    def _rebuild(self) -> None:
        """A fresh replica from the server after a merge (the local chains are on the server
        now, under server seqs); the provisional-ref counter carries over."""
        old = self.replica
        with old.read() as r:
            counter = spool_repo.state_get(r, "ref_counter", 0)
        tmp = old.path.with_name(old.path.name + ".new")
        for side in ("", "-wal", "-shm"):
            Path(f"{tmp}{side}").unlink(missing_ok=True)
        fresh = open_replica(tmp, old.owner)
        with fresh.sync_write() as w:
            spool_repo.state_set(w, "ref_counter", counter)
        refresh(self.db.server, fresh, self._now(), full=True)
        with fresh.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        fresh.dispose()
        old.dispose()
        for side in ("-wal", "-shm"):
            Path(f"{old.path}{side}").unlink(missing_ok=True)
        os.replace(tmp, old.path)
        self.db.adopt(open_replica(old.path, old.owner))

    # -- conflicts -----------------------------------------------------------------------------
    def conflicts(self, include_settled: bool = False) -> list[Conflict]:
        with self.db.server.read() as s:
            rows = spool_repo.open_conflicts(s, include_settled)
            return [Conflict(r.id, r.incident_ref, r.kind, r.text,
                             r.data.get("to") if isinstance(r.data, dict) else None, r.author,
                             r.desk, r.recorded_at, r.reason, r.state) for r in rows]

    def settle(self, conflict_id: int, apply: bool, incidents: IncidentService,
               author: str) -> Conflict:
        """A person settles a conflict: apply it anyway as a note in the incident's timeline
        (what was refused, where and when it was written, and why), or dismiss it."""
        from imdesk.domain.errors import ValidationError
        from imdesk.domain.timefmt import readable
        from imdesk.domain.timeline import EntryDraft, EntryKind
        from imdesk.storage import incident_repo
        from imdesk.storage.spool_models import SpoolConflictRow

        now = self._now()
        with self.db.server.write() as s:
            row = s.get(SpoolConflictRow, conflict_id, with_for_update=True)
            if row is None or row.state != "open":
                raise ValidationError("conflict", f"no open conflict {conflict_id}")
            if apply:
                inc = incident_repo.get_row(s, row.incident_ref, for_update=True)
                what = (f"status → {row.data['to']}" if row.kind == "status"
                        and isinstance(row.data, dict) and row.data.get("to") else row.kind)
                text = (f"written offline on {row.desk} ({readable(row.recorded_at)}) by "
                        f"{row.author}, refused at the merge ({row.reason}): {what}"
                        + (f" — {row.text}" if row.text else ""))
                incidents.append_in(s, inc, incident_repo.row_state(s, inc), EntryDraft(
                    EntryKind.NOTE, text, {"conflict": row.entry_uuid}))
            row.state = "applied" if apply else "dismissed"
            row.settled_by = author
            row.settled_at = now
            return Conflict(row.id, row.incident_ref, row.kind, row.text,
                            row.data.get("to") if isinstance(row.data, dict) else None,
                            row.author, row.desk, row.recorded_at, row.reason, row.state)
