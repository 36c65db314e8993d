"""Small dialogs around a call: how did it go (reached / no answer / wrong number)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from imdesk.domain.contact_book import CheckOutcome


class CallOutcomeDialog(QDialog):
    """Asks for the outcome of a call; R, N and W answer, Esc answers nothing (not logged)."""

    def __init__(self, parent: QWidget | None, name: str, number: str, ref: str) -> None:
        super().__init__(parent)
        self.setWindowTitle("How did the call go?")
        self.outcome: CheckOutcome | None = None
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        where = f" It goes into the timeline of {ref}." if ref else ""
        text = QLabel(f"You called {name} on {number}.{where}")
        text.setTextFormat(Qt.TextFormat.PlainText)
        text.setWordWrap(True)
        layout.addWidget(text)
        hint = QLabel("A wrong number marks the contact for review.")
        hint.setStyleSheet("color: palette(placeholder-text);")
        layout.addWidget(hint)
        row = QHBoxLayout()
        for label, outcome, key in (("&Reached", CheckOutcome.REACHED, "R"),
                                    ("&No answer", CheckOutcome.NOT_REACHED, "N"),
                                    ("&Wrong number", CheckOutcome.WRONG_NUMBER, "W")):
            button = QPushButton(label)
            button.setToolTip(f"{key}")
            button.clicked.connect(lambda _c=False, o=outcome: self._answer(o))
            row.addWidget(button)
        later = QPushButton("Don't log")
        later.clicked.connect(self.reject)
        row.addWidget(later)
        layout.addLayout(row)

    def keyPressEvent(self, event: Any) -> None:
        keys = {Qt.Key.Key_R: CheckOutcome.REACHED, Qt.Key.Key_N: CheckOutcome.NOT_REACHED,
                Qt.Key.Key_W: CheckOutcome.WRONG_NUMBER}
        if event.modifiers() == Qt.KeyboardModifier.NoModifier and event.key() in keys:
            self._answer(keys[event.key()])
        else:
            super().keyPressEvent(event)

    def _answer(self, outcome: CheckOutcome) -> None:
        self.outcome = outcome
        self.accept()

    @classmethod
    def ask(cls, parent: QWidget | None, name: str, number: str, ref: str) -> CheckOutcome | None:
        dialog = cls(parent, name, number, ref)
        return dialog.outcome if dialog.exec() == QDialog.DialogCode.Accepted else None
