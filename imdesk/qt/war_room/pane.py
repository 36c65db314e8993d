"""The War rooms pane: the open major incidents, and for the chosen one its header (clocks,
bridge, situation), the timeline (newest last), roles, people, action items and the composer."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QPersistentModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QFontDatabase, QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.composer import parse_action, parse_line
from imdesk.domain.errors import ValidationError
from imdesk.domain.incident import IncidentState
from imdesk.domain.sla import SlaState, format_duration
from imdesk.domain.timefmt import friendly
from imdesk.domain.timeline import USER_KINDS, TimelineEntry
from imdesk.domain.war_room import ActionStatus, Clock, ClockState, Role
from imdesk.qt import theme
from imdesk.qt.incidents.detail import plain_label
from imdesk.qt.tasks import TaskRunner
from imdesk.qt.war_room.timeline_model import (
    CachedHeightDelegate,
    EntryRole,
    RoomTimelineModel,
    kind_style,
)
from imdesk.services.incidents import IncidentService
from imdesk.services.war_room import Room, WarRoomService

COMPOSER_KINDS = tuple(k.value for k in USER_KINDS)  # Ctrl+1..4
FILTERS = (("All entries", ()), ("Notes", ("note",)), ("Actions", ("action", "action_item")),
           ("Decisions", ("decision",)), ("Communication", ("communication",)),
           ("Roles and people", ("role", "participant")), ("Status and changes",
                                                          ("status", "priority", "edit", "major")))


class RoomListModel(QAbstractListModel):
    def __init__(self) -> None:
        super().__init__()
        self.rooms: list[IncidentState] = []

    def set_rooms(self, rooms: list[IncidentState]) -> None:
        self.beginResetModel()
        self.rooms = rooms
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.rooms)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or index.row() >= len(self.rooms):
            return None
        st = self.rooms[index.row()]
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{st.ref} · {st.priority.value} · {st.status.label}\n{st.title}"
        if role == Qt.ItemDataRole.ForegroundRole:
            return theme.priority_color(st.priority)
        return None


def clock_text(clock: Clock) -> str:
    if clock.remaining is None:
        return f"{clock.name}: —"
    if clock.state == ClockState.OVERDUE:
        return f"✖ {clock.name} overdue by {format_duration(-clock.remaining)}"
    symbol = "▲ " if clock.state == ClockState.DUE_SOON else ""
    return f"{symbol}{clock.name} in {format_duration(clock.remaining)}"


class WarRoomPane(QWidget):
    """Signals: data_changed(); status_message(str); rooms_changed(int open rooms)."""

    data_changed = Signal()
    status_message = Signal(str)
    rooms_changed = Signal(int)

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
        head = QHBoxLayout()
        self.title = plain_label(wrap=True)
        font = QFont(self.title.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        self.title.setFont(font)
        head.addWidget(self.title, 1)
        self.update_clock = plain_label(selectable=False)
        self.handover_clock = plain_label(selectable=False)
        clocks = QVBoxLayout()
        clocks.setSpacing(2)
        clocks.addWidget(self.update_clock, 0, Qt.AlignmentFlag.AlignRight)
        clocks.addWidget(self.handover_clock, 0, Qt.AlignmentFlag.AlignRight)
        head.addLayout(clocks)
        layout.addLayout(head)
        self.elapsed = plain_label(selectable=False)
        layout.addWidget(self.elapsed)

        bridge_row = QHBoxLayout()
        self.bridge = plain_label()
        bridge_font = QFont(self.bridge.font())
        bridge_font.setPointSizeF(bridge_font.pointSizeF() * 1.25)
        self.bridge.setFont(bridge_font)
        self.copy_bridge = QPushButton("Copy")
        self.copy_bridge.setToolTip("Copy the bridge number or link")
        self.copy_bridge.clicked.connect(lambda: self._copy(self._room.state.bridge if self._room else ""))
        self.change_bridge = QPushButton("Change…")
        self.change_bridge.clicked.connect(self.edit_bridge)
        bridge_row.addWidget(self.bridge, 1)
        bridge_row.addWidget(self.copy_bridge)
        bridge_row.addWidget(self.change_bridge)
        layout.addLayout(bridge_row)

        situation = QGridLayout()
        situation.setHorizontalSpacing(12)
        situation.setVerticalSpacing(2)
        self.can: dict[str, QLabel] = {}
        for col, (key, label) in enumerate((("conditions", "Conditions"), ("actions", "Actions"),
                                            ("needs", "Needs"), ("impact", "Business impact"))):
            title = plain_label(label, selectable=False)
            title.setStyleSheet("font-weight: bold;")
            value = plain_label(wrap=True)
            value.setMinimumWidth(120)
            situation.addWidget(title, 0, col)
            situation.addWidget(value, 1, col, Qt.AlignmentFlag.AlignTop)
            self.can[key] = value
        self.edit_situation_button = QPushButton("Edit situation… (Ctrl+Shift+E)")
        self.edit_situation_button.clicked.connect(self.edit_situation)
        situation.addWidget(self.edit_situation_button, 0, 4)
        layout.addLayout(situation)

        split = QSplitter(Qt.Orientation.Horizontal)
        left = QWidget()
        left_layout = QVBoxLayout(left)
        left_layout.setContentsMargins(0, 0, 0, 0)
        filter_row = QHBoxLayout()
        filter_row.addWidget(plain_label("Timeline", selectable=False))
        filter_row.addStretch(1)
        self.kind_filter = QComboBox()
        for label, _kinds in FILTERS:
            self.kind_filter.addItem(label)
        self.kind_filter.currentIndexChanged.connect(self._reopen_timeline)
        filter_row.addWidget(self.kind_filter)
        left_layout.addLayout(filter_row)
        self.timeline_model = RoomTimelineModel(self._service, self._runner, self)
        self.timeline = QListView()
        self.timeline.setModel(self.timeline_model)
        self.timeline_delegate = CachedHeightDelegate(self.timeline)
        self.timeline.setItemDelegate(self.timeline_delegate)
        self.timeline_model.modelReset.connect(self.timeline_delegate.forget)
        self.timeline.setWordWrap(True)
        self.timeline.setUniformItemSizes(False)
        self.timeline.setAlternatingRowColors(True)
        self.timeline.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # Only the user's own scrolling asks for older lines (not a relayout passing the top).
        self.timeline.verticalScrollBar().actionTriggered.connect(
            lambda _action: QTimer.singleShot(0, self._maybe_fetch_older))
        self.timeline_model.appended.connect(self._follow_end)
        left_layout.addWidget(self.timeline, 1)
        split.addWidget(left)
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
        self.head_hash = plain_label()
        self.head_hash.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.SmallestReadableFont))
        self.head_hash.setToolTip("Head of this incident's hash chain: quote it in reports; "
                                  "`imdesk timeline verify` proves nothing before it changed")
        layout.addWidget(self.head_hash)

        for number, kind in enumerate(COMPOSER_KINDS, start=1):
            QShortcut(QKeySequence(f"Ctrl+{number}"), self,
                      activated=lambda k=kind: self.set_kind(k))
        QShortcut(QKeySequence("Ctrl+Shift+E"), self, activated=self.edit_situation)
        QShortcut(QKeySequence(Qt.Key.Key_F2), self.timeline, activated=self.start_correction)
        QShortcut(QKeySequence(Qt.Key.Key_Escape), self.composer, activated=self.cancel_correction)
        self.set_kind("note")

    def _build_side(self) -> QWidget:
        side = QWidget()
        layout = QVBoxLayout(side)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(self._heading("Roles"))
        roles = QGridLayout()
        self.role_labels: dict[Role, QLabel] = {}
        self.role_edits: dict[Role, QLineEdit] = {}
        for row, role in enumerate(Role):
            roles.addWidget(plain_label(role.label, selectable=False), row, 0)
            holder = plain_label()
            self.role_labels[role] = holder
            roles.addWidget(holder, row, 1)
            edit = QLineEdit()
            edit.setPlaceholderText("hand over to… (Enter)")
            edit.returnPressed.connect(lambda r=role, e=edit: self.assign(r, e))
            self.role_edits[role] = edit
            roles.addWidget(edit, row, 2)
        layout.addLayout(roles)
        layout.addWidget(self._heading("In the room"))
        self.people = plain_label(wrap=True)
        layout.addWidget(self.people)
        people_row = QHBoxLayout()
        self.person = QLineEdit()
        self.person.setPlaceholderText("name — Enter: joins")
        self.person.returnPressed.connect(lambda: self.person_moves(joined=True))
        leave = QPushButton("Left")
        leave.clicked.connect(lambda: self.person_moves(joined=False))
        people_row.addWidget(self.person, 1)
        people_row.addWidget(leave)
        layout.addLayout(people_row)
        layout.addWidget(self._heading("Action items"))
        self.actions_view = QListView()
        self.actions_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        from PySide6.QtGui import QStandardItemModel

        self.actions_model = QStandardItemModel(self)
        self.actions_view.setModel(self.actions_model)
        layout.addWidget(self.actions_view, 1)
        action_row = QHBoxLayout()
        self.new_action = QLineEdit()
        self.new_action.setPlaceholderText("new action — text @owner ~11:30 (Enter)")
        self.new_action.returnPressed.connect(self.add_action)
        done = QPushButton("Done")
        done.setToolTip("Mark the selected action item done")
        done.clicked.connect(self.action_done)
        action_row.addWidget(self.new_action, 1)
        action_row.addWidget(done)
        layout.addLayout(action_row)
        return side

    @staticmethod
    def _heading(text: str) -> QLabel:
        label = plain_label(text, selectable=False)
        label.setStyleSheet("font-weight: bold; margin-top: 4px;")
        return label

    # -- rooms -------------------------------------------------------------------------------
    def start(self) -> None:
        self.reload_rooms()
        self._tick_timer.start()
        self._poll_timer.start()

    def reload_rooms(self, select: str | None = None) -> None:
        self._wanted_ref = select or (self._room.incident.ref if self._room else None)
        self._runner.run(self._service.open_rooms, self._rooms_loaded,
                         lambda exc: self.status_message.emit(f"Could not list war rooms: {exc}"))

    def _rooms_loaded(self, rooms: list[IncidentState]) -> None:
        self.room_list_model.set_rooms(rooms)
        self.rooms_changed.emit(len(rooms))
        refs = [r.ref for r in rooms]
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
            self.timeline_model.open(ref, FILTERS[self.kind_filter.currentIndex()][1])
        self._runner.run(lambda: self._service.room(ref), self._show_room,
                         lambda exc: self.status_message.emit(f"Could not open {ref}: {exc}"))
        self.composer.setFocus()

    def _reopen_timeline(self) -> None:
        if self._room is not None:
            self.timeline_model.open(self._room.incident.ref,
                                     FILTERS[self.kind_filter.currentIndex()][1])

    def _show_room(self, room: Room) -> None:
        self._room = room
        st, inc = room.state, room.incident
        self.title.setText(f"{inc.ref} · {inc.priority.value} · {inc.status.label} · {inc.title}")
        self.bridge.setText(f"☎ Bridge: {st.bridge}" if st.bridge else "☎ No bridge recorded yet")
        self.copy_bridge.setEnabled(bool(st.bridge))
        for key, label in self.can.items():
            label.setText(getattr(st.situation, key) or "—")
        for role, label in self.role_labels.items():
            holder = st.roles.get(role)
            label.setText(f"{holder.name} (since {friendly(holder.since, self._service.now())})"
                          if holder else "— unassigned")
        self.people.setText(", ".join(st.present) or "nobody recorded yet")
        self._show_actions(room)
        self.head_hash.setText(f"chain head {inc.head_hash}")
        for widget in (self.composer, self.new_action, self.person, self.change_bridge,
                       self.edit_situation_button, *self.role_edits.values()):
            widget.setEnabled(not self._read_only)
        self.tick()

    def _show_actions(self, room: Room) -> None:
        from PySide6.QtGui import QStandardItem

        now = self._service.now()
        self.actions_model.clear()
        for item in sorted(room.state.actions.values(),
                           key=lambda a: (a.status != ActionStatus.OPEN, a.number)):
            due = f", due {friendly(item.due, now)}" if item.due else ""
            owner = f" — {item.owner}" if item.owner else ""
            mark = {"open": "☐", "done": "☑", "dropped": "✗"}[item.status.value]
            overdue = item.overdue(now)
            text = f"{mark} {item.number}. {item.text}{owner}{due}" + (" — OVERDUE" if overdue else "")
            cell = QStandardItem(text)
            cell.setData(item.number, Qt.ItemDataRole.UserRole)
            if overdue:
                cell.setForeground(theme.sla_color(SlaState.BREACHED))
                font = cell.font()
                font.setBold(True)
                cell.setFont(font)
            elif item.status != ActionStatus.OPEN:
                cell.setForeground(self.palette().placeholderText().color())
            self.actions_model.appendRow(cell)

    # -- clocks ------------------------------------------------------------------------------
    def tick(self) -> None:
        room = self._room
        if room is None:
            return
        now = self._service.now()
        self.timeline_model.tick(now)
        from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY, handover_clock, update_clock

        update = update_clock(room.state, DEFAULT_UPDATE_POLICY[room.incident.priority], now)
        handover = handover_clock(room.state, now)
        declared = room.state.declared_at
        self.elapsed.setText(
            f"{self._hms(now - declared)} since declared ({friendly(declared, now)})"
            if declared else "not declared")
        self._style_clock(self.update_clock, update, big=True)
        self._style_clock(self.handover_clock, handover, big=False)

    @staticmethod
    def _hms(delta: timedelta) -> str:
        total = max(0, int(delta.total_seconds()))
        return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"

    def _style_clock(self, label: QLabel, clock: Clock, *, big: bool) -> None:
        label.setText(clock_text(clock))
        font = QFont(self.font())
        font.setBold(clock.state != ClockState.OK)
        if big and clock.state == ClockState.OVERDUE:
            font.setPointSizeF(font.pointSizeF() * 1.8)  # the red clock is the biggest thing
        label.setFont(font)
        color = {ClockState.OVERDUE: "#ffffff", ClockState.DUE_SOON: "#5a3d00"}.get(clock.state)
        background = {ClockState.OVERDUE: "#c62828", ClockState.DUE_SOON: "#ffcc66"}.get(clock.state)
        label.setStyleSheet(f"color:{color}; background:{background}; padding:2px 8px; "
                            "border-radius:4px;" if color else "")

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

    # -- timeline view -----------------------------------------------------------------------
    def _maybe_fetch_older(self) -> None:
        bar = self.timeline.verticalScrollBar()
        if bar.value() == bar.minimum() and self.timeline_model.can_fetch_older():
            self.timeline_model.fetch_older()

    def _follow_end(self, _count: int) -> None:
        """New lines arrive at the bottom: keep them in view (after the layout has run)."""
        QTimer.singleShot(0, self.timeline.scrollToBottom)

    # -- composing ---------------------------------------------------------------------------
    def set_kind(self, kind: str) -> None:
        self._kind = kind
        symbol, color = kind_style(kind)
        self.kind_label.setText(f"{symbol} {kind}")
        self.kind_label.setStyleSheet(f"color:{color.name()}; font-weight:bold;")

    def submit(self) -> None:
        if self._room is None or self._read_only:
            return
        try:
            line = parse_line(self.composer.text(), self._kind, self._service.now().astimezone())
        except ValidationError as exc:
            self._fail(f"Not saved: {exc.message}. Your text is still there.")
            return
        if not line.text:
            self._fail("An entry needs some text.")
            return
        ref, service, corrects = self._room.incident.ref, self._incidents, self._correcting

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
        model = self.timeline_model

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
                QTimer.singleShot(50, lambda: attempt(tries - 1))

        attempt()

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

    def cancel_correction(self) -> None:
        self._correcting = None
        self.set_kind("note")

    def _refused(self, exc: BaseException) -> None:
        message = exc.message if isinstance(exc, ValidationError) else str(exc)
        self._fail(f"Not saved: {message}. Your text is still there.")

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

    def assign(self, role: Role, edit: QLineEdit) -> None:
        name = edit.text()
        self._run(lambda ref: self._service.assign_role(ref, role.value, name),
                  f"{role.label}: {name.strip()}", clear=edit)

    def person_moves(self, *, joined: bool) -> None:
        name = self.person.text()
        self._run(lambda ref: self._service.participant(ref, name, joined=joined),
                  f"{name.strip()} {'joined' if joined else 'left'}", clear=self.person)

    def add_action(self) -> None:
        try:
            item = parse_action(self.new_action.text(), self._service.now().astimezone())
        except ValidationError as exc:
            self._fail(f"Not saved: {exc.message}. Your text is still there.")
            return
        self._run(lambda ref: self._service.add_action(ref, item.text, owner=item.owner,
                                                        due=item.due),
                  "action added", clear=self.new_action)

    def action_done(self) -> None:
        index = self.actions_view.currentIndex()
        if not index.isValid():
            self._fail("Select the action item that is done.")
            return
        number = int(index.data(Qt.ItemDataRole.UserRole))
        self._run(lambda ref: self._service.update_action(ref, number, status="done"),
                  f"action {number} done")

    def edit_situation(self) -> None:
        if self._room is None or self._read_only:
            return
        from imdesk.qt.war_room.dialogs import SituationDialog

        dialog = SituationDialog(self, self._room.incident.ref, self._room.state.situation)
        if self.ask(dialog):
            values = dialog.values()
            self._run(lambda ref: self._service.set_situation(ref, **values), "situation saved")

    def edit_bridge(self) -> None:
        if self._room is None or self._read_only:
            return
        from PySide6.QtWidgets import QInputDialog

        text, ok = QInputDialog.getText(self, "Bridge", "Dial-in number or meeting link:",
                                        text=self._room.state.bridge)
        if ok:
            self._run(lambda ref: self._service.set_bridge(ref, text), "bridge saved")

    def ask(self, dialog: QDialog) -> bool:
        """One place to run a modal dialog, so tests patch it instead of driving exec()."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def _copy(self, text: str) -> None:
        if text:
            QGuiApplication.clipboard().setText(text)
            self.status_message.emit("copied to the clipboard")

    def current_room(self) -> Room | None:
        return self._room

    def now(self) -> datetime:
        return self._service.now()
