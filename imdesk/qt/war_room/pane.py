"""The War rooms pane: the open major incidents, and for the chosen one its header (clocks,
bridge, situation), the timeline (newest last), roles, people, action items and the composer."""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.composer import parse_action, parse_line
from imdesk.domain.errors import StaleStateError, ValidationError
from imdesk.domain.incident import IncidentState
from imdesk.domain.timeline import USER_KINDS, TimelineEntry
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.war_room.commands import RoomCommands
from imdesk.qt.war_room.header import RoomHeader, hash_line
from imdesk.qt.war_room.room_list import RoomListModel
from imdesk.qt.war_room.side import ROLE_KEYS, RoomSide
from imdesk.qt.war_room.timeline_column import RoomTimelineColumn
from imdesk.qt.war_room.timeline_model import (
    EntryRole,
    kind_style,
)
from imdesk.qt.widgets.keys import shortcut
from imdesk.qt.widgets.labels import plain_label
from imdesk.services.incidents import IncidentService
from imdesk.services.war_room import Room, WarRoomService

COMPOSER_KINDS = tuple(k.value for k in USER_KINDS)  # Ctrl+1..4


class WarRoomPane(RoomCommands):
    """Signals: data_changed(); status_message(str); rooms_changed(int open rooms)."""

    data_changed = Signal()
    status_message = Signal(str)
    rooms_changed = Signal(int)
    room_shown = Signal(str)  # the incident whose room is on screen
    room_left = Signal(str)   # the room on screen closed (its incident resolved, closed, cancelled)

    def __init__(self, service: WarRoomService, incidents: IncidentService, runner: TaskRunner,
                 parent: QWidget | None = None, *, read_only: bool = False) -> None:
        super().__init__(parent)
        self._service = service
        self._incidents = incidents
        self._runner = runner
        self._read_only = read_only
        self._room: Room | None = None
        self._kind = "note"
        self._wanted_ref: str | None = None
        self._correcting: int | None = None

        outer = QHBoxLayout(self)
        outer.setContentsMargins(8, 8, 8, 0)
        outer.setSpacing(8)
        self.room_list_model = RoomListModel()
        self.room_list = QListView()
        self.room_list.setModel(self.room_list_model)
        self.room_list.setFixedWidth(230)
        self.room_list.setSpacing(2)
        self.room_list.setWordWrap(True)
        self.room_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.room_list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        outer.addWidget(self.room_list)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack, 1)
        self.empty = plain_label("No major incident is open.\n\nDeclare one from the Incidents pane: "
                                 "select the incident and press Ctrl+Shift+M.", wrap=True,
                                 selectable=False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(placeholder-text); padding: 40px;")
        self.stack.addWidget(self.empty)
        self.room_widget = QWidget()
        self.stack.addWidget(self.room_widget)
        self._build_room(self.room_widget)

        self.room_list.selectionModel().currentRowChanged.connect(self._on_room_chosen)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(1000)
        self._tick_timer.timeout.connect(self.tick)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(2000)
        self._poll_timer.timeout.connect(self.poll)

    # -- building ----------------------------------------------------------------------------
    def _build_room(self, host: QWidget) -> None:
        layout = QVBoxLayout(host)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        self.header = RoomHeader()
        layout.addWidget(self.header)
        h = self.header
        self.title, self.update_clock, self.handover_clock = h.title, h.update_clock, h.handover_clock
        self.bridge, self.can, self.edit_situation_button = h.bridge, h.can, h.edit_situation_button
        h.copy_bridge.clicked.connect(lambda: self._copy(self._room.state.bridge if self._room else ""))
        h.change_bridge.clicked.connect(self.edit_bridge)
        h.edit_situation_button.clicked.connect(self.edit_situation)

        split = QSplitter(Qt.Orientation.Horizontal)
        self.column = RoomTimelineColumn(self._service, self._runner)
        self.column.kind_filter.currentIndexChanged.connect(self._reopen_timeline)
        self.kind_filter, self.timeline, self.timeline_model = (self.column.kind_filter, self.column.timeline,
                                                                self.column.model)
        split.addWidget(self.column)
        split.addWidget(self._build_side())
        split.setStretchFactor(0, 3)
        split.setStretchFactor(1, 2)
        layout.addWidget(split, 1)

        composer = QHBoxLayout()
        self.kind_label = plain_label(selectable=False)
        self.kind_label.setMinimumWidth(140)
        self.composer = QLineEdit()
        self.composer.setPlaceholderText("Type and press Enter · Ctrl+1 note · Ctrl+2 action · "
                                         "Ctrl+3 decision · Ctrl+4 communication · !decision · "
                                         "@10:42 happened then · F2 on a line corrects it")
        self.composer.returnPressed.connect(self.submit)
        composer.addWidget(self.kind_label)
        composer.addWidget(self.composer, 1)
        layout.addLayout(composer)
        self.error = plain_label(wrap=True)
        self.error.setStyleSheet("color: #d32f2f;")
        self.error.hide()
        layout.addWidget(self.error)
        self.head_hash = hash_line()
        layout.addWidget(self.head_hash)

        within = Qt.ShortcutContext.WidgetWithChildrenShortcut
        for number, kind in enumerate(COMPOSER_KINDS, start=1):
            shortcut(self, f"Ctrl+{number}", partial(self.set_kind, kind),
                     f"War room: the next line is a {kind}", context=within)
        shortcut(self, "Ctrl+Shift+E", self.edit_situation,
                 "War room: edit the situation and business impact", context=within)
        shortcut(self.timeline, Qt.Key.Key_F2, self.start_correction, "War room: correct the selected line",
                 context=Qt.ShortcutContext.WidgetShortcut)
        shortcut(self, Qt.Key.Key_Escape, self._escape,
                 "War room: back to the composer (in the composer: cancel a correction)", context=within)
        shortcut(self.composer, Qt.Key.Key_F2, self.correct_last,
                 "War room: from the composer, correct the last line",
                 context=Qt.ShortcutContext.WidgetShortcut)
        self.side.key_hints()
        shortcut(self.actions_view, Qt.Key.Key_Space, self.action_done,
                 "War room: the selected action item is done", context=Qt.ShortcutContext.WidgetShortcut)
        for key, target, what in (
                ("Alt+L", self.timeline, "to the timeline"),
                ("Alt+D", self.header.copy_bridge, "to the bridge (Enter copies it)"),
                ("Alt+A", self.actions_view, "to the action items (Space: done)"),
                ("Alt+N", self.new_action, "write a new action item"),
                ("Alt+R", self.person, "who joined (Enter) the room"),
                *((k, self.role_edits[r], f"hand {r.label} over") for r, k in ROLE_KEYS.items())):
            shortcut(self, key, target.setFocus, f"War room: {what}", context=within)
        self.set_kind("note")

    def _build_side(self) -> QWidget:
        side = self.side = RoomSide()
        self.role_labels, self.role_edits = side.role_labels, side.role_edits
        self.people, self.person = side.people, side.person
        self.actions_view, self.actions_model, self.new_action = (side.actions_view, side.actions_model,
                                                                  side.new_action)
        for role, edit in side.role_edits.items():
            edit.returnPressed.connect(lambda r=role, e=edit: self.assign(r, e))
        side.person.returnPressed.connect(lambda: self.person_moves(joined=True))
        side.leave.clicked.connect(lambda: self.person_moves(joined=False))
        side.new_action.returnPressed.connect(self.add_action)
        side.done.clicked.connect(self.action_done)
        return side

    # -- rooms -------------------------------------------------------------------------------
    def start(self) -> None:
        self.reload_rooms()
        self._tick_timer.start()
        self._poll_timer.start()

    def reload_rooms(self, select: str | None = None) -> None:
        self._wanted_ref = select or (self._room.incident.ref if self._room else None)
        self._runner.run(self._service.open_rooms, self._rooms_loaded,
                         lambda exc: self.status_message.emit(sentence("Could not list war rooms", exc)))

    def _rooms_loaded(self, rooms: list[IncidentState]) -> None:
        self.room_list_model.set_rooms(rooms)
        self.rooms_changed.emit(len(rooms))
        refs = [r.ref for r in rooms]
        shown = self._room.incident.ref if self._room is not None else None
        if shown is not None and shown not in refs and self.isVisible():
            # the room on screen is gone: stay with its incident, not in another room
            self._room = None
            self.timeline_model.clear()
            self.stack.setCurrentWidget(self.empty)
            self.room_left.emit(shown)
            return
        wanted = self._wanted_ref if self._wanted_ref in refs else (refs[0] if refs else None)
        if wanted is None:
            self._room = None
            self.timeline_model.clear()
            self.stack.setCurrentWidget(self.empty)
            return
        self.room_list.setCurrentIndex(self.room_list_model.index(refs.index(wanted)))
        if self._room is None or self._room.incident.ref != wanted or \
                self.stack.currentWidget() is not self.room_widget:
            self.open_room(wanted)

    def _on_room_chosen(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            ref = self.room_list_model.rooms[current.row()].ref
            if self._room is None or self._room.incident.ref != ref:
                self.open_room(ref)

    def open_room(self, ref: str) -> None:
        self.stack.setCurrentWidget(self.room_widget)
        if self.timeline_model.ref != ref:
            self.error.hide()
            self.timeline_model.open(ref, self.column.kinds())
        self._runner.run(lambda: self._service.room(ref), self._show_room,
                         lambda exc: self.status_message.emit(sentence(f"Could not open {ref}", exc)))
        if self.isVisible():  # a room read again behind another pane takes no keys
            self.composer.setFocus()

    def _reopen_timeline(self) -> None:
        if self._room is not None:
            self.timeline_model.open(self._room.incident.ref,
                                     self.column.kinds())

    def _show_room(self, room: Room) -> None:
        self._room = room
        if self.isVisible():
            self.room_shown.emit(room.incident.ref)
        self.header.show_room(room, read_only=self._read_only)
        self.side.show_room(room, self._service.now(), read_only=self._read_only)
        self.head_hash.setText(f"chain head {room.incident.head_hash}")
        self.composer.setEnabled(not self._read_only)
        self.tick()

    # -- clocks ------------------------------------------------------------------------------
    def tick(self) -> None:
        room = self._room
        if room is None:
            return
        now = self._service.now()
        self.timeline_model.tick(now)
        self.header.show_clocks(room, now)

    def poll(self) -> None:
        if self._room is None or self._runner.pending:
            return
        self.timeline_model.refresh()
        ref = self._room.incident.ref
        self._runner.run(lambda: self._service.room(ref), self._maybe_update_room, lambda _e: None)

    def _maybe_update_room(self, room: Room) -> None:
        if self._room is not None and room.incident.ref == self._room.incident.ref and (
                room.state != self._room.state or room.incident != self._room.incident):
            self._show_room(room)

    # -- composing ---------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        self._kind = kind
        symbol, color = kind_style(kind)
        text, style = f"{symbol} {kind}", f"color:{color.name()}; font-weight:bold;"
        if self.kind_label.text() != text:
            self.kind_label.setText(text)
        if self.kind_label.styleSheet() != style:  # (each line written sets the note again)
            self.kind_label.setStyleSheet(style)

    def submit(self) -> None:
        if self._room is None or self._read_only:
            return
        try:
            line = parse_line(self.composer.text(), self._kind, self._service.now().astimezone())
        except ValidationError as exc:
            self._fail(sentence("Not saved", exc.message, "Your text is still there"))
            return
        if not line.text:
            self._fail("An entry needs some text.")
            return
        ref, service, corrects = self._room.incident.ref, self._incidents, self._correcting
        if line.kind == "action" and corrects is None:
            # an action line is an action item (owner after @, due after ~), one thing, not two
            item = parse_action(line.text, self._service.now().astimezone())
            self._run(lambda r: self._service.add_action(r, item.text, owner=item.owner, due=item.due),
                      "action item added", clear=self.composer)
            self.set_kind("note")
            return

        def done(entry: TimelineEntry) -> None:
            self.composer.clear()
            self.error.hide()
            self.cancel_correction()
            self.timeline_model.add_written(entry)
            self.head_hash.setText(f"chain head {entry.hash}")
            if entry.kind == "communication":  # restarts the update clock: read the room
                self._wrote(ref, refresh=False)
            else:  # a line of the log changes nothing else in the room
                self.data_changed.emit()

        self._runner.run(lambda: service.add_entry(ref, line.text, line.kind,
                                                   occurred_at=line.occurred_at,
                                                   supersedes=corrects), done, self._refused)

    def show_entry(self, seq: int) -> None:
        """Select a line once the room's timeline holds it (older pages are fetched)."""
        self.column.show_entry(seq)

    def start_correction(self) -> None:
        """F2 on a line: the composer takes its text; Enter writes the correction, which
        supersedes it (the original stays, struck through). Esc cancels."""
        index = self.timeline.currentIndex()
        entry = index.data(EntryRole) if index.isValid() else None
        if entry is None or entry.kind not in COMPOSER_KINDS:
            self._fail("Select a note, action, decision or communication to correct it.")
            return
        self._correcting = entry.seq
        self.set_kind(entry.kind)
        self.kind_label.setText(f"{self.kind_label.text()} · correcting #{entry.seq}")
        self.composer.setText(entry.text)
        self.composer.setFocus()

    def correct_last(self) -> None:
        """F2 in the composer: correct the newest line that can be corrected."""
        model = self.timeline_model
        for row in range(model.rowCount() - 1, -1, -1):
            entry = model.index(row).data(EntryRole)
            if entry is not None and entry.kind in COMPOSER_KINDS:
                self.timeline.setCurrentIndex(model.index(row))
                self.start_correction()
                return
        self._fail("No note, action, decision or communication to correct yet.")

    def _escape(self) -> None:
        if self.composer.hasFocus() and self._correcting is not None:
            self.cancel_correction()
        else:
            self.composer.setFocus()

    def cancel_correction(self) -> None:
        self._correcting = None
        self.set_kind("note")

    def _refused(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, ValidationError) else str(exc)
        self._fail(sentence("Not saved", message, "Your text is still there"))
        if isinstance(exc, StaleStateError):
            self.poll()  # changed meanwhile by another desk: show the room as it is now

    def _fail(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()

    def _wrote(self, ref: str, *, refresh: bool = True) -> None:
        if refresh:
            self.timeline_model.refresh()
        self._runner.run(lambda: self._service.room(ref), self._show_room, lambda _e: None)
        self.data_changed.emit()

    def _run(self, fn: Any, done_text: str, *, clear: QLineEdit | None = None) -> None:
        if self._room is None or self._read_only:
            return
        ref = self._room.incident.ref

        def done(_result: object) -> None:
            if clear is not None:
                clear.clear()
            self.error.hide()
            self.status_message.emit(done_text)
            self._wrote(ref)

        self._runner.run(lambda: fn(ref), done, self._refused)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._room is not None:
            self.room_shown.emit(self._room.incident.ref)

    def focus_default(self) -> None:
        """Where the keys go when the pane comes on screen: the composer of the shown room."""
        (self.composer if self._room is not None else self.room_list).setFocus()

    def current_room(self) -> Room | None:
        return self._room

    def now(self) -> datetime:
        return self._service.now()
