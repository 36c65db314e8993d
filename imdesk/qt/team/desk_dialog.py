"""Name this desk: a one-line dialog (Ctrl+Alt+D, or File ▸ Name this desk…). The name is kept in
the user's data folder (services/desk/identity.py) and shown on every entry written after."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLayout,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.desk import MAX_NAME, Desk, clean_name
from imdesk.messages import sentence


class DeskNameDialog(QDialog):
    def __init__(self, parent: QWidget | None, desk: Desk) -> None:
        super().__init__(parent)
        self.setWindowTitle("Name this desk")
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        layout.setSizeConstraint(QLayout.SizeConstraint.SetFixedSize)  # grows with the error
        intro = QLabel(f"This console is <b>{_html(desk.label)}</b>. In team mode every entry it "
                       "writes carries the desk's name, and other desks see it beside the author.")
        intro.setWordWrap(True)
        intro.setFixedWidth(440)
        layout.addWidget(intro)
        label = QLabel("&Desk name (e.g. SPOC desk, MIM laptop, Shift lead):")
        self.edit = QLineEdit(desk.name)
        self.edit.setMaxLength(MAX_NAME + 20)  # longer is refused with the reason, not cut
        self.edit.selectAll()
        label.setBuddy(self.edit)
        layout.addWidget(label)
        layout.addWidget(self.edit)
        self.error = QLabel()
        self.error.setWordWrap(True)
        self.error.setFixedWidth(440)
        self.error.setStyleSheet("color: #d32f2f;")
        self.error.hide()
        layout.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def name(self) -> str:
        return self.edit.text()

    def accept(self) -> None:
        """Only a usable name closes the dialog; otherwise it says why and keeps the text."""
        try:
            clean_name(self.name())
        except ValueError as exc:
            self.show_error(sentence("Not saved", exc))
            return
        super().accept()

    def show_error(self, message: str) -> None:
        """The name was refused: say why, keep what was typed."""
        self.error.setText(message)
        self.error.show()
        self.edit.setFocus()


def _html(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
