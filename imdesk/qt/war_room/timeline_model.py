"""A war room's timeline as a list model, newest last, paged from SQL: the newest page first,
older pages prepended when the view is scrolled to the top, new entries appended as they
arrive.

The model is a QStringListModel underneath (of empty strings, one per line) with `data` in
Python: a list view lays out every row again on each insert and asks the row count two or three
times per row while doing so; kept in C++, those hundreds of questions per new line cost nothing
instead of a Python call each. The entries themselves live in Python (`_entries`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QAbstractItemModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QStringListModel,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor, QFont

from imdesk.domain.desk import offline_mark, written_by
from imdesk.domain.timefmt import exact, friendly, to_local
from imdesk.domain.timeline import TimelineEntry
from imdesk.qt import theme
from imdesk.qt.incidents.timeline_model import entry_summary
from imdesk.qt.tasks import TaskRunner
from imdesk.services.war_room import WarRoomService

PAGE = 200
EntryRole = Qt.ItemDataRole.UserRole + 1

# Each kind: a symbol and a colour (light, dark); the symbol carries the meaning without colour.
KIND_STYLE: dict[str, tuple[str, str, str]] = {
    "note": ("✎", "#444a55", "#c9ccd3"),
    "action": ("▶", "#1565c0", "#5c9ded"),
    "decision": ("◆", "#6a1b9a", "#c792ea"),
    "communication": ("✉", "#00796b", "#4db6ac"),
    "status": ("⇄", "#5d4037", "#bcaaa4"),
    "opened": ("●", "#5d4037", "#bcaaa4"),
    "major": ("⚑", "#c62828", "#ef5350"),
    "bridge": ("☎", "#00796b", "#4db6ac"),
    "role": ("♟", "#4527a0", "#b39ddb"),
    "participant": ("☺", "#4527a0", "#b39ddb"),
    "situation": ("≡", "#37474f", "#b0bec5"),
    "action_item": ("☐", "#1565c0", "#5c9ded"),
    "priority": ("▲", "#e65100", "#ff8a3d"),
    "edit": ("✐", "#444a55", "#c9ccd3"),
}


_STYLES: dict[tuple[str, bool], tuple[str, QColor]] = {}


def kind_style(kind: str) -> tuple[str, QColor]:
    """A kind's symbol and colour (made once per kind and colour scheme: painting asks often)."""
    key = (kind, theme.is_dark())
    style = _STYLES.get(key)
    if style is None:
        symbol, light, dark = KIND_STYLE.get(kind, ("•", "#444a55", "#c9ccd3"))
        style = _STYLES[key] = (symbol, QColor(dark if key[1] else light))
    return style


def _superseded_by(entries: list[TimelineEntry]) -> frozenset[int]:
    """Corrections come after what they correct: the loaded lines name what is struck through."""
    return frozenset(int(e.data["supersedes"]) for e in entries if "supersedes" in e.data)


