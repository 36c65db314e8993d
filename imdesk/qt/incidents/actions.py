"""The incident commands as QActions with shortcuts: one set serves the menu and the buttons."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction, QKeySequence

from imdesk.domain.incident import IncidentState
from imdesk.domain.lifecycle import Status, allowed_targets

# (target status, label, shortcut, label when leaving on_hold/resolved)
STATUS_COMMANDS: tuple[tuple[Status, str, str], ...] = (
    (Status.IN_PROGRESS, "&Start work", "Ctrl+Shift+S"),
    (Status.ON_HOLD, "&Hold…", "Ctrl+Shift+H"),
    (Status.RESOLVED, "&Resolve…", "Ctrl+Shift+R"),
    (Status.CLOSED, "C&lose", "Ctrl+Shift+L"),
    (Status.CANCELLED, "Ca&ncel incident…", "Ctrl+Shift+X"),
)


class IncidentActions(QObject):
    """Signals: new_requested(), edit_requested(), status_requested(Status)."""

    new_requested = Signal()
    edit_requested = Signal()
    status_requested = Signal(object)
    declare_requested = Signal()
    room_requested = Signal()

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.new = QAction("&New incident…", parent)
        self.new.setShortcut(QKeySequence.StandardKey.New)
        self.new.setToolTip("Log a new incident (Ctrl+N)")
        self.new.triggered.connect(self.new_requested)
        self.edit = QAction("&Edit…", parent)
        self.edit.setShortcut(QKeySequence("Ctrl+E"))
        self.edit.setToolTip("Edit title, priority, service, major flag (Ctrl+E)")
        self.edit.triggered.connect(self.edit_requested)
        self.declare = QAction("Declare &major incident…", parent)
        self.declare.setShortcut(QKeySequence("Ctrl+Shift+M"))
        self.declare.setToolTip("Declare a major incident: roles, bridge, first update "
                                "(Ctrl+Shift+M)")
        self.declare.triggered.connect(self.declare_requested)
        self.open_room = QAction("Open &war room", parent)
        self.open_room.setShortcut(QKeySequence("Ctrl+Shift+W"))
        self.open_room.setToolTip("Open this major incident's war room (Ctrl+Shift+W)")
        self.open_room.triggered.connect(self.room_requested)
        self.by_status: dict[Status, QAction] = {}
        self.status_actions: list[QAction] = []
        for target, label, shortcut in STATUS_COMMANDS:
            action = QAction(label, parent)
            action.setShortcut(QKeySequence(shortcut))
            action.setToolTip(f"{label.replace('&', '').rstrip('…')} ({shortcut})")
            action.triggered.connect(lambda _=False, t=target: self.status_requested.emit(t))
            self.by_status[target] = action
            self.status_actions.append(action)
        self.update_for(None)

    def update_for(self, state: IncidentState | None) -> None:
        """Enable what the lifecycle allows for this incident; relabel 'Start work'."""
        self.edit.setEnabled(state is not None and state.status.is_open)
        is_open = state is not None and state.status.is_open
        self.declare.setEnabled(is_open and not state.major)  # type: ignore[union-attr]
        self.declare.setVisible(state is None or not state.major)
        self.open_room.setEnabled(is_open and state.major)  # type: ignore[union-attr]
        self.open_room.setVisible(state is not None and state.major)
        allowed = allowed_targets(state.status) if state is not None else frozenset()
        for target, action in self.by_status.items():
            action.setEnabled(target in allowed)
            action.setVisible(state is None or target in allowed)
        start = self.by_status[Status.IN_PROGRESS]
        if state is not None and state.status == Status.ON_HOLD:
            start.setText("Res&ume work")
        elif state is not None and state.status == Status.RESOLVED:
            start.setText("Re&open")
        else:
            start.setText("&Start work")
