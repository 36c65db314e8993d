"""Merge on return: what a desk wrote offline goes onto the server's chains.

Per incident, in recorded_at order, one server transaction each: every spooled entry is appended
after the server's head with its uuid, author, recorded_at and text unchanged, and its data
carrying "offline": the local hash, seq, previous hash and ref (so the desk's own chain can still
be verified) and the desk. A provisional incident (INC-OFF-…) is opened on the server from its
own `opened` entry and gets a line naming both refs; a status change goes through the lifecycle
rules against the server's state at that point, and one they refuse becomes a conflict for a
person (services/desk/conflicts.py) — kept whole, never dropped. Messages queued offline join the
server's outbox (the team's sender sends them, once: the uuid is unique). Idempotent by uuid: an
entry, message, conflict or ref the server already has is not written again, so a merge cut
short by a crash or a new outage simply runs again.
"""

from __future__ import annotations

import uuid as uuid_mod
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.incident import IncidentState, apply
from imdesk.domain.lifecycle import Status, check_transition
from imdesk.domain.milestone_steps import advance, flat
from imdesk.domain.timeline import GENESIS_HASH, EntryKind, TimelineEntry, entry_hash
from imdesk.services.desk.replica import ReplicaDatabase
from imdesk.storage import incident_repo, milestone_repo, spool_repo
from imdesk.storage.database import Database
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow, TimelineEntryRow
from imdesk.storage.outbox_models import OutboxMessageRow
from imdesk.storage.spool_models import SpoolConflictRow, SpoolRefRow
from imdesk.storage.timeline_repo import to_entry

PROVISIONAL = "INC-OFF-"
REF_PREFIX, REF_BASE = "INC-", 1000  # as services/incidents.py names a new incident


@dataclass
class MergeReport:
    entries: int = 0  # appended to the server now
    already: int = 0  # found on the server (an earlier merge that was cut short)
    messages: int = 0
    incidents: int = 0
    refs: list[tuple[str, str]] = field(default_factory=list)  # provisional → server
    conflicts: list[str] = field(default_factory=list)  # one line each

    @property
    def anything(self) -> bool:
        return bool(self.entries or self.messages or self.refs or self.conflicts)


MARK_EVERY = 20  # incidents merged between two notes in the replica of what went in


def merge(server: Database, replica: ReplicaDatabase, now: datetime) -> MergeReport:
    """Merge everything pending in the replica's spool into the server (see the module)."""
    report = MergeReport()
    with replica.read() as r:
        pending = [_read_pending(r, local_id) for local_id in spool_repo.pending_incidents(r)]
    marks: list[tuple[list[str], list[str]]] = []
    for n, one in enumerate(pending, start=1):
        marks.append(_merge_incident(server, one, now, report))
        if n % MARK_EVERY == 0 or n == len(pending):
            # what the server took is noted in the replica now and then, not per incident: a
            # merge cut short in between finds those entries on the server by uuid
            with replica.sync_write() as w:
                for merged, conflicts in marks:
                    spool_repo.mark(w, merged, "merged", now)
                    spool_repo.mark(w, conflicts, "conflict", now)
            marks = []
    return report


@dataclass(frozen=True)
class _Pending:
    ref: str
    entries: list[TimelineEntry]
    messages: list[dict[str, Any]]
    desk: dict[str, Any]


def _read_pending(r: Session, local_id: int) -> _Pending:
    items = spool_repo.pending_items(r, local_id)
    row = r.get(IncidentRow, local_id)
    assert row is not None
    by_uuid = spool_repo.entry_rows(r, [i.uuid for i in items if i.kind == "entry"])
    entries = [to_entry(by_uuid[i.uuid], row.ref) for i in items if i.uuid in by_uuid]
    t = spool_repo.table("outbox_message")
    wanted = [i.uuid for i in items if i.kind == "message"]
    messages = spool_repo.read_rows(r, t, t.c.uuid.in_(wanted)) if wanted else []
    return _Pending(row.ref, entries, messages, items[0].desk if items else {})


