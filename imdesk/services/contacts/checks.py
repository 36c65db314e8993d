"""Verifying contacts: a try of a contact's number (reached: verified now, and a wrong-number
mark is cleared; wrong number: marked for review; no answer: noted only), a call made from an
incident (a timeline entry of the incident and the contact's check, in one transaction), and
clearing the review mark. Each public method is one transaction; ContactService offers them as
verify, log_call and clear_review."""

from __future__ import annotations

from sqlalchemy.orm import Session

from imdesk.domain.contact_book import CheckOutcome
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.clock import Clock
from imdesk.services.journal import write_entry
from imdesk.storage import contact_repo, incident_repo
from imdesk.storage.contact_models import ContactCheckRow, ContactRow
from imdesk.storage.database import Database


class ContactChecks:
    def __init__(self, db: Database, clock: Clock, author: str) -> None:
        self._db = db
        self._clock = clock
        self.author = author

    def record(self, contact_id: int, outcome: CheckOutcome | str, *,
               incident_ref: str | None = None) -> None:
        """Record a try of the contact's number."""
        result = CheckOutcome(outcome)
        with self._db.write() as s:
            self._check(s, contact_repo.get_row(s, contact_id), result, incident_ref)

    def log_call(self, ref: str, contact_id: int, outcome: CheckOutcome | str, *,
                 number: str = "") -> None:
        """A call made from an incident: a timeline entry of the incident and the contact's
        check, in one transaction (a wrong number marks the contact for review)."""
        result = CheckOutcome(outcome)
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            state = incident_repo.row_state(s, row)
            contact = contact_repo.get_row(s, contact_id)
            now = self._clock.now()
            dialled = f" on {number}" if number else ""
            draft = EntryDraft(EntryKind.COMMUNICATION,
                               f"called {contact.name}{dialled}: {result.label}",
                               {"call": {"contact_id": contact_id, "name": contact.name,
                                         "number": number, "outcome": result.value}})
            write_entry(s, row, state, draft, service_id=row.service_id, author=self.author, now=now)
            self._check(s, contact, result, state.ref)

    def clear_review(self, contact_id: int) -> None:
        with self._db.write() as s:
            row = contact_repo.get_row(s, contact_id)
            row.review = ""
            row.updated_at = self._clock.now()

    def _check(self, s: Session, row: ContactRow, result: CheckOutcome, ref: str | None) -> None:
        now = self._clock.now()
        s.add(ContactCheckRow(contact_id=row.id, outcome=result.value, checked_at=now,
                              checked_by=self.author, incident_ref=ref))
        if result is CheckOutcome.REACHED:
            row.last_verified_at = now
            row.verified_by = self.author
            row.review = ""
        elif result is CheckOutcome.WRONG_NUMBER:
            row.review = f"wrong number reported by {self.author}"
        row.updated_at = now
