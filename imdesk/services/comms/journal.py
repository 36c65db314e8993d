"""Writing a message's state change and its timeline entry together (one transaction).

Within one write session each incident is locked once and its entries chained in turn (seq,
hash) as they are made; they are stored together when the transaction commits (one INSERT per
incident for the whole run, the incident row and its milestones written once), so a batch of
messages moves in one commit without an ORM object and a projection write per entry.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from imdesk.domain.incident import IncidentState
from imdesk.domain.message import MESSAGE_KIND, MessageState, RouteStep
from imdesk.domain.timeline import EntryDraft, TimelineEntry
from imdesk.services.journal import chain_entry, write_entries, write_entry
from imdesk.storage import incident_repo
from imdesk.storage.database import SPOOLED
from imdesk.storage.models import IncidentRow
from imdesk.storage.outbox_records import Message


class MessageJournal:
    """Moves outbox rows from state to state inside one write session."""

    def __init__(self, session: Session, *, author: str, now: datetime) -> None:
        self.s = session
        self.author = author
        self.now = now
        self._incidents: dict[int, tuple[IncidentRow, IncidentState]] = {}
        self._pending: dict[int, list[TimelineEntry]] = {}  # chained, stored at commit
        self._hooked = False

    def incident(self, incident_id: int) -> tuple[IncidentRow, IncidentState]:
        cached = self._incidents.get(incident_id)
        if cached is None:
            row = self.s.scalars(select(IncidentRow).where(IncidentRow.id == incident_id)
                                 .with_for_update()).one()
            cached = (row, incident_repo.row_state(self.s, row))
            self._incidents[incident_id] = cached
        return cached

    def entry(self, incident_id: int, draft: EntryDraft) -> TimelineEntry:
        """Chain the entry now (its seq and hash are final); it is stored when the session
        commits (or at `store()`), in the same transaction."""
        row, state = self.incident(incident_id)
        if self.s.info.get(SPOOLED):  # the offline replica spools each entry it sees flushed
            new_state, entry = write_entry(self.s, row, state, draft, service_id=row.service_id,
                                           author=self.author, now=self.now)
            self._incidents[incident_id] = (row, new_state)
            return entry
        new_state, entry = chain_entry(self.s, row.ref, state, draft, author=self.author,
                                       now=self.now)
        self._incidents[incident_id] = (row, new_state)
        if not self._hooked:
            event.listen(self.s, "before_commit", self._before_commit)
            self._hooked = True
        self._pending.setdefault(incident_id, []).append(entry)
        return entry

    def store(self) -> None:
        """Write the entries chained so far (before anything in this transaction reads the
        timeline back; commit does it on its own)."""
        pending, self._pending = self._pending, {}
        for incident_id, entries in pending.items():
            row, state = self._incidents[incident_id]
            write_entries(self.s, row, state, entries, service_id=row.service_id)

    def _before_commit(self, _session: Session) -> None:
        self.store()

    def move(self, msg: Message, state: MessageState, text: str, *,
             error: str | None = None, **data: Any) -> TimelineEntry:
        """Set the state (and error), and record it in the incident's timeline."""
        previous = msg.state
        msg.state = state.value
        msg.updated_at = self.now
        if state != MessageState.SENDING and msg.lease_holder:
            msg.lease_holder = ""  # its sender's claim ends with the send
            msg.lease_expires = None
        if error is not None:
            msg.last_error = error[:2000]
        step = RouteStep.from_json(msg.route[msg.step]) if msg.route else None
        payload: dict[str, Any] = {
            "message": msg.uuid, "outbox_id": msg.id, "recipient": msg.recipient,
            "from": previous, "state": state.value, "channel": msg.channel,
            "address": msg.address, "attempts": msg.attempts,
        }
        if step is not None and step.provider:
            payload["provider"] = step.provider
        if error:
            payload["error"] = error[:500]
        if msg.possible_duplicate:
            payload["possible_duplicate"] = True
        payload.update(data)
        line = f"message to {msg.recipient} ({msg.channel} {msg.address}): {text}"
        return self.entry(msg.incident_id, EntryDraft(MESSAGE_KIND, line[:2000], payload))

    def go_to_step(self, msg: Message, step: int) -> RouteStep:
        target = RouteStep.from_json(msg.route[step])
        msg.step = step
        msg.step_attempts = 0
        msg.channel = target.channel.value
        msg.address = target.address
        msg.provider_id = ""
        msg.polls = 0
        return target
