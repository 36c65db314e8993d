"""The documents list: one line per document — title, service or team, version, and a stale
mark (⚠ with the word, so it reads without colour) when its review is due."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from imdesk.domain.docs import DocSummary
from imdesk.domain.timefmt import friendly
from imdesk.qt import theme
from imdesk.qt.widgets.models import RowsListModel


class DocListModel(RowsListModel):
    """Rows are DocSummary; `now` decides which are stale."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.now: datetime | None = None

    def set_documents(self, rows: list[DocSummary], now: datetime | None) -> None:
        self.now = now
        self.set_rows(rows)

    def stale(self, row: DocSummary) -> bool:
        return self.now is not None and row.stale(self.now)

    def cell(self, row: DocSummary, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            mark = "  ⚠ stale" if self.stale(row) else ""
            return f"{row.title}{mark}\n{row.scope} · v{row.version} · {row.owner or 'no owner'}"
        if role == Qt.ItemDataRole.ToolTipRole and self.now is not None:
            return (f"last reviewed {friendly(row.last_reviewed_at, self.now)} by "
                    f"{row.reviewed_by or '—'}; review due {friendly(row.due_at, self.now)}")
        if role == Qt.ItemDataRole.ForegroundRole and self.stale(row):
            from imdesk.domain.sla import SlaState

            return theme.sla_color(SlaState.AT_RISK)
        return None
