"""Who gets a message: the people behind a service's stakeholders, teams, distribution lists
and names, as the outbox needs them (usable phone numbers and email addresses).

The contact book answers these questions; the outbox only depends on this small protocol.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol


@dataclass(frozen=True)
class Recipient:
    """One person to inform. `phones` are E.164, `emails` validated; `flagged` lists what was
    found but cannot be used (shown in the send dialog)."""

    name: str
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    preferred: str = "call"            # call, sms or email (the contact's own preference)
    source: str = ""                   # why they are on the list: "ERP stakeholder (P1)", "team Network"
    flagged: tuple[str, ...] = field(default=())

    @property
    def phone(self) -> str:
        return self.phones[0] if self.phones else ""

    @property
    def email(self) -> str:
        return self.emails[0] if self.emails else ""


class RecipientDirectory(Protocol):
    """Where recipients come from (the contact book)."""

    def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
        """The people to inform about an incident of this service at this priority."""
        ...

    def resolve(self, names: Sequence[str]) -> tuple[list[Recipient], list[str]]:
        """People, teams or distribution lists by name: (the people, the names not found)."""
        ...


class NoDirectory:
    """No contact book yet: no stakeholders, and every name is unknown."""

    def stakeholders(self, service: str | None, priority: str) -> list[Recipient]:
        return []

    def resolve(self, names: Sequence[str]) -> tuple[list[Recipient], list[str]]:
        return [], list(names)
