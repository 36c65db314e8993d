"""Picking what the outbox sender sends: the due messages, one at a time per incident and
recipient, whose provider can be used now (its credentials), each claimed as "sending" and
committed before any network call. Also the Job handed to the delivery (sender_delivery.py),
and which providers need a secret."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from imdesk.channels.settings import CommsSettings, HttpGatewaySettings, Provider, SmtpSettings
from imdesk.credentials.store import CredentialState, SecretStore
from imdesk.domain.exercise_guard import AllowList, marked
from imdesk.domain.lease import CLAIM_TTL
from imdesk.domain.message import MessageChannel, MessageState, RouteStep
from imdesk.services.clock import Clock
from imdesk.services.comms.journal import MessageJournal
from imdesk.storage import drill_repo, outbox_records, outbox_repo
from imdesk.storage.database import Database
from imdesk.storage.outbox_models import OutboxMessageRow
from imdesk.storage.outbox_records import Message

SENDER_AUTHOR = "outbox"


@dataclass(frozen=True)
class Job:
    """A message handed to a provider: plain values (no ORM object leaves the session)."""

    id: int
    ref: str
    provider: str
    channel: MessageChannel
    address: str
    recipient: str
    subject: str
    body: str
    sms_text: str
    message_id: str
    possible_duplicate: bool
    created_at: datetime
    in_doubt_since: datetime | None
    known_ids: frozenset[str] = frozenset()
    thread: tuple[str, ...] = ()  # earlier emails to this person about this incident, oldest first

    def thread_headers(self) -> dict[str, str]:
        """In-Reply-To the previous email, References from the first (the thread's root)."""
        if not self.thread:
            return {}
        refs = self.thread if len(self.thread) <= 10 else (self.thread[0], *self.thread[-9:])
        return {"In-Reply-To": self.thread[-1], "References": " ".join(refs)}


def step_of(msg: Message) -> RouteStep:
    """The route step the message is on."""
    return RouteStep.from_json(msg.route[msg.step])


def needs_secret(provider: Provider) -> bool:
    s = provider.settings
    if isinstance(s, SmtpSettings):
        return bool(s.username)
    if isinstance(s, HttpGatewaySettings):
        return any("$secret" in v for v in s.headers.values())
    return True


def credential_state(secrets: SecretStore, settings: CommsSettings, name: str) -> CredentialState | None:
    """None when the provider can be used now, else why not."""
    provider = settings.providers.get(name)
    if provider is None:
        return CredentialState.MISSING
    if not needs_secret(provider):
        return None
    lookup = secrets.get(name)
    return None if lookup.usable else lookup.state


def pick(db: Database, clock: Clock, secrets: SecretStore, settings: CommsSettings, now: datetime,
         batch: int, claim: str = "") -> tuple[list[Job], dict[str, CredentialState]]:
    """Due messages in order; per incident and recipient, one after the other. The ones picked
    are "sending" (committed) when this returns, claimed by `claim` until CLAIM_TTL from now
    (renewed while in flight); a message another sender claimed meanwhile is left to it. The
    providers without usable credentials are returned with their state, and their messages say
    why they wait."""
    with db.read() as s:
        rows = outbox_repo.due_heads(s, now, batch)
        candidates = [(m, step_of(m)) for m in rows]
        refs = outbox_repo.incident_refs(s, {m.incident_id for m, _ in candidates})
        known: dict[str, set[str]] = {}
        mails = [m for m, st in candidates if st.channel == MessageChannel.EMAIL]
        threads = outbox_repo.email_threads(s, {m.incident_id for m in mails},
                                            {m.recipient for m in mails})
        exercises = drill_repo.exercise_ids(s, {m.incident_id for m, _ in candidates})
        allows = {i: drill_repo.allow_list_for(s, i) for i in exercises}
        doubtful = {st.address for m, st in candidates if m.sending_since is not None}
        if doubtful:
            known = outbox_repo.provider_ids_by_address(s, doubtful)
    waiting: dict[str, CredentialState] = {}
    usable: dict[str, bool] = {}
    jobs: list[Job] = []
    refused: dict[int, str] = {}
    for msg, step in candidates:
        if msg.incident_id in allows:  # the last line of the exercise guard
            why = _exercise_refusal(msg, step, allows[msg.incident_id])
            if why:
                refused[msg.id] = why
                continue
        if step.provider not in usable:
            state = credential_state(secrets, settings, step.provider)
            usable[step.provider] = state is None
            if state is not None:
                waiting[step.provider] = state
        if not usable[step.provider]:
            continue
        jobs.append(Job(msg.id, refs.get(msg.incident_id, ""), step.provider, step.channel,
                        step.address, msg.recipient, msg.subject, msg.body, msg.sms_text,
                        msg.message_id, msg.possible_duplicate, msg.created_at,
                        msg.sending_since, frozenset(known.get(step.address, ())),
                        tuple(mid for ident, mid in threads.get((msg.incident_id, msg.recipient), ())
                              if ident < msg.id)))
    if waiting:
        _note_waiting(db, waiting)
    if refused:
        _refuse(db, clock, refused)
    if not jobs:
        return [], waiting
    with db.write() as s, s.no_autoflush:
        journal = MessageJournal(s, author=SENDER_AUTHOR, now=clock.now())
        loaded = outbox_records.claimable(s, [job.id for job in jobs], now)
        jobs = [job for job in jobs if job.id in loaded]
        for job in jobs:
            rec = loaded[job.id]
            rec.lease_holder = claim
            rec.lease_expires = journal.now + CLAIM_TTL
            rec.attempts += 1
            rec.sending_since = rec.sending_since or journal.now
            journal.move(rec, MessageState.SENDING, f"sending via {job.provider} "
                         f"(attempt {rec.attempts})", error="")
        outbox_records.save(s, loaded.values())
    return jobs, waiting


def _exercise_refusal(msg: OutboxMessageRow, step: RouteStep, allow: AllowList) -> str:
    if not allow.allows(step.address):
        return f"refused by the exercise guard: {step.address} is not on the drill's allow-list"
    if not marked(msg.subject, msg.body, msg.sms_text):
        return "refused by the exercise guard: the message lacks its EXERCISE marks"
    return ""


def _refuse(db: Database, clock: Clock, refused: dict[int, str]) -> None:
    with db.write() as s:
        journal = MessageJournal(s, author=SENDER_AUTHOR, now=clock.now())
        loaded = outbox_repo.load(s, list(refused))
        for ident, why in refused.items():
            msg = loaded.get(ident)
            if msg is not None and msg.state == MessageState.QUEUED.value:
                journal.move(msg, MessageState.FAILED, why, error=why)


def _note_waiting(db: Database, waiting: dict[str, CredentialState]) -> None:
    """Say on each held-back message why it waits (not a state change: no entry)."""
    with db.write() as s:
        for msg in outbox_repo.queued(s):
            state = waiting.get(step_of(msg).provider)
            if state is not None:
                text = f"waiting for credentials of {step_of(msg).provider}: {state.label}"
                if msg.last_error != text:
                    msg.last_error = text