def _merge_incident(server: Database, pending: _Pending, now: datetime,
                    report: MergeReport) -> tuple[list[str], list[str]]:
    """One incident in one server transaction; the uuids merged and those become conflicts."""
    desk = pending.desk
    desk_label = f"{desk.get('name', '?')} ({desk.get('user', '?')}@{desk.get('host', '?')})"
    merged: list[str] = []
    conflicts: list[str] = []
    with server.write() as s:
        done = spool_repo.known_uuids(s, [e.uuid for e in pending.entries])
        done |= set(s.scalars(select(SpoolConflictRow.entry_uuid).where(
            SpoolConflictRow.entry_uuid.in_([e.uuid for e in pending.entries]))))
        row, state, created = _server_incident(s, pending, done)
        chain = _Chain(row, state)
        seq_map = _seq_map(s, row, pending.entries, done)
        appended = 0
        for e in pending.entries:
            if e.uuid in done:
                report.already += 1
                merged.append(e.uuid)
                continue
            if e.kind == EntryKind.OPENED and not created:
                continue  # cannot be: a provisional incident's opening made the row
            if e.kind == EntryKind.STATUS:
                current = chain.state.status if chain.state else Status.NEW
                try:
                    check_transition(current, Status(str(e.data.get("to"))), e.text)
                except (TransitionError, ValidationError, ValueError) as refusal:
                    _conflict(s, row.ref, e, desk_label, str(refusal), now)
                    report.conflicts.append(f"{row.ref}: {e.text or e.data.get('to')} "
                                            f"({refusal})")
                    conflicts.append(e.uuid)
                    continue
            entry = _append(chain, e, pending.ref, desk, seq_map)
            seq_map[e.seq] = entry.seq
            merged.append(e.uuid)
            appended += 1
        if created:
            text = f"written offline as {pending.ref} on {desk_label}; on the server {row.ref}"
            _note(chain, text, {"provisional_ref": pending.ref}, desk, now)
            s.add(SpoolRefRow(provisional_ref=pending.ref, server_ref=row.ref, desk=desk_label,
                              mapped_at=now))
            report.refs.append((pending.ref, row.ref))
        elif appended:
            plural = "entry" if appended == 1 else "entries"
            _note(chain, f"{appended} {plural} written offline on {desk_label} merged",
                  {"merged_offline": appended}, desk, now)
        chain.write(s)
        report.messages += _messages(s, row, pending.messages, seq_map)
        merged += [m["uuid"] for m in pending.messages]
        report.entries += appended
        report.incidents += 1 if appended or created else 0
    return merged, conflicts


def _server_incident(s: Session, pending: _Pending,
                     done: set[str]) -> tuple[IncidentRow, IncidentState | None, bool]:
    """The incident's server row (locked), its state, and whether it is opened only now."""
    ref = pending.ref
    if ref.startswith(PROVISIONAL):
        mapped = spool_repo.mapped_ref(s, ref)
        if mapped is None:
            opened = next(e for e in pending.entries if e.kind == EntryKind.OPENED)
            if opened.uuid in done:  # cannot be: the ref is mapped in the same transaction
                raise RuntimeError(f"{ref}: opened on the server but not mapped")
            row = IncidentRow(
                ref=f"pending-{uuid_mod.uuid4().hex[:24]}", title="", description="", impact="low",
                urgency="low", priority="P5", status="new", major=False, origin="phone",
                exercise=False, opened_at=opened.recorded_at, on_hold_seconds=0,
                respond_minutes=1, resolve_minutes=1, respond_due=opened.recorded_at,
                resolve_due=opened.recorded_at, last_seq=0, head_hash=GENESIS_HASH,
                updated_at=opened.recorded_at)
            s.add(row)
            s.flush()
            row.ref = f"{REF_PREFIX}{REF_BASE + row.id}"
            return row, None, True
        ref = mapped
    row = incident_repo.get_row(s, ref, for_update=True)
    return row, incident_repo.row_state(s, row), False


def _seq_map(s: Session, row: IncidentRow, entries: list[TimelineEntry],
             done: set[str]) -> dict[int, int]:
    """Local seq → server seq of entries merged before (an interrupted merge)."""
    wanted = [e for e in entries if e.uuid in done]
    if not wanted:
        return {}
    server = {uuid: seq for uuid, seq in s.execute(select(
        TimelineEntryRow.uuid, TimelineEntryRow.seq).where(
        TimelineEntryRow.uuid.in_([e.uuid for e in wanted])))}
    return {e.seq: server[e.uuid] for e in wanted if e.uuid in server}


def _append(chain: _Chain, e: TimelineEntry, local_ref: str, desk: dict[str, Any],
            seq_map: dict[int, int]) -> TimelineEntry:
    data = dict(e.data)
    local_changes: dict[str, Any] = {}
    if isinstance(data.get("supersedes"), int) and data["supersedes"] in seq_map:
        local_changes["supersedes"] = data["supersedes"]
        data["supersedes"] = seq_map[data["supersedes"]]
    data["offline"] = {"local_hash": e.hash, "local_seq": e.seq, "local_prev_hash": e.prev_hash,
                       "local_ref": local_ref, "desk": desk,
                       **({"local_data": local_changes} if local_changes else {})}
    return chain.add(kind=e.kind, text=e.text, data=data, author=e.author,
                     recorded_at=e.recorded_at, occurred_at=e.occurred_at, entry_uuid=e.uuid)


