"""An incident's milestones read from its timeline: the raw times that desk metrics, the
handover, the review pack and the drill scorecard are computed from.

One reading for all of them, so a figure means the same on every report:

- **opened**: the earliest effective time of the opening entry or of a line backdated to before
  it ("it started at 10:02") — the outage's start, not the moment the desk typed it;
- **reported**: when the desk recorded the opening entry;
- **acknowledged**: the first move to *in progress*;
- **major**: when it was declared a major incident (opened as one counts at opening);
- **first communication**: the first stakeholder communication — a message that went out
  through the outbox (sent, delivered, or phoned from the call list; queuing it is not enough;
  an exercise's message captured by the outbound guard counts)
  or a communication line written by a person; a phone call to a contact is not one;
- **resolved**: the resolution that stands (a reopen clears it; the next resolution sets it);
  **first resolved** keeps the first one;
- **closed**: closed or cancelled (``cancelled`` says which);
- **reopened**: how many times a resolved incident went back to work;
- **hold**: seconds on hold in total, and of those before the acknowledgement and before the
  resolution; a hold still running counts up to ``now`` when given.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from imdesk.domain.timeline import EntryKind, TimelineEntry

MESSAGE_KIND = "message"  # the outbox's entries (domain.message.MESSAGE_KIND)
# "captured": an exercise's message kept by the outbound guard instead of sent — for the drill's
# scorecard the update went out (exercises stay out of the desk metrics).
_DELIVERED = frozenset({"sent", "delivered", "called", "captured"})


@dataclass(frozen=True)
class Milestones:
    opened_at: datetime
    reported_at: datetime
    acknowledged_at: datetime | None
    major_at: datetime | None
    first_communication_at: datetime | None
    first_resolved_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    cancelled: bool
    reopened: int
    hold_seconds: int
    hold_before_ack_seconds: int
    hold_before_resolve_seconds: int
    exercise: bool

    def seconds(self, end: datetime | None, *, excluding_hold: bool = False) -> float | None:
        """From opening to ``end`` (None while it has not happened), optionally without the
        time on hold before ``end``."""
        if end is None:
            return None
        total = (end - self.opened_at).total_seconds()
        if excluding_hold:
            held = (self.hold_before_ack_seconds if end == self.acknowledged_at
                    else self.hold_before_resolve_seconds if end == self.resolved_at
                    else 0)
            total -= held
        return max(0.0, total)


def _is_stakeholder_communication(entry: TimelineEntry) -> bool:
    data = entry.data
    if entry.kind == MESSAGE_KIND:
        return str(data.get("state", "")) in _DELIVERED
    if entry.kind != EntryKind.COMMUNICATION:
        return False
    # the request to send ("template") waits for its messages; a call is not an update
    return "call" not in data and "template" not in data and bool(data.get("update", True))


def milestones_of(entries: Iterable[TimelineEntry], now: datetime | None = None) -> Milestones:
    """Fold a whole timeline (in sequence order) into its milestones."""
    opened: datetime | None = None
    reported: datetime | None = None
    earliest: datetime | None = None
    ack = major = first_comm = first_resolved = resolved = closed = None
    cancelled = False
    reopened = 0
    exercise = False
    status = "new"
    hold_start: datetime | None = None
    hold_total = hold_before_ack = hold_before_resolve = 0
    for e in entries:
        data = e.data
        at = e.effective_at
        if data.get("before_opened"):
            earliest = at if earliest is None else min(earliest, at)
        if e.kind == EntryKind.OPENED:
            opened, reported = at, e.recorded_at
            exercise = bool(data.get("exercise", False))
            if data.get("major"):
                major = e.recorded_at
        elif e.kind == EntryKind.MAJOR:
            if data.get("major") and major is None:
                major = at
        elif e.kind == EntryKind.EXERCISE:
            exercise = bool(data.get("exercise", exercise))
        elif _is_stakeholder_communication(e) and first_comm is None:
            first_comm = at
        elif e.kind == EntryKind.STATUS:
            target = str(data.get("to", ""))
            if hold_start is not None and target != "on_hold":
                held = max(0, int((at - hold_start).total_seconds()))
                hold_total += held
                if ack is None:
                    hold_before_ack += held
                if resolved is None:
                    hold_before_resolve += held
                hold_start = None
            if target == "on_hold" and hold_start is None:
                hold_start = at
            if target == "in_progress":
                if ack is None:
                    ack = at
                if status == "resolved":
                    reopened += 1
                    resolved = None
            elif target == "resolved":
                resolved = at
                first_resolved = first_resolved or at
            elif target in ("closed", "cancelled"):
                closed = at
                cancelled = target == "cancelled"
            status = target
    if opened is None or reported is None:
        raise ValueError("a timeline without its 'opened' entry")
    if hold_start is not None and now is not None:
        running = max(0, int((now - hold_start).total_seconds()))
        hold_total += running
        hold_before_ack += running if ack is None else 0
        hold_before_resolve += running if resolved is None else 0
    start = opened if earliest is None else min(opened, earliest)
    return Milestones(
        opened_at=start, reported_at=reported, acknowledged_at=ack, major_at=major,
        first_communication_at=first_comm, first_resolved_at=first_resolved, resolved_at=resolved,
        closed_at=closed, cancelled=cancelled, reopened=reopened, hold_seconds=hold_total,
        hold_before_ack_seconds=hold_before_ack, hold_before_resolve_seconds=hold_before_resolve,
        exercise=exercise,
    )
