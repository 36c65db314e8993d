"""Signing (the outgoing manager's name) and taking over (the incoming manager's name and
synthesis, in their own words: required, at least a sentence)."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.errors import ValidationError
from imdesk.domain.handover import check_synthesis
from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter


class _Base(QDialog):
    def __init__(self, parent: QWidget | None, title: str, intro: str, ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(520)
        self.box = QVBoxLayout(self)
        label = QLabel(intro)
        label.setWordWrap(True)
        self.box.addWidget(label)
        self.form = QFormLayout()
        self.box.addLayout(self.form)
        self.name = QLineEdit()
        self.form.addRow("&Name", self.name)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d32f2f;")
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

    def finish(self) -> None:
        self.box.addWidget(self.problem)
        self.box.addWidget(self.buttons)
        submit_with_ctrl_enter(self, self.ok)
        self.name.textChanged.connect(self.check)
        self.check()

    def check(self) -> None:
        self.ok.setEnabled(bool(self.name.text().strip()))


class SignDialog(_Base):
    """The outgoing manager's name; the notes and if-then lines are the pane's own fields."""

    def __init__(self, parent: QWidget | None, window_text: str, name: str) -> None:
        super().__init__(parent, "Sign the handover",
                         f"Sign the handover of {window_text}. What the pane shows now is frozen "
                         "with the head hash of every timeline it covers; it cannot be changed "
                         "afterwards.", "Sign")
        self.name.setText(name)
        self.finish()

    @classmethod
    def ask(cls, parent: QWidget | None, window_text: str, name: str) -> str | None:
        dialog = cls(parent, window_text, name)
        return dialog.name.text() if dialog.exec() == QDialog.DialogCode.Accepted else None


class TakeOverDialog(_Base):
    """The incoming manager types back, in their own words, what they take over."""

    def __init__(self, parent: QWidget | None, outgoing: str, name: str) -> None:
        super().__init__(parent, "Take over the handover",
                         f"Read the handover from {outgoing}, then say in your own words what "
                         "you take over: the incidents that need you first, what you will watch, "
                         "what you will do. (Ctrl+Enter takes over.)", "Take over")
        self.name.setText(name)
        self.synthesis = QPlainTextEdit()
        self.synthesis.setTabChangesFocus(True)
        self.synthesis.setFixedHeight(130)
        self.synthesis.setPlaceholderText("e.g. INC-1197 is mine: the queue drains, I send the "
                                          "next update at 14:30 and call the vendor if it grows.")
        self.form.addRow("&Synthesis", self.synthesis)
        self.synthesis.textChanged.connect(self.check)
        self.finish()
        self.synthesis.setFocus()

    def check(self) -> None:
        try:
            check_synthesis(self.synthesis.toPlainText())
            ok, why = True, ""
        except ValidationError as exc:
            ok, why = False, str(exc) if self.synthesis.toPlainText().strip() else ""
        self.problem.setText(why)
        self.ok.setEnabled(ok and bool(self.name.text().strip()))

    @classmethod
    def ask(cls, parent: QWidget | None, outgoing: str, name: str) -> tuple[str, str] | None:
        dialog = cls(parent, outgoing, name)
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return None
        return dialog.name.text(), dialog.synthesis.toPlainText()


class ShiftsDialog(QDialog):
    """The shift pattern: start times in local time, the zone, the reminder's minutes."""

    def __init__(self, parent: QWidget | None, times: str, zone: str, minutes: int) -> None:
        super().__init__(parent)
        self.setWindowTitle("Shift pattern")
        self.setMinimumWidth(460)
        box = QVBoxLayout(self)
        intro = QLabel("When the shifts start (local time, e.g. 06:00/14:00/22:00), in which time "
                       "zone (empty: this computer's), and how many minutes before a shift ends "
                       "the handover reminder comes (0: none).")
        intro.setWordWrap(True)
        box.addWidget(intro)
        form = QFormLayout()
        self.times, self.zone, self.minutes = QLineEdit(times), QLineEdit(zone), QLineEdit(str(minutes))
        self.zone.setPlaceholderText("Europe/Berlin")
        form.addRow("&Shifts start at", self.times)
        form.addRow("Time &zone", self.zone)
        form.addRow("&Reminder, minutes before the end", self.minutes)
        box.addLayout(form)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #d32f2f;")
        box.addWidget(self.problem)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        submit_with_ctrl_enter(self)

    def values(self) -> tuple[str, str, int]:
        text = self.minutes.text().strip()
        return (self.times.text(), self.zone.text().strip(),
                int(text) if text.isdigit() and len(text) <= 4 else -1)

    def show_error(self, text: str) -> None:
        self.problem.setText(text)
