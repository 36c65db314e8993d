"""Past drills: the list, the selected drill's scorecard beside the scenario's expectations, the
playbook steps missed, its injects as played, and the after-action report — strengths, areas to
improve, corrective actions (one a line: what | owner | YYYY-MM-DD) — saved with Ctrl+S until it
is signed off, then frozen; written out as Markdown or PDF (Ctrl+Shift+F)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.errors import ValidationError
from imdesk.messages import sentence
from imdesk.qt.drills.models import DrillTableModel, EventTableModel, ScoreTableModel
from imdesk.qt.drills.widgets import fit_rows, plain, table
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.models import RowRole
from imdesk.services.drills.desk import DrillDesk
from imdesk.services.drills.reports import AfterAction, CorrectiveAction


def parse_actions(text: str) -> list[CorrectiveAction]:
    out = []
    for n, line in enumerate((ln for ln in text.splitlines() if ln.strip()), 1):
        parts = [p.strip() for p in line.split("|")]
        if len(parts) != 3:
            raise ValidationError("actions", f"line {n}: write what | owner | YYYY-MM-DD")
        try:
            due = date.fromisoformat(parts[2])
        except ValueError:
            raise ValidationError("actions", f"line {n}: {parts[2]!r} is not a date "
                                             "(YYYY-MM-DD)") from None
        out.append(CorrectiveAction(parts[0], parts[1], due))
    return out


class ReviewTab(QWidget):
    status_message = Signal(str)

    def __init__(self, desk: DrillDesk, runner: TaskRunner, *, read_only: bool = False) -> None:
        super().__init__()
        self.desk = desk
        self.runner = runner
        self.read_only = read_only
        self.drill_model = DrillTableModel()
        self.drill_view = table(self.drill_model, 1)
        self.drill_view.selectionModel().currentRowChanged.connect(lambda *_: self.show_drill())
        self.score_model = ScoreTableModel()
        self.score_view = table(self.score_model, 0)
        fit_rows(self.score_view, 5)
        self.event_model = EventTableModel()
        self.event_view = table(self.event_model, 2)
        self.missed = plain()
        self.signed = plain()
        self.strengths = QPlainTextEdit()
        self.improvements = QPlainTextEdit()
        self.actions_edit = QPlainTextEdit()
        self.actions_edit.setPlaceholderText("Fix the UPS alarm routing | Dana Weiss | 2026-12-15")
        for edit in (self.strengths, self.improvements, self.actions_edit):
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(edit.fontMetrics().height() * 3 + 14)
        self.save_button = QPushButton("&Save report")
        self.save_button.setToolTip("Save the after-action report (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.sign_button = QPushButton("Sign &off…")
        self.sign_button.setToolTip("Freeze the report: it cannot change afterwards")
        self.sign_button.clicked.connect(self.sign)
        self.export_button = QPushButton("&Export…")
        self.export_button.setToolTip("Write the after-action report as Markdown or PDF (Ctrl+Shift+F)")
        self.export_button.clicked.connect(self.export)
        form = QFormLayout()
        form.addRow("Strengths", self.strengths)
        form.addRow("Areas to improve", self.improvements)
        form.addRow("Corrective actions", self.actions_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.signed, 1)
        for b in (self.save_button, self.sign_button, self.export_button):
            buttons.addWidget(b)
        right = QWidget()
        rbox = QVBoxLayout(right)
        rbox.setContentsMargins(0, 0, 0, 0)
        rbox.addWidget(plain("Scorecard (scenario time from T+0)", bold=True))
        rbox.addWidget(self.score_view)
        rbox.addWidget(self.missed)
        rbox.addWidget(plain("Injects as played", bold=True))
        rbox.addWidget(self.event_view, 1)
        rbox.addWidget(plain("After-action report", bold=True))
        rbox.addLayout(form)
        rbox.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.addWidget(self.drill_view)
        split.addWidget(right)
        split.setSizes([360, 800])
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        box.addWidget(split)
        here = Qt.ShortcutContext.WidgetWithChildrenShortcut
        shortcut(self, "Ctrl+S", self.save, "Drills: save the after-action report", context=here)
        shortcut(self, "Ctrl+Shift+F", self.export, "Drills: export the after-action report",
                 context=here)
        self.report: AfterAction | None = None

    def reload(self) -> None:
        keep = self.current_id()

        def listed(drills: list[Any]) -> None:
            self.drill_model.set_rows(drills)
            row = next((i for i, d in enumerate(drills) if d.id == keep), 0)
            if drills:
                self.drill_view.selectRow(row)
            self.show_drill()

        self.runner.run(self.desk.service.drills, listed,
                        lambda exc: self.status_message.emit(sentence("Drills not read", exc)))

    def current_id(self) -> int | None:
        drill = self.drill_view.currentIndex().data(RowRole)
        return None if drill is None else int(drill.id)

    def show_drill(self) -> None:
        ident = self.current_id()
        if ident is None:
            for m in (self.score_model, self.event_model):
                m.set_rows([])
            return
        desk = self.desk

        def work() -> tuple[Any, Any, Any]:
            return (desk.scoring.scorecard(ident, desk.service.now()), desk.service.events(ident),
                    desk.reports.after_action(ident))

        self.runner.run(work, lambda r: self._shown(ident, *r),
                        lambda exc: self.status_message.emit(sentence(f"Drill {ident}", exc)))

    def _shown(self, ident: int, card: Any, events: Any, report: AfterAction) -> None:
        if ident != self.current_id():
            return
        self.score_model.set_rows(list(card.figures))
        self.event_model.set_rows(events)
        self.missed.setText("Playbook steps missed:\n" + "\n".join(
            f"  • {step}" for step in card.missed_steps) if card.missed_steps
            else "No playbook step missed.")
        self.report = report
        self.strengths.setPlainText(report.strengths)
        self.improvements.setPlainText(report.improvements)
        self.actions_edit.setPlainText("\n".join(
            f"{a.action} | {a.owner} | {a.due.isoformat() if a.due else ''}"
            for a in report.actions))
        frozen = report.signed or self.read_only
        for edit in (self.strengths, self.improvements, self.actions_edit):
            edit.setReadOnly(frozen)
        self.save_button.setEnabled(not frozen)
        self.sign_button.setEnabled(not frozen)
        self.signed.setText(
            (f"Signed off by {report.signed_by} · SHA-256 {report.digest[:16]}…"
             + ("" if report.intact else " · CHANGED AFTER SIGN-OFF")) if report.signed
            else "Draft: editable until signed off")

    def save(self, then: Any = None) -> None:
        ident = self.current_id()
        if ident is None or self.read_only or (self.report and self.report.signed):
            return
        try:
            actions = parse_actions(self.actions_edit.toPlainText())
        except ValidationError as exc:
            self.status_message.emit(sentence("Not saved", exc.message))
            return
        good, better, reports = (self.strengths.toPlainText(), self.improvements.toPlainText(),
                                 self.desk.reports)
        def saved(_report: Any) -> None:
            self.status_message.emit("After-action report saved")
            (then or self.show_drill)()

        self.runner.run(lambda: reports.edit(ident, strengths=good, improvements=better,
                                             actions=actions),
                        saved, lambda exc: self.status_message.emit(sentence("Not saved", exc)))

    def sign(self) -> None:
        ident = self.current_id()
        if ident is None or self.read_only:
            return
        answer = QMessageBox.question(self, "Sign off the report",
                                      "Sign off the after-action report? It cannot be changed "
                                      "afterwards.")
        if answer != QMessageBox.StandardButton.Yes:
            return
        reports = self.desk.reports

        def done(_report: Any) -> None:
            self.status_message.emit("Report signed off")
            self.show_drill()

        def signed() -> None:
            self.runner.run(lambda: reports.sign(ident), done,
                            lambda exc: self.status_message.emit(sentence("Not signed", exc)))

        self.save(then=signed)

    def export(self) -> None:
        ident = self.current_id()
        if ident is None:
            return
        name, chosen = QFileDialog.getSaveFileName(
            self, "Export the after-action report", f"drill-{ident}-after-action.pdf",
            "PDF (*.pdf);;Markdown (*.md)")
        if not name:
            return
        path = Path(name)
        desk = self.desk

        def work() -> Path:
            doc = desk.reports.document(ident, desk.service.now())
            if path.suffix.lower() == ".md" or "Markdown" in chosen:
                from imdesk.domain.report_doc import to_markdown

                path.write_text(to_markdown(doc), encoding="utf-8")
            else:
                from imdesk.qt.widgets.report_pdf import write_report_pdf

                write_report_pdf(doc, path)
            return path

        self.runner.run(work, lambda p: self.status_message.emit(f"Written: {p}"),
                        lambda exc: self.status_message.emit(sentence("Not written", exc)))
