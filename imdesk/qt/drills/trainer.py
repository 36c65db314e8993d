"""The trainer's view: a window of its own (for a second screen) with where the drill is, what
comes next and what has been played, met and missed so far; the same controls as the pane."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QVBoxLayout, QWidget

from imdesk.domain.drill_scenario import t_text
from imdesk.qt.drills.controller import DrillController
from imdesk.qt.drills.models import EventTableModel, InjectTableModel
from imdesk.qt.drills.widgets import plain, table
from imdesk.qt.widgets.keys import shortcut
from imdesk.services.drills.service import EventView, Played


class TrainerWindow(QWidget):
    def __init__(self, controller: DrillController, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setWindowTitle("imdesk · Drill trainer")
        self.controller = controller
        self.position = plain(bold=True)
        self.upcoming_model = InjectTableModel()
        self.upcoming_view = table(self.upcoming_model, 2)
        self.played_model = EventTableModel()
        self.played_view = table(self.played_model, 2)
        self.score = plain()
        pause = QPushButton("&Pause / resume")
        pause.clicked.connect(controller.toggle_pause)
        skip = QPushButton("Skip to &next")
        skip.clicked.connect(controller.skip)
        buttons = QHBoxLayout()
        buttons.addWidget(self.score, 1)
        buttons.addWidget(pause)
        buttons.addWidget(skip)
        box = QVBoxLayout(self)
        box.addWidget(self.position)
        box.addWidget(plain("What comes next", bold=True))
        box.addWidget(self.upcoming_view, 1)
        box.addWidget(plain("Played so far: met and missed", bold=True))
        box.addWidget(self.played_view, 1)
        box.addLayout(buttons)
        shortcut(self, "Ctrl+P", controller.toggle_pause, "Trainer: pause or resume the drill")
        shortcut(self, "Ctrl+J", controller.skip, "Trainer: skip to the next inject")
        shortcut(self, "Escape", self.close, "Trainer: close the trainer's window")
        self.played: list[EventView] = []
        if controller.player is not None:  # opened in the middle of a drill
            for p in controller.player.played:
                self.add_played(p, refresh=False)
        controller.changed.connect(self.refresh)
        controller.played.connect(self.add_played)
        self.resize(820, 600)
        self.refresh()

    def add_played(self, p: Played, refresh: bool = True) -> None:
        from datetime import UTC, datetime

        self.played.append(EventView(p.inject.id, p.inject.kind, p.inject.at_s,
                                     datetime.now(UTC), p.late_ms, p.result, p.text))
        self.played_model.set_rows(list(reversed(self.played)))
        if refresh:
            self.refresh()

    def refresh(self) -> None:
        player: Any = self.controller.player
        if player is None:
            self.position.setText("No drill running" + (" — the last one has ended"
                                                         if self.played else ""))
            self.upcoming_model.set_rows([])
            return
        sch = player.schedule
        self.position.setText(f"{player.scenario.name} · {t_text(player.position())} of "
                              f"{t_text(player.scenario.length_s)} · {sch.speed:g}× · "
                              f"{'paused' if sch.paused else 'running'}")
        self.upcoming_model.set_rows(player.upcoming())
        met = sum(1 for e in self.played if e.result == "met")
        missed = sum(1 for e in self.played if e.result == "missed")
        self.score.setText(f"Expectations met {met} · missed {missed}")

    def focus_default(self) -> None:
        self.upcoming_view.setFocus()
