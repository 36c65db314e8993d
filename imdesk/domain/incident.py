"""An incident as the projection of its timeline: the state and the reducer that builds it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, Priority
from imdesk.domain.sla import ClockInputs, SlaReading, due_times, read_clock
from imdesk.domain.timeline import EntryKind, TimelineEntry


class Origin(StrEnum):
    PHONE = "phone"
    MAIL = "mail"
    WALK_IN = "walk_in"
    CHAT = "chat"
    MONITORING = "monitoring"

    @property
    def label(self) -> str:
        return self.value.replace("_", "-")


EDITABLE_FIELDS = ("title", "description", "service", "origin")


@dataclass(frozen=True)
class IncidentState:
    """Everything the incident row holds. A fold of the timeline reproduces it exactly."""

    ref: str
    title: str
    description: str
    service: str | None
    impact: Level
    urgency: Level
    priority: Priority
    status: Status
    major: bool
    origin: Origin
    exercise: bool
    opened_at: datetime
    acknowledged_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    hold_started_at: datetime | None
    on_hold_seconds: int
    respond_minutes: int
    resolve_minutes: int
    last_seq: int
    head_hash: str
    updated_at: datetime

    @property
    def clock_inputs(self) -> ClockInputs:
        ended = self.resolved_at or self.closed_at
        return ClockInputs(
            opened_at=self.opened_at,
            acknowledged_at=self.acknowledged_at,
            ended_at=ended,
            hold_started_at=self.hold_started_at,
            on_hold_seconds=self.on_hold_seconds,
            respond_minutes=self.respond_minutes,
            resolve_minutes=self.resolve_minutes,
        )

    @property
    def respond_due(self) -> datetime:
        return due_times(self.clock_inputs)[0]

    @property
    def resolve_due(self) -> datetime:
        return due_times(self.clock_inputs)[1]

    @property
    def sla_due(self) -> datetime | None:
        """The due time of the clock that runs now (for sorting); None once it ended."""
        if self.status in (Status.RESOLVED, Status.CLOSED, Status.CANCELLED):
            return None
        return self.respond_due if self.acknowledged_at is None else self.resolve_due

    def sla(self, now: datetime) -> SlaReading:
        return read_clock(self.clock_inputs, now)


class ProjectionError(ValueError):
    """An entry that cannot apply to the state (a broken timeline)."""


def _level(data: dict[str, Any], key: str) -> Level:
    return Level(str(data[key]))


def apply(state: IncidentState | None, entry: TimelineEntry) -> IncidentState:
    """Fold one entry into the incident's state."""
    data = dict(entry.data)
    at = entry.recorded_at
    if entry.kind == EntryKind.OPENED:
        if state is not None:
            raise ProjectionError(f"{entry.incident_ref}: a second 'opened' entry at seq {entry.seq}")
        return IncidentState(
            ref=entry.incident_ref,
            title=str(data["title"]),
            description=str(data.get("description") or ""),
            service=data.get("service"),
            impact=_level(data, "impact"),
            urgency=_level(data, "urgency"),
            priority=Priority(str(data["priority"])),
            status=Status.NEW,
            major=bool(data.get("major", False)),
            origin=Origin(str(data.get("origin", Origin.PHONE))),
            exercise=bool(data.get("exercise", False)),
            opened_at=entry.effective_at,
            acknowledged_at=None,
            resolved_at=None,
            closed_at=None,
            hold_started_at=None,
            on_hold_seconds=0,
            respond_minutes=int(data["respond_minutes"]),
            resolve_minutes=int(data["resolve_minutes"]),
            last_seq=entry.seq,
            head_hash=entry.hash,
            updated_at=at,
        )
    if state is None:
        raise ProjectionError(f"{entry.incident_ref}: entry {entry.seq} before 'opened'")
    state = replace(state, last_seq=entry.seq, head_hash=entry.hash, updated_at=at)
    if entry.kind == EntryKind.STATUS:
        return _apply_status(state, Status(str(data["to"])), at)
    if entry.kind == EntryKind.EDIT:
        changes = data.get("changes", {})
        updates: dict[str, Any] = {}
        for name, pair in changes.items():
            if name not in EDITABLE_FIELDS:
                raise ProjectionError(f"{entry.incident_ref}: entry {entry.seq} edits {name!r}")
            new = pair[1]
            updates[name] = Origin(str(new)) if name == "origin" else new
        return replace(state, **updates)
    if entry.kind == EntryKind.PRIORITY:
        return replace(
            state,
            impact=_level(data, "impact"),
            urgency=_level(data, "urgency"),
            priority=Priority(str(data["priority"])),
            respond_minutes=int(data["respond_minutes"]),
            resolve_minutes=int(data["resolve_minutes"]),
        )
    if entry.kind == EntryKind.MAJOR:
        return replace(state, major=bool(data["major"]))
    if entry.kind == EntryKind.EXERCISE:
        return replace(state, exercise=bool(data["exercise"]))
    return state  # notes and later kinds do not change the projection


def _apply_status(state: IncidentState, target: Status, at: datetime) -> IncidentState:
    changes: dict[str, Any] = {"status": target}
    if state.status == Status.NEW and state.acknowledged_at is None and target != Status.CANCELLED:
        changes["acknowledged_at"] = at
    if state.hold_started_at is not None:  # leaving on_hold ends the pause
        held = int((at - state.hold_started_at).total_seconds())
        changes["on_hold_seconds"] = state.on_hold_seconds + max(0, held)
        changes["hold_started_at"] = None
    if target == Status.ON_HOLD:
        changes["hold_started_at"] = at
    if target == Status.RESOLVED:
        changes["resolved_at"] = at
    if target == Status.IN_PROGRESS and state.status == Status.RESOLVED:
        changes["resolved_at"] = None  # reopened
    if target in (Status.CLOSED, Status.CANCELLED):
        changes["closed_at"] = at
    return replace(state, **changes)


def rebuild(entries: list[TimelineEntry]) -> IncidentState:
    state: IncidentState | None = None
    for entry in entries:
        state = apply(state, entry)
    if state is None:
        raise ProjectionError("an incident without entries")
    return state
