"""The outbox as people see it: every message with its state, the call list, and the hand
actions (retry / send now, "called")."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.message import MessageState, RouteStep, not_after
from imdesk.domain.priority import Priority
from imdesk.domain.text import clean_text
from imdesk.domain.timeline import iso
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.comms.journal import MessageJournal
from imdesk.storage import outbox_repo
from imdesk.storage.database import Database
from imdesk.storage.outbox_models import OutboxMessageRow

ATTENTION = (MessageState.CALL, MessageState.FAILED, MessageState.EXPIRED)


@dataclass(frozen=True)
class OutboxItem:
    id: int
    ref: str
    recipient: str
    channel: str
    address: str
    state: MessageState
    attempts: int
    last_error: str
    template: str
    audience: str
    created_at: datetime
    updated_at: datetime
    next_attempt_at: datetime | None
    not_after: datetime
    possible_duplicate: bool
    in_doubt: bool
    route: tuple[RouteStep, ...]
    step: int
    subject: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "ref": self.ref, "channel": self.channel,
                "recipient": self.recipient, "address": self.address, "state": self.state.value,
                "attempts": self.attempts, "last_error": self.last_error,
                "template": self.template, "audience": self.audience,
                "possible_duplicate": self.possible_duplicate,
                "created_at": iso(self.created_at), "updated_at": iso(self.updated_at),
                "next_attempt_at": iso(self.next_attempt_at), "not_after": iso(self.not_after),
                "route": [s.to_json() for s in self.route], "step": self.step}


def _item(row: OutboxMessageRow, ref: str) -> OutboxItem:
    return OutboxItem(row.id, ref, row.recipient, row.channel, row.address,
                      MessageState(row.state), row.attempts, row.last_error, row.template,
                      row.audience, row.created_at, row.updated_at, row.next_attempt_at,
                      row.not_after, row.possible_duplicate, row.sending_since is not None,
                      tuple(RouteStep.from_json(r) for r in row.route), row.step, row.subject)


def _mark(item: OutboxItem) -> tuple[Any, ...]:
    """What a list shows of a message, in the order of outbox_repo.MARK_COLUMNS."""
    return (item.state.value, item.attempts, item.step, item.channel, item.address,
            item.last_error, item.possible_duplicate, item.in_doubt, item.updated_at,
            item.next_attempt_at, item.not_after)


class OutboxService:
    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()

    def refresh(self, known: Mapping[int, OutboxItem], *, states: Sequence[MessageState] = (),
                limit: int = 1000) -> list[OutboxItem]:
        """The same page as list(), reusing the `known` items whose shown fields have not
        changed: only new and changed messages are read in full (a screen rereads its page of a
        busy outbox every second; most of it is as it was)."""
        with self._db.read() as s:
            marks = outbox_repo.marks(s, states, limit)
            stale = [mark[0] for mark in marks
                     if (item := known.get(mark[0])) is None or _mark(item) != tuple(mark[1:])]
            fresh: dict[int, OutboxItem] = {}
            if stale:
                fresh = {row.id: _item(row, ref) for row, ref in outbox_repo.with_refs(s, stale)}
        return [fresh.get(mark[0]) or known[mark[0]] for mark in marks
                if mark[0] in fresh or mark[0] in known]

    def list(self, *, states: Sequence[MessageState] = (), ref: str | None = None,
             limit: int = 1000) -> list[OutboxItem]:
        """Newest first."""
        with self._db.read() as s:
            return [_item(row, r) for row, r in outbox_repo.newest(s, states=states, ref=ref,
                                                                    limit=limit)]

    def get(self, message_id: int) -> OutboxItem:
        with self._db.read() as s:
            found = outbox_repo.one_with_ref(s, message_id)
            if found is None:
                raise NotFoundError(f"no message {message_id} in the outbox")
            return _item(found[0], found[1])

    def counts(self) -> dict[MessageState, int]:
        with self._db.read() as s:
            rows = outbox_repo.state_counts(s)
        return {MessageState(state): n for state, n in rows}

    def pending(self) -> int:
        """Messages the sender still has work for: waiting, in flight, or an SMS whose
        delivery is still being checked."""
        with self._db.read() as s:
            return outbox_repo.pending_count(s)

    def retry(self, message_id: int) -> OutboxItem:
        """Send now: a queued message is due at once; a failed, expired or to-be-called one
        starts its route again from the first step with a fresh not-after time."""
        with self._db.write() as s:
            msg = s.get(OutboxMessageRow, message_id)
            if msg is None:
                raise NotFoundError(f"no message {message_id} in the outbox")
            state = MessageState(msg.state)
            if state == MessageState.CAPTURED:
                raise ValidationError("message", f"message {message_id} was captured by the "
                                                 "exercise guard: it is never sent")
            if not msg.route:
                raise ValidationError("message", f"{msg.recipient} has no phone number or email "
                                                 "address: add one to the contact, then inform again")
            now = self._clock.now()
            journal = MessageJournal(s, author=self.author, now=now)
            if state == MessageState.QUEUED:
                msg.next_attempt_at = now
            elif state in ATTENTION:
                _row, incident = journal.incident(msg.incident_id)
                journal.go_to_step(msg, 0)
                msg.next_attempt_at = now
                msg.not_after = not_after(Priority(incident.priority), now)
                journal.move(msg, MessageState.QUEUED, f"sent again by hand (was {state.label})",
                             error="")
            else:
                raise ValidationError("message", f"message {message_id} is {state.label}: "
                                                 "nothing to retry")
        return self.get(message_id)

    def called(self, message_id: int, note: str = "") -> OutboxItem:
        """The manual lane done by hand: this person was phoned."""
        text = clean_text(note, "note", max_len=500, single_line=True)
        with self._db.write() as s:
            msg = s.get(OutboxMessageRow, message_id)
            if msg is None:
                raise NotFoundError(f"no message {message_id} in the outbox")
            if msg.state != MessageState.CALL.value:
                raise ValidationError("message", f"message {message_id} is not on the call list")
            journal = MessageJournal(s, author=self.author, now=self._clock.now())
            msg.next_attempt_at = None
            journal.move(msg, MessageState.CALLED, f"called by {self.author}"
                         + (f": {text}" if text else ""), error="", note=text)
        return self.get(message_id)
