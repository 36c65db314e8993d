"""The drill player's clock: where in the scenario we are (T+…) for a given moment, at a speed
of 1× to 60×, paused or running, skipping to the next inject; and which injects are due.

Pure: every method takes the moment (seconds on any steady clock), so tests play a scenario
to the end on a manual clock without sleeping. `anchors` record each change of pace as
(moment, scenario seconds, speed) so a wall time can be read as a scenario time later
(`scenario_at`) — the scorecard compares the trainee's milestones with the scenario's times.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from imdesk.domain.drill_scenario import Inject

MIN_SPEED = 1.0
MAX_SPEED = 60.0


def check_speed(speed: float) -> float:
    if not MIN_SPEED <= speed <= MAX_SPEED:
        raise ValueError(f"speed must be between 1 and 60, not {speed:g}")
    return float(speed)


@dataclass
class Schedule:
    injects: Sequence[Inject]
    started: float
    speed: float = 1.0
    paused: bool = False
    position_s: float = 0.0  # scenario seconds at the anchor
    anchor: float = 0.0      # the moment of the anchor
    next_index: int = 0
    anchors: list[tuple[float, float, float]] = field(default_factory=list)

    def __post_init__(self) -> None:
        check_speed(self.speed)
        self.anchor = self.started
        self.anchors.append((self.started, 0.0, self.speed))

    # -- where we are ---------------------------------------------------------------------------
    def position(self, now: float) -> float:
        if self.paused:
            return self.position_s
        return self.position_s + max(0.0, now - self.anchor) * self.speed

    @property
    def finished(self) -> bool:
        return self.next_index >= len(self.injects)

    def upcoming(self) -> Sequence[Inject]:
        return self.injects[self.next_index:]

    def due_at(self, inject: Inject) -> float | None:
        """The moment `inject` is due at the present pace (None while paused)."""
        if self.paused:
            return None
        return self.anchor + (inject.at_s - self.position_s) / self.speed

    def next_due_in(self, now: float) -> float | None:
        """Seconds until the next inject is due (0 when one is due now); None when paused or done."""
        if self.finished or self.paused:
            return None
        at = self.due_at(self.injects[self.next_index])
        return None if at is None else max(0.0, at - now)

    def due(self, now: float) -> list[Inject]:
        """The injects due at `now`, each once, in order."""
        pos = self.position(now)
        out: list[Inject] = []
        while not self.finished and self.injects[self.next_index].at_s <= pos + 1e-9:
            out.append(self.injects[self.next_index])
            self.next_index += 1
        return out

    # -- changes of pace ------------------------------------------------------------------------
    def _re_anchor(self, now: float, position: float | None = None) -> None:
        self.position_s = self.position(now) if position is None else position
        self.anchor = now
        self.anchors.append((now, self.position_s, 0.0 if self.paused else self.speed))

    def set_speed(self, now: float, speed: float) -> None:
        check_speed(speed)
        self._re_anchor(now)
        self.speed = speed
        self.anchors[-1] = (now, self.position_s, 0.0 if self.paused else speed)

    def pause(self, now: float) -> None:
        if not self.paused:
            self._re_anchor(now)
            self.paused = True
            self.anchors[-1] = (now, self.position_s, 0.0)

    def resume(self, now: float) -> None:
        if self.paused:
            self.paused = False
            self._re_anchor(now, self.position_s)

    def skip(self, now: float) -> Inject | None:
        """Jump to the next inject's time (it is then due); None when nothing is left."""
        if self.finished:
            return None
        target = self.injects[self.next_index]
        self._re_anchor(now, max(self.position(now), float(target.at_s)))
        return target


def scenario_at(anchors: Sequence[Sequence[float]], moment: float) -> float:
    """The scenario time at `moment`, from anchors (moment, scenario seconds, speed)."""
    if not anchors:
        return 0.0
    chosen = anchors[0]
    for a in anchors:
        if a[0] <= moment:
            chosen = a
        else:
            break
    return max(0.0, chosen[1] + max(0.0, moment - chosen[0]) * chosen[2])
