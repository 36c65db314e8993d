"""What the incident list does to the selected incident (a mixin of IncidentListPane, which
owns the widgets): log a new one, edit it, move it through its lifecycle (asking for the note
that a hold, resolve or cancel needs), and write a note into its timeline. Every write runs off
the GUI thread; a refusal keeps the user's text and says why."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QWidget

from imdesk.domain.errors import StaleStateError, ValidationError
from imdesk.domain.lifecycle import NOTE_REQUIRED, Status
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner
from imdesk.services.loose_ends import LooseEnds, loose_ends

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.domain.incident import IncidentState
    from imdesk.qt.incidents.detail import IncidentDetail
    from imdesk.services.catalog import CatalogService
    from imdesk.services.incidents import IncidentEdit, IncidentService, NewIncident
    from imdesk.services.settings import SettingsService

STATUS_PROMPTS = {
    Status.ON_HOLD: ("Put on hold", "Why is it on hold? (e.g. waiting for the vendor, user away)",
                     "Put on hold"),
    Status.RESOLVED: ("Resolve", "Resolution note: what fixed it, and who confirmed it?", "Resolve"),
    Status.CANCELLED: ("Cancel incident", "Why is it cancelled? (e.g. duplicate of INC-1042)",
                       "Cancel incident"),
    Status.IN_PROGRESS: ("", "", ""),
}


class IncidentCommands(QWidget):
    """Needs the pane's detail, services and runner (declared here for the type checker)."""

    _read_only: bool
    _ctx: AppContext
    _runner: TaskRunner
    detail: IncidentDetail
    _written: Callable[[str, str], None]
    show_fresh: Callable[[str, str], None]

    @property
    def _incidents(self) -> IncidentService:
        raise NotImplementedError

    @property
    def _catalog(self) -> CatalogService:
        raise NotImplementedError

    @property
    def _settings(self) -> SettingsService:
        raise NotImplementedError

    # -- commands --------------------------------------------------------------------------
    def new_incident(self) -> None:
        if self._read_only:
            return
        from imdesk.qt.incidents.dialog import IncidentDialog  # loaded on first use: start-up speed

        services = [s.name for s in self._catalog.services()]
        ctx = self._ctx
        linked: list[str] = []

        def link_call(new: NewIncident, master: str, name: str, contact: str) -> IncidentState:
            ref = ctx.links.open_as_caller(new, master, caller_name=name, caller_contact=contact)
            linked.append(master)
            return ctx.incidents.get(ref)

        state = IncidentDialog.ask(self, services=services, matrix=self._settings.matrix(),
                                   runner=self._runner, save=self._incidents.create,
                                   similar=lambda text, service: ctx.links.similar(text, service),
                                   link_call=link_call)
        if state is not None and linked:
            self._written(state.ref, f"{state.ref} logged as a caller of {linked[-1]}")
        elif state is not None:
            self._written(state.ref, f"{state.ref} logged ({state.priority.value})")

    def edit_current(self) -> None:
        current = self.detail.state
        if current is None or self._read_only:
            return
        from imdesk.qt.incidents.dialog import IncidentDialog

        services = [s.name for s in self._catalog.services()]
        ref, seen = current.ref, [current.last_seq]  # refused if another desk changed it since
        incidents = self._incidents

        def save(edit: IncidentEdit) -> IncidentState:
            try:
                return incidents.edit(ref, edit, expected_seq=seen[0])
            except StaleStateError as exc:  # told once: Save again applies it to the new state
                seen[0] = exc.latest
                raise

        state = IncidentDialog.ask(self, services=services, matrix=self._settings.matrix(),
                                   runner=self._runner, initial=current, save=save)
        if state is not None:
            self._written(state.ref, f"{state.ref} saved")

    def change_status(self, target: Status, note: str | None = None, *, checked: bool = False) -> None:
        current = self.detail.state
        if current is None or self._read_only:
            return
        if target == Status.RESOLVED and current.major and not checked:
            # a major incident: ask once about what is still open before resolving it
            ctx, ref = self._ctx, current.ref
            self._runner.run(lambda: loose_ends(ctx.war_rooms, ctx.comms.outbox, ref),
                             lambda ends: self._resolve_despite(ref, target, note, ends),
                             lambda _exc: self.change_status(target, note, checked=True))
            return
        if note is None and target in NOTE_REQUIRED:
            title, prompt, ok = STATUS_PROMPTS[target]
            note = self.ask_note(f"{title} {current.ref}", prompt, ok)
            if note is None:
                return
        ref, text, seen = current.ref, note or "", current.last_seq
        service = self._incidents

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, ValidationError) else str(exc)
            kept = f" Your note is kept: “{text}”." if text else ""
            if isinstance(exc, StaleStateError):  # show what it is now, keep the message
                self.show_fresh(ref, sentence(f"{ref} was not changed", message) + kept)
                return
            self.detail.show_error(sentence(f"{ref} was not changed", message) + kept)

        self._runner.run(lambda: service.change_status(ref, target, text, expected_seq=seen),
                         lambda st: self._written(st.ref, f"{st.ref} is now {st.status.label}"),
                         failed)

    def _resolve_despite(self, ref: str, target: Status, note: str | None, ends: LooseEnds) -> None:
        current = self.detail.state
        if current is None or current.ref != ref:
            return
        lines = ends.lines()
        if lines and not self.ask_confirm(
                f"Resolve {ref}?", f"{ref} still has loose ends:\n\n• " + "\n• ".join(lines)
                + "\n\nResolve it anyway?"):
            return
        self.change_status(target, note, checked=True)

    def ask_confirm(self, title: str, text: str) -> bool:
        """Separate so tests can patch one call; No is the default (Enter keeps it open)."""
        from PySide6.QtWidgets import QMessageBox

        answer = QMessageBox.question(self, title, text,
                                      QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                                      QMessageBox.StandardButton.No)
        return answer == QMessageBox.StandardButton.Yes

    def ask_note(self, title: str, prompt: str, ok: str) -> str | None:
        """Separate so tests can patch one call instead of driving a modal dialog."""
        from imdesk.qt.widgets.note_dialog import NoteDialog

        return NoteDialog.ask(self, title, prompt, required=True, ok_text=ok)

    def add_note(self, ref: str, text: str) -> None:
        if self._read_only:
            return
        service = self._incidents

        def failed(exc: BaseException) -> None:
            message = exc.message if isinstance(exc, ValidationError) else str(exc)
            self.detail.show_error(sentence("Note not saved", message, "Your text is still in the box"))

        def done(_entry: Any) -> None:
            self.detail.note_saved()
            self._written(ref, f"note added to {ref}")

        self._runner.run(lambda: service.add_note(ref, text), done, failed)
