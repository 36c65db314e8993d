"""The Drills pane: the scenarios (built-in and files) with their injects, validate, start at
a speed; while a drill runs its controls (pause/resume, speed, skip to the next inject, stop,
the trainer's window); and the past drills with scorecard and after-action report (review.py).
Everything by keyboard: Ctrl+O a file, Ctrl+Shift+V validate, Ctrl+Return start, Ctrl+P
pause/resume, Ctrl+J skip, Ctrl+= / Ctrl+- speed, Ctrl+Shift+Q stop, Ctrl+T trainer view."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.drill_scenario import Scenario, t_text
from imdesk.messages import sentence
from imdesk.qt.drills.controller import DrillController
from imdesk.qt.drills.models import InjectTableModel, ScenarioItem, ScenarioListModel
from imdesk.qt.drills.review import ReviewTab
from imdesk.qt.drills.widgets import plain, table
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.models import RowRole
from imdesk.services.drills.desk import DrillDesk
from imdesk.services.drills.scenario_file import ScenarioRefused, built_in, read_file

SPEEDS = (1, 2, 5, 10, 30, 60)
HERE = Qt.ShortcutContext.WidgetWithChildrenShortcut


def load_items(extra: list[Path]) -> list[tuple[ScenarioItem, Scenario | None]]:
    out: list[tuple[ScenarioItem, Scenario | None]] = []
    for path in [*built_in(), *extra]:
        key = path.stem if path.parent == built_in()[0].parent else str(path)
        try:
            sc = read_file(path)
        except ScenarioRefused as exc:
            out.append((ScenarioItem(key, path.name, path, problem="\n".join(
                str(p) for p in exc.problems[:20])), None))
            continue
        except (OSError, ValueError) as exc:
            out.append((ScenarioItem(key, path.name, path, problem=str(exc)), None))
            continue
        out.append((ScenarioItem(key, sc.name, path, len(sc.injects), sc.length_s), sc))
    return out


class DrillsPane(QWidget):
    status_message = Signal(str)
    trainer_requested = Signal()

    def __init__(self, desk: DrillDesk, controller: DrillController, runner: TaskRunner, *,
                 read_only: bool = False) -> None:
        super().__init__()
        self.desk = desk
        self.controller = controller
        self.runner = runner
        self.read_only = read_only
        self.files: list[Path] = []
        self.scenarios: dict[str, Scenario] = {}
        self.tabs = QTabWidget()
        self.tabs.addTab(self._scenarios_tab(), "&Scenarios")
        self.review = ReviewTab(desk, runner, read_only=read_only)
        self.review.status_message.connect(self.status_message)
        self.tabs.addTab(self.review, "&Past drills")
        box = QVBoxLayout(self)
        box.setContentsMargins(8, 8, 8, 8)
        box.addWidget(self.tabs)
        box.addWidget(self._player_box())
        for key, slot, what in (
                ("Ctrl+O", self.open_file, "Drills: open a scenario file"),
                ("Ctrl+Shift+V", self.validate, "Drills: validate the selected scenario"),
                ("Ctrl+Return", self.start, "Drills: start the selected scenario"),
                ("Ctrl+P", controller.toggle_pause, "Drills: pause or resume the drill"),
                ("Ctrl+J", controller.skip, "Drills: skip to the next inject"),
                ("Ctrl+=", lambda: self.step_speed(1), "Drills: play faster"),
                ("Ctrl+-", lambda: self.step_speed(-1), "Drills: play slower"),
                ("Ctrl+Shift+Q", controller.stop, "Drills: stop the drill"),
                ("Ctrl+T", self.trainer_requested.emit, "Drills: the trainer's view")):
            shortcut(self, key, slot, what, context=HERE)
        controller.changed.connect(self.show_player)
        controller.ended.connect(lambda _id: self.review.reload())
        self.show_player()

    # -- building ---------------------------------------------------------------------------------
    def _scenarios_tab(self) -> QWidget:
        self.list_model = ScenarioListModel()
        self.list_view = QListView()
        self.list_view.setModel(self.list_model)
        self.list_view.selectionModel().currentChanged.connect(lambda *_: self.show_scenario())
        open_button = QPushButton("&Open a file…")
        open_button.setToolTip("A scenario file, YAML or JSON (Ctrl+O)")
        open_button.clicked.connect(self.open_file)
        left = QWidget()
        lbox = QVBoxLayout(left)
        lbox.setContentsMargins(0, 0, 0, 0)
        lbox.addWidget(plain("Scenarios", bold=True))
        lbox.addWidget(self.list_view, 1)
        lbox.addWidget(open_button)
        self.title = plain(bold=True)
        self.summary = plain()
        self.problems = plain()
        self.problems.setStyleSheet("color: #c62828;")
        self.inject_model = InjectTableModel()
        self.inject_view = table(self.inject_model, 2)
        self.speed = QComboBox()
        for s in SPEEDS:
            self.speed.addItem(f"{s}×", s)
        self.speed.setToolTip("How fast the scenario's clock runs")
        self.validate_button = QPushButton("&Validate")
        self.validate_button.setToolTip("Check the scenario and the names it uses (Ctrl+Shift+V)")
        self.validate_button.clicked.connect(self.validate)
        self.start_button = QPushButton("S&tart drill")
        self.start_button.setToolTip("Play the scenario now (Ctrl+Return)")
        self.start_button.clicked.connect(self.start)
        self.participants = QLineEdit()
        self.participants.setPlaceholderText("Participants, comma-separated")
        self.allow = QLineEdit()
        self.allow.setPlaceholderText("This drill's sandbox addresses and numbers, comma-separated")
        self.allow.setToolTip("Exercise messages go only to these and the desk's allow-list; "
                              "anything else is captured in the outbox, never sent")
        people = QHBoxLayout()
        people.addWidget(self.participants, 1)
        people.addWidget(self.allow, 2)
        row = QHBoxLayout()
        row.addWidget(plain("Speed"))
        row.addWidget(self.speed)
        row.addStretch(1)
        row.addWidget(self.validate_button)
        row.addWidget(self.start_button)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        for w in (self.title, self.summary, self.problems):
            rbox.addWidget(w)
        rbox.addWidget(self.inject_view, 1)
        rbox.addLayout(people)
        rbox.addLayout(row)
        split = QSplitter()
        split.addWidget(left)
        split.addWidget(right)
        split.setStretchFactor(1, 3)
        split.setSizes([300, 800])
        return split

    def _player_box(self) -> QGroupBox:
        box = QGroupBox("Running drill")
        self.position = plain()
        self.next_label = plain()
        self.pause_button = QPushButton("&Pause")
        self.pause_button.clicked.connect(self.controller.toggle_pause)
        skip = QPushButton("Skip to &next")
        skip.setToolTip("Play the next inject now (Ctrl+J)")
        skip.clicked.connect(self.controller.skip)
        stop = QPushButton("Sto&p drill")
        stop.setToolTip("End the drill here (Ctrl+Shift+Q)")
        stop.clicked.connect(self.controller.stop)
        trainer = QPushButton("Trainer &view")
        trainer.setToolTip("What comes next and what has been met, in a window of its own (Ctrl+T)")
        trainer.clicked.connect(self.trainer_requested.emit)
        self.live_speed = QComboBox()
        for s in SPEEDS:
            self.live_speed.addItem(f"{s}×", s)
        self.live_speed.activated.connect(
            lambda i: self.controller.set_speed(float(self.live_speed.itemData(i))))
        line = QHBoxLayout(box)
        info = QVBoxLayout()
        info.addWidget(self.position)
        info.addWidget(self.next_label)
        line.addLayout(info, 1)
        for w in (self.live_speed, self.pause_button, skip, stop, trainer):
            line.addWidget(w)
        self.player_box = box
        return box

    # -- scenarios -----------------------------------------------------------------------------------
    def start_loading(self) -> None:
        files = list(self.files)

        def loaded(items: list[tuple[ScenarioItem, Scenario | None]]) -> None:
            self.scenarios = {i.key: sc for i, sc in items if sc is not None}
            self.list_model.set_rows([i for i, _sc in items])
            if self.list_model.rowCount() and not self.list_view.currentIndex().isValid():
                self.list_view.setCurrentIndex(self.list_model.index(0, 0))
            self.show_scenario()

        self.runner.run(lambda: load_items(files), loaded,
                        lambda exc: self.status_message.emit(sentence("Scenarios not read", exc)))
        self.review.reload()

    def current_item(self) -> ScenarioItem | None:
        item = self.list_view.currentIndex().data(RowRole)
        return item if isinstance(item, ScenarioItem) else None

    def show_scenario(self) -> None:
        item = self.current_item()
        sc = self.scenarios.get(item.key) if item else None
        self.title.setText(sc.name if sc else (item.title if item else "No scenario"))
        self.summary.setText(sc.summary if sc else "")
        self.problems.setText(item.problem if item else "")
        self.problems.setVisible(bool(item and item.problem))
        self.inject_model.set_rows(list(sc.injects) if sc else [])
        self.start_button.setEnabled(sc is not None and not self.read_only
                                     and not self.controller.running)

    def open_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(self, "Open a scenario", "",
                                              "Scenarios (*.yaml *.yml *.json);;All files (*)")
        if name:
            self.files.append(Path(name))
            self.start_loading()

    def validate(self) -> None:
        item = self.current_item()
        if item is None:
            return
        sc = self.scenarios.get(item.key)
        if sc is None:
            self.status_message.emit(f"{item.title}: {item.problem.splitlines()[0]}")
            return
        service = self.desk.service

        def checked(problems: list[Any]) -> None:
            text = "\n".join(str(p) for p in problems)
            self.problems.setText(text)
            self.problems.setVisible(bool(problems))
            self.status_message.emit(f"{sc.name}: " + (f"{len(problems)} problem(s)" if problems
                                                       else "valid, ready to start"))

        self.runner.run(lambda: service.check_names(sc), checked,
                        lambda exc: self.status_message.emit(str(exc)))

    def start(self) -> None:
        item = self.current_item()
        sc = self.scenarios.get(item.key) if item else None
        if sc is None or self.read_only or self.controller.running:
            return
        def listed(edit: QLineEdit) -> list[str]:
            return [x.strip() for x in edit.text().split(",") if x.strip()]

        self.controller.start(sc, float(self.speed.currentData()), listed(self.participants),
                              listed(self.allow))
        self.status_message.emit(f"Drill started: {sc.name} — incidents it opens are exercises")

    # -- the player ---------------------------------------------------------------------------------
    def step_speed(self, step: int) -> None:
        player = self.controller.player
        if player is None:
            return
        now = SPEEDS.index(min(SPEEDS, key=lambda s: abs(s - player.schedule.speed)))
        self.controller.set_speed(float(SPEEDS[max(0, min(len(SPEEDS) - 1, now + step))]))

    def show_player(self) -> None:
        player = self.controller.player
        self.player_box.setVisible(player is not None)
        self.start_button.setEnabled(player is None and not self.read_only
                                     and self.current_item() is not None)
        if player is None:
            return
        sch = player.schedule
        state = "paused" if sch.paused else "running"
        self.position.setText(f"{player.scenario.name} · {t_text(player.position())} of "
                              f"{t_text(player.scenario.length_s)} · {sch.speed:g}× · {state}")
        upcoming = player.upcoming()
        self.next_label.setText(f"Next: {upcoming[0].at_text} {upcoming[0].describe()}"
                                if upcoming else "Last inject played")
        self.pause_button.setText("&Resume" if sch.paused else "&Pause")
        self.live_speed.setCurrentIndex(max(0, self.live_speed.findData(int(sch.speed))))

    def focus_default(self) -> None:
        (self.list_view if self.tabs.currentIndex() == 0 else self.review.drill_view).setFocus()
