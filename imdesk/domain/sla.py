"""SLA clocks: respond-by and resolve-by per priority, paused on hold, warn at 75 %, breach at 100 %."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Priority

WARN_FRACTION = 0.75


@dataclass(frozen=True)
class SlaTargets:
    respond_minutes: int
    resolve_minutes: int


_DEFAULT_TARGETS: dict[Priority, SlaTargets] = {
    Priority.P1: SlaTargets(15, 4 * 60),
    Priority.P2: SlaTargets(30, 8 * 60),
    Priority.P3: SlaTargets(2 * 60, 24 * 60),
    Priority.P4: SlaTargets(8 * 60, 3 * 24 * 60),
    Priority.P5: SlaTargets(24 * 60, 5 * 24 * 60),
}


@dataclass(frozen=True)
class SlaPolicy:
    targets: Mapping[Priority, SlaTargets] = field(default_factory=lambda: dict(_DEFAULT_TARGETS))
    warn_fraction: float = WARN_FRACTION

    def for_priority(self, priority: Priority) -> SlaTargets:
        return self.targets[priority]

    def to_json(self) -> dict[str, dict[str, int]]:
        return {
            p.value: {"respond_minutes": t.respond_minutes, "resolve_minutes": t.resolve_minutes}
            for p, t in self.targets.items()
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Mapping[str, int]]) -> SlaPolicy:
        targets: dict[Priority, SlaTargets] = {}
        for prio in Priority:
            try:
                raw = data[prio.value]
                respond, resolve = int(raw["respond_minutes"]), int(raw["resolve_minutes"])
            except (KeyError, TypeError, ValueError):
                raise ValidationError("sla", f"SLA targets for {prio} are missing or not numbers") from None
            if respond <= 0 or resolve <= 0:
                raise ValidationError("sla", f"SLA targets for {prio} must be positive minutes")
            targets[prio] = SlaTargets(respond, resolve)
        return cls(targets)


class SlaState(StrEnum):
    OK = "ok"
    AT_RISK = "at_risk"
    BREACHED = "breached"
    PAUSED = "paused"
    MET = "met"
    MISSED = "missed"
    NONE = "none"


@dataclass(frozen=True)
class SlaReading:
    """What the active clock says now: which clock, how long is left, and its state."""

    clock: str  # "respond", "resolve" or "" when no clock runs
    remaining: timedelta | None
    fraction: float
    state: SlaState

    @property
    def symbol(self) -> str:
        return {
            SlaState.OK: "",
            SlaState.AT_RISK: "▲",
            SlaState.BREACHED: "✖",
            SlaState.PAUSED: "‖",
            SlaState.MET: "✔",
            SlaState.MISSED: "✖",
            SlaState.NONE: "",
        }[self.state]


@dataclass(frozen=True)
class ClockInputs:
    """The part of an incident the clocks depend on (all UTC)."""

    opened_at: datetime
    acknowledged_at: datetime | None
    ended_at: datetime | None  # resolved, closed or cancelled
    hold_started_at: datetime | None  # set while on hold
    on_hold_seconds: int  # completed holds
    respond_minutes: int
    resolve_minutes: int


def paused_seconds(inputs: ClockInputs, now: datetime) -> float:
    running = (now - inputs.hold_started_at).total_seconds() if inputs.hold_started_at else 0.0
    return inputs.on_hold_seconds + max(0.0, running)


def _reading(clock: str, target_min: int, elapsed_s: float, finished: bool, paused: bool,
             warn: float) -> SlaReading:
    target_s = target_min * 60.0
    fraction = elapsed_s / target_s if target_s else 1.0
    remaining = timedelta(seconds=round(target_s - elapsed_s))
    if finished:
        state = SlaState.MET if fraction <= 1.0 else SlaState.MISSED
    elif fraction >= 1.0:
        state = SlaState.BREACHED
    elif paused:
        state = SlaState.PAUSED
    elif fraction >= warn:
        state = SlaState.AT_RISK
    else:
        state = SlaState.OK
    return SlaReading(clock, remaining, fraction, state)


def read_clock(inputs: ClockInputs, now: datetime, warn: float = WARN_FRACTION) -> SlaReading:
    """The clock that matters now: respond until acknowledged, then resolve until ended."""
    paused = inputs.hold_started_at is not None
    if inputs.acknowledged_at is None and inputs.ended_at is None:
        elapsed = (now - inputs.opened_at).total_seconds() - paused_seconds(inputs, now)
        return _reading("respond", inputs.respond_minutes, elapsed, False, paused, warn)
    end = inputs.ended_at or now
    elapsed = (end - inputs.opened_at).total_seconds() - paused_seconds(inputs, end)
    return _reading("resolve", inputs.resolve_minutes, elapsed, inputs.ended_at is not None, paused,
                    warn)


def due_times(inputs: ClockInputs) -> tuple[datetime, datetime]:
    """Respond-by and resolve-by, moved later by completed holds (a running hold moves them on)."""
    shift = timedelta(seconds=inputs.on_hold_seconds)
    return (
        inputs.opened_at + timedelta(minutes=inputs.respond_minutes) + shift,
        inputs.opened_at + timedelta(minutes=inputs.resolve_minutes) + shift,
    )


def format_duration(delta: timedelta) -> str:
    """'1h 12m', '45s', '-3m', '2d 4h' — short, as on a wall clock."""
    total = int(delta.total_seconds())
    sign = "-" if total < 0 else ""
    total = abs(total)
    days, rem = divmod(total, 86400)
    hours, rem = divmod(rem, 3600)
    minutes, seconds = divmod(rem, 60)
    if days:
        return f"{sign}{days}d {hours}h"
    if hours:
        return f"{sign}{hours}h {minutes:02d}m"
    if minutes:
        return f"{sign}{minutes}m"
    return f"{sign}{seconds}s"
