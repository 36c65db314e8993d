"""The incident list as a table model paged from SQL (canFetchMore/fetchMore), sorted in SQL."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont, QFontDatabase

from imdesk.domain.incident import IncidentState
from imdesk.domain.incident_query import COUNT_CAP, IncidentQuery
from imdesk.domain.lifecycle import Status
from imdesk.domain.sla import SlaState, format_duration
from imdesk.domain.timefmt import exact, friendly
from imdesk.qt import theme
from imdesk.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from imdesk.context import AppContext

COL_REF, COL_PRIORITY, COL_TITLE, COL_SERVICE, COL_STATUS, COL_MAJOR, COL_AGE, COL_SLA = range(8)
COLUMNS = (
    (COL_REF, "Ref", "ref"),
    (COL_PRIORITY, "Priority", "priority"),
    (COL_TITLE, "Title", "title"),
    (COL_SERVICE, "Service", "service"),
    (COL_STATUS, "Status", "status"),
    (COL_MAJOR, "Major", "major"),
    (COL_AGE, "Age", "age"),
    (COL_SLA, "SLA left", "sla"),
)
SORT_KEY = {col: key for col, _, key in COLUMNS}
PAGE = 50  # a page: two screens of a tall list (each filter keystroke and sort reads one)
StateRole = Qt.ItemDataRole.UserRole + 1
RefRole = Qt.ItemDataRole.UserRole + 2
SlaStateRole = Qt.ItemDataRole.UserRole + 3
Index = QModelIndex | QPersistentModelIndex
Badges = dict[str, tuple[int, int]]  # ref -> (alerts attached, firing)
_FirstLoad = tuple[list[IncidentState], int, "tuple[int, datetime | None] | None", Badges]


def sla_text(state: IncidentState, now: datetime) -> tuple[str, SlaState]:
    reading = state.sla(now)
    if reading.state == SlaState.MET:
        return "✔ met", reading.state
    if reading.state == SlaState.MISSED:
        return "✖ missed", reading.state
    assert reading.remaining is not None
    text = format_duration(reading.remaining)
    symbol = reading.symbol
    return (f"{symbol} {text}" if symbol else text), reading.state


_DISPLAY = int(Qt.ItemDataRole.DisplayRole.value)
_FONT = int(Qt.ItemDataRole.FontRole.value)
_FOREGROUND = int(Qt.ItemDataRole.ForegroundRole.value)
_BACKGROUND = int(Qt.ItemDataRole.BackgroundRole.value)
_ALIGN = int(Qt.ItemDataRole.TextAlignmentRole.value)
_TOOLTIP = int(Qt.ItemDataRole.ToolTipRole.value)
_ACCESSIBLE = int(Qt.ItemDataRole.AccessibleTextRole.value)
_RIGHT = int((Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter).value)
_ALIGNMENT = {COL_AGE: _RIGHT, COL_SLA: _RIGHT, COL_MAJOR: int(Qt.AlignmentFlag.AlignCenter.value)}
_ALIGNMENT_FLAGS = {col: Qt.AlignmentFlag(value) for col, value in _ALIGNMENT.items()}


@dataclass(frozen=True, slots=True)
class _RowView:
    display: tuple[str, ...]
    fonts: tuple[QFont | None, ...]
    sla_state: SlaState
    sla_fg: QColor | None
    sla_bg: QColor | None
    major_fg: QColor | None
    dim: QColor | None = None  # resolved, waiting to be closed: shown, but quieter

    def foreground(self, col: int) -> QColor | None:
        return self.sla_fg if col == COL_SLA else (self.major_fg if col == COL_MAJOR else self.dim)

    def background(self, col: int) -> QColor | None:
        return self.sla_bg if col == COL_SLA else None

    @staticmethod
    def alignment(col: int) -> Qt.AlignmentFlag | None:
        return _ALIGNMENT_FLAGS.get(col)


class IncidentTableModel(QAbstractTableModel):
    """Rows come a page at a time from the incident service, off the GUI thread.

    Signals: loaded(int total) after a new query's first page; loading_failed(str).
    """

    loaded = Signal(int)
    loading_failed = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._ctx = ctx
        # The change marker read with the first page when that came from the start-up reader.
        self.first_marker: tuple[int, datetime | None] | None = None
        self._runner = runner
        self._rows: list[IncidentState] = []
        self._total = 0
        self._query = IncidentQuery(statuses=())
        self._generation = 0
        self._fetching = False
        self._in_flight = False
        self._waiting: int | None = None
        self.kept_rows = False  # the last load brought the same rows back (changed in place)
        self._cache: dict[int, _RowView] = {}
        self._now = ctx.now()
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._bold = QFont()
        self._bold.setBold(True)
        # ref → (alerts attached, of which not resolved); set by the alert intake when present
        self.badge_source: Callable[[list[str]], Badges] | None = None
        self._badges: Badges = {}
        # ref → callers linked to it (a master); set by the links wiring
        self.caller_source: Callable[[list[str]], dict[str, int]] | None = None
        self._callers: dict[str, int] = {}

    # -- queries -------------------------------------------------------------------------
    @property
    def query(self) -> IncidentQuery:
        return self._query

    @property
    def total(self) -> int:
        return self._total

    @property
    def loading(self) -> bool:
        """A query (filter, sort, refresh) is being read for the list's first rows."""
        return self._in_flight

    def set_query(self, query: IncidentQuery, *, keep: int = 0) -> None:
        """Run a new query (filter or sort); the first page (or `keep` rows) replace the rows.

        At most one query runs at a time: while one is in flight, the newest request waits
        and the ones it replaced are never run (fast typing costs one query, not one per key).
        """
        self._query = query
        self._generation += 1
        if self._in_flight:
            self._waiting = keep
            return
        self._start(query, keep, self._generation)

    def _start(self, query: IncidentQuery, keep: int, gen: int) -> None:
        limit = max(PAGE, keep)
        ctx, badges, callers = self._ctx, self.badge_source, self.caller_source
        counted: list[dict[str, int]] = []
        self._in_flight = True
        self._fetching = True

        def work() -> _FirstLoad:
            # Services are reached in this worker thread: if the database is not open yet, it
            # is opened here, never on the GUI thread. At start-up the first page may come
            # without it (AppContext.take_quick_page); alert badges come once alerts are wired.
            quick = ctx.take_quick_page(query, limit)
            if quick is not None:
                return quick.rows, quick.total, quick.marker, {}
            rows, total = ctx.incidents.first_page(query, limit)
            found = badges([r.ref for r in rows]) if badges else {}
            counted.append(callers([r.ref for r in rows]) if callers else {})
            return rows, total, None, found

        def done(result: _FirstLoad) -> None:
            self._in_flight = False
            if self._run_waiting(gen):
                return
            self._fetching = False
            rows, self._total, marker, badges = result
            if marker is not None:
                self.first_marker = marker
            self._now = ctx.now()
            self._show_rows(rows, badges, counted[0] if counted else {})
            self.loaded.emit(self._total)

        def failed(exc: BaseException) -> None:
            self._in_flight = False
            if not self._run_waiting(gen):
                self._fetching = False
                self.loading_failed.emit(str(exc))

        self._runner.run(work, done, failed)

    def _show_rows(self, rows: list[IncidentState], badges: Badges, callers: dict[str, int]) -> None:
        """The same incidents in the same order (a refresh, the poll): changed in place, so the
        view keeps its current row, selection and scroll position and repaints only what
        changed. Other rows (a new filter or sort): the model starts afresh."""
        self.kept_rows = bool(rows) and [r.ref for r in rows] == [r.ref for r in self._rows]
        if not self.kept_rows:
            self.beginResetModel()
            self._rows, self._badges, self._callers = rows, badges, callers
            self._cache.clear()
            self.endResetModel()
            return
        changed = [i for i, (old, new) in enumerate(zip(self._rows, rows, strict=True))
                   if old != new or self._badges.get(new.ref) != badges.get(new.ref)
                   or self._callers.get(new.ref) != callers.get(new.ref)]
        self._rows, self._badges, self._callers = rows, badges, callers
        self._cache.clear()  # the clock moved on too (the tick repaints those columns)
        last = len(COLUMNS) - 1
        for i in changed:
            self.dataChanged.emit(self.index(i, 0), self.index(i, last))

    def _run_waiting(self, finished_gen: int) -> bool:
        """Start the query that waited, if a newer one was asked for meanwhile."""
        if finished_gen == self._generation:
            self._waiting = None
            return False
        keep = self._waiting or 0
        self._waiting = None
        self._start(self._query, keep, self._generation)
        return True

    def reload(self) -> None:
        """The data changed: run the same query again, keeping as many rows as are loaded."""
        self.set_query(self._query, keep=len(self._rows))

    def _failed(self, gen: int) -> Any:
        def failed(exc: BaseException) -> None:
            if gen == self._generation:
                self._fetching = False
                self.loading_failed.emit(str(exc))
        return failed

    def canFetchMore(self, parent: Index = QModelIndex()) -> bool:  # noqa: B008
        return not parent.isValid() and not self._fetching and len(self._rows) < self._total

    def fetchMore(self, parent: Index = QModelIndex()) -> None:  # noqa: B008
        if not self.canFetchMore(parent):
            return
        gen, offset, query, ctx = self._generation, len(self._rows), self._query, self._ctx
        self._fetching = True

        badges, callers = self.badge_source, self.caller_source
        counted: list[dict[str, int]] = []

        def done(result: tuple[list[IncidentState], Badges]) -> None:
            page, found = result
            if gen != self._generation:
                return
            self._badges.update(found)
            self._callers.update(counted[0] if counted else {})
            self._fetching = False
            known = {r.ref for r in self._rows}
            fresh = [r for r in page if r.ref not in known]
            if not fresh:
                self._total = len(self._rows)
                return
            start = len(self._rows)
            self.beginInsertRows(QModelIndex(), start, start + len(fresh) - 1)
            self._rows.extend(fresh)
            self.endInsertRows()
            if self._total > COUNT_CAP:  # counted only up to the cap: a full page says more
                self._total = len(self._rows) + (1 if len(page) == PAGE else 0)

        def work() -> tuple[list[IncidentState], Badges]:
            page = ctx.incidents.page(query, offset, PAGE)
            counted.append(callers([r.ref for r in page]) if callers else {})
            return page, badges([r.ref for r in page]) if badges else {}

        self._runner.run(work, done, self._failed(gen))

    # -- ticking -------------------------------------------------------------------------
    def tick(self, now: datetime, first: int, last: int) -> None:
        """Move the clock on; only rows first..last (the visible ones) are repainted."""
        self._now = now
        self._cache.clear()
        if not self._rows or first < 0:
            return
        last = min(last, len(self._rows) - 1)
        self.dataChanged.emit(self.index(first, COL_AGE), self.index(last, COL_SLA),
                              [Qt.ItemDataRole.DisplayRole])

    def update_row(self, state: IncidentState) -> None:
        for i, row in enumerate(self._rows):
            if row.ref == state.ref:
                self._rows[i] = replace(state)
                self._cache.pop(i, None)
                self.dataChanged.emit(self.index(i, 0), self.index(i, len(COLUMNS) - 1))
                return

    # -- model API ------------------------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(COLUMNS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def state_at(self, row: int) -> IncidentState | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, ref: str) -> int:
        for i, row in enumerate(self._rows):
            if row.ref == ref:
                return i
        return -1

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = index.row()
        if not index.isValid() or row >= len(self._rows):
            return None
        col = index.column()
        view = self._cache.get(row) or self._view(row)
        if role == _DISPLAY:
            return view.display[col]
        if role == _FONT:
            return view.fonts[col]
        if role == _FOREGROUND:
            return view.foreground(col)
        if role == _BACKGROUND:
            return view.background(col)
        if role == _ALIGN:
            return _ALIGNMENT.get(col)
        st = self._rows[row]
        if role == StateRole:
            return st
        if role == RefRole:
            return st.ref
        if role == SlaStateRole and col == COL_SLA:
            return view.sla_state
        if role == _TOOLTIP:
            return self._tooltip(st, col)
        if role == _ACCESSIBLE:
            return f"{COLUMNS[col][1]}: {view.display[col] or 'none'}"
        return None

    def view_at(self, row: int) -> _RowView | None:
        """What row `row` shows (for the cell delegate, without a round trip per role)."""
        if not 0 <= row < len(self._rows):
            return None
        return self._cache.get(row) or self._view(row)

    def _view(self, row: int) -> _RowView:
        """Everything a row shows, computed once per tick (painting asks each cell many times)."""
        st = self._rows[row]
        sla, state = sla_text(st, self._now)
        badge = self._badges.get(st.ref)
        alerts = f"⚠ {badge[1]}/{badge[0]} " if badge else ""
        if self._callers.get(st.ref):
            alerts = f"☎ {self._callers[st.ref]} " + alerts
        display = (st.ref, st.priority.value, alerts + ("◎ EXERCISE · " if st.exercise else "") + st.title,
                   st.service or "—", st.status.label, "⚑" if st.major else "",
                   format_duration(self._now - st.opened_at), sla)
        bold = self._bold
        fonts = (self._mono, None, bold if st.major else None, None, None, bold, None, bold)
        dim = theme.muted_color() if st.status == Status.RESOLVED else None
        view = _RowView(display, fonts, state, theme.sla_color(state), theme.sla_background(state),
                        theme.priority_color(st.priority) if st.major else None, dim)
        self._cache[row] = view
        return view

    def _tooltip(self, st: IncidentState, col: int) -> str | None:
        if col == COL_AGE:
            return f"opened {friendly(st.opened_at, self._now)} ({exact(st.opened_at)})"
        if col == COL_SLA:
            reading = st.sla(self._now)
            if not reading.clock:
                return None
            due = st.respond_due if reading.clock == "respond" else st.resolve_due
            pct = f"{reading.fraction * 100:.0f} % of the target used"
            paused = " — paused while on hold" if reading.state == SlaState.PAUSED else ""
            return f"{reading.clock} by {friendly(due, self._now)} ({exact(due)}); {pct}{paused}"
        if col == COL_TITLE:
            badge = self._badges.get(st.ref)
            n = self._callers.get(st.ref, 0)
            return (st.title + (f"\n⚠ {badge[1]} of {badge[0]} attached alerts firing" if badge else "")
                    + (f"\n☎ {n} caller{'s' if n != 1 else ''} linked to it" if n else ""))
        if col == COL_PRIORITY:
            return f"{st.priority.value}: impact {st.impact.value}, urgency {st.urgency.value}"
        if col == COL_MAJOR and st.major:
            return "Major incident"
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        descending = order == Qt.SortOrder.DescendingOrder
        query = replace(self._query, sort=SORT_KEY[column], descending=descending)
        if query == self._query and self._generation:
            return  # asked twice for one change (QTableView.sortByColumn does): one query
        if self._generation == 0:  # nothing asked for yet (a header being restored): the
            self._query = query    # first load will take this sort, no extra query now
            return
        self.set_query(query)
