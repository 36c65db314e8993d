"""The one base for the panes' list and table models: rows kept in a Python list, replaced
whole by `set_rows`, each cell answered by the subclass's `cell(row, column, role)`.

`rowCount`, `columnCount`, `data` bounds checks and `headerData` are written here once; a model
only says what a row looks like. Models that page rows in from SQL or change row by row (the
incident list, the war-room timeline, the outbox) keep their own bookkeeping.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
)

Index = QModelIndex | QPersistentModelIndex
DISPLAY = Qt.ItemDataRole.DisplayRole
# Every model's row object, for views and tests: index.data(RowRole).
RowRole = Qt.ItemDataRole.UserRole + 1


class _Rows:
    """What list and table models share (mixed in before the Qt base class)."""

    rows: list[Any]

    def set_rows(self, rows: Sequence[Any]) -> None:
        model: Any = self
        model.beginResetModel()
        self.rows = list(rows)
        model.endResetModel()

    def row_at(self, index: Index) -> Any:
        """The row object behind an index, or None."""
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
            return None
        return self.rows[index.row()]

    def cell(self, row: Any, column: int, role: int) -> Any:
        """What the view shows for one role of one cell; None for anything not shown."""
        raise NotImplementedError

    def _data(self, index: Index, role: int) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        if role == RowRole:
            return row
        return self.cell(row, index.column(), role)


class RowsListModel(_Rows, QAbstractListModel):
    """A list of rows, one line (or a few) each."""

    def __init__(self, parent: QObject | None = None) -> None:
        QAbstractListModel.__init__(self, parent)
        self.rows = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        return self._data(index, role)


class RowsTableModel(_Rows, QAbstractTableModel):
    """A table of rows under named columns."""

    def __init__(self, headers: Sequence[str], parent: QObject | None = None) -> None:
        QAbstractTableModel.__init__(self, parent)
        self.headers = tuple(headers)
        self.rows = []

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.headers)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = DISPLAY) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == DISPLAY and 0 <= section < len(self.headers):
            return self.headers[section]
        return None

    def data(self, index: Index, role: int = DISPLAY) -> Any:
        return self._data(index, role)
