"""The drill player: the schedule (domain/drill_schedule.py) on the service's clock, playing
each inject when it is due and keeping the drill record's pace. The console drives it from a
timer, `imdesk drill run` from a loop; tests call tick() after moving a manual clock."""

from __future__ import annotations

from collections.abc import Callable

from imdesk.domain.drill_scenario import Inject, Scenario
from imdesk.domain.drill_schedule import Schedule
from imdesk.services.drills.delivery import Deliverer
from imdesk.services.drills.service import DrillService, DrillView, Played


class DrillPlayer:
    def __init__(self, service: DrillService, drill: DrillView, deliverer: Deliverer, *,
                 moment: Callable[[], float] | None = None) -> None:
        self.service = service
        self.drill = drill
        self.scenario: Scenario = drill.scenario
        self.deliverer = deliverer
        self._moment = moment or (lambda: service.now().timestamp())
        self.schedule = Schedule(self.scenario.injects, started=drill.started_at.timestamp(),
                                 speed=drill.speed)
        self.played: list[Played] = []
        self.on_played: Callable[[Played], None] | None = None

    @property
    def id(self) -> int:
        return self.drill.id

    @property
    def finished(self) -> bool:
        return self.schedule.finished

    def position(self) -> float:
        return self.schedule.position(self._moment())

    def next_due_in(self) -> float | None:
        return self.schedule.next_due_in(self._moment())

    def upcoming(self) -> list[Inject]:
        return list(self.schedule.upcoming())

    def take_due(self) -> list[tuple[Inject, float]]:
        """The injects due now with the moment each was due (cheap: no database; the console
        takes them on the GUI thread and plays them in a worker)."""
        now = self._moment()
        out = []
        for inject in self.schedule.due(now):
            due = self.schedule.due_at(inject)
            out.append((inject, now if due is None else min(due, now)))
        return out

    def play_due(self, items: list[tuple[Inject, float]]) -> list[Played]:
        """Play what take_due() returned; the drill is finished after its last inject."""
        out: list[Played] = []
        for inject, due in items:
            late = max(0.0, (self._moment() - due) * 1000.0)
            played = self.service.play(self.id, inject, self.deliverer, late_ms=late)
            out.append(played)
            self.played.append(played)
            if self.on_played is not None:
                self.on_played(played)
        if out and self.schedule.finished:
            self.service.finish(self.id)
        return out

    def tick(self) -> list[Played]:
        """Play everything due now."""
        return self.play_due(self.take_due())

    # -- the trainer's controls ---------------------------------------------------------------------
    def moment(self) -> float:
        return self._moment()

    def save(self) -> None:
        """The pace as it is now, into the drill record."""
        self._save()

    def _save(self) -> None:
        self.service.pace(self.id, status="paused" if self.schedule.paused else "running",
                          speed=self.schedule.speed, anchors=self.schedule.anchors)

    def set_speed(self, speed: float) -> None:
        self.schedule.set_speed(self._moment(), speed)
        self._save()

    def pause(self) -> None:
        self.schedule.pause(self._moment())
        self._save()

    def resume(self) -> None:
        self.schedule.resume(self._moment())
        self._save()

    def skip(self) -> list[Played]:
        """Jump to the next inject and play it (and whatever else is due with it)."""
        if self.schedule.skip(self._moment()) is None:
            return []
        self._save()
        return self.tick()

    def stop(self) -> DrillView:
        return self.service.finish(self.id, stopped=True)
