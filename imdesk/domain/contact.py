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
    # The name's parts as an address book writes them (vCard N, the CSV name columns); ``name``
    # is the display name. All are searched; none is required.
    given_name: str = ""
    family_name: str = ""
    middle_name: str = ""
    name_prefix: str = ""            # "Dr.", "Prof."
    name_suffix: str = ""            # "Jr.", "PhD"
    nickname: str = ""
    phonetic_name: str = ""          # how the name is read ("タナカ ミイ", "Shaw-bahn")

    @property
    def name_parts(self) -> tuple[str, ...]:
        """The parts that are set, in the order a name is read: prefix, given, middle, family, suffix."""
        return tuple(p for p in (self.name_prefix, self.given_name, self.middle_name,
                                 self.family_name, self.name_suffix) if p)

    @property
    def flagged(self) -> bool:
        """True when some value could not be validated and needs a human look."""
        return any(p.flagged for p in self.phones) or any(e.flagged for e in self.emails)


# The name-part fields of ContactRecord with the labels a user reads (editor, card, CSV header).
NAME_FIELDS: tuple[tuple[str, str], ...] = (
    ("name_prefix", "Prefix"), ("given_name", "Given name"), ("middle_name", "Middle name"),
    ("family_name", "Family name"), ("name_suffix", "Suffix"), ("nickname", "Nickname"),
    ("phonetic_name", "Phonetic name"),
)
NAME_PART_MAX = 100


def name_from_parts(rec: ContactRecord) -> str:
    """A display name built from the parts ("Dr. Jörg M. Müller"), "" when none are set."""
    return " ".join(rec.name_parts)
