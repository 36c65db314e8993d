"""F1: every keyboard shortcut of the console, read from the actions and shortcuts themselves
(their text, or the description a shortcut was made with), so the sheet is never out of date;
plus the few things typed rather than pressed (`!text`, `@10:42`, `@owner ~11:30`)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imdesk.qt.widgets.keys import key_text
from imdesk.qt.widgets.models import RowsTableModel

TYPED = (
    ("Enter", "War room composer: write the line (Ctrl+1 … Ctrl+4 choose its kind first)"),
    ("!text", "War room composer: the line is a decision"),
    ("@10:42 text", "War room composer: it happened at 10:42 (backdated, marked)"),
    ("text @owner ~11:30", "War room action line or item: its owner and when it is due"),
    ("Ctrl+Enter", "Any dialog: submit it (a multi-line field takes Enter as a new line)"),
    ("Enter / Esc", "Incidents: into the selected incident / back to the list"),
)


def _words(text: str) -> str:
    return text.replace("&", "").replace("…", "").strip()


def shortcut_rows(window: QWidget) -> list[tuple[str, str]]:
    """(keys, what they do) for every action and described shortcut under `window`."""
    rows: set[tuple[str, str]] = set(TYPED)
    for action in window.findChildren(QAction):
        what = _words(action.text())
        for sequence in action.shortcuts():
            if what and not sequence.isEmpty():
                rows.add((key_text(sequence), what))
    for made in window.findChildren(QShortcut):
        if made.whatsThis() and not made.key().isEmpty():
            rows.add((key_text(made.key()), made.whatsThis()))
    return sorted(rows, key=lambda r: (":" in r[1], r[1].split(":")[0] if ":" in r[1] else "", r[0]))


class _Rows(RowsTableModel):
    def cell(self, row: tuple[str, str], column: int, role: int) -> Any:
        return row[column] if role == Qt.ItemDataRole.DisplayRole else None


class ShortcutSheet(QDialog):
    def __init__(self, parent: QWidget, rows: list[tuple[str, str]]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.resize(720, 640)
        layout = QVBoxLayout(self)
        self.model = _Rows(("Keys", "Does"), self)
        self.model.set_rows(rows)
        self.table = QTableView()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        layout.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.table.setFocus()
