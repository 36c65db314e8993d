"""The head of a war room: the incident's title, the next-update and hand-over clocks, time
since declaring, the bridge (copy, change) and the situation (Conditions / Actions / Needs and
the business impact)."""

from __future__ import annotations

from datetime import datetime, timedelta

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.sla import format_duration
from imdesk.domain.timefmt import friendly
from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY, Clock, ClockState, handover_clock, update_clock
from imdesk.qt.widgets.labels import plain_label, set_label
from imdesk.services.war_room import Room

SITUATION = (("conditions", "Conditions"), ("actions", "Actions"), ("needs", "Needs"),
             ("impact", "Business impact"))


def clock_text(clock: Clock) -> str:
    if clock.remaining is None:
        return f"{clock.name}: —"
    if clock.state == ClockState.OVERDUE:
        return f"✖ {clock.name} overdue by {format_duration(-clock.remaining)}"
    symbol = "▲ " if clock.state == ClockState.DUE_SOON else ""
    return f"{symbol}{clock.name} in {format_duration(clock.remaining)}"


def hms(delta: timedelta) -> str:
    total = max(0, int(delta.total_seconds()))
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


def read_only_line(name: str) -> QLineEdit:
    """Text that changes often, shown like a label (select and copy it). Not a label: a label's
    new text lays the whole window out again (every layout up to the main window's)."""
    line = QLineEdit()
    line.setReadOnly(True)
    line.setFrame(False)
    line.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
    line.setStyleSheet("QLineEdit { background: transparent; }")
    line.setAccessibleName(name)
    return line


def hash_line() -> QLineEdit:
    """The chain head under the composer (it changes with every line written)."""
    line = read_only_line("Chain head")
    line.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.SmallestReadableFont))
    line.setToolTip("Head of this incident's hash chain: quote it in reports; "
                    "`imdesk timeline verify` proves nothing before it changed")
    return line


class RoomHeader(QWidget):
    """Shows a room's head; the pane connects the buttons (copy_bridge, change_bridge,
    edit_situation_button) to what they do."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
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
        self.elapsed = read_only_line("Time since declared")  # (changes every second)
        layout.addWidget(self.elapsed)

        bridge_row = QHBoxLayout()
        self.bridge = plain_label()
        bridge_font = QFont(self.bridge.font())
        bridge_font.setPointSizeF(bridge_font.pointSizeF() * 1.25)
        self.bridge.setFont(bridge_font)
        self.copy_bridge = QPushButton("Copy")
        self.copy_bridge.setToolTip("Copy the bridge number or link")
        self.change_bridge = QPushButton("Change…")
        bridge_row.addWidget(self.bridge, 1)
        bridge_row.addWidget(self.copy_bridge)
        bridge_row.addWidget(self.change_bridge)
        layout.addLayout(bridge_row)

        situation = QGridLayout()
        situation.setHorizontalSpacing(12)
        situation.setVerticalSpacing(2)
        self.can: dict[str, QLabel] = {}
        for col, (key, label) in enumerate(SITUATION):
            title = plain_label(label, selectable=False)
            title.setStyleSheet("font-weight: bold;")
            value = plain_label(wrap=True)
            value.setMinimumWidth(120)
            situation.addWidget(title, 0, col)
            situation.addWidget(value, 1, col, Qt.AlignmentFlag.AlignTop)
            self.can[key] = value
        self.edit_situation_button = QPushButton("Edit situation… (Ctrl+Shift+E)")
        situation.addWidget(self.edit_situation_button, 0, 4)
        layout.addLayout(situation)

    def show_room(self, room: Room, *, read_only: bool) -> None:
        st, inc = room.state, room.incident
        drill = "◎ EXERCISE · " if inc.exercise else ""
        self.title.setText(f"{drill}{inc.ref} · {inc.priority.value} · {inc.status.label} · "
                           f"{inc.title}")
        self.bridge.setText(f"☎ Bridge: {st.bridge}" if st.bridge else "☎ No bridge recorded yet")
        self.copy_bridge.setEnabled(bool(st.bridge))
        for key, label in self.can.items():
            label.setText(getattr(st.situation, key) or "—")
        for widget in (self.change_bridge, self.edit_situation_button):
            widget.setEnabled(not read_only)

    def show_clocks(self, room: Room, now: datetime) -> None:
        update = update_clock(room.state, DEFAULT_UPDATE_POLICY[room.incident.priority], now)
        handover = handover_clock(room.state, now)
        declared = room.state.declared_at
        self.elapsed.setText(f"{hms(now - declared)} since declared ({friendly(declared, now)})"
                             if declared else "not declared")
        self._style_clock(self.update_clock, update, big=True)
        self._style_clock(self.handover_clock, handover, big=False)

    def _style_clock(self, label: QLabel, clock: Clock, *, big: bool) -> None:
        """Text, font and style set only when they change (each lays the window out again)."""
        font = QFont(self.font())
        font.setBold(clock.state != ClockState.OK)
        if big and clock.state == ClockState.OVERDUE:
            font.setPointSizeF(font.pointSizeF() * 1.8)  # the red clock is the biggest thing
        if label.font() != font:
            label.setFont(font)
        color = {ClockState.OVERDUE: "#ffffff", ClockState.DUE_SOON: "#5a3d00"}.get(clock.state)
        background = {ClockState.OVERDUE: "#c62828", ClockState.DUE_SOON: "#ffcc66"}.get(clock.state)
        set_label(label, clock_text(clock), f"color:{color}; background:{background}; "
                  "padding:2px 8px; border-radius:4px;" if color else "")
