"""The new-incident dialog's hints: open incidents that look like the title being typed.

Each keystroke asks the database off the GUI thread; at most one query runs at a time and a
result for text that has since changed is dropped (the newest text is asked next). ↓ from the
title goes into the hints, Enter on a hint emits `chosen(ref)`, Esc or ↑ on the first hint goes
back to the title.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QListView, QVBoxLayout, QWidget

from imdesk.domain.similar import Hint
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.models import DISPLAY, RowsListModel

Similar = Callable[[str, "str | None"], list[Hint]]


class HintModel(RowsListModel):
    """Hints, one line each: ref, title, priority, major, callers."""

    def cell(self, row: Hint, column: int, role: int) -> Any:
        if role == DISPLAY:
            return row.label
        if role == Qt.ItemDataRole.ToolTipRole:
            return (f"{row.label}\nEnter: link this call to {row.ref} as a caller instead of "
                    "opening a new incident")
        return None


class SimilarHints(QWidget):
    """Signals: chosen(str) — the ref of the hint Enter was pressed on."""

    chosen = Signal(str)

    def __init__(self, parent: QWidget, title: QLineEdit, service: Callable[[], str | None],
                 similar: Similar, runner: TaskRunner) -> None:
        super().__init__(parent)
        self._title = title
        self._service = service
        self._similar = similar
        self._runner = runner
        self._busy = False
        self._asked: tuple[str, str | None] | None = None
        self.model = HintModel(self)
        self.heading = QLabel(self)
        self.heading.setWordWrap(True)
        self.view = QListView(self)
        self.view.setModel(self.model)
        self.view.setAccessibleName("Similar open incidents")
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setUniformItemSizes(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        layout.addWidget(self.heading)
        layout.addWidget(self.view)
        self.hide()
        title.textChanged.connect(self.refresh)
        title.installEventFilter(self)
        self.view.installEventFilter(self)

    def refresh(self) -> None:
        """Ask for the hints of the text now (or after the query in flight)."""
        if not self._busy:
            self._ask()

    def _ask(self) -> None:
        key = (self._title.text(), self._service())
        if not key[0].strip():
            self._show([])
            return
        self._busy, self._asked = True, key
        similar = self._similar
        self._runner.run(lambda: similar(*key), self._answered, self._failed)

    def _current(self) -> tuple[str, str | None]:
        return (self._title.text(), self._service())

    def _answered(self, hints: list[Hint]) -> None:
        self._busy = False
        if self._asked != self._current():  # typed on meanwhile: this answer is stale
            self._ask()
            return
        self._show(hints)

    def _failed(self, _exc: BaseException) -> None:
        self._busy = False  # hints are a help: a failed look-up shows none, the text stays
        self._show([])

    def _show(self, hints: list[Hint]) -> None:
        self.model.set_rows(hints)
        if not hints:
            self.hide()
            return
        n = len(hints)
        rows = max(1, self.view.sizeHintForRow(0))
        self.view.setFixedHeight(min(n, 5) * rows + 2 * self.view.frameWidth() + 2)
        self.heading.setText(f"{n} open incident{'s' if n != 1 else ''} look{'' if n != 1 else 's'} "
                             "similar — ↓ to choose, Enter links this call to it as a caller")
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() != QEvent.Type.KeyPress or not isinstance(event, QKeyEvent):
            return False
        key = event.key()
        if watched is self._title and key == Qt.Key.Key_Down and self.model.rows:
            self.view.setFocus()
            self.view.setCurrentIndex(self.model.index(0, 0))
            return True
        if watched is self.view:
            row = self.view.currentIndex().row()
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers() and row >= 0:
                self.chosen.emit(self.model.rows[row].ref)
                return True
            if key == Qt.Key.Key_Escape or (key == Qt.Key.Key_Up and row <= 0):
                self._title.setFocus()
                return True
        return False
