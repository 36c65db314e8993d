"""War-room use cases: declare a major incident, roles, people, situation, action items, and
reading a room. Every change is a timeline entry written in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import String, and_, cast, or_, select
from sqlalchemy.orm import Session

from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.incident import IncidentState
from imdesk.domain.lifecycle import FINAL_STATUSES, OPEN_STATUSES
from imdesk.domain.text import clean_text, hidden_controls
from imdesk.domain.timefmt import readable
from imdesk.domain.timeline import EntryDraft, EntryKind, TimelineEntry, iso
from imdesk.domain.war_room import (
    DEFAULT_UPDATE_POLICY,
    ROOM_KINDS,
    ROOM_LINE_KEYS,
    ROOM_LINE_KINDS,
    ActionStatus,
    Clock,
    Role,
    RoomState,
    fold_room,
    handover_clock,
    update_clock,
)
from imdesk.services.clock import Clock as TimeSource
from imdesk.services.clock import SystemClock, default_author
from imdesk.services.desk.stale import check_fresh
from imdesk.services.journal import write_entry
from imdesk.storage import incident_repo, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow, TimelineEntryRow

NAME_MAX = 120


@dataclass(frozen=True)
class Room:
    """What the war-room pane shows, read in one go."""

    incident: IncidentState
    state: RoomState
    update: Clock
    handover: Clock
    entry_count: int


def _name(value: str, field: str) -> str:
    return clean_text(value, field, max_len=NAME_MAX, required=True, single_line=True)


def _cleaned(data: dict[str, Any], *raw: str) -> dict[str, Any]:
    """Say so in the entry when hidden control or bidi characters were removed (as notes do)."""
    removed = sum(hidden_controls(r) for r in raw)
    if removed:
        data["cleaned"] = f"{removed} hidden control character{'s' if removed > 1 else ''} removed"
    return data


class WarRoomService:
    def __init__(self, db: Database, clock: TimeSource | None = None,
                 author: str | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()

    # -- writing -----------------------------------------------------------------------------
    def declare(self, ref: str, *, bridge: str = "", roles: Mapping[str, str] | None = None,
                first_update_minutes: int | None = None,
                expected_seq: int | None = None) -> Room:
        """Declare a major incident (or confirm it): each checklist step is an entry."""
        bridge_text = clean_text(bridge, "bridge", max_len=500, single_line=True)
        parsed_roles = {Role.parse(k): _name(v, "name") for k, v in (roles or {}).items() if v}
        if first_update_minutes is not None and not 1 <= first_update_minutes <= 240:
            raise ValidationError("first update", "the first update is due in 1 to 240 minutes")
        with self._unit(ref, final="declare a new incident instead",
                        expected_seq=expected_seq) as (s, row, state, now):
            if state.status not in OPEN_STATUSES:
                raise TransitionError(f"{state.ref} is {state.status.label}: declare a new "
                                      "incident instead")
            drafts: list[EntryDraft] = []
            if not state.major:
                drafts.append(EntryDraft(EntryKind.MAJOR, "declared a major incident",
                                         {"major": True}))
            if bridge_text:
                drafts.append(EntryDraft(EntryKind.BRIDGE, f"bridge: {bridge_text}",
                                         _cleaned({"bridge": bridge_text}, bridge)))
            room = self._room_state(s, row)
            for role, name in parsed_roles.items():
                drafts.append(self._role_draft(room, role, name))
            if first_update_minutes is not None:
                due = now + timedelta(minutes=first_update_minutes)
                drafts.append(EntryDraft(EntryKind.NOTE,
                                         f"first stakeholder update due {readable(due)}",
                                         {"first_update_due": iso(due)}))
            if not drafts:
                raise ValidationError("major", f"{state.ref} is already a major incident")
            for draft in drafts:
                state = write_entry(s, row, state, draft, service_id=row.service_id,
                                    author=self.author, now=now)[0]
        return self.room(ref)

    def set_bridge(self, ref: str, bridge: str) -> TimelineEntry:
        text = clean_text(bridge, "bridge", max_len=500, required=True, single_line=True)
        return self._one(ref, EntryDraft(EntryKind.BRIDGE, f"bridge: {text}",
                                         _cleaned({"bridge": text}, bridge)))

    def set_situation(self, ref: str, *, conditions: str, actions: str, needs: str,
                      impact: str) -> TimelineEntry:
        values = {k: clean_text(v, k, max_len=4000) for k, v in (
            ("conditions", conditions), ("actions", actions), ("needs", needs),
            ("impact", impact))}
        summary = " · ".join(f"{k.capitalize()}: {v}" for k, v in values.items() if v) or "cleared"
        return self._one(ref, EntryDraft(EntryKind.SITUATION, f"situation — {summary}",
                                         _cleaned(dict(values), conditions, actions, needs, impact)))

    def assign_role(self, ref: str, role: str, name: str, *,
                    expected_seq: int | None = None) -> TimelineEntry:
        """Give a role to a person; if someone holds it, it is an explicit hand-over."""
        who = _name(name, "name")
        which = Role.parse(role)
        with self._unit(ref, expected_seq=expected_seq) as (s, row, state, now):
            draft = self._role_draft(self._room_state(s, row), which, who)
            return write_entry(s, row, state, draft, service_id=row.service_id,
                               author=self.author, now=now)[1]

    def _role_draft(self, room: RoomState, role: Role, name: str) -> EntryDraft:
        holder = room.roles.get(role)
        if holder is not None and holder.name == name:
            raise ValidationError("name", f"{name} already is {role.label.lower()}")
        if holder is None:
            text = f"{role.label}: {name}"
        else:
            text = f"{role.label} handed over from {holder.name} to {name}"
        return EntryDraft(EntryKind.ROLE, text, {"role": role.value, "name": name,
                                                 "previous": holder.name if holder else None})

    def participant(self, ref: str, name: str, *, joined: bool) -> TimelineEntry:
        who = _name(name, "name")
        with self._unit(ref) as (s, row, state, now):
            room = self._room_state(s, row)
            present = who in room.present
            if joined and present:
                raise ValidationError("name", f"{who} is already in the room")
            if not joined and not present:
                raise ValidationError("name", f"{who} is not in the room")
            draft = EntryDraft(EntryKind.PARTICIPANT, f"{who} {'joined' if joined else 'left'}",
                               {"name": who, "joined": joined})
            return write_entry(s, row, state, draft, service_id=row.service_id,
                               author=self.author, now=now)[1]

    def add_action(self, ref: str, text: str, *, owner: str = "",
                   due: datetime | None = None) -> int:
        body = clean_text(text, "action", max_len=1000, required=True, single_line=True)
        who = clean_text(owner, "owner", max_len=NAME_MAX, single_line=True)
        if due is not None:
            if due.tzinfo is None:
                raise ValidationError("due", "a due time needs its UTC offset or a Z")
            due = due.astimezone(UTC)
        with self._unit(ref) as (s, row, state, now):
            if due is not None and due < now - timedelta(minutes=1):
                raise ValidationError("due", f"due {readable(due)} is already past")
            number = self._room_state(s, row).next_action_number()
            data: dict[str, Any] = {"number": number, "text": body, "owner": who,
                                    "status": ActionStatus.OPEN.value, "due": iso(due)}
            _cleaned(data, text, owner)
            owner_text = f" — {who}" if who else ""
            due_text = f", due {readable(due)}" if due else ""
            write_entry(s, row, state, EntryDraft(
                EntryKind.ACTION_ITEM, f"action {number}: {body}{owner_text}{due_text}", data),
                service_id=row.service_id, author=self.author, now=now)
            return number

    def update_action(self, ref: str, number: int, *, status: str | None = None,
                      owner: str | None = None) -> TimelineEntry:
        with self._unit(ref) as (s, row, state, now):
            item = self._room_state(s, row).actions.get(number)
            if item is None:
                raise ValidationError("action", f"{state.ref} has no action {number}")
            data: dict[str, Any] = {"number": number}
            words = []
            if status is not None:
                try:
                    new_status = ActionStatus(status)
                except ValueError:
                    allowed = ", ".join(a.value for a in ActionStatus)
                    raise ValidationError("status", f"status must be one of {allowed}") from None
                if new_status == item.status:
                    raise ValidationError("status", f"action {number} is already {status}")
                data["status"] = new_status.value
                words.append(new_status.value)
            if owner is not None:
                data["owner"] = clean_text(owner, "owner", max_len=NAME_MAX, single_line=True)
                words.append(f"owner {data['owner'] or 'none'}")
            if len(data) == 1:
                raise ValidationError("action", "nothing to change")
            return write_entry(s, row, state, EntryDraft(
                EntryKind.ACTION_ITEM, f"action {number} ({item.text}): {', '.join(words)}", data),
                service_id=row.service_id, author=self.author, now=now)[1]

    # -- reading -----------------------------------------------------------------------------
    def room(self, ref: str) -> Room:
        now = self._clock.now()
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            incident = incident_repo.row_state(s, row)
            state = self._room_state(s, row)
        policy = DEFAULT_UPDATE_POLICY[incident.priority]
        return Room(incident, state, update_clock(state, policy, now),
                    handover_clock(state, now), incident.last_seq)

    def open_rooms(self) -> list[IncidentState]:
        """Open major incidents, most urgent first."""
        with self._db.read() as s:
            rows = s.scalars(select(IncidentRow).where(
                IncidentRow.major.is_(True),
                IncidentRow.status.in_([st.value for st in OPEN_STATUSES]),
            ).order_by(IncidentRow.priority, IncidentRow.opened_at)).all()
            return [incident_repo.row_state(s, r) for r in rows]

    def entries(self, ref: str, *, before_seq: int | None = None, after_seq: int = 0,
                limit: int = 200, kinds: tuple[str, ...] = ()) -> list[TimelineEntry]:
        """A page of the timeline in seq order: the newest `limit` before `before_seq`, or
        everything after `after_seq` (new entries since the last look)."""
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            q = select(TimelineEntryRow).where(TimelineEntryRow.incident_id == row.id,
                                               TimelineEntryRow.seq > after_seq)
            if before_seq is not None:
                q = q.where(TimelineEntryRow.seq < before_seq)
            if kinds:
                q = q.where(TimelineEntryRow.kind.in_(kinds))
            rows = s.scalars(q.order_by(TimelineEntryRow.seq.desc()).limit(limit)).all()
            return [timeline_repo.to_entry(r, row.ref) for r in reversed(rows)]

    def superseded(self, ref: str) -> frozenset[int]:
        """Seqs of the lines a later correction supersedes."""
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            rows = s.scalars(select(TimelineEntryRow).where(
                TimelineEntryRow.incident_id == row.id,
                cast(TimelineEntryRow.data, String).like('%"supersedes"%'))).all()
            return frozenset(int(r.data["supersedes"]) for r in rows if "supersedes" in r.data)

    def now(self) -> datetime:
        return self._clock.now()

    # -- helpers -----------------------------------------------------------------------------
    def _room_state(self, s: Session, row: IncidentRow) -> RoomState:
        """Fold only the entries that shape the room (roles, actions, …), not every line: a
        room with 10k notes reads the few that correct another or set the first update."""
        data = TimelineEntryRow.data
        shaping_line = and_(TimelineEntryRow.kind.in_(ROOM_LINE_KINDS),
                            or_(*(data[key].as_string().is_not(None) for key in ROOM_LINE_KEYS)))
        rows = s.scalars(select(TimelineEntryRow).where(
            TimelineEntryRow.incident_id == row.id,
            or_(TimelineEntryRow.kind.in_(ROOM_KINDS), shaping_line),
        ).order_by(TimelineEntryRow.seq)).all()
        return fold_room(row.ref, (timeline_repo.to_entry(r, row.ref) for r in rows))

    def _one(self, ref: str, draft: EntryDraft) -> TimelineEntry:
        with self._unit(ref) as (s, row, state, now):
            return write_entry(s, row, state, draft, service_id=row.service_id,
                               author=self.author, now=now)[1]

    def _unit(self, ref: str, final: str | None = None,
              expected_seq: int | None = None) -> _Unit:
        return _Unit(self._db, ref, self._clock, final=final, expected_seq=expected_seq)


class _Unit:
    """One write transaction on one incident, holding its lock: (session, row, state, now)."""

    def __init__(self, db: Database, ref: str, clock: TimeSource, final: str | None = None,
                 expected_seq: int | None = None) -> None:
        self._final = final or "its war room is closed (notes can still be added)"
        self._expected = expected_seq
        self._cm = db.write()
        self._ref = ref
        self._clock = clock

    def __enter__(self) -> tuple[Session, IncidentRow, IncidentState, datetime]:
        s = self._cm.__enter__()
        try:
            row = incident_repo.get_row(s, self._ref, for_update=True)
            check_fresh(s, row, self._expected)
            state = incident_repo.row_state(s, row)
            if state.status in FINAL_STATUSES:
                raise TransitionError(f"{state.ref} is {state.status.label}: {self._final}")
            return s, row, state, self._clock.now()
        except BaseException as exc:
            self._cm.__exit__(type(exc), exc, exc.__traceback__)
            raise

    def __exit__(self, *exc: Any) -> bool | None:
        return self._cm.__exit__(*exc)
