"""The milestones (imdesk.domain.milestones) advanced one entry at a time, for the stored
incident_milestone row that is kept in step with every append.

The step carries what the whole-timeline fold keeps in local variables (the status and a hold
that is running); `advance` over a timeline equals `milestones_of` of it (a test holds them
equal), so the stored row and a rebuild agree.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from imdesk.domain.milestones import Milestones, _is_stakeholder_communication
from imdesk.domain.timeline import EntryKind, TimelineEntry


@dataclass(frozen=True)
class Step:
    milestones: Milestones
    status: str = "new"
    hold_started_at: datetime | None = None


MILESTONE_FIELDS = tuple(Milestones.__dataclass_fields__)
# the durations the desk metrics read, kept as whole milliseconds beside the times (derived)
DURATION_FIELDS = ("tta_ms", "tta_net_ms", "ttr_ms", "ttr_net_ms")
STEP_FIELDS = (*MILESTONE_FIELDS, "status", "hold_started_at", *DURATION_FIELDS)


def epoch_ms(at: datetime) -> int:
    """Whole milliseconds since the epoch, the microseconds cut (as SQL fills them in bulk)."""
    return (at - _EPOCH) // timedelta(milliseconds=1)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def durations(m: Milestones) -> dict[str, int | None]:
    """Milliseconds to acknowledge and to resolve (the standing resolution), with and without
    the time on hold before it; None when not reached or cancelled (the metrics leave it out)."""
    out: dict[str, int | None] = dict.fromkeys(DURATION_FIELDS)
    if m.cancelled:
        return out
    opened = epoch_ms(m.opened_at)
    if m.acknowledged_at is not None:
        out["tta_ms"] = tta = epoch_ms(m.acknowledged_at) - opened
        out["tta_net_ms"] = max(tta - m.hold_before_ack_seconds * 1000, 0)
    if m.resolved_at is not None:
        out["ttr_ms"] = ttr = epoch_ms(m.resolved_at) - opened
        out["ttr_net_ms"] = max(ttr - m.hold_before_resolve_seconds * 1000, 0)
    return out


def flat(step: Step) -> dict[str, Any]:
    """Column name -> value, as the incident_milestone row stores it."""
    out: dict[str, Any] = {name: getattr(step.milestones, name) for name in MILESTONE_FIELDS}
    out.update(status=step.status, hold_started_at=step.hold_started_at)
    out.update(durations(step.milestones))
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
