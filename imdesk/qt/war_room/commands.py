"""What the war room does besides the timeline (a base of WarRoomPane, which owns the widgets):
hand a role over, record who joined or left, add and close action items, edit the situation and
the bridge. Every write goes through the pane's runner; a refusal keeps the text typed."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QDialog, QLineEdit, QListView, QWidget

from imdesk.domain.composer import parse_action
from imdesk.domain.errors import ValidationError
from imdesk.domain.war_room import Role
from imdesk.messages import sentence
from imdesk.services.war_room import Room, WarRoomService


class RoomCommands(QWidget):
    """Needs the pane's room, service, widgets and its way to run a write (declared here)."""

    _room: Room | None
    _read_only: bool
    _service: WarRoomService
    person: QLineEdit
    new_action: QLineEdit
    actions_view: QListView
    status_message: Any
    _run: Callable[..., None]
    _fail: Callable[[str], None]

    def assign(self, role: Role, edit: QLineEdit) -> None:
        name = edit.text()
        seen = self._room.incident.last_seq if self._room is not None else None
        self._run(lambda ref: self._service.assign_role(ref, role.value, name, expected_seq=seen),
                  f"{role.label}: {name.strip()}", clear=edit)

    def person_moves(self, *, joined: bool) -> None:
        name = self.person.text()
        self._run(lambda ref: self._service.participant(ref, name, joined=joined),
                  f"{name.strip()} {'joined' if joined else 'left'}", clear=self.person)

    def add_action(self) -> None:
        try:
            item = parse_action(self.new_action.text(), self._service.now().astimezone())
        except ValidationError as exc:
            self._fail(sentence("Not saved", exc.message, "Your text is still there"))
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