def _note(chain: _Chain, text: str, data: dict[str, Any], desk: dict[str, Any],
          now: datetime) -> None:
    chain.add(kind=EntryKind.NOTE, text=text, data={**data, "desk": desk},
              author=str(desk.get("user") or "imdesk"), recorded_at=now, occurred_at=None,
              entry_uuid=str(uuid_mod.uuid4()))


class _Chain:
    """One incident's appends in this merge: folded in memory, written once at the end (one
    INSERT of every entry, the incident row and its milestones set once)."""

    def __init__(self, row: IncidentRow, state: IncidentState | None) -> None:
        self.row = row
        self.state = state
        self.service_id = row.service_id
        self.rows: list[dict[str, Any]] = []
        self.first: TimelineEntry | None = None  # the opening of an incident new on the server

    def add(self, *, kind: str, text: str, data: dict[str, Any], author: str,
            recorded_at: datetime, occurred_at: datetime | None,
            entry_uuid: str) -> TimelineEntry:
        """journal.write_entry with the entry's own uuid, author and recorded_at."""
        state = self.state
        prev_hash = state.head_hash if state else GENESIS_HASH
        seq = (state.last_seq if state else 0) + 1
        digest = entry_hash(prev_hash=prev_hash, incident_ref=self.row.ref, seq=seq,
                            uuid=entry_uuid, kind=kind, text=text, author=author,
                            recorded_at=recorded_at, occurred_at=occurred_at, data=data)
        self.rows.append({"uuid": entry_uuid, "incident_id": self.row.id, "seq": seq,
                          "kind": kind, "text": text, "author": author,
                          "recorded_at": recorded_at, "occurred_at": occurred_at, "data": data,
                          "prev_hash": prev_hash, "hash": digest})
        entry = TimelineEntry(self.row.ref, seq, entry_uuid, kind, text, author, recorded_at,
                              occurred_at, data, prev_hash, digest)
        if kind == EntryKind.OPENED:
            self.first = entry
        self.state = apply(state, entry)
        return entry

    def write(self, s: Session) -> None:
        if not self.rows or self.state is None:
            return
        if self.first is not None or self.state.service != self.row.service_name:
            self.service_id = _service_id(s, self.state.service)
        s.execute(insert(TimelineEntryRow), self.rows)
        incident_repo.write_state(self.row, self.state, self.service_id)
        entries = [TimelineEntry(self.row.ref, r["seq"], r["uuid"], r["kind"], r["text"],
                                 r["author"], r["recorded_at"], r["occurred_at"], r["data"],
                                 r["prev_hash"], r["hash"]) for r in self.rows]
        if self.first is not None:  # a new incident: its milestones row is made here
            milestone_repo.on_append(s, self.row, self.first)
            entries = entries[1:]
        ms = s.get(MilestoneRow, self.row.id)
        if ms is None:  # a database older than the milestones: the repo folds the chain
            for entry in entries:
                milestone_repo.on_append(s, self.row, entry)
            return
        step = milestone_repo.to_step(ms)
        for entry in entries:
            step = advance(step, entry)
        for name, value in flat(step).items():
            setattr(ms, name, value)


def _service_id(s: Session, name: Any) -> int | None:
    """The service by name on the server (None when it is gone meanwhile: the name stays)."""
    try:
        return incident_repo.service_id_for(s, name if isinstance(name, str) else None)
    except ValidationError:
        return None


def _conflict(s: Session, ref: str, e: TimelineEntry, desk: str, reason: str,
              now: datetime) -> None:
    s.add(SpoolConflictRow(entry_uuid=e.uuid, incident_ref=ref, kind=e.kind, text=e.text,
                           data=dict(e.data), author=e.author, desk=desk,
                           recorded_at=e.recorded_at, reason=reason, found_at=now, state="open"))


def _messages(s: Session, row: IncidentRow, messages: list[dict[str, Any]],
              seq_map: dict[int, int]) -> int:
    """Messages queued offline join the server's outbox (each once: by uuid)."""
    if not messages:
        return 0
    have = set(s.scalars(select(OutboxMessageRow.uuid).where(
        OutboxMessageRow.uuid.in_([m["uuid"] for m in messages]))))
    added = 0
    for m in messages:
        if m["uuid"] in have:
            continue
        values = {k: v for k, v in m.items() if k != "id"}
        values["incident_id"] = row.id
        values["request_seq"] = seq_map.get(m["request_seq"], m["request_seq"])
        s.execute(spool_repo.table("outbox_message").insert().values(**values))
        added += 1
    return added
