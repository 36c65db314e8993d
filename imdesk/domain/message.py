"""Outbound messages: states, the failover route of one recipient, retry timing, expiry.

Pure values and rules; the outbox service stores them and the sender moves them along.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from imdesk.domain.priority import Priority

# Kind of the timeline entries that record what happened to one message.
MESSAGE_KIND = "message"


class MessageChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    MANUAL = "manual"  # a person at the desk calls the recipient


class MessageState(StrEnum):
    QUEUED = "queued"          # waiting for its turn (or for the network / credentials)
    SENDING = "sending"        # handed to a provider; after a crash this means "in doubt"
    SENT = "sent"              # accepted by the provider (SMS: delivery status still polled)
    DELIVERED = "delivered"    # the provider confirmed delivery (SMS)
    CALL = "call"              # on the call list: a person must phone the recipient
    CALLED = "called"          # done by hand, logged
    FAILED = "failed"          # permanently refused on every step of the route
    EXPIRED = "expired"        # its not-after time passed before it went out
    CAPTURED = "captured"      # an exercise's message kept by the outbound guard, never sent

    @property
    def final(self) -> bool:
        return self in FINAL_STATES

    @property
    def label(self) -> str:
        return {MessageState.CALL: "call by hand"}.get(self, self.value)


FINAL_STATES = frozenset({MessageState.DELIVERED, MessageState.CALLED, MessageState.FAILED,
                          MessageState.EXPIRED, MessageState.CAPTURED})
# States after which the next message to the same recipient of the same incident may go out.
SETTLED_STATES = FINAL_STATES | {MessageState.SENT, MessageState.CALL}
# SMS accepted by the provider stays SENT until its delivery status is final.
SMS_FINAL_STATUSES = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})


@dataclass(frozen=True)
class RouteStep:
    """One way to reach a recipient: a provider of a channel and the address on it."""

    channel: MessageChannel
    provider: str      # provider name from the settings ("" for the manual lane)
    address: str       # E.164 number, email address, or the number to call

    def to_json(self) -> dict[str, str]:
        return {"channel": self.channel.value, "provider": self.provider, "address": self.address}

    @classmethod
    def from_json(cls, raw: Mapping[str, Any]) -> RouteStep:
        return cls(MessageChannel(str(raw["channel"])), str(raw.get("provider", "")),
                   str(raw.get("address", "")))

    def describe(self) -> str:
        if self.channel == MessageChannel.MANUAL:
            return f"call {self.address}" if self.address else "call (no number)"
        return f"{self.channel.value} via {self.provider} to {self.address}"


# -- timing -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff with jitter; a step is given up after `attempts_per_step` tries."""

    base_seconds: float = 30.0
    cap_seconds: float = 1800.0
    attempts_per_step: int = 6

    def delay(self, attempt: int, rng: random.Random | None = None,
              retry_after: float | None = None) -> timedelta:
        """Wait before try number attempt+1 (attempt ≥ 1): a random point in the upper half of
        min(cap, base·2^(attempt-1)) — spread, never a thundering herd — and never sooner than
        the provider's Retry-After."""
        ceiling = min(self.cap_seconds, self.base_seconds * (2 ** max(0, attempt - 1)))
        seconds = (rng or random).uniform(ceiling / 2, ceiling)
        if retry_after is not None:
            seconds = max(seconds, retry_after)
        return timedelta(seconds=seconds)


DEFAULT_RETRY = RetryPolicy()

# How long a message is still worth sending, per priority (an SMS about a P1 two hours late
# only confuses); the manual lane keeps no deadline: a call is placed or marked done by hand.
DEFAULT_NOT_AFTER: Mapping[Priority, timedelta] = {
    Priority.P1: timedelta(hours=1),
    Priority.P2: timedelta(hours=2),
    Priority.P3: timedelta(hours=4),
    Priority.P4: timedelta(hours=8),
    Priority.P5: timedelta(hours=24),
}


def not_after(priority: Priority, queued_at: datetime) -> datetime:
    return queued_at + DEFAULT_NOT_AFTER[priority]
