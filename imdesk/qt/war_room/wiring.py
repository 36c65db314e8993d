"""War rooms in the console: the War rooms pane on the rail (built once the incident list has
painted, or when first asked for), declaring a major incident from the playbook's checklist,
opening the selected incident's room, and the open-rooms badge."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QToolButton

from imdesk.domain.errors import StaleStateError, ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt.widgets.pane_host import PaneHost


class WarRoomWiring:
    """Owned by the main window; `pane` builds the War rooms pane on first use."""

    def __init__(self, window: Any) -> None:
        self.window = window
        self.ctx = window.ctx
        self.host = PaneHost()
        self.built: Any = None  # the pane once built
        self.button: QToolButton = window.rail.add(self.host, "⌂", "War rooms", lambda: self.pane)

    def connect_incidents(self) -> None:
        """The incident list's keys for majors, and its changes shown in the rooms."""
        incidents = self.window.incidents
        incidents.data_changed.connect(lambda: self.reload())
        incidents.incident_actions.declare_requested.connect(self.declare_major)
        incidents.incident_actions.room_requested.connect(self.open_current_room)

    @property
    def pane(self) -> Any:
        """The War rooms pane, built on first use."""
        if self.built is None:
            from imdesk.qt.war_room.pane import WarRoomPane

            w, ctx = self.window, self.ctx
            pane = WarRoomPane(ctx.war_rooms, ctx.incidents, w.runner, read_only=ctx.read_only)
            pane.status_message.connect(lambda m: w.status.showMessage(m, 6000))
            pane.rooms_changed.connect(lambda count: w.set_rail_badge(self.button, count))
            pane.room_shown.connect(self._follow_room)
            pane.room_left.connect(self._room_left)
            self.host.put(pane)
            self.built = pane
            pane.start()
        return self.built

    def _follow_room(self, ref: str) -> None:
        """The incident list selects the room's incident: the incident keys (resolve, hold,
        inform, who to call) act on the room on screen, never on another incident."""
        incidents = self.window.incidents
        state = incidents.detail.state
        if state is None or state.ref != ref:
            incidents.show_incident(ref)

    def _room_left(self, ref: str) -> None:
        """The room on screen closed (resolved from it): stay with that incident, in the list."""
        w = self.window
        w.show_pane(w.incidents)
        w.incidents.show_incident(ref)
        w.status.showMessage(f"{ref}'s war room is closed; the incident stays selected here", 8000)

    def incident_in_view(self) -> Any:
        """The incident the user is on: the open room's when the War rooms pane shows, else
        the one selected in the list (an IncidentState, or None)."""
        w = self.window
        if self.built is not None and w.current_pane() is self.built:
            room = self.built.current_room()
            if room is not None:
                return room.incident
        return w.incidents.detail.state

    def reload(self, select: str | None = None) -> None:
        """Read the rooms again, if the pane has been built."""
        if self.built is not None:
            self.built.reload_rooms(select=select)

    def show_room(self, ref: str) -> None:
        self.pane.reload_rooms(select=ref)
        self.window.show_pane(self.host)

    def open_current_room(self) -> None:
        state = self.window.incidents.detail.state
        if state is not None and state.major:
            self.show_room(state.ref)

    def declare_major(self) -> None:
        """The playbook's checklist; every step filled in becomes a timeline entry."""
        w = self.window
        state = w.incidents.detail.state
        if state is None or state.major or self.ctx.read_only:
            return
        from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY
        from imdesk.qt.war_room.dialogs import DeclareDialog
        from imdesk.services.playbook import load_playbook

        name, steps = load_playbook()
        dialog = DeclareDialog(w, state.ref, state.title, name, steps,
                               DEFAULT_UPDATE_POLICY[state.priority].first_minutes)
        ref, rooms, seen = state.ref, self.ctx.war_rooms, state.last_seq
        while self.pane.ask(dialog):
            d = dialog.declaration()
            try:
                rooms.declare(ref, bridge=d.bridge, roles=d.roles,
                              first_update_minutes=d.first_update_minutes, expected_seq=seen)
                if d.impact.strip():
                    rooms.set_situation(ref, conditions="", actions="", needs="", impact=d.impact)
            except (ValidationError, KnownError) as exc:
                if isinstance(exc, StaleStateError):  # told once: declaring again is meant
                    seen = exc.latest
                dialog.show_error(sentence("Not declared", exc, "What you typed is still here"))
                continue
            w.incidents.reload()
            self.show_room(ref)
            w.refresh_counts()
            return
