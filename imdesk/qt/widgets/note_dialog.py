"""A small prompt for the text a status change needs (hold reason, resolution note)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPlainTextEdit, QVBoxLayout, QWidget

from imdesk.qt.widgets.dialog_keys import submit_with_ctrl_enter


class NoteDialog(QDialog):
    def __init__(self, parent: QWidget | None, title: str, prompt: str, *, required: bool,
                 ok_text: str) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setMinimumWidth(460)
        layout = QVBoxLayout(self)
        layout.setSpacing(8)
        label = QLabel(prompt)
        label.setWordWrap(True)
        layout.addWidget(label)
        self.edit = QPlainTextEdit()
        self.edit.setTabChangesFocus(True)
        self.edit.setFixedHeight(110)
        layout.addWidget(self.edit)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText(ok_text)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        submit_with_ctrl_enter(self, self.ok)
        self._required = required
        self.edit.textChanged.connect(self._update)
        self._update()

    def _update(self) -> None:
        self.ok.setEnabled(not self._required or bool(self.edit.toPlainText().strip()))

    def text(self) -> str:
        return self.edit.toPlainText()

    @classmethod
    def ask(cls, parent: QWidget | None, title: str, prompt: str, *, required: bool,
            ok_text: str = "OK") -> str | None:
        dialog = cls(parent, title, prompt, required=required, ok_text=ok_text)
        return dialog.text() if dialog.exec() == QDialog.DialogCode.Accepted else None
