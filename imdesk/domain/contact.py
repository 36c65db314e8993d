"""A contact as the book, its importers and its exporters exchange it: plain values, no I/O.

The contact book stores these; vCard/CSV importers produce them and exporters consume them.
A value imdesk cannot validate is kept as written and flagged (``Phone.e164 is None``,
``Email.valid is False``), never dropped: it is shown for review instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class ContactKind(StrEnum):
    PERSON = "person"
    VENDOR = "vendor"        # suppliers and providers (contract or customer number)
    FACILITY = "facility"    # facilities desk, building security, the pizza service


class PhoneKind(StrEnum):
    MOBILE = "mobile"
    OFFICE = "office"
    HOME = "home"
    OTHER = "other"
    PAGER = "pager"


class EmailKind(StrEnum):
    WORK = "work"
    HOME = "home"
    OTHER = "other"


class Channel(StrEnum):
    """How a contact prefers to be reached."""

    CALL = "call"
    SMS = "sms"
    EMAIL = "email"


@dataclass(frozen=True)
class Phone:
    kind: PhoneKind
    raw: str                 # exactly as typed or imported
    e164: str | None         # "+4930123456"; None when it does not parse (flagged for review)

    @property
    def flagged(self) -> bool:
        return self.e164 is None

    @property
    def dial(self) -> str:
        """What to dial: the E.164 form when known, else the raw text."""
        return self.e164 or self.raw


@dataclass(frozen=True)
class Email:
    kind: EmailKind
    address: str             # normalised when valid, else as written
    valid: bool

    @property
    def flagged(self) -> bool:
        return not self.valid


@dataclass(frozen=True)
class ContactRecord:
    """One person, vendor or facility. ``last_verified_at`` is UTC (aware) or None (never)."""

    name: str
    kind: ContactKind = ContactKind.PERSON
    job_title: str = ""
    organisation: str = ""
    department: str = ""
    phones: tuple[Phone, ...] = ()
    emails: tuple[Email, ...] = ()
    preferred_channel: Channel = Channel.CALL
    time_zone: str = ""              # IANA name, e.g. "Europe/Berlin"; "" = the desk's own
    notes: str = ""                  # also where imported fields imdesk does not model are kept
    tags: tuple[str, ...] = ()
    account_number: str = ""         # vendor contract / customer number
    last_verified_at: datetime | None = None
    verified_by: str = ""
    review: str = ""                 # why a human must look ("wrong number reported by …"); "" = fine

    @property
    def flagged(self) -> bool:
        """True when some value could not be validated and needs a human look."""
        return any(p.flagged for p in self.phones) or any(e.flagged for e in self.emails)
