"""The Incidents pane: filter bar, the paged incident table, and the detail in a splitter."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.incident_query import IncidentQuery, count_text
from imdesk.domain.lifecycle import OPEN_STATUSES, Status
from imdesk.domain.priority import Priority
from imdesk.messages import sentence
from imdesk.qt.incidents.actions import IncidentActions
from imdesk.qt.incidents.commands import IncidentCommands
from imdesk.qt.incidents.detail import IncidentDetail
from imdesk.qt.incidents.detail_loader import DETAIL_ENTRIES, DetailLoader
from imdesk.qt.incidents.priority_delegate import IncidentCellDelegate, PriorityBadgeDelegate
from imdesk.qt.incidents.table_model import COL_PRIORITY, COL_SLA, COL_TITLE, IncidentTableModel
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.widgets.keys import shortcut

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.services.catalog import CatalogService
    from imdesk.services.incidents import IncidentDetail as Detail
    from imdesk.services.incidents import IncidentService
    from imdesk.services.settings import SettingsService

OPEN = tuple(s for s in Status if s in OPEN_STATUSES)
# The default view keeps resolved incidents (dimmed) until someone closes them: closing one
# must not mean changing the filter first.
STATUS_FILTERS: tuple[tuple[str, tuple[Status, ...]], ...] = (
    ("Open and resolved", (*OPEN, Status.RESOLVED)),
    ("Open", OPEN),
    ("All", ()),
    *((s.label.capitalize(), (s,)) for s in Status),
)
PRIORITY_FILTERS: tuple[tuple[str, tuple[Priority, ...]], ...] = (
    ("Any priority", ()),
    ("P1–P2", (Priority.P1, Priority.P2)),
    *((p.value, (p,)) for p in Priority),
)


class FilterTable(QTableView):
    """The incident table: Enter opens the selected incident (moves focus to its detail)."""

    open_requested = Signal()

    def keyPressEvent(self, event: Any) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            self.open_requested.emit()
            return
        super().keyPressEvent(event)


class IncidentListPane(IncidentCommands):
    """Signals: data_changed() after this pane wrote something; status_message(str)."""

    data_changed = Signal()
    status_message = Signal(str)

    def __init__(self, ctx: AppContext, runner: TaskRunner, *, read_only: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # Services are looked up when used (see the properties below), so that building the
        # pane does not open the database: at start-up that happens behind the first page.
        self._ctx = ctx
        self._runner = runner
        self._read_only = read_only
        self._pending_select: str | None = None
        self._just_written: str | None = None
        self._marker: tuple[int, datetime | None] | None = None
        self.incident_actions = IncidentActions(self)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 0)
        layout.setSpacing(8)
        bar = QHBoxLayout()
        bar.setSpacing(8)
        self.filter_edit = QLineEdit()
        self.filter_edit.setPlaceholderText("Filter: words, INC-number or service  (Ctrl+F or /)")
        self.filter_edit.setClearButtonEnabled(True)
        self.status_combo = QComboBox()
        for label, _ in STATUS_FILTERS:
            self.status_combo.addItem(label)
        self.priority_combo = QComboBox()
        for label, _ in PRIORITY_FILTERS:
            self.priority_combo.addItem(label)
        self.major_check = QCheckBox("&Majors only")
        self.count_label = QLabel()
        self.count_label.setTextFormat(Qt.TextFormat.PlainText)
        bar.addWidget(self.filter_edit, 1)
        bar.addWidget(self.status_combo)
        bar.addWidget(self.priority_combo)
        bar.addWidget(self.major_check)
        bar.addWidget(self.count_label)
        layout.addLayout(bar)

        self.model = IncidentTableModel(ctx, runner, self)
        self.table = FilterTable()
        self.table.setTabKeyNavigation(False)  # Tab leaves the table; arrows move in it
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSortingEnabled(True)
        self.table.setAlternatingRowColors(True)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.setItemDelegate(IncidentCellDelegate(self.model, COL_PRIORITY, self.table))
        self.table.setItemDelegateForColumn(
            COL_PRIORITY, PriorityBadgeDelegate(self.model, COL_PRIORITY, self.table))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(COL_TITLE, QHeaderView.ResizeMode.Stretch)
        header.setSortIndicator(COL_SLA, Qt.SortOrder.AscendingOrder)
        header.setHighlightSections(False)
        for col, width in ((0, 84), (1, 62), (3, 110), (4, 84), (5, 52), (6, 64), (7, 88)):
            self.table.setColumnWidth(col, width)

        self.detail = IncidentDetail(self.incident_actions)
        self._details = DetailLoader(ctx, runner, current=self.current_ref, show=self._show_detail,
                                     failed=self.status_message.emit,
                                     list_loading=lambda: self.model.loading, parent=self,
                                     painted=None if runner.immediate else self.table.viewport())
        self.splitter = QSplitter(Qt.Orientation.Horizontal)
        self.splitter.addWidget(self.table)
        self.splitter.addWidget(self.detail)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)
        self.splitter.setChildrenCollapsible(False)
        layout.addWidget(self.splitter, 1)

        # wiring
        self._filter_timer = QTimer(self)
        self._filter_timer.setSingleShot(True)
        self._filter_timer.setInterval(0)  # coalesced in the model, not delayed
        self._filter_timer.timeout.connect(self.apply_filter)
        self.filter_edit.textChanged.connect(lambda _: self._filter_timer.start())
        self.filter_edit.returnPressed.connect(self._focus_table)
        self.status_combo.currentIndexChanged.connect(self.apply_filter)
        self.priority_combo.currentIndexChanged.connect(self.apply_filter)
        self.major_check.toggled.connect(self.apply_filter)
        self.model.loaded.connect(self._on_loaded)
        # a new sort (or any fresh start of the rows) keeps the incident the user is on
        self.model.modelAboutToBeReset.connect(self._remember_current)
        self.model.loading_failed.connect(
            lambda msg: self.status_message.emit(sentence("Could not load", msg)))
        self.table.selectionModel().currentRowChanged.connect(self._on_current_changed)
        self.table.open_requested.connect(self.open_current)
        self.detail.note_submitted.connect(self.add_note)
        self.incident_actions.new_requested.connect(self.new_incident)
        self.incident_actions.edit_requested.connect(self.edit_current)
        self.incident_actions.status_requested.connect(self.change_status)
        shortcut(self, QKeySequence.StandardKey.Find, self.focus_filter, "Incidents: filter the list",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "/", self.focus_filter, "Incidents: filter the list",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self, "Ctrl+Shift+N", self.detail.note.setFocus, "Incidents: write a note into the timeline",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        shortcut(self.detail, Qt.Key.Key_Escape, self._focus_table,
                 "Incidents: from the detail back to the list",
                 context=Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self.tick)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(5000)
        self._poll_timer.timeout.connect(self.poll_changes)
        self._live = False  # team mode's change feed drives the reloads instead (go_live)
        if read_only:
            self.incident_actions.new.setEnabled(False)
            self.detail.note.setEnabled(False)
            self.detail.note.setPlaceholderText("Read-only database: notes cannot be saved")

    @property
    def _incidents(self) -> IncidentService:
        return self._ctx.incidents

    @property
    def _catalog(self) -> CatalogService:
        return self._ctx.catalog

    @property
    def _settings(self) -> SettingsService:
        return self._ctx.settings

    # -- loading ---------------------------------------------------------------------------
    def start(self) -> None:
        self.model.loaded.connect(self._remember_first_marker, Qt.ConnectionType.SingleShotConnection)
        self.apply_filter()
        self._tick_timer.start()
        if not self._live:
            self._poll_timer.start()

    def _remember_first_marker(self, _total: int) -> None:
        """How the data looked when the first page was read: read with that page when it came
        from the start-up reader (the next poll compares), else asked for now."""
        if self.model.first_marker is not None:
            self._marker = self.model.first_marker
        else:
            QTimer.singleShot(0, self, self.poll_changes)

    def current_query(self) -> IncidentQuery:
        header = self.table.horizontalHeader()
        from imdesk.qt.incidents.table_model import SORT_KEY

        return IncidentQuery(
            text=self.filter_edit.text(),
            statuses=STATUS_FILTERS[self.status_combo.currentIndex()][1],
            priorities=PRIORITY_FILTERS[self.priority_combo.currentIndex()][1],
            major_only=self.major_check.isChecked(),
            sort=SORT_KEY[header.sortIndicatorSection()],
            descending=header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder,
        )

    def apply_filter(self) -> None:
        self._filter_timer.stop()
        self._pending_select = self._pending_select or self.current_ref()
        self.model.set_query(self.current_query())

    def reload(self) -> None:
        self._pending_select = self._pending_select or self.current_ref()
        self.model.reload()

    def _remember_current(self) -> None:
        self._pending_select = self._pending_select or self.current_ref()

    def _on_loaded(self, total: int) -> None:
        self._details.hold()  # the detail these rows ask for is read once they are painted
        self.count_label.setText(count_text(total))
        ref, self._pending_select = self._pending_select, None
        if ref is None and self.model.kept_rows:
            ref = self.current_ref()  # the same rows again (a second ask): stay where we are
        written, self._just_written = self._just_written, None
        row = self.model.row_of(ref) if ref else -1
        if row < 0 and self.model.rowCount() and (ref is None or ref != written):
            row = 0  # the incident shown before is not in this list: show the first one
        if row >= 0 and self.model.kept_rows and row == self.table.currentIndex().row():
            # the same rows came back, changed in place: the view keeps its row and scroll
            # position; the detail is read again only when its incident changed
            state = self.model.state_at(row)
            if state is not None and state != self.detail.state:
                self._load_detail(state.ref)
        elif row >= 0:
            index = self.model.index(row, 0)
            self.table.selectionModel().setCurrentIndex(
                index, QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows)
            self.table.scrollTo(index)  # the current-row signal loads the detail
        elif ref is not None and ref == written:  # just saved but outside the filter: show it
            self.table.clearSelection()
            self._load_detail(ref)
        else:
            self.table.clearSelection()
            self._show_detail(None)
        self._details.list_loaded()

    def poll_changes(self) -> None:
        """Pick up changes made elsewhere (the command line, another desk on PostgreSQL)."""
        if self._runner.pending:
            return

        def compare(marker: tuple[int, datetime | None]) -> None:
            if self._marker is not None and marker != self._marker:
                self.reload()
                self.data_changed.emit()
            self._marker = marker

        ctx = self._ctx
        self._runner.run(lambda: ctx.incidents.change_marker(), compare, lambda _exc: None)

    def live_changes(self, refs: frozenset[str] | None) -> None:
        """Another desk changed incidents (None: anything may have changed): read the page
        again, and the detail when its incident is among them."""
        self.reload()
        current = self.detail.state.ref if self.detail.state is not None else None
        if current is not None and (refs is None or current in refs):
            self._load_detail(current)

    def go_live(self) -> None:
        """Team mode's change feed (qt/team) tells of changes: the 5 s marker poll stops."""
        self._live = True
        self._poll_timer.stop()

    def show_fresh(self, ref: str, message: str) -> None:
        """A change refused as stale: read the incident again and show why (after the read)."""
        ctx = self._ctx

        def done(detail: Detail) -> None:
            self._show_detail(detail)
            self.detail.show_error(message)

        self._runner.run(lambda: ctx.incidents.detail(ref, last=DETAIL_ENTRIES), done,
                         lambda _exc: self.detail.show_error(message))

    def current_ref(self) -> str | None:
        index = self.table.currentIndex()
        state = self.model.state_at(index.row()) if index.isValid() else None
        return state.ref if state else None

    def _on_current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        state = self.model.state_at(current.row()) if current.isValid() else None
        if state is None:
            self._show_detail(None)
            return
        self.incident_actions.update_for(state)
        if state != self.detail.state:  # else the detail on screen is that of this very row
            self._load_detail(state.ref)

    def _load_detail(self, ref: str) -> None:
        self._details.load(ref)

    def _show_detail(self, detail: Detail | None) -> None:
        if detail is None:
            self.detail.show_incident(None, [], None)
            self.incident_actions.update_for(None)
            return
        self.detail.show_incident(detail.incident, detail.timeline, self._ctx.now())
        self.model.update_row(detail.incident)
        self.incident_actions.update_for(None if self._read_only else detail.incident)

    def tick(self) -> None:
        now = self._ctx.now()
        viewport = self.table.viewport()
        first = self.table.rowAt(0)
        last = self.table.rowAt(viewport.height() - 1)
        if last < 0:
            last = self.model.rowCount() - 1
        self.model.tick(now, first, last)
        self.detail.tick(now)

    def show_incident(self, ref: str) -> None:
        """Select it if the list shows it; show its detail either way."""
        row = self.model.row_of(ref)
        if row >= 0 and row == self.table.currentIndex().row():
            self._load_detail(ref)  # already selected: read it again (it may have changed)
        elif row >= 0:
            self.table.selectRow(row)
        else:
            self.table.clearSelection()
            self._load_detail(ref)

    # -- keyboard --------------------------------------------------------------------------
    def focus_default(self) -> None:
        """Where the keys go when the pane comes on screen: the list, or its filter when empty."""
        (self.table if self.model.rowCount() else self.filter_edit).setFocus()

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    def _focus_table(self) -> None:
        self.table.setFocus()

    def open_current(self) -> None:
        if self.detail.state is not None:
            first = next((b for b in self.detail.buttons if b.isEnabled() and b.isVisible()), None)
            (first or self.detail.note).setFocus()

    def _written(self, ref: str, message: str) -> None:
        self._pending_select = ref
        self._just_written = ref
        self.status_message.emit(message)
        query = self.current_query()
        self.model.set_query(replace(query), keep=self.model.rowCount())
        self.data_changed.emit()
