"""New / edit incident dialog (Designer form ui/incident_dialog.ui): live priority, field errors.

Saving runs off the GUI thread; on a refusal the dialog stays open with everything typed.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QSizePolicy,
    QWidget,
)

from imdesk.domain.errors import ValidationError
from imdesk.domain.incident import IncidentState, Origin
from imdesk.domain.priority import Level, Priority, PriorityMatrix
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt import theme
from imdesk.qt.forms import setup_form
from imdesk.qt.forms.ui_incident_dialog import Ui_IncidentDialog
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.services.incidents import IncidentEdit, NewIncident

Draft = NewIncident | IncidentEdit
# (the call as typed, the master's ref, caller name, caller contact) -> the caller's incident
LinkCall = Callable[[NewIncident, str, str, str], IncidentState]
NO_SERVICE = "— none —"


class IncidentDialog(QDialog):
    """Signals: saved(IncidentState) once the database accepted the incident."""

    saved = Signal(object)

    def __init__(self, parent: QWidget | None, *, services: Sequence[str], matrix: PriorityMatrix,
                 runner: TaskRunner, save: Callable[[Draft], IncidentState],
                 initial: IncidentState | None = None,
                 similar: Callable[[str, str | None], list[Any]] | None = None,
                 link_call: LinkCall | None = None) -> None:
        super().__init__(parent)
        self.ui = Ui_IncidentDialog()
        setup_form(self.ui, self)
        self._matrix = matrix
        self._runner = runner
        self._save = save
        self._initial = initial
        self._saving = False
        self.result_state: IncidentState | None = None
        ui = self.ui
        for combo in (ui.impactCombo, ui.urgencyCombo):
            for level in Level:
                combo.addItem(level.value.capitalize(), level)
        ui.serviceCombo.addItem(NO_SERVICE, None)
        for name in services:
            ui.serviceCombo.addItem(name, name)
        for origin in Origin:
            ui.originCombo.addItem(origin.label.capitalize(), origin)
        for label in (ui.titleError, ui.serviceError, ui.descriptionError, ui.formError):
            label.setStyleSheet("color: #d32f2f;")
            label.hide()
        self.ui.buttons.button(QDialogButtonBox.StandardButton.Save).setDefault(True)
        if initial is None:
            ui.impactCombo.setCurrentIndex(1)
            ui.urgencyCombo.setCurrentIndex(1)
        else:
            self.setWindowTitle(f"Edit {initial.ref}")
            ui.titleEdit.setText(initial.title)
            ui.impactCombo.setCurrentIndex(list(Level).index(initial.impact))
            ui.urgencyCombo.setCurrentIndex(list(Level).index(initial.urgency))
            found = ui.serviceCombo.findData(initial.service) if initial.service else 0
            ui.serviceCombo.setCurrentIndex(max(0, found))
            ui.originCombo.setCurrentIndex(list(Origin).index(initial.origin))
            ui.descriptionEdit.setPlainText(initial.description)
            ui.majorCheck.setChecked(initial.major)
            ui.exerciseCheck.setChecked(initial.exercise)
            ui.exerciseCheck.setEnabled(False)
        ui.impactCombo.currentIndexChanged.connect(self._update_priority)
        ui.urgencyCombo.currentIndexChanged.connect(self._update_priority)
        ui.buttons.accepted.connect(self.accept)
        submit_with_ctrl_enter(self, ui.buttons.button(QDialogButtonBox.StandardButton.Save))
        ui.buttons.rejected.connect(self.reject)
        ui.priorityBadge.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        ui.priorityHint.setWordWrap(False)
        ui.priorityRow.setSpacing(10)
        ui.majorCheck.toggled.connect(self._update_priority)
        self._update_priority()
        self._link_call = link_call
        self.hints: Any = None
        if initial is None and similar is not None and link_call is not None:
            self._add_hints(similar)
        ui.titleEdit.setFocus()

    def _add_hints(self, similar: Callable[[str, str | None], list[Any]]) -> None:
        """Similar open incidents under the title, and who called (goes with a link)."""
        from imdesk.qt.incidents.similar_hints import SimilarHints

        ui = self.ui
        self.hints = SimilarHints(self, ui.titleEdit, lambda: ui.serviceCombo.currentData(),
                                  similar, self._runner)
        ui.form.insertRow(2, "", self.hints)
        self.caller_edit, self.contact_edit = QLineEdit(self), QLineEdit(self)
        self.caller_edit.setPlaceholderText("who called (goes with a link to a master)")
        self.contact_edit.setPlaceholderText("their email or phone, to be told when it is fixed")
        ui.form.addRow("Ca&ller", self.caller_edit)
        ui.form.addRow("Con&tact", self.contact_edit)
        ui.serviceCombo.currentIndexChanged.connect(self.hints.refresh)
        self.hints.chosen.connect(self.link_to)

    def link_to(self, master: str) -> None:
        """Record this call as a caller of MASTER instead of opening an unrelated incident."""
        if self._saving or self._link_call is None:
            return
        self._clear_errors()
        if not self.ui.titleEdit.text().strip():
            self.show_error("title", "A title is required: say what is broken.")
            return
        draft = self.draft()
        assert isinstance(draft, NewIncident)
        link, name, contact = self._link_call, self.caller_edit.text(), self.contact_edit.text()
        self.linked_to = master
        self._set_saving(True)
        self._runner.run(lambda: link(draft, master, name, contact), self._saved, self._refused)

    # -- priority preview ------------------------------------------------------------------
    @property
    def priority(self) -> Priority:
        return self._matrix.priority(Level(self.ui.impactCombo.currentData()),
                                     Level(self.ui.urgencyCombo.currentData()))

    def _update_priority(self) -> None:
        prio = self.priority
        color = theme.priority_color(prio).name()
        fg = "#1b1b1b" if prio == Priority.P3 else "#ffffff"
        self.ui.priorityBadge.setText(f" {prio.value} ")
        self.ui.priorityBadge.setStyleSheet(
            f"background: {color}; color: {fg}; border-radius: 8px; padding: 2px 8px; font-weight: bold;")
        hint = ""
        if prio == Priority.P1 and not self.ui.majorCheck.isChecked():
            hint = "P1: consider declaring a major incident."
        self.ui.priorityHint.setText(hint)

    # -- draft and saving ------------------------------------------------------------------
    def draft(self) -> Draft:
        ui = self.ui
        service = ui.serviceCombo.currentData()
        values: dict[str, Any] = {
            "title": ui.titleEdit.text(),
            "impact": str(ui.impactCombo.currentData()),
            "urgency": str(ui.urgencyCombo.currentData()),
            "service": service,
            "origin": str(ui.originCombo.currentData()),
            "description": ui.descriptionEdit.toPlainText(),
            "major": ui.majorCheck.isChecked(),
        }
        if self._initial is None:
            return NewIncident(exercise=ui.exerciseCheck.isChecked(), **values)
        values["service"] = service or ""
        return IncidentEdit(**values)

    def is_dirty(self) -> bool:
        if self._initial is None:
            return bool(self.ui.titleEdit.text().strip() or self.ui.descriptionEdit.toPlainText().strip())
        d = self.draft()
        assert isinstance(d, IncidentEdit)
        i = self._initial
        return (d.title, d.description, d.service or None, d.major) != (
            i.title, i.description, i.service, i.major) or (d.impact, d.urgency) != (i.impact, i.urgency)

    def _clear_errors(self) -> None:
        for label in (self.ui.titleError, self.ui.serviceError, self.ui.descriptionError,
                      self.ui.formError):
            label.clear()
            label.hide()

    def show_error(self, field: str, message: str) -> None:
        target: QLabel = {
            "title": self.ui.titleError, "service": self.ui.serviceError,
            "description": self.ui.descriptionError,
        }.get(field, self.ui.formError)
        target.setText(message)
        target.show()
        focus = {"title": self.ui.titleEdit, "service": self.ui.serviceCombo,
                 "description": self.ui.descriptionEdit}.get(field)
        if focus is not None:
            focus.setFocus()

    def accept(self) -> None:
        if self._saving:
            return
        self._clear_errors()
        if not self.ui.titleEdit.text().strip():
            self.show_error("title", "A title is required: say what is broken.")
            return
        draft = self.draft()
        self._set_saving(True)
        save = self._save
        self._runner.run(lambda: save(draft), self._saved, self._refused)

    def _set_saving(self, saving: bool) -> None:
        self._saving = saving
        button = self.ui.buttons.button(QDialogButtonBox.StandardButton.Save)
        button.setEnabled(not saving)
        button.setText("Saving…" if saving else "Save")

    def _saved(self, state: IncidentState) -> None:
        self._set_saving(False)
        self.result_state = state
        self.saved.emit(state)
        super().accept()

    def _refused(self, exc: BaseException) -> None:
        self._set_saving(False)
        if isinstance(exc, ValidationError):
            self.show_error(exc.field, exc.message)
        elif isinstance(exc, KnownError):
            self.show_error("", sentence("Not saved", exc, "Everything you typed is still here"))
        else:
            self.show_error("", sentence("Not saved, an unexpected error", exc,
                                         "Everything you typed is still here"))

    def reject(self) -> None:
        if self._saving:
            return
        if self.is_dirty() and not self.confirm_discard():
            return
        super().reject()

    def confirm_discard(self) -> bool:
        answer = QMessageBox.question(
            self, "Discard?", "Discard what you typed in this incident?",
            QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel)
        return answer == QMessageBox.StandardButton.Discard

    @classmethod
    def ask(cls, parent: QWidget | None, **kwargs: Any) -> IncidentState | None:
        dialog = cls(parent, **kwargs)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.exec()
        return dialog.result_state
