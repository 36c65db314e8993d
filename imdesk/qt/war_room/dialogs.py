"""Dialogs of the war room: the declaration checklist and the situation (C/A/N + impact)."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.war_room import Role, Situation
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.services.playbook import PlaybookStep


@dataclass(frozen=True)
class Declaration:
    roles: dict[str, str]
    bridge: str
    impact: str
    first_update_minutes: int


def _plain(text: str, *, wrap: bool = True) -> QLabel:
    label = QLabel(text)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setWordWrap(wrap)
    return label


def _error_label(layout: QVBoxLayout) -> QLabel:
    """A red line under the form, hidden until something is refused."""
    label = _plain("")
    label.setStyleSheet("color: #d32f2f;")
    label.hide()
    layout.addWidget(label)
    return label


class DeclareDialog(QDialog):
    """The playbook's checklist with a field per step; each filled step becomes an entry."""

    def __init__(self, parent: QWidget | None, ref: str, title: str, playbook_name: str,
                 steps: list[PlaybookStep], default_first_update: int) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Declare {ref} a major incident")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        head = _plain(f"{ref} · {title}")
        head.setStyleSheet("font-weight: bold;")
        layout.addWidget(head)
        layout.addWidget(_plain(playbook_name))
        form = QFormLayout()
        form.setVerticalSpacing(6)
        self.role_edits: dict[Role, QLineEdit] = {}
        self.bridge = QLineEdit()
        self.bridge.setPlaceholderText("+49 30 1234 5678 or https://meet.example/incident")
        self.impact = QPlainTextEdit()
        self.impact.setTabChangesFocus(True)
        self.impact.setFixedHeight(70)
        self.first_update = QSpinBox()
        self.first_update.setRange(1, 240)
        self.first_update.setSuffix(" min")
        self.first_update.setValue(default_first_update)
        for number, step in enumerate(steps, start=1):
            form.addRow(_plain(f"{number}. {step.text}"))
            if step.id == "roles":
                for role in Role:
                    edit = QLineEdit()
                    edit.setPlaceholderText("name")
                    self.role_edits[role] = edit
                    form.addRow(role.label, edit)
            elif step.id == "bridge":
                form.addRow("Bridge", self.bridge)
            elif step.id == "impact":
                form.addRow("Business impact", self.impact)
            elif step.id == "first_update":
                form.addRow("First update in", self.first_update)
        layout.addLayout(form)
        self.error = _error_label(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Declare and open the war room")
        buttons.accepted.connect(self.accept)
        submit_with_ctrl_enter(self, buttons.button(QDialogButtonBox.StandardButton.Ok))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        first = self.role_edits.get(Role.INCIDENT_MANAGER)
        if first is not None:
            first.setFocus()

    def declaration(self) -> Declaration:
        return Declaration(
            roles={r.value: e.text() for r, e in self.role_edits.items() if e.text().strip()},
            bridge=self.bridge.text(), impact=self.impact.toPlainText(),
            first_update_minutes=self.first_update.value())

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()


class SituationDialog(QDialog):
    """Conditions / Actions / Needs and the business impact, prefilled with the current ones."""

    def __init__(self, parent: QWidget | None, ref: str, current: Situation) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"Situation of {ref}")
        self.setMinimumWidth(560)
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.fields: dict[str, QPlainTextEdit] = {}
        for key, label, value in (("conditions", "Conditions (what is known)", current.conditions),
                                  ("actions", "Actions (what is being done)", current.actions),
                                  ("needs", "Needs (what is needed)", current.needs),
                                  ("impact", "Business impact", current.impact)):
            edit = QPlainTextEdit(value)
            edit.setTabChangesFocus(True)
            edit.setFixedHeight(64)
            self.fields[key] = edit
            form.addRow(label, edit)
        layout.addLayout(form)
        self.error = _error_label(layout)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        submit_with_ctrl_enter(self, buttons.button(QDialogButtonBox.StandardButton.Save))
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.fields["conditions"].setFocus()

    def values(self) -> dict[str, str]:
        return {k: e.toPlainText() for k, e in self.fields.items()}

    def show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
