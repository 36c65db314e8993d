"""The Contacts pane's actions on a contact (a mixin of ContactsPane, which owns the widgets):
dial through the desktop's tel:/mailto: handler and log how the call went (into the incident's
timeline when called from one), mark a verification, edit a contact or the organisation, and
run a verification drill."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QDialog, QStackedWidget, QWidget

from imdesk.domain.contact_book import CheckOutcome
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.errors import KnownError
from imdesk.messages import sentence
from imdesk.qt.tasks import TaskRunner

if TYPE_CHECKING:
    from imdesk.qt.contacts.card import ContactCard
    from imdesk.qt.contacts.who_to_call import WhoToCallView
    from imdesk.services.contacts.service import ContactService


class ContactPaneActions(QWidget):
    """Needs the pane's widgets and services (declared here for the type checker)."""

    read_only: bool
    runner: TaskRunner
    stack: QStackedWidget
    who: WhoToCallView
    card: ContactCard
    status_message: Any
    call_logged: Any
    documents_review_requested: Any
    _incident_ref: str
    contacts: ContactService
    _after_write: Callable[..., None]
    _failed: Callable[[BaseException], None]

    # -- acting ------------------------------------------------------------------------------
    def open_url(self, url: str) -> None:
        """tel: and mailto: go to the desktop's handler (a softphone, the mail program)."""
        if not QDesktopServices.openUrl(QUrl(url)):
            self.status_message.emit(f"No program here opens {url.split(':')[0]}: links — dial {url[4:]}")

    def ask_outcome(self, name: str, number: str, ref: str) -> CheckOutcome | None:
        """Separate so tests patch one call instead of driving a modal dialog."""
        from imdesk.qt.contacts.call_dialogs import CallOutcomeDialog

        return CallOutcomeDialog.ask(self, name, number, ref)

    def ask(self, dialog: QDialog) -> bool:
        """One place to run a modal dialog, so tests patch it instead of driving exec()."""
        return dialog.exec() == QDialog.DialogCode.Accepted

    def called(self, contact_id: int, number: str) -> None:
        """After dialling: how did it go? From an incident it becomes a timeline entry."""
        if self.read_only:
            return
        ref = self._incident_ref if self.stack.currentWidget() is self.who else ""
        name = self._name_of(contact_id)
        outcome = self.ask_outcome(name, number, ref)
        if outcome is None:
            return
        service = self.contacts

        def write() -> None:
            if ref:
                service.log_call(ref, contact_id, outcome, number=number)
            else:
                service.verify(contact_id, outcome)

        def done(_r: object) -> None:
            where = f" in {ref}" if ref else ""
            self.status_message.emit(f"Call to {name}: {outcome.label} — logged{where}")
            if ref:
                self.call_logged.emit(ref)
            self._after_write()

        self.runner.run(write, done, self._failed)

    def _name_of(self, contact_id: int) -> str:
        if self.who.data:
            for row in self.who.data.rows:
                if row.callee and row.callee.contact_id == contact_id:
                    return row.callee.name
        if self.card.detail and self.card.detail.id == contact_id:
            return self.card.detail.record.name
        return f"contact {contact_id}"

    def verify(self, contact_id: int, outcome: str) -> None:
        if self.read_only:
            return
        service = self.contacts
        label = CheckOutcome(outcome).label

        def done(_d: object) -> None:
            self.status_message.emit(f"Marked {label}")
            self._after_write(show=contact_id)

        self.runner.run(lambda: service.verify(contact_id, outcome), done, self._failed)

    def edit_contact(self, contact_id: int | None) -> None:
        if self.read_only:
            return
        from imdesk.qt.contacts.editor import ContactEditor

        record = self.contacts.get(contact_id).record if contact_id is not None else None
        dialog = ContactEditor(self, record, self.contacts.default_region())
        while self.ask(dialog):
            try:
                new = dialog.record()
                if contact_id is None:
                    contact_id = self.contacts.add(new)
                else:
                    self.contacts.update(contact_id, new)
            except (ValidationError, NotFoundError, KnownError) as exc:
                dialog.show_error(sentence("Not saved", exc, "What you typed is still here"))
                continue
            self.status_message.emit(f"{new.name} saved")
            self._after_write(show=contact_id)
            return

    def edit_organisation(self) -> None:
        if self.read_only:
            return
        from imdesk.qt.contacts.org_editor import OrgEditor

        dialog = OrgEditor(self, self.contacts)
        self.ask(dialog)
        if dialog.changed:
            self._after_write()

    def start_drill(self) -> None:
        from imdesk.qt.contacts.drill_dialog import STALE_DRILL, DrillDialog, choose_drill

        choice = choose_drill(self, self.contacts)
        if choice is None:
            return
        title, ids = choice
        if not ids:
            self.status_message.emit(f"{title}: nobody to check")
        else:
            dialog = DrillDialog(self, self.contacts, self.runner, title, ids)
            self.ask(dialog)
            self.status_message.emit(dialog.summary())
            if dialog.marked:
                self._after_write()
            if not dialog.finished_all:
                return  # stopped with Esc: the documents wait for the next drill
        if title == STALE_DRILL:
            self.documents_review_requested.emit()  # the review queue holds documents too
