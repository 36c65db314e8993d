"""The conflicts the merge found (offline changes the lifecycle refused), for a person to settle:
↑/↓ pick one, Alt+A applies it anyway as a note in its incident's timeline, Alt+D dismisses it,
Esc closes. Settling runs off the GUI thread; the list follows."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.timefmt import readable
from imdesk.messages import sentence
from imdesk.qt.widgets.keys import shortcut

if TYPE_CHECKING:
    from imdesk.services.desk.spool import Conflict


def conflict_text(c: Conflict) -> str:
    what = f"status → {c.to_status}" if c.to_status else c.kind
    body = f"{c.incident_ref} · {what}" + (f": {c.text}" if c.text else "")
    return f"{body}\n{c.author} on {c.desk}, {readable(c.recorded_at)} — refused: {c.reason}"


class ConflictsDialog(QDialog):
    """A small keyboard-driven list; `settle(id, apply)` and `load()` are the wiring's."""

    def __init__(self, parent: QWidget, settle: Callable[[int, bool], None]) -> None:
        super().__init__(parent)
        self.setWindowTitle("Offline conflicts")
        self.resize(720, 360)
        self._settle = settle
        box = QVBoxLayout(self)
        self.intro = QLabel("Changes written offline that the lifecycle refused when they were "
                            "merged (another desk changed the incident meanwhile). Nothing was "
                            "dropped: apply one anyway as a note, or dismiss it.")
        self.intro.setWordWrap(True)
        box.addWidget(self.intro)
        self.list = QListWidget()
        self.list.setAlternatingRowColors(True)
        self.list.setWordWrap(True)
        box.addWidget(self.list, 1)
        row = QHBoxLayout()
        self.apply_button = QPushButton("Apply anyway as a note  Alt+A")
        self.apply_button.setToolTip("Write it into the incident's timeline as a note (Alt+A)")
        self.apply_button.clicked.connect(lambda: self._act(True))
        self.dismiss_button = QPushButton("Dismiss  Alt+D")
        self.dismiss_button.setToolTip("Settle it without writing anything (Alt+D)")
        self.dismiss_button.clicked.connect(lambda: self._act(False))
        close = QPushButton("Close")
        close.clicked.connect(self.reject)
        row.addWidget(self.apply_button)
        row.addWidget(self.dismiss_button)
        row.addStretch(1)
        row.addWidget(close)
        box.addLayout(row)
        self.keys = [
            shortcut(self, "Alt+A", lambda: self._act(True),
                     "Offline conflicts: apply the chosen one anyway as a note"),
            shortcut(self, "Alt+D", lambda: self._act(False),
                     "Offline conflicts: dismiss the chosen one"),
        ]
        self.status = QLabel("")
        box.addWidget(self.status)
        self.show_conflicts([])

    def show_conflicts(self, conflicts: list[Conflict]) -> None:
        current = self.list.currentRow()
        self.list.clear()
        for c in conflicts:
            item = QListWidgetItem(conflict_text(c))
            item.setData(Qt.ItemDataRole.UserRole, c.id)
            self.list.addItem(item)
        if conflicts:
            self.list.setCurrentRow(min(max(current, 0), len(conflicts) - 1))
        has = bool(conflicts)
        self.apply_button.setEnabled(has)
        self.dismiss_button.setEnabled(has)
        self.status.setText(f"{len(conflicts)} to settle" if has else "Nothing to settle.")
        self.list.setFocus()

    def show_error(self, exc: BaseException) -> None:
        self.status.setText(sentence("Could not settle it", exc))

    def _act(self, apply: bool) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.status.setText("Applying…" if apply else "Dismissing…")
        self._settle(int(item.data(Qt.ItemDataRole.UserRole)), apply)
