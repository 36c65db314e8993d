"""The Handover pane's models: past handovers (the history) and the open incidents with the
outgoing manager's rating."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont

from imdesk.domain.handover import HandoverState
from imdesk.domain.timefmt import friendly
from imdesk.qt import theme
from imdesk.qt.widgets.models import RowsListModel, RowsTableModel
from imdesk.services.handover.service import HandoverSummary

RATING_COLOURS = {"stable": "#2e7d32", "watch": "#b26a00", "unstable": "#d32f2f"}
STATE_TEXT = {HandoverState.DRAFT: "draft", HandoverState.SIGNED: "OPEN — not taken over",
              HandoverState.TAKEN: "taken over"}


class HistoryModel(RowsListModel):
    """Past handovers, newest first: window, who handed to whom, open incidents at the time.
    One signed but never taken over reads OPEN in bold."""

    def __init__(self, now: Any = None) -> None:
        super().__init__()
        self.now = now

    def cell(self, row: HandoverSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            now = self.now() if self.now else row.window.end
            who = f"{row.outgoing or '—'} → {row.incoming or '—'}"
            count = "" if row.open_count is None else f" · {row.open_count} open"
            return (f"{friendly(row.window.start, now)} → {row.window.end.astimezone():%H:%M}\n"
                    f"{who} · {STATE_TEXT[row.state]}{count}")
        if role == Qt.ItemDataRole.FontRole and row.state == HandoverState.SIGNED:
            font = QFont()
            font.setBold(True)
            return font
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"handover {row.id}: {row.state.value}"
        return None


class OpenModel(RowsTableModel):
    """The open incidents of the handover with their SLA and the rating (S, W, U to set)."""

    HEADERS = ("Ref", "P", "Title", "Status", "SLA", "Rating")

    def __init__(self) -> None:
        super().__init__(self.HEADERS)

    def cell(self, row: dict[str, Any], column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            rating = row.get("rating") or "—"
            return (row["ref"], row["priority"], row["title"], row["status"].replace("_", " "),
                    row["sla"].replace("_", " "), rating)[column]
        if role == Qt.ItemDataRole.ForegroundRole:
            if column == 5 and row.get("rating"):
                return QColor(RATING_COLOURS[row["rating"]])
            if column == 4 and row["sla"] in ("breached", "at_risk"):
                return QColor("#d32f2f" if row["sla"] == "breached" else "#b26a00")
            if column == 1:
                from imdesk.domain.priority import Priority

                return theme.priority_color(Priority(row["priority"]))
        if role == Qt.ItemDataRole.ToolTipRole and column == 2:
            return row["title"]
        return None

    def ref_at(self, row: int) -> str | None:
        return self.rows[row]["ref"] if 0 <= row < len(self.rows) else None
