"""An incident's timeline as a list model (newest first) for the incident detail."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QObject, Qt

from imdesk.domain.desk import offline_mark, written_by
from imdesk.domain.timefmt import exact, friendly
from imdesk.domain.timeline import TimelineEntry
from imdesk.qt.widgets.models import RowRole, RowsListModel

KIND_LABEL = {
    "opened": "opened", "status": "status", "note": "note", "edit": "edited",
    "priority": "priority", "major": "major",
}
KIND_SYMBOL = {
    "opened": "●", "status": "⇄", "note": "✎", "edit": "✐", "priority": "▲", "major": "⚑",
}
EntryRole = RowRole
_DISPLAY = Qt.ItemDataRole.DisplayRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


def entry_summary(entry: TimelineEntry) -> str:
    data = entry.data
    if entry.kind == "status":
        head = f"{str(data.get('from', '')).replace('_', ' ')} → {str(data.get('to', '')).replace('_', ' ')}"
        return f"{head}: {entry.text}" if entry.text else head
    if entry.kind == "opened":
        return f"opened as {data.get('priority', '')}: {entry.text}"
    return entry.text


class TimelineListModel(RowsListModel):
    """An incident's timeline, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._now = datetime.now().astimezone()
        # entry seq → its text: the view asks each row's text several times (its size for the
        # layout of every row, then its paint), and the text is the same until the rows change
        self._texts: dict[int, str] = {}

    def set_entries(self, entries: list[TimelineEntry], now: datetime) -> None:
        self._now = now
        self._texts = {}
        # newest first by when it happened: a backdated line sits where it belongs in time
        self.set_rows(sorted(entries, key=lambda e: (e.effective_at, e.seq), reverse=True))

    def cell(self, e: TimelineEntry, column: int, role: int) -> Any:
        if role == _DISPLAY:
            text = self._texts.get(e.seq)
            if text is None:
                text = self._texts[e.seq] = self._text(e)
            return text
        if role == _TOOLTIP:
            extra = f"\nhappened {exact(e.occurred_at)}" if e.occurred_at else ""
            return f"#{e.seq} recorded {exact(e.recorded_at)}{extra}\nhash {e.hash[:16]}…"
        return None

    def _text(self, e: TimelineEntry) -> str:
        when = friendly(e.effective_at, self._now)
        backdated = (" (backdated, before it was opened)" if e.data.get("before_opened")
                     else " (backdated)" if e.occurred_at else "")
        backdated += offline_mark(e.data)
        symbol = KIND_SYMBOL.get(e.kind, "•")
        by = written_by(e.author, e.data)
        return (f"{when}{backdated} · {symbol} {KIND_LABEL.get(e.kind, e.kind)} · {by}\n"
                f"{entry_summary(e)}")
