"""An incident's raw milestones, read from its timeline: the facts the desk metrics are built on.

Each milestone is the effective time of an entry (its occurred_at when the user backdated it,
else recorded_at), so "it started at 10:02" counts. The fold runs with every append (the
incident_milestone row is kept in step in the same transaction) and over a whole timeline for a
rebuild; both give the same result.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from imdesk.domain.timeline import EntryKind, TimelineEntry


@dataclass(frozen=True)
class Milestones:
    opened_at: datetime  # the earliest effective time: the opening, or a backdated entry before it
    acknowledged_at: datetime | None = None  # first move out of "new" (not to cancelled)
    major_at: datetime | None = None  # first declared a major incident
    first_update_at: datetime | None = None  # first stakeholder communication (not a phone call)
    first_resolved_at: datetime | None = None
    resolved_at: datetime | None = None  # the resolution that stands (None after a reopen)
    closed_at: datetime | None = None
    cancelled_at: datetime | None = None
    reopened: int = 0
    on_hold_seconds: int = 0  # completed holds
    hold_started_at: datetime | None = None  # a hold running now
    status: str = "new"


FIELDS = ("opened_at", "acknowledged_at", "major_at", "first_update_at", "first_resolved_at",
          "resolved_at", "closed_at", "cancelled_at", "reopened", "on_hold_seconds",
          "hold_started_at", "status")


def _stakeholder_update(entry: TimelineEntry) -> bool:
    """A communication to people affected: a queued update or one the user wrote down; a
    phone call to a contact (data["call"]) is work, not an update."""
    return entry.kind == EntryKind.COMMUNICATION and "call" not in entry.data


def advance(ms: Milestones | None, entry: TimelineEntry) -> Milestones:
    """Fold one entry into the milestones (None before the 'opened' entry)."""
    at = entry.effective_at
    data = entry.data
    if ms is None:
        if entry.kind != EntryKind.OPENED:
            raise ValueError(f"{entry.incident_ref}: entry {entry.seq} before 'opened'")
        return Milestones(opened_at=at, major_at=at if data.get("major") else None)
    changes: dict[str, object] = {}
    if data.get("before_opened") and at < ms.opened_at:
        changes["opened_at"] = at
    if entry.kind == EntryKind.MAJOR and data.get("major") and ms.major_at is None:
        changes["major_at"] = at
    if _stakeholder_update(entry) and ms.first_update_at is None:
        changes["first_update_at"] = at
    if entry.kind == EntryKind.STATUS:
        changes.update(_status(ms, str(data["to"]), at))
    return replace(ms, **changes) if changes else ms  # type: ignore[arg-type]


def _status(ms: Milestones, target: str, at: datetime) -> dict[str, object]:
    changes: dict[str, object] = {"status": target}
    if ms.status == "new" and ms.acknowledged_at is None and target != "cancelled":
        changes["acknowledged_at"] = at
    if ms.hold_started_at is not None:
        held = int((at - ms.hold_started_at).total_seconds())
        changes["on_hold_seconds"] = ms.on_hold_seconds + max(0, held)
        changes["hold_started_at"] = None
    if target == "on_hold":
        changes["hold_started_at"] = at
    if target == "resolved":
        changes["resolved_at"] = at
        if ms.first_resolved_at is None:
            changes["first_resolved_at"] = at
    if target == "in_progress" and ms.status == "resolved":
        changes["resolved_at"] = None
        changes["reopened"] = ms.reopened + 1
    if target == "closed":
        changes["closed_at"] = at
    if target == "cancelled":
        changes["cancelled_at"] = at
    return changes


def fold(entries: list[TimelineEntry]) -> Milestones:
    ms: Milestones | None = None
    for entry in entries:
        ms = advance(ms, entry)
    if ms is None:
        raise ValueError("an incident without entries")
    return ms
