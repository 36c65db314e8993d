"""A rail entry's place in the window's stack, empty until its pane is built on first use (the
War rooms, Contacts, Messages and Alerts panes are not on the start-up path)."""

from __future__ import annotations

from PySide6.QtWidgets import QVBoxLayout, QWidget


class PaneHost(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._box = QVBoxLayout(self)
        self._box.setContentsMargins(0, 0, 0, 0)
        self.pane: QWidget | None = None

    def put(self, pane: QWidget) -> None:
        """The pane, once built, fills the host."""
        self._box.addWidget(pane)
        self.pane = pane
