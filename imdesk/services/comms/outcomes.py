"""What a send outcome does to a message: sent, retried later, failed over to the next step
of its route, on the call list, failed or expired — each a timeline entry."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from imdesk.channels.outcomes import (
    Accepted,
    CredentialsRejected,
    DeliveryError,
    InDoubt,
    PermanentFailure,
    TemporaryFailure,
)
from imdesk.domain.message import MessageChannel, MessageState, RetryPolicy
from imdesk.services.comms.journal import MessageJournal
from imdesk.storage.outbox_records import Message

FIRST_POLL = timedelta(seconds=5)
POLL_CAP = timedelta(minutes=5)
MAX_POLLS = 20


@dataclass(frozen=True)
class NotTried:
    """The message was picked but never handed to the provider (the connection broke first)."""

    reason: str


@dataclass(frozen=True)
class Reconciled:
    """An interrupted send was found at the provider: it went out, no resend."""

    accepted: Accepted


@dataclass(frozen=True)
class ReconcileFailed:
    """An interrupted SMS send could not be checked at the provider: no resend until it can."""

    reason: str


Outcome = Accepted | Reconciled | DeliveryError | NotTried | ReconcileFailed


def poll_delay(polls: int) -> timedelta:
    return min(POLL_CAP, FIRST_POLL * int(2 ** max(0, min(polls, 16))))


class OutcomeApplier:
    """Applies outcomes inside one write session (through the journal)."""

    def __init__(self, journal: MessageJournal, policy: RetryPolicy, rng: random.Random,
                 *, trackable: set[str]) -> None:
        self.j = journal
        self.policy = policy
        self.rng = rng
        self.trackable = trackable  # providers whose delivery status is polled

    @property
    def now(self) -> datetime:
        return self.j.now

    def apply(self, msg: Message, outcome: Outcome, provider: str) -> None:
        if isinstance(outcome, Reconciled):
            self._accepted(msg, outcome.accepted, provider, "found at the provider after an "
                           "interruption: it went out, not sent again")
        elif isinstance(outcome, Accepted):
            self._accepted(msg, outcome, provider, "accepted by the provider"
                           + (" (possible duplicate)" if msg.possible_duplicate else ""))
        elif isinstance(outcome, ReconcileFailed):
            msg.attempts = max(0, msg.attempts - 1)
            msg.next_attempt_at = self.now + self.policy.delay(1, self.rng)
            self.j.move(msg, MessageState.QUEUED, f"in doubt, not sent again: cannot ask the "
                        f"provider whether it went out ({outcome.reason})", error=outcome.reason)
        elif isinstance(outcome, NotTried):
            msg.attempts = max(0, msg.attempts - 1)
            msg.next_attempt_at = self.now
            self.j.move(msg, MessageState.QUEUED, f"not sent yet: {outcome.reason}",
                        error=outcome.reason)
        elif isinstance(outcome, CredentialsRejected):
            msg.attempts = max(0, msg.attempts - 1)  # not the message's fault: no attempt used
            msg.next_attempt_at = self.now
            self.j.move(msg, MessageState.QUEUED, f"waiting: {outcome.message}; set the "
                        "credentials again", error=outcome.message)
        elif isinstance(outcome, InDoubt):
            self._in_doubt(msg, outcome)
        elif isinstance(outcome, PermanentFailure):
            self.fail_over(msg, outcome.message)
        elif isinstance(outcome, TemporaryFailure):
            self._retry(msg, outcome)
        else:
            self._retry(msg, TemporaryFailure(outcome.message))

    def _accepted(self, msg: Message, acc: Accepted, provider: str, text: str) -> None:
        msg.provider_id = acc.provider_id[:200]
        msg.sending_since = None
        msg.polls = 0
        track = msg.channel == MessageChannel.SMS.value and provider in self.trackable
        msg.next_attempt_at = self.now + FIRST_POLL if track else None
        self.j.move(msg, MessageState.SENT, text, error="", provider_id=acc.provider_id,
                    provider_status=acc.status)

    def _in_doubt(self, msg: Message, doubt: InDoubt) -> None:
        msg.possible_duplicate = True
        msg.sending_since = None
        msg.step_attempts += 1
        msg.next_attempt_at = self.now + self.policy.delay(msg.step_attempts, self.rng)
        self.j.move(msg, MessageState.QUEUED, f"in doubt: {doubt.message}; sending again "
                    "(same Message-ID), marked as a possible duplicate", error=doubt.message)

    def _retry(self, msg: Message, failure: TemporaryFailure) -> None:
        msg.step_attempts += 1
        msg.sending_since = None  # refused or never connected: nothing went out
        if msg.step_attempts >= self.policy.attempts_per_step:
            self.fail_over(msg, f"{failure.message} (gave up after {msg.step_attempts} tries)")
            return
        delay = self.policy.delay(msg.step_attempts, self.rng, failure.retry_after)
        msg.next_attempt_at = self.now + delay
        minutes = max(1, round(delay.total_seconds() / 60))
        when = f"in {round(delay.total_seconds())} s" if delay < timedelta(minutes=2) \
            else f"in about {minutes} min"
        self.j.move(msg, MessageState.QUEUED, f"not sent: {failure.message}; next try {when}",
                    error=failure.message, retry_after=failure.retry_after)

    def fail_over(self, msg: Message, error: str) -> None:
        """Next step of the route, the call list, or failed for good."""
        msg.sending_since = None
        if msg.step + 1 >= len(msg.route):
            msg.next_attempt_at = None
            self.j.move(msg, MessageState.FAILED, f"failed: {error}", error=error)
            return
        failed_channel = msg.channel
        target = self.j.go_to_step(msg, msg.step + 1)
        if target.channel == MessageChannel.MANUAL:
            msg.next_attempt_at = None
            self.j.move(msg, MessageState.CALL, f"{failed_channel} failed ({error}); on the "
                        "call list: please phone", error=error)
            return
        msg.next_attempt_at = self.now
        self.j.move(msg, MessageState.QUEUED, f"{failed_channel} failed ({error}); next: "
                    f"{target.describe()}", error=error)

    def expire(self, msg: Message) -> None:
        msg.next_attempt_at = None
        msg.sending_since = None
        self.j.move(msg, MessageState.EXPIRED, "not sent: expired (its not-after time passed)",
                    error=msg.last_error or "expired")
