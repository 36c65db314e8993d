"""The running drill in the console: the player's schedule on the GUI thread (cheap, no
database), each due inject played in a worker (the alert posted to the listener, the records
written), a precise timer armed for the next inject. The event loop never waits on a play.

Signals: played(object) — a Played; changed() — pace, position or the drill itself changed;
ended(int) — the drill id, finished or stopped.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt, QTimer, Signal

from imdesk.domain.drill_scenario import Scenario
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.services.drills.desk import DrillDesk
from imdesk.services.drills.player import DrillPlayer
from imdesk.services.drills.service import Played


class DrillController(QObject):
    played = Signal(object)
    changed = Signal()
    ended = Signal(int)
    failed = Signal(str)

    def __init__(self, desk: DrillDesk, runner: TaskRunner, deliverer: Any,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.runner = runner
        self._deliverer = deliverer  # () -> Deliverer: the listener as it is when a drill starts
        self.player: DrillPlayer | None = None
        self._playing = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._due)
        self._tick = QTimer(self)  # the position shown in the banner and trainer view
        self._tick.setInterval(1000)
        self._tick.timeout.connect(self.changed.emit)

    @property
    def running(self) -> bool:
        return self.player is not None

    def start(self, scenario: Scenario, speed: float = 1.0, participants: list[str] | None = None,
              allow_list: list[str] | None = None, on_error: Any = None) -> None:
        if self.player is not None:
            self.failed.emit("A drill is already running: stop it first")
            return
        desk, people, allow = self.desk, participants or [], allow_list or []
        deliverer = self._deliverer()

        def work() -> DrillPlayer:
            drill = desk.service.start(scenario, speed=speed, participants=people,
                                       allow_list=allow)
            return DrillPlayer(desk.service, drill, deliverer)

        def started(player: DrillPlayer) -> None:
            self.player = player
            self._tick.start()
            self.changed.emit()
            self._due()

        self.runner.run(work, started, on_error or (lambda exc: self.failed.emit(str(exc))))

    # -- the schedule ------------------------------------------------------------------------------
    def _arm(self) -> None:
        player = self.player
        if player is None or player.finished:
            return
        wait = player.next_due_in()
        if wait is not None:
            self._timer.start(max(0, int(wait * 1000)))

    def _due(self) -> None:
        player = self.player
        if player is None or self._playing:
            return
        items = player.take_due()
        if not items:
            self._arm()
            return
        self._playing = True
        self.runner.run(lambda: player.play_due(items), self._done, self._play_failed)

    def _done(self, played: list[Played]) -> None:
        self._playing = False
        for p in played:
            self.played.emit(p)
        self.changed.emit()
        player = self.player
        if player is not None and player.finished:
            self._end(player.id)
            return
        self._due()

    def _play_failed(self, exc: BaseException) -> None:
        self._playing = False
        self.failed.emit(sentence("An inject could not be played", exc))
        self._arm()

    def _end(self, drill_id: int) -> None:
        self._timer.stop()
        self._tick.stop()
        self.player = None
        self.changed.emit()
        self.ended.emit(drill_id)

    # -- the trainer's controls ------------------------------------------------------------------
    def _pace(self, change: Any) -> None:
        """A change of pace on the schedule now; its record written in a worker."""
        player = self.player
        if player is None:
            return
        change(player.schedule, player.moment())
        self._timer.stop()
        self.runner.run(player.save, None, lambda exc: self.failed.emit(str(exc)))
        self.changed.emit()
        self._due()

    def pause(self) -> None:
        self._pace(lambda sch, now: sch.pause(now))

    def resume(self) -> None:
        self._pace(lambda sch, now: sch.resume(now))

    def toggle_pause(self) -> None:
        if self.player is not None:
            (self.resume if self.player.schedule.paused else self.pause)()

    def set_speed(self, speed: float) -> None:
        self._pace(lambda sch, now: sch.set_speed(now, speed))

    def skip(self) -> None:
        """Jump to the next inject (it plays at once)."""
        self._pace(lambda sch, now: sch.skip(now))

    def stop(self) -> None:
        player = self.player
        if player is None:
            return
        self._timer.stop()
        self.runner.run(player.stop, lambda _d: self._end(player.id),
                        lambda exc: self.failed.emit(str(exc)))
