"""The right-hand column of a war room: who holds which role (typing a name hands it over),
who is in the room, and the action items (overdue ones in red and bold)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from imdesk.domain.sla import SlaState
from imdesk.domain.timefmt import friendly
from imdesk.domain.war_room import ActionItem, ActionStatus, Role
from imdesk.qt import theme
from imdesk.qt.widgets.labels import plain_label
from imdesk.qt.widgets.models import RowsListModel
from imdesk.services.war_room import Room

MARK = {"open": "☐", "done": "☑", "dropped": "✗"}
ROLE_KEYS = {Role.INCIDENT_MANAGER: "Alt+M", Role.TECH_LEAD: "Alt+T", Role.COMMUNICATIONS: "Alt+U",
             Role.SCRIBE: "Alt+C"}


class ActionItemsModel(RowsListModel):
    """A room's action items, open ones first; UserRole gives an item's number."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.now = datetime.now().astimezone()
        self.muted = QColor("gray")

    def set_items(self, items: list[ActionItem], now: datetime, muted: QColor) -> None:
        self.now, self.muted = now, muted
        self.set_rows(sorted(items, key=lambda a: (a.status != ActionStatus.OPEN, a.number)))

    def cell(self, item: ActionItem, column: int, role: int) -> Any:
        now = self.now
        overdue = item.overdue(now)
        if role == Qt.ItemDataRole.DisplayRole:
            due = f", due {friendly(item.due, now)}" if item.due else ""
            owner = f" — {item.owner}" if item.owner else ""
            return (f"{MARK[item.status.value]} {item.number}. {item.text}{owner}{due}"
                    + (" — OVERDUE" if overdue else ""))
        if role == Qt.ItemDataRole.UserRole:
            return item.number
        if role == Qt.ItemDataRole.ForegroundRole:
            if overdue:
                return theme.sla_color(SlaState.BREACHED)
            return self.muted if item.status != ActionStatus.OPEN else None
        if role == Qt.ItemDataRole.FontRole and overdue:
            font = QFont()
            font.setBold(True)
            return font
        return None


def _heading(text: str) -> QLabel:
    label = plain_label(text, selectable=False)
    label.setStyleSheet("font-weight: bold; margin-top: 4px;")
    return label


class RoomSide(QWidget):
    """The widgets; the pane connects role_edits, person, leave, new_action and done."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(6)
        layout.addWidget(_heading("Roles"))
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
            edit.setMinimumWidth(150)  # the holder's name and "since" must not squeeze it shut
            self.role_edits[role] = edit
            roles.addWidget(edit, row, 2)
        layout.addLayout(roles)
        layout.addWidget(_heading("In the room"))
        self.people = plain_label(wrap=True)
        layout.addWidget(self.people)
        people_row = QHBoxLayout()
        self.person = QLineEdit()
        self.person.setPlaceholderText("name — Enter: joins")
        self.leave = QPushButton("Left")
        people_row.addWidget(self.person, 1)
        people_row.addWidget(self.leave)
        layout.addLayout(people_row)
        layout.addWidget(_heading("Action items"))
        self.actions_view = QListView()
        self.actions_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.actions_model = ActionItemsModel(self)
        self.actions_view.setModel(self.actions_model)
        layout.addWidget(self.actions_view, 1)
        action_row = QHBoxLayout()
        self.new_action = QLineEdit()
        self.new_action.setPlaceholderText("new action — text @owner ~11:30 (Enter)")
        self.done = QPushButton("Done")
        self.done.setToolTip("Mark the selected action item done")
        action_row.addWidget(self.new_action, 1)
        action_row.addWidget(self.done)
        layout.addLayout(action_row)

    def key_hints(self) -> None:
        """Each field says the key that reaches it."""
        for role, edit in self.role_edits.items():
            edit.setPlaceholderText(f"hand over to… (Enter) · {ROLE_KEYS[role]}")
        self.person.setPlaceholderText("name — Enter: joins · Alt+R")
        self.new_action.setPlaceholderText("new action — text @owner ~11:30 (Enter) · Alt+N")
        self.actions_view.setToolTip("Action items (Alt+A); Space or Done marks the selected one done")

    def show_room(self, room: Room, now: datetime, *, read_only: bool) -> None:
        st = room.state
        for role, label in self.role_labels.items():
            holder = st.roles.get(role)
            label.setText(f"{holder.name} (since {friendly(holder.since, now)})" if holder
                          else "— unassigned")
        self.people.setText(", ".join(st.present) or "nobody recorded yet")
        self.actions_model.set_items(list(st.actions.values()), now,
                                     self.palette().placeholderText().color())
        for widget in (self.new_action, self.person, *self.role_edits.values()):
            widget.setEnabled(not read_only)
