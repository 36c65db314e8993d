"""A major incident's war room as a fold of its timeline: roles, people, situation, actions,
bridge, and the clocks for the next stakeholder update and the incident manager's hand-over."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import StrEnum

from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Priority
from imdesk.domain.timeline import EntryKind, TimelineEntry


class Role(StrEnum):
    INCIDENT_MANAGER = "incident_manager"
    TECH_LEAD = "tech_lead"
    COMMUNICATIONS = "communications"
    SCRIBE = "scribe"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @classmethod
    def parse(cls, value: str) -> Role:
        key = value.strip().lower().replace("-", "_").replace(" ", "_")
        key = ROLE_ALIASES.get(key, key)
        try:
            return cls(key)
        except ValueError:
            allowed = ", ".join(r.value for r in cls)
            raise ValidationError("role", f"role must be one of {allowed}, not {value!r}") from None


ROLE_LABELS = {
    Role.INCIDENT_MANAGER: "Incident manager",
    Role.TECH_LEAD: "Technical lead",
    Role.COMMUNICATIONS: "Communications",
    Role.SCRIBE: "Scribe",
}
ROLE_ALIASES = {"im": "incident_manager", "ic": "incident_manager", "tl": "tech_lead",
                "technical_lead": "tech_lead", "comms": "communications"}


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


@dataclass(frozen=True)
class ActionItem:
    number: int
    text: str
    owner: str
    due: datetime | None
    status: ActionStatus
    created_at: datetime

    def overdue(self, now: datetime) -> bool:
        return self.status == ActionStatus.OPEN and self.due is not None and now > self.due


@dataclass(frozen=True)
class RoleHolder:
    name: str
    since: datetime


@dataclass(frozen=True)
class Situation:
    """Conditions / Actions / Needs, and the business impact, as last written."""

    conditions: str = ""
    actions: str = ""
    needs: str = ""
    impact: str = ""
    written_at: datetime | None = None


@dataclass(frozen=True)
class RoomState:
    ref: str
    declared_at: datetime | None = None
    bridge: str = ""
    situation: Situation = Situation()
    roles: Mapping[Role, RoleHolder] = field(default_factory=dict)
    participants: Mapping[str, tuple[datetime, datetime | None]] = field(default_factory=dict)
    actions: Mapping[int, ActionItem] = field(default_factory=dict)
    last_update_at: datetime | None = None
    first_update_due: datetime | None = None  # set at declaration, else the policy decides
    superseded: frozenset[int] = frozenset()

    @property
    def present(self) -> list[str]:
        return sorted(n for n, (_joined, left) in self.participants.items() if left is None)

    def next_action_number(self) -> int:
        return max(self.actions, default=0) + 1


# Entry kinds that build the room (the rest are lines of the log). A line (note, action,
# decision) shapes the room only when its data holds one of ROOM_LINE_KEYS: a correction, or the
# first update set at declaration. Readers fetch just those, not every line of a long log.
ROOM_KINDS = ("opened", "major", "bridge", "situation", "role", "participant", "action_item",
              "communication")
ROOM_LINE_KINDS = ("note", "action", "decision")
ROOM_LINE_KEYS = ("supersedes", "first_update_due")


def fold_room(ref: str, entries: Iterable[TimelineEntry]) -> RoomState:
    room = RoomState(ref=ref)
    for e in entries:
        room = apply_room(room, e)
    return room


def apply_room(room: RoomState, e: TimelineEntry) -> RoomState:
    data = e.data
    at = e.effective_at
    if "supersedes" in data:
        room = replace(room, superseded=room.superseded | {int(data["supersedes"])})
    if e.kind in (EntryKind.OPENED, EntryKind.MAJOR):
        # Opened as a major incident is declared at once, as declaring one later is.
        return replace(room, declared_at=e.recorded_at if data.get("major") else None)
    if e.kind == EntryKind.BRIDGE:
        return replace(room, bridge=str(data.get("bridge", "")))
    if e.kind == EntryKind.SITUATION:
        return replace(room, situation=Situation(
            str(data.get("conditions", "")), str(data.get("actions", "")),
            str(data.get("needs", "")), str(data.get("impact", "")), e.recorded_at))
    if e.kind == EntryKind.ROLE:
        roles = dict(room.roles)
        role = Role(str(data["role"]))
        if data.get("name"):
            roles[role] = RoleHolder(str(data["name"]), e.recorded_at)
        else:
            roles.pop(role, None)
        return replace(room, roles=roles)
    if e.kind == EntryKind.PARTICIPANT:
        people = dict(room.participants)
        name = str(data["name"])
        if data.get("joined"):
            people[name] = (at, None)
        elif name in people:
            people[name] = (people[name][0], at)
        return replace(room, participants=people)
    if e.kind == EntryKind.ACTION_ITEM:
        actions = dict(room.actions)
        number = int(data["number"])
        old = actions.get(number)
        due = data.get("due")
        actions[number] = ActionItem(
            number=number,
            text=str(data.get("text", old.text if old else "")),
            owner=str(data.get("owner", old.owner if old else "")),
            due=datetime.fromisoformat(str(due).replace("Z", "+00:00")) if due else (
                old.due if old and "due" not in data else None),
            status=ActionStatus(str(data.get("status", old.status if old else "open"))),
            created_at=old.created_at if old else e.recorded_at,
        )
        return replace(room, actions=actions)
    if e.kind == EntryKind.COMMUNICATION and data.get("update", True) and "call" not in data:
        # (a phone call to a contact — "called Mei: no answer" — informs no stakeholder)
        # A backdated update recorded late ("mailed them at 10:05") never winds the clock back.
        latest = at if room.last_update_at is None else max(room.last_update_at, at)
        return replace(room, last_update_at=latest)
    if e.kind == EntryKind.NOTE and data.get("first_update_due"):
        due = datetime.fromisoformat(str(data["first_update_due"]).replace("Z", "+00:00"))
        return replace(room, first_update_due=due)
    return room


# -- clocks -----------------------------------------------------------------------------------

class ClockState(StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"  # amber
    OVERDUE = "overdue"  # red
    NONE = "none"


@dataclass(frozen=True)
class UpdatePolicy:
    """When stakeholders hear from us: first within N minutes of declaring, then every M."""

    first_minutes: int = 5
    every_minutes: int = 30


DEFAULT_UPDATE_POLICY: Mapping[Priority, UpdatePolicy] = {
    Priority.P1: UpdatePolicy(5, 30),
    Priority.P2: UpdatePolicy(5, 30),
    Priority.P3: UpdatePolicy(15, 60),
    Priority.P4: UpdatePolicy(30, 120),
    Priority.P5: UpdatePolicy(60, 240),
}
HANDOVER_SUGGEST = timedelta(minutes=60)
HANDOVER_WARN = timedelta(hours=3)


@dataclass(frozen=True)
class Clock:
    name: str
    due: datetime | None
    remaining: timedelta | None
    state: ClockState


def update_clock(room: RoomState, policy: UpdatePolicy, now: datetime) -> Clock:
    """Next stakeholder update: amber in the last quarter of the interval, red when overdue."""
    if room.declared_at is None:
        return Clock("next update", None, None, ClockState.NONE)
    if room.last_update_at is None or room.last_update_at < room.declared_at:
        start, interval = room.declared_at, timedelta(minutes=policy.first_minutes)
        if room.first_update_due is not None and room.first_update_due > start:
            interval = room.first_update_due - start
    else:
        start, interval = room.last_update_at, timedelta(minutes=policy.every_minutes)
    due = start + interval
    remaining = due - now
    if remaining <= timedelta(0):
        state = ClockState.OVERDUE
    elif remaining <= interval / 4:
        state = ClockState.DUE_SOON
    else:
        state = ClockState.OK
    return Clock("next update", due, remaining, state)


def handover_clock(room: RoomState, now: datetime) -> Clock:
    """How long the incident manager has held the room: suggest after 1 h, warn at 3 h."""
    holder = room.roles.get(Role.INCIDENT_MANAGER)
    since = holder.since if holder else room.declared_at
    if since is None:
        return Clock("IM hand-over", None, None, ClockState.NONE)
    held = now - since
    state = (ClockState.OVERDUE if held >= HANDOVER_WARN
             else ClockState.DUE_SOON if held >= HANDOVER_SUGGEST else ClockState.OK)
    return Clock("IM hand-over", since + HANDOVER_WARN, since + HANDOVER_WARN - now, state)
