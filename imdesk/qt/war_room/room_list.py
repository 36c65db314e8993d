"""The War rooms pane's left column: the open major incidents, one room each."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from imdesk.domain.incident import IncidentState
from imdesk.qt import theme
from imdesk.qt.widgets.models import RowsListModel


class RoomListModel(RowsListModel):
    """The open major incidents, coloured by priority."""

    @property
    def rooms(self) -> list[IncidentState]:
        return self.rows

    def set_rooms(self, rooms: list[IncidentState]) -> None:
        self.set_rows(rooms)

    def cell(self, st: IncidentState, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{st.ref} · {st.priority.value} · {st.status.label}\n{st.title}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.priority_color(st.priority)
        return None
