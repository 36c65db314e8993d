"""Links in the main window (after the first paint): the links panel in the incident detail
and beside the open war room, the caller count in the incident list, and the keys —
Ctrl+Shift+J link the selected incident to a master (or `INC-1207 related`), Ctrl+Shift+U
unlink it, Ctrl+Shift+G promote a caller to master."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt

from imdesk.domain.errors import ValidationError
from imdesk.qt.links.panel import LinksPanel
from imdesk.qt.widgets.keys import shortcut

WITHIN = Qt.ShortcutContext.WidgetWithChildrenShortcut


class LinkWiring:
    def __init__(self, window: Any) -> None:
        self.window = window
        ctx, runner = window.ctx, window.runner
        incidents = window.incidents
        detail = incidents.detail
        self.panel = LinksPanel(ctx, runner, detail.body)
        body = detail.body.layout()
        body.insertWidget(max(0, body.indexOf(detail.timeline_title) - 1), self.panel)
        detail.incident_shown.connect(self.panel.show_for)
        if detail.state is not None:
            self.panel.show_for(detail.state)
        incidents.model.caller_source = ctx.links.caller_counts
        incidents.reload()
        self.room_panel: LinksPanel | None = None
        if window.rooms.built is not None:
            self.attach_room(window.rooms.built)
        if not ctx.read_only:
            self.keys = [
                shortcut(incidents, "Ctrl+Shift+J", self.link_current,
                         "Link the selected incident to a master (its caller) or a related one",
                         context=WITHIN),
                shortcut(incidents, "Ctrl+Shift+U", self.unlink_current,
                         "Unlink the selected incident", context=WITHIN),
                shortcut(incidents, "Ctrl+Shift+G", self.promote_current,
                         "Promote the selected caller to master of its outage", context=WITHIN),
            ]

    def attach_room(self, pane: Any) -> None:
        """The callers and dependent services beside the war room (the business impact)."""
        self.room_panel = LinksPanel(self.window.ctx, self.window.runner, pane.side, compact=True)
        pane.side.layout().addWidget(self.room_panel)
        pane.room_shown.connect(lambda _ref: self._room_shown(pane))
        self._room_shown(pane)

    def _room_shown(self, pane: Any) -> None:
        room = pane.current_room()
        if self.room_panel is not None:
            self.room_panel.show_for(room.incident if room is not None else None)

    # -- keys ------------------------------------------------------------------------------
    def _run(self, work: Callable[[], Any], ref: str, message: Callable[[Any], str]) -> None:
        incidents = self.window.incidents

        def failed(exc: BaseException) -> None:
            text = exc.message if isinstance(exc, ValidationError) else str(exc)
            incidents.detail.show_error(f"Not changed: {text}")

        self.window.runner.run(work, lambda result: incidents._written(ref, message(result)),
                               failed)

    def link_current(self) -> None:
        state = self.window.incidents.detail.state
        if state is None:
            return
        answer = self.ask_master(state.ref)
        if not answer:
            return
        words = answer.split()
        master, kind = words[0], (words[1] if len(words) > 1 else "caller")
        links, ref = self.window.ctx.links, state.ref
        self._run(lambda: links.link(ref, master, kind), ref,
                  lambda v: f"{ref} linked to {v.ref} ({v.kind})")

    def unlink_current(self) -> None:
        state = self.window.incidents.detail.state
        if state is None:
            return
        links, ref = self.window.ctx.links, state.ref
        self._run(lambda: links.unlink(ref), ref,
                  lambda refs: f"{ref} unlinked from {', '.join(refs)}")

    def promote_current(self) -> None:
        state = self.window.incidents.detail.state
        if state is None:
            return
        links, ref = self.window.ctx.links, state.ref
        self._run(lambda: links.promote(ref), ref,
                  lambda old: f"{ref} is the master now ({old} is its caller)")

    def ask_master(self, ref: str) -> str | None:
        """Separate so tests can patch one call instead of driving a modal dialog."""
        from imdesk.qt.widgets.note_dialog import NoteDialog

        return NoteDialog.ask(self.window, f"Link {ref}",
                              "The master's ref (INC-1207); add `related` for a related "
                              "incident instead of a caller:", required=True, ok_text="Link")
