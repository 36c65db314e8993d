"""What a send can end in, as the sender needs to tell them apart.

Every message text here is shown to the user and written to the timeline: it names the server
and its reply, never a secret.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Accepted:
    """The provider took the message; `provider_id` finds it again (SMS sid, Message-ID)."""

    provider_id: str
    status: str = "sent"


class DeliveryError(Exception):
    """A send that did not go through; the subclass says what to do next."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TemporaryFailure(DeliveryError):
    """Try again later (SMTP 4xx, HTTP 429/5xx before the message existed)."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class ProviderUnreachable(TemporaryFailure):
    """No connection to the provider at all (refused, no route, DNS, connect timeout)."""


class PermanentFailure(DeliveryError):
    """This recipient cannot be reached this way (SMTP 5xx, HTTP 4xx): go to the next step."""


class CredentialsRejected(DeliveryError):
    """The provider refused the login (SMTP 535, HTTP 401/403): pause it, keep the queue."""


class InDoubt(DeliveryError):
    """The request went out but its answer did not come back: it may have been delivered."""
