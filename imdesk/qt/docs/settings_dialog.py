"""The documents' and the awareness board's settings: where the board is written (an intranet
server's document root or a share), the desk's contact block every board shows, and the review
interval new documents get. Ctrl+Enter saves."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter
from imdesk.qt.widgets.labels import plain_label


@dataclass(frozen=True)
class BoardSettings:
    folder: str
    phone: str
    mail: str
    hours: str
    review_days: int


class DocSettingsDialog(QDialog):
    def __init__(self, current: BoardSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Documents and awareness board")
        self.resize(560, 0)
        box = QVBoxLayout(self)
        box.addWidget(plain_label("The awareness board (index.html) is rewritten after every change; "
                                  "the business reads it before calling the desk.", wrap=True,
                                  selectable=False))
        form = QFormLayout()
        self.folder = QLineEdit(current.folder)
        self.folder.setPlaceholderText("empty: the data folder's board")
        self.phone = QLineEdit(current.phone)
        self.mail = QLineEdit(current.mail)
        self.hours = QLineEdit(current.hours)
        self.hours.setPlaceholderText("24/7 for outages; questions Mon–Fri 07:00–19:00")
        self.review_days = QSpinBox()
        self.review_days.setRange(1, 3650)
        self.review_days.setSuffix(" days")
        self.review_days.setValue(current.review_days)
        form.addRow("Board &folder", self.folder)
        form.addRow("Desk &phone", self.phone)
        form.addRow("Desk &mail", self.mail)
        form.addRow("&Hours", self.hours)
        form.addRow("New documents: &review every", self.review_days)
        box.addLayout(form)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        box.addWidget(buttons)
        submit_with_ctrl_enter(self)
        self.folder.setFocus()

    def values(self) -> BoardSettings:
        return BoardSettings(self.folder.text().strip(), self.phone.text().strip(),
                             self.mail.text().strip(), self.hours.text().strip(), self.review_days.value())

    @classmethod
    def ask(cls, current: BoardSettings, parent: QWidget | None) -> BoardSettings | None:
        dialog = cls(current, parent)
        return dialog.values() if dialog.exec() == QDialog.DialogCode.Accepted else None
