"""Writing a document: title, (for a new one) its service or team, owner, review interval and
the Markdown text. Saving always makes a new version; the earlier ones stay.

Signals: save_requested(dict) with title, scope ("service:NAME" / "team:NAME"), owner,
review_days, text; cancelled()."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.docs import Document
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import plain_label

CONTEXT = Qt.ShortcutContext.WidgetWithChildrenShortcut


class DocEditor(QWidget):
    save_requested = Signal(dict)
    cancelled = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doc_id: int | None = None
        box = QVBoxLayout(self)
        box.setContentsMargins(0, 0, 0, 0)
        form = QFormLayout()
        self.title = QLineEdit()
        self.title.setPlaceholderText("Restart the VPN gateway")
        self.scope = QComboBox()
        self.owner = QLineEdit()
        self.owner.setPlaceholderText("who keeps it right")
        self.review_days = QSpinBox()
        self.review_days.setRange(1, 3650)
        self.review_days.setSuffix(" days")
        self.review_days.setMaximumWidth(160)
        form.addRow("&Title", self.title)
        form.addRow("&For", self.scope)
        form.addRow("&Owner", self.owner)
        form.addRow("Re&view every", self.review_days)
        box.addLayout(form)
        self.text = QPlainTextEdit()
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.text.setPlaceholderText(
            "# Steps\n\n1. …\n\nLinks such as [the dashboard](https://…) are shown as links.")
        self.text.setTabChangesFocus(True)
        box.addWidget(self.text, 1)
        self.hint = plain_label("Markdown. Ctrl+S saves a new version (the old one stays) · Esc cancels",
                                selectable=False)
        row = QHBoxLayout()
        row.addWidget(self.hint, 1)
        self.save_button = QPushButton("&Save version")
        self.cancel_button = QPushButton("Cancel")
        row.addWidget(self.cancel_button)
        row.addWidget(self.save_button)
        box.addLayout(row)
        self.save_button.clicked.connect(self.submit)
        self.cancel_button.clicked.connect(self.cancelled.emit)
        shortcut(self, "Ctrl+S", self.submit, "Documents editor: save a new version", context=CONTEXT)
        shortcut(self, "Escape", self.cancelled.emit, "Documents editor: cancel", context=CONTEXT)

    def start_new(self, scopes: list[tuple[str, str]], default_scope: str, review_days: int) -> None:
        """A new document; SCOPES are (label, "service:NAME"/"team:NAME")."""
        self.doc_id = None
        self.scope.clear()
        for label, value in scopes:
            self.scope.addItem(label, value)
        at = self.scope.findData(default_scope)
        self.scope.setCurrentIndex(max(at, 0))
        self.scope.setEnabled(True)
        self.title.clear()
        self.owner.clear()
        self.review_days.setValue(review_days)
        self.text.clear()
        self.title.setFocus()

    def start_edit(self, doc: Document) -> None:
        s = doc.summary
        self.doc_id = s.id
        self.scope.clear()
        self.scope.addItem(s.scope, "")
        self.scope.setEnabled(False)
        self.title.setText(doc.current.title)
        self.owner.setText(s.owner)
        self.review_days.setValue(s.review_days)
        self.text.setPlainText(doc.current.text)
        self.text.setFocus()

    def values(self) -> dict[str, Any]:
        return {"doc_id": self.doc_id, "title": self.title.text(), "scope": self.scope.currentData() or "",
                "owner": self.owner.text(), "review_days": self.review_days.value(),
                "text": self.text.toPlainText()}

    def submit(self) -> None:
        self.save_requested.emit(self.values())
