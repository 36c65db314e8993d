"""The outbox as a table model: one row per message, newest first (the query is SQL's)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from imdesk.domain.message import MessageState
from imdesk.domain.timefmt import exact, friendly
from imdesk.qt import theme
from imdesk.qt.widgets.models import RowRole, RowsListModel, RowsTableModel
from imdesk.services.comms.outbox import OutboxItem

COL_TIME, COL_REF, COL_RECIPIENT, COL_CHANNEL, COL_STATE, COL_ATTEMPTS, COL_ERROR = range(7)
HEADERS = ("Queued", "Ref", "Recipient", "Channel", "State", "Tries", "Last error")
ItemRole = RowRole  # the OutboxItem of a row
Index = QModelIndex | QPersistentModelIndex

_SYMBOL = {
    MessageState.QUEUED: "◷", MessageState.SENDING: "↗", MessageState.SENT: "✓",
    MessageState.DELIVERED: "✔", MessageState.CALL: "☎", MessageState.CALLED: "☑",
    MessageState.FAILED: "✖", MessageState.EXPIRED: "⌛", MessageState.CAPTURED: "⊘",
}


def state_color(state: MessageState) -> QColor | None:
    dark = theme.is_dark()
    if state in (MessageState.FAILED, MessageState.EXPIRED):
        return QColor("#ff6b6b" if dark else "#c62828")
    if state == MessageState.CALL:
        return QColor("#ffb300" if dark else "#a15c00")
    if state == MessageState.DELIVERED:
        return QColor("#66bb6a" if dark else "#2e7d32")
    return None


def state_text(item: OutboxItem) -> str:
    text = f"{_SYMBOL[item.state]} {item.state.label}"
    if item.possible_duplicate:
        text += " (possible duplicate)"
    elif item.in_doubt and item.state == MessageState.QUEUED:
        text += " (in doubt)"
    return text


class OutboxModel(RowsTableModel):
    """One row per message, changed in place as the sender reports (see set_items)."""

    def __init__(self) -> None:
        super().__init__(HEADERS)
        self.now: datetime | None = None

    @property
    def items(self) -> list[OutboxItem]:
        return self.rows

    def set_items(self, items: list[OutboxItem], now: datetime) -> None:
        """Only what changed: new messages are inserted at the top, messages that left the page
        are removed at the bottom, changed rows are repainted. The view keeps its selection and
        scroll position, and a sender changing a few states a second never makes it lay out
        and repaint the whole page."""
        old_ids = [i.id for i in self.items]
        new_ids = [i.id for i in items]
        self.now = now
        if not old_ids or not new_ids:
            self.set_rows(items)
            return
        try:
            first_kept = new_ids.index(old_ids[0])  # messages queued since: above the old top
        except ValueError:
            first_kept = -1
        kept = len(new_ids) - first_kept if first_kept >= 0 else 0
        if first_kept < 0 or new_ids[first_kept:] != old_ids[:kept]:
            self.set_rows(items)  # a different filter or a different order: start afresh
            return
        if kept < len(old_ids):
            self.beginRemoveRows(QModelIndex(), kept, len(old_ids) - 1)
            del self.rows[kept:]
            self.endRemoveRows()
        if first_kept:
            self.beginInsertRows(QModelIndex(), 0, first_kept - 1)
            self.rows[:0] = items[:first_kept]
            self.endInsertRows()
        changed = [row for row in range(first_kept, len(items)) if self.rows[row] != items[row]]
        for row in changed:
            self.rows[row] = items[row]
        last = self.columnCount() - 1
        for start, end in _runs(changed):
            self.dataChanged.emit(self.index(start, 0), self.index(end, last))

    def cell(self, item: OutboxItem, col: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(item, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == COL_TIME:
                return exact(item.created_at)
            if col == COL_ERROR and item.last_error:
                return item.last_error
            if col == COL_RECIPIENT:
                return " → ".join(s.describe() for s in item.route)
            return None
        if role == Qt.ItemDataRole.ForegroundRole and col == COL_STATE:
            return state_color(item.state)
        if role == Qt.ItemDataRole.TextAlignmentRole and col == COL_ATTEMPTS:
            return int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
        return None

    def _display(self, item: OutboxItem, col: int) -> str:
        if col == COL_TIME:
            return friendly(item.created_at, self.now or item.created_at)
        if col == COL_REF:
            return item.ref
        if col == COL_RECIPIENT:
            return f"{item.recipient} <{item.address}>" if item.address else item.recipient
        if col == COL_CHANNEL:
            return "call" if item.channel == "manual" else item.channel
        if col == COL_STATE:
            return state_text(item)
        if col == COL_ATTEMPTS:
            return str(item.attempts)
        return item.last_error.splitlines()[0] if item.last_error else ""


def _runs(rows: list[int]) -> list[tuple[int, int]]:
    """Consecutive rows as (first, last) pairs: one repaint per block, not per row."""
    runs: list[tuple[int, int]] = []
    for row in rows:
        if runs and runs[-1][1] == row - 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs


class CallListModel(RowsListModel):
    """The call list: messages that could not go out any other way, oldest first (who has
    waited longest); UserRole gives a message's id."""

    def set_calls(self, calls: list[OutboxItem]) -> None:
        self.set_rows(list(reversed(calls)))

    def row_of_id(self, message_id: int) -> int:
        return next((row for row, call in enumerate(self.rows) if call.id == message_id), -1)

    def cell(self, call: OutboxItem, column: int, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            why = f"\n    why: {call.last_error[:90]}" if call.last_error else ""
            return (f"☎ {call.address}   {call.recipient}\n    {call.ref} · "
                    f"{call.template}: {call.subject[:90]}{why}")
        if role == Qt.ItemDataRole.ToolTipRole:
            return call.last_error or None
        if role == Qt.ItemDataRole.UserRole:
            return call.id
        return None
