"""Drills in the console: the Drills pane on the rail (built on first use), the running drill's
controller, the banner that stays while it runs, the prompts of call and request injects in a
side panel that never covers a war room (Ctrl+Shift+D shows or hides it), and the trainer's
window."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDockWidget, QPlainTextEdit, QToolButton

from imdesk.domain.drill_scenario import t_text
from imdesk.messages import sentence
from imdesk.qt.drills.controller import DrillController
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.pane_host import PaneHost
from imdesk.services.drills.service import Played

BANNER_STYLE = "background:#7b1fa2; color:white; font-weight:bold; padding:4px;"
PROMPT_KINDS = ("call", "request", "contingency")


class DrillWiring:
    """Owned by the main window; `pane` builds the Drills pane on first use."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.host = PaneHost()
        self.built: Any = None
        self.trainer: Any = None
        self.controller = DrillController(self.ctx.drills, window.runner, self._deliverer, window)
        self.controller.changed.connect(self._banner)
        self.controller.played.connect(self._played)
        self.controller.failed.connect(lambda text: window.status.showMessage(text, 8000))
        self.controller.ended.connect(self._ended)
        self.prompts = QPlainTextEdit()
        self.prompts.setReadOnly(True)
        self.prompts.setObjectName("drillPrompts")
        self.dock = QDockWidget("Drill prompts", window)
        self.dock.setObjectName("drillPromptsDock")
        self.dock.setWidget(self.prompts)
        self.dock.setAllowedAreas(Qt.DockWidgetArea.RightDockWidgetArea
                                  | Qt.DockWidgetArea.BottomDockWidgetArea)
        window.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.dock)
        self.dock.hide()
        shortcut(window, "Ctrl+Shift+D", self.toggle_prompts, "Drills: show or hide the prompts")
        self.button: QToolButton = window.rail.add(self.host, "◎", "Drills", lambda: self.pane)
        self.exercise_action = QAction("E&xercise or real incident…", window)
        self.exercise_action.setShortcut(QKeySequence("Ctrl+Shift+Y"))
        self.exercise_action.setWhatsThis("Turn the incident into an exercise, or an exercise "
                                          "into a real incident (asks why)")
        self.exercise_action.triggered.connect(self.toggle_exercise)
        window.addAction(self.exercise_action)
        menu = next((a.menu() for a in window.menuBar().actions() if a.text() == "&Incident"),
                    None)
        if menu is not None:
            menu.addSeparator()
            menu.addAction(self.exercise_action)
        contacts = next((a.menu() for a in window.menuBar().actions()
                         if a.text() == "C&ontacts"), None)
        if contacts is not None:
            report = QAction("Contact drill &report (last 30 days)…", window)
            report.setWhatsThis("Numbers tried, reached, no answer, wrong; median time to "
                                "answer; contacts not verified in time — as PDF or Markdown")
            report.triggered.connect(self.contact_report)
            contacts.addAction(report)

    def contact_report(self) -> None:
        from datetime import timedelta
        from pathlib import Path

        from PySide6.QtWidgets import QFileDialog

        w = self.window
        name, _ = QFileDialog.getSaveFileName(w, "Contact drill report", "contact-drill.pdf",
                                              "PDF (*.pdf);;Markdown (*.md)")
        if not name:
            return
        path, report, now = Path(name), self.ctx.drills.contact_report, self.ctx.now()

        def work() -> Path:
            doc = report.document(now - timedelta(days=30), now)
            if path.suffix.lower() == ".md":
                from imdesk.domain.report_doc import to_markdown

                path.write_text(to_markdown(doc), encoding="utf-8")
            else:
                from imdesk.qt.widgets.report_pdf import write_report_pdf

                write_report_pdf(doc, path)
            return path

        w.runner.run(work, lambda p: w.status.showMessage(f"Written: {p}", 6000),
                     lambda exc: w.status.showMessage(sentence("Not written", exc), 8000))

    def toggle_exercise(self) -> None:
        """The explicit, confirmed change: why is asked and written with who to the timeline."""
        from imdesk.qt.widgets.note_dialog import NoteDialog

        w = self.window
        state = w.rooms.incident_in_view() if getattr(w, "rooms", None) else None
        state = state or w.incidents.detail.state
        if state is None or self.ctx.read_only:
            w.status.showMessage("Select an incident first", 4000)
            return
        to_real = state.exercise
        title = (f"Turn {state.ref} into a real incident" if to_real
                 else f"Mark {state.ref} as an exercise")
        prompt = ("Why is this a real incident? (the drill found a real fault …) — written to the "
                  "timeline with your name" if to_real else
                  "Why is this an exercise? Its messages will go only to the drill's allow-list "
                  "— written to the timeline with your name")
        why = NoteDialog.ask(w, title, prompt, required=True,
                             ok_text="Real incident" if to_real else "Mark as exercise")
        if why is None:
            return
        incidents, ref = self.ctx.incidents, state.ref

        def done(_state: Any) -> None:
            w.status.showMessage(f"{ref} is now {'a real incident' if to_real else 'an exercise'}",
                                 6000)
            w.incidents.reload()

        w.runner.run(lambda: incidents.set_exercise(ref, not to_real, why), done,
                     lambda exc: w.status.showMessage(sentence("Not changed", exc), 8000))

    @property
    def pane(self) -> Any:
        if self.built is None:
            from imdesk.qt.drills.pane import DrillsPane

            w = self.window
            pane = DrillsPane(self.ctx.drills, self.controller, w.runner,
                              read_only=self.ctx.read_only)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            pane.trainer_requested.connect(self.show_trainer)
            self.host.put(pane)
            self.built = pane
            pane.start_loading()
        return self.built

    def _deliverer(self) -> Any:
        """Alerts to the console's own listener with its token, else into the intake."""
        alerts = getattr(self.window, "alerts", None)
        listener = getattr(getattr(alerts, "console", None), "listener", None)
        url = getattr(listener, "url", "") or ""
        token = getattr(listener, "token", "")
        token = token() if callable(token) else token
        return self.ctx.drills.deliverer(url, str(token or ""))

    def build_trainer(self) -> Any:
        if self.trainer is None:
            from imdesk.qt.drills.trainer import TrainerWindow

            self.trainer = TrainerWindow(self.controller, self.window)
        return self.trainer

    def show_trainer(self) -> None:
        self.build_trainer().show()
        self.trainer.raise_()
        self.trainer.activateWindow()

    def toggle_prompts(self) -> None:
        self.dock.setVisible(not self.dock.isVisible())
        if self.dock.isVisible():
            self.prompts.setFocus()

    def _banner(self) -> None:
        player = self.controller.player
        if player is None:
            self.window.banner.set_fixed("drill", None)
            return
        sch = player.schedule
        self.window.banner.set_fixed(
            "drill", f"◎ EXERCISE RUNNING — {player.scenario.name} · {t_text(player.position())}"
                     f" · {sch.speed:g}×{' · paused' if sch.paused else ''} — incidents it "
                     "opens are exercises; their messages go only to the drill's allow-list",
            BANNER_STYLE)

    def _played(self, p: Played) -> None:
        if p.inject.kind in PROMPT_KINDS and p.result == "played":
            who = f"{p.inject.who} " if p.inject.who else ""
            asks = f"\n   asks: {p.inject.asks}" if p.inject.asks else ""
            line = f"{p.inject.at_text}  ☎ {who}({p.inject.kind}): {p.inject.says}{asks}\n"
            self.prompts.setPlainText(line + self.prompts.toPlainText())
            self.dock.show()
            self.window.status.showMessage(f"Drill {p.inject.kind}: {who}— {p.inject.says}", 10000)
        if p.inject.kind == "alert":
            self.window.incidents.reload()

    def _ended(self, drill_id: int) -> None:
        self.window.banner.set_fixed("drill", None)
        self.window.status.showMessage(f"Drill {drill_id} ended: its scorecard is under "
                                       "Drills → Past drills", 10000)
        self.window.incidents.reload()
