"""What the outbox sender does about interrupted and stale sends: a message still "sending"
whose claim is stale (its sender crashed: the claim expired, or its process is gone) is in
doubt (SMS with a provider that lists its messages is checked there
before any resend; email and untracked SMS go again with the same Message-ID, marked as a
possible duplicate); an in-doubt SMS is looked up at the provider; queued messages whose
not-after time has passed expire."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from imdesk.channels.outcomes import Accepted, DeliveryError
from imdesk.channels.settings import CommsSettings
from imdesk.domain.lease import claim_is_stale
from imdesk.domain.message import MessageChannel, MessageState
from imdesk.services.clock import Clock
from imdesk.services.comms.journal import MessageJournal
from imdesk.services.comms.outcomes import OutcomeApplier, ReconcileFailed
from imdesk.services.comms.sender_pick import SENDER_AUTHOR, Job, step_of
from imdesk.services.desk.leases import process_alive, this_host
from imdesk.storage import outbox_repo
from imdesk.storage.database import Database

RECONCILE_MARGIN = timedelta(minutes=2)

Applier = Callable[[MessageJournal, set[str]], OutcomeApplier]


def recover(db: Database, clock: Clock, settings: CommsSettings, older_than: timedelta | None,
            claim: str) -> int:
    """Turn every message "sending" whose claim is stale (its sender's own, expired, or of a
    process gone from this host) into an in-doubt queued one, due now; returns how many. A
    message sending under no claim (from before claims) counts when it last changed at least
    `older_than` ago, and not at all when `older_than` is None."""
    now = clock.now()
    here = this_host()

    def stale(tag: str, expires: datetime | None, changed: datetime) -> bool:
        if not tag:
            return older_than is not None and changed <= now - older_than
        return claim_is_stale(tag, expires, claim, here, now, process_alive)

    with db.read() as s:
        ids = [i for i, tag, expires, changed in outbox_repo.sending_claims(s)
               if stale(tag, expires, changed)]
    if not ids:
        return 0
    count = 0
    with db.write() as s:
        journal = MessageJournal(s, author=SENDER_AUTHOR, now=now)
        for msg in outbox_repo.sending_locked(s, ids):
            if not stale(msg.lease_holder or "", msg.lease_expires, msg.updated_at):
                continue  # renewed meanwhile
            count += 1
            msg.next_attempt_at = journal.now
            provider = settings.providers.get(step_of(msg).provider)
            if msg.channel == MessageChannel.SMS.value and provider is not None and \
                    provider.kind.value == "twilio":
                journal.move(msg, MessageState.QUEUED, "in doubt after an interruption: "
                             "checking with the provider before any resend", in_doubt=True)
            else:
                msg.possible_duplicate = True
                msg.sending_since = None
                journal.move(msg, MessageState.QUEUED, "in doubt after an interruption: "
                             "sending again (same Message-ID), marked as a possible duplicate",
                             in_doubt=True)
    return count


def find_sent(client: Any, sms: Any, job: Job, clock: Clock) -> Accepted | ReconcileFailed | None:
    """An in-doubt SMS looked up at the provider: what it accepted, None when it is not there,
    ReconcileFailed when the provider cannot be asked."""
    since = (job.in_doubt_since or clock.now()) - RECONCILE_MARGIN
    try:
        found: Accepted | None = client.find(sms, since, job.known_ids)
        return found
    except DeliveryError as exc:
        return ReconcileFailed(exc.message)


def expire(db: Database, now: datetime, applier: Applier) -> int:
    """Queued messages past their not-after time are expired; returns how many."""
    with db.write() as s:
        rows = outbox_repo.expired_queued(s, now)
        if not rows:
            return 0
        outcomes = applier(MessageJournal(s, author=SENDER_AUTHOR, now=now), set())
        for msg in rows:
            outcomes.expire(msg)
        return len(rows)