class RoomTimelineModel(QStringListModel):
    """Signals: appended(int count) when new entries arrived at the end."""

    appended = Signal(int)

    def __init__(self, service: WarRoomService, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        # Rows being inserted: taken into _entries by the first slot of rowsInserted (connected
        # here, before any view's), so that what is asked before the insert sees the old rows
        # and what is asked after it the new ones.
        self._pending: tuple[int, list[TimelineEntry]] | None = None
        self.rowsInserted.connect(self._take_pending)
        self._service = service
        self._runner = runner
        self._ref = ""
        self._kinds: tuple[str, ...] = ()
        self._entries: list[TimelineEntry] = []
        self._superseded: frozenset[int] = frozenset()
        self._has_older = False
        self._busy = False  # opening a room
        self._older_busy = False
        self._generation = 0
        self._now = service.now()
        self._strike = QFont()
        self._strike.setStrikeOut(True)
        self._lines: dict[int, str] = {}  # seq → its line, made once (painting asks often)
        self.look_version = 0  # moves on when lines may read differently (day change, older page)

    # -- loading -------------------------------------------------------------------------------
    def open(self, ref: str, kinds: tuple[str, ...] = ()) -> None:
        """Show a room's newest page (optionally only some kinds)."""
        self._ref, self._kinds = ref, kinds
        self._generation += 1
        gen, service = self._generation, self._service
        self._busy = True

        def work() -> list[TimelineEntry]:
            return service.entries(ref, limit=PAGE, kinds=kinds)

        def done(result: list[TimelineEntry]) -> None:
            if gen != self._generation:
                return
            self._busy = False
            self._lines.clear()
            self._superseded = _superseded_by(result)
            self._has_older = len(result) == PAGE
            self._now = service.now()
            self._reset(result)
            self.appended.emit(len(self._entries))

        self._runner.run(work, done, self._failed(gen))

    def clear(self) -> None:
        self._generation += 1
        self._ref, self._has_older = "", False
        self._lines.clear()
        self._reset([])

    def _reset(self, entries: list[TimelineEntry]) -> None:
        self._entries = entries
        self.setStringList([""] * len(entries))  # (a model reset)

    def _insert(self, row: int, entries: list[TimelineEntry]) -> None:
        self._pending = (row, entries)
        self.insertRows(row, len(entries))
        self._take_pending()  # (already taken, unless signals are blocked)

    def _take_pending(self, *_args: object) -> None:
        if self._pending is not None:
            row, entries = self._pending
            self._pending = None
            self._entries[row:row] = entries

    def _failed(self, gen: int) -> Any:
        def failed(_exc: BaseException) -> None:
            if gen == self._generation:
                self._busy = False
        return failed

    # Qt's canFetchMore/fetchMore are asked by the view when it reaches the *bottom*; here the
    # bottom is the newest line, so older pages are fetched when the user scrolls to the top.
    def can_fetch_older(self) -> bool:
        return self._has_older and not self._busy and not self._older_busy

    def fetch_older(self) -> None:
        """Older entries, prepended (the view keeps its place)."""
        if not self.can_fetch_older() or not self._entries:
            return
        gen, ref, kinds, service = self._generation, self._ref, self._kinds, self._service
        first = self._entries[0].seq
        self._older_busy = True

        def done(older: list[TimelineEntry]) -> None:
            self._older_busy = False
            if gen != self._generation:
                return
            self._has_older = len(older) == PAGE
            if older:
                self.look_version += 1
                self._insert(0, older)
                below = len(older)  # the line that was first: its day may not show now
                if self._lines.pop(self._entries[below].seq, None) is not None:
                    self.dataChanged.emit(self.index(below), self.index(below))

        def failed(_exc: BaseException) -> None:
            self._older_busy = False

        self._runner.run(lambda: service.entries(ref, before_seq=first, limit=PAGE, kinds=kinds),
                         done, failed)

    def refresh(self) -> None:
        """Append what was written since the last look (by this desk or any other)."""
        if not self._ref or self._busy:
            return
        gen, ref, kinds, service = self._generation, self._ref, self._kinds, self._service
        after = self._entries[-1].seq if self._entries else 0

        def work() -> list[TimelineEntry]:
            return service.entries(ref, after_seq=after, limit=10_000, kinds=kinds)

        def done(fresh: list[TimelineEntry]) -> None:
            if gen != self._generation:
                return
            fresh = [e for e in fresh if not self._entries or e.seq > self._entries[-1].seq]
            newly_struck = _superseded_by(fresh) - self._superseded
            self._superseded = self._superseded | newly_struck
            if fresh:
                self._insert(len(self._entries), fresh)
                self.appended.emit(len(fresh))
            for row, entry in enumerate(self._entries):
                if entry.seq in newly_struck:
                    self.dataChanged.emit(self.index(row), self.index(row))

        self._runner.run(work, done, lambda _exc: None)

    def add_written(self, entry: TimelineEntry) -> None:
        """Show a line this desk just wrote at once; fall back to a refresh if other lines
        came in between (another desk) or the filter hides its kind."""
        if entry.incident_ref != self._ref or (self._kinds and entry.kind not in self._kinds):
            self.refresh()
            return
        if self._entries and entry.seq != self._entries[-1].seq + 1:
            self.refresh()
            return
        self._insert(len(self._entries), [entry])
        if "supersedes" in entry.data:
            struck = int(entry.data["supersedes"])
            self._superseded = self._superseded | {struck}
            row = self.row_of_seq(struck)
            if row >= 0:
                self.dataChanged.emit(self.index(row), self.index(row))
        self.appended.emit(1)

    def tick(self, now: datetime) -> None:
        if to_local(now).date() != to_local(self._now).date():
            self._lines.clear()  # "today" became "yesterday"
            self.look_version += 1
        self._now = now

    @property
    def ref(self) -> str:
        return self._ref

    def last_seq(self) -> int:
        return self._entries[-1].seq if self._entries else 0

    def seq_and_struck(self, row: int) -> tuple[int, bool]:
        seq = self._entries[row].seq
        return seq, seq in self._superseded

    def size_key(self, row: int) -> int:
        """What a line's size depends on besides the width: its seq (negative when struck
        through, which may set another font)."""
        seq = self._entries[row].seq
        return -seq if seq in self._superseded else seq

    def row_of_seq(self, seq: int) -> int:
        for i, e in enumerate(self._entries):
            if e.seq == seq:
                return i
        return -1

    # -- model API (rowCount, index and flags: the string list's, in C++) -------------------------
    # flags is not overridden: the tree view asks it twice per line at every layout, and each
    # line written lays the whole page out again (a Python flags made that 3.2 ms a line at 230
    # lines, 11 ms at 1,000; the string list's own 0.6 ms). Its lines say "editable", but the
    # view opens no editor (no edit triggers) and setData stores nothing.
    def setData(self, index: QModelIndex | QPersistentModelIndex, value: Any,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        return False

    def itemData(self, index: QModelIndex | QPersistentModelIndex) -> dict[int, Any]:
        return QAbstractItemModel.itemData(self, index)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self._entries):
            return None
        e = self._entries[row]
        if role == Qt.ItemDataRole.DisplayRole:
            return self._line_of(row, e)
        if role == Qt.ItemDataRole.ForegroundRole:
            return kind_style(e.kind)[1]
        if role == Qt.ItemDataRole.FontRole and e.seq in self._superseded:
            return self._strike
        if role == Qt.ItemDataRole.ToolTipRole:
            lines = [f"#{e.seq} {e.kind} by {written_by(e.author, e.data)}",
                     f"recorded {exact(e.recorded_at)}"]
            if e.occurred_at:
                lines.append(f"happened {exact(e.occurred_at)} (backdated)")
            if e.seq in self._superseded:
                lines.append("superseded by a later correction")
            if "supersedes" in e.data:
                lines.append(f"corrects #{e.data['supersedes']}")
            if e.data.get("cleaned"):
                lines.append(str(e.data["cleaned"]))
            return "\n".join(lines)
        if role == EntryRole:
            return e
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{e.kind} at {exact(e.effective_at)} by {written_by(e.author, e.data)}: {e.text}"
        return None

    def look(self, row: int) -> tuple[str, QColor, QFont | None] | None:
        """A line's text, colour and font (struck through when superseded), for the delegate."""
        if not 0 <= row < len(self._entries):
            return None
        e = self._entries[row]
        return (self._line_of(row, e), kind_style(e.kind)[1],
                self._strike if e.seq in self._superseded else None)

    def _line_of(self, row: int, e: TimelineEntry) -> str:
        line = self._lines.get(e.seq)
        if line is None:
            line = self._lines[e.seq] = self._line(row, e)
        return line

    def _line(self, row: int, e: TimelineEntry) -> str:
        """'10:42  ◆ decision  fail over to DC1  — Kim'; the date too when the day changes."""
        when = to_local(e.effective_at)
        previous = self._entries[row - 1].effective_at if row else None
        if previous is None or to_local(previous).date() != when.date():
            stamp = friendly(e.effective_at, self._now)
        else:
            stamp = f"{when.hour:02d}:{when.minute:02d}"  # (strftime asks the time zone each call)
        symbol = kind_style(e.kind)[0]
        marks = ""
        if e.occurred_at:
            marks += " ⟲ backdated" + (", before it was opened" if e.data.get("before_opened") else "")
        if "supersedes" in e.data:
            marks += f" (corrects #{e.data['supersedes']})"
        if e.data.get("cleaned"):
            marks += f" [{e.data['cleaned']}]"
        marks += offline_mark(e.data)
        kind = e.kind.replace("_", " ")
        return f"{stamp}  {symbol} {kind}  {entry_summary(e)}{marks}  — {written_by(e.author, e.data)}"
