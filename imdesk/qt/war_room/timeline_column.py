"""A war room's timeline column: a filter by kind of entry, and the lines (newest last, older
pages fetched as the user scrolls up, new lines kept in view)."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QAbstractItemView, QComboBox, QHBoxLayout, QTreeView, QVBoxLayout, QWidget

from imdesk.qt.tasks import TaskRunner
from imdesk.qt.war_room.timeline_delegate import CachedHeightDelegate
from imdesk.qt.war_room.timeline_model import EntryRole, RoomTimelineModel
from imdesk.qt.widgets.labels import plain_label
from imdesk.services.war_room import WarRoomService

FILTERS = (("All entries", ()), ("Notes", ("note",)), ("Actions", ("action", "action_item")),
           ("Decisions", ("decision",)), ("Communication", ("communication",)),
           ("Roles and people", ("role", "participant")), ("Status and changes",
                                                          ("status", "priority", "edit", "major")))


class _Lines(QTreeView):
    """The timeline's lines: a tree view of one level without a header, not a list view. A list
    view lays out every line again on each insert (a size question per line, hundreds per new
    line); a tree view measures only the lines it shows, so it is told to measure again when
    its width changes (the lines wrap differently)."""

    def __init__(self) -> None:
        super().__init__()
        self.setHeaderHidden(True)
        self.setRootIsDecorated(False)
        self.setIndentation(0)
        self.setUniformRowHeights(False)
        # the scroll bar always there: lines never wrap again because it came or went
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOn)
        self._width = -1

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if event.size().width() != self._width:
            self._width = event.size().width()
            self.doItemsLayout()  # the heights measured at the old width go


class RoomTimelineColumn(QWidget):
    def __init__(self, service: WarRoomService, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        filter_row.addWidget(plain_label("Timeline", selectable=False))
        filter_row.addStretch(1)
        self.kind_filter = QComboBox()
        for label, _kinds in FILTERS:
            self.kind_filter.addItem(label)
        filter_row.addWidget(self.kind_filter)
        layout.addLayout(filter_row)
        self.model = RoomTimelineModel(service, runner, self)
        self.timeline = _Lines()
        self.timeline.setModel(self.model)
        self.delegate = CachedHeightDelegate(self.timeline, self.model)
        self.timeline.setItemDelegate(self.delegate)
        self.model.modelReset.connect(self.delegate.forget)
        self.timeline.setWordWrap(True)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Only the user's own scrolling asks for older lines (not a relayout passing the top).
        self.timeline.verticalScrollBar().actionTriggered.connect(
            lambda _action: QTimer.singleShot(0, self, self._maybe_fetch_older))
        self.model.appended.connect(self._follow_end)
        layout.addWidget(self.timeline, 1)

    def kinds(self) -> tuple[str, ...]:
        """The kinds of entry the filter shows (empty: all)."""
        return FILTERS[self.kind_filter.currentIndex()][1]

    def _maybe_fetch_older(self) -> None:
        bar = self.timeline.verticalScrollBar()
        if bar.value() == bar.minimum() and self.model.can_fetch_older():
            self.model.fetch_older()

    def _follow_end(self, _count: int) -> None:
        """New lines arrive at the bottom: keep them in view — in the frame that shows them
        (scrolling lays the list out first), and once more after this pass of the event loop
        (a view being shown or resized lays out again)."""
        self.timeline.scrollToBottom()
        QTimer.singleShot(0, self.timeline, self.timeline.scrollToBottom)  # not once it is gone

    def show_entry(self, seq: int) -> None:
        """Select a line once the model holds it (older pages are fetched, newer read)."""
        model = self.model

        def attempt(tries: int = 40) -> None:
            row = model.row_of_seq(seq) if model.rowCount() else -1
            if row >= 0:
                index = model.index(row)
                self.timeline.setCurrentIndex(index)
                self.timeline.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
                self.timeline.setFocus()
            elif tries:
                if seq > model.last_seq():
                    model.refresh()  # written since the room was read
                elif model.rowCount() and model.can_fetch_older() and \
                        seq < model.index(0).data(EntryRole).seq:
                    model.fetch_older()
                QTimer.singleShot(50, self.timeline, lambda: attempt(tries - 1))

        attempt()
