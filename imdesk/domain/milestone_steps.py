"""The milestones (imdesk.domain.milestones) advanced one entry at a time, for the stored
incident_milestone row that is kept in step with every append.

The step carries what the whole-timeline fold keeps in local variables (the status and a hold
that is running); `advance` over a timeline equals `milestones_of` of it (a test holds them
equal), so the stored row and a rebuild agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from imdesk.domain.milestones import Milestones, _is_stakeholder_communication
from imdesk.domain.timeline import EntryKind, TimelineEntry


@dataclass(frozen=True)
class Step:
    milestones: Milestones
    status: str = "new"
    hold_started_at: datetime | None = None


MILESTONE_FIELDS = tuple(Milestones.__dataclass_fields__)
STEP_FIELDS = (*MILESTONE_FIELDS, "status", "hold_started_at")


def flat(step: Step) -> dict[str, Any]:
    """Column name -> value, as the incident_milestone row stores it."""
    out = {name: getattr(step.milestones, name) for name in MILESTONE_FIELDS}
    out.update(status=step.status, hold_started_at=step.hold_started_at)
    return out


def unflat(values: dict[str, Any]) -> Step:
    return Step(Milestones(**{n: values[n] for n in MILESTONE_FIELDS}), str(values["status"]),
                values["hold_started_at"])


def _opened(entry: TimelineEntry) -> Step:
    data = entry.data
    return Step(Milestones(
        opened_at=entry.effective_at, reported_at=entry.recorded_at, acknowledged_at=None,
        major_at=entry.recorded_at if data.get("major") else None, first_communication_at=None,
        first_resolved_at=None, resolved_at=None, closed_at=None, cancelled=False, reopened=0,
        hold_seconds=0, hold_before_ack_seconds=0, hold_before_resolve_seconds=0,
        exercise=bool(data.get("exercise", False))))


def advance(step: Step | None, entry: TimelineEntry) -> Step:
    """Fold one entry (None before the 'opened' entry)."""
    if entry.kind == EntryKind.OPENED:
        if step is not None:
            raise ValueError(f"{entry.incident_ref}: a second 'opened' entry at seq {entry.seq}")
        return _opened(entry)
    if step is None:
        raise ValueError(f"{entry.incident_ref}: entry {entry.seq} before 'opened'")
    data, at, m = entry.data, entry.effective_at, step.milestones
    if data.get("before_opened") and at < m.opened_at:
        m = replace(m, opened_at=at)
    if entry.kind == EntryKind.MAJOR:
        if data.get("major") and m.major_at is None:
            m = replace(m, major_at=at)
    elif entry.kind == EntryKind.EXERCISE:
        m = replace(m, exercise=bool(data.get("exercise", m.exercise)))
    elif _is_stakeholder_communication(entry) and m.first_communication_at is None:
        m = replace(m, first_communication_at=at)
    elif entry.kind == EntryKind.STATUS:
        return _status(Step(m, step.status, step.hold_started_at), str(data.get("to", "")), at)
    return replace(step, milestones=m)


def _status(step: Step, target: str, at: datetime) -> Step:
    m, hold_start = step.milestones, step.hold_started_at
    if hold_start is not None and target != "on_hold":
        held = max(0, int((at - hold_start).total_seconds()))
        m = replace(m, hold_seconds=m.hold_seconds + held,
                    hold_before_ack_seconds=m.hold_before_ack_seconds
                    + (held if m.acknowledged_at is None else 0),
                    hold_before_resolve_seconds=m.hold_before_resolve_seconds
                    + (held if m.resolved_at is None else 0))
        hold_start = None
    if target == "on_hold" and hold_start is None:
        hold_start = at
    if target == "in_progress":
        if m.acknowledged_at is None:
            m = replace(m, acknowledged_at=at)
        if step.status == "resolved":
            m = replace(m, reopened=m.reopened + 1, resolved_at=None)
    elif target == "resolved":
        m = replace(m, resolved_at=at, first_resolved_at=m.first_resolved_at or at)
    elif target in ("closed", "cancelled"):
        m = replace(m, closed_at=at, cancelled=target == "cancelled")
    return Step(m, target, hold_start)


def fold(entries: list[TimelineEntry]) -> Step:
    step: Step | None = None
    for entry in entries:
        step = advance(step, entry)
    if step is None:
        raise ValueError("an incident without entries")
    return step
