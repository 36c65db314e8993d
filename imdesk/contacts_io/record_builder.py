"""Building one ContactRecord from the fields of a card or a row, cleaning and flagging as it goes.

The rule for oversized input:
- Any single field longer than ``FIELD_MAX`` (20,000 characters), and a name longer than the
  book's 200, refuses the whole file naming the record and field: a value that long is not contact
  data, and cutting it would lose what the user has. The notes (the file's own notes plus the
  fields imdesk does not model) must fit 20,000 characters too.
- A shorter value that does not fit its field in the book (a job title, organisation or
  department over 200 characters, a "phone number" over 100, an address over 320, a tag over 60,
  more than 20 numbers or addresses, more than 50 tags) is kept in the notes and flagged.

Invisible controls (bidi overrides and isolates, zero-width space, BOM, C0/C1 controls) are removed
from every value with ``clean_text``; a phone number or address that does not validate is kept as
written and flagged with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.result import Flag
from imdesk.contacts_io.values import check_email, normalise_phone, phone_problem
from imdesk.domain import contact_clean as book
from imdesk.domain.contact import (
    NAME_FIELDS,
    NAME_PART_MAX,
    Channel,
    ContactKind,
    ContactRecord,
    Email,
    EmailKind,
    Phone,
    PhoneKind,
)
from imdesk.domain.text import TEXT_MAX, clean_text

NAME_MAX = book.NAME_MAX        # 200
SHORT_MAX = book.FIELD_MAX      # 200: job title, organisation, department, contract number
FIELD_MAX = TEXT_MAX            # 20,000 characters: any one field of a file
TIME_ZONE_MAX = 64              # as contact_clean.clean_record stores them
VERIFIED_BY_MAX = 120
REVIEW_MAX = 500                # as the book's review column holds
PART_LABELS = dict(NAME_FIELDS)
_PHONETIC_ORDER = ("given", "middle", "family")


def check_size(value: str, field_name: str, record: int, line: int, limit: int = FIELD_MAX) -> None:
    if len(value) > limit:
        raise ImportRefused(f"{field_name} is {len(value):,} characters long; the limit for one field "
                            f"is {limit:,}", record=record, line=line, field=field_name)


@dataclass(slots=True)
class RecordBuilder:
    """Collects one contact's values in file order; ``build()`` gives the record and its flags."""

    record: int
    line: int
    region: str
    name: str = ""
    parts: dict[str, str] = field(default_factory=dict)      # ContactRecord's name-part fields
    phonetic: dict[str, str] = field(default_factory=dict)   # "given"/"middle"/"family" → reading
    kind: ContactKind = ContactKind.PERSON
    job_title: str = ""
    organisation: str = ""
    department: str = ""
    phones: list[Phone] = field(default_factory=list)
    emails: list[Email] = field(default_factory=list)
    preferred_channel: Channel = Channel.CALL
    time_zone: str = ""
    notes: str = ""
    extra: list[str] = field(default_factory=list)     # "Label: value" lines for the notes
    tags: list[str] = field(default_factory=list)
    account_number: str = ""
    last_verified_at: datetime | None = None
    verified_by: str = ""
    flags: list[Flag] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)

    # -- cleaning -------------------------------------------------------------------------------
    def line_text(self, value: str, field_name: str) -> str:
        """A single-line value, cleaned; refuses the file when it is longer than FIELD_MAX."""
        if len(value) <= NAME_MAX and value.isprintable() and value == value.strip() and "  " not in value:
            return value    # nothing clean_text would change: no controls, format characters or runs
        check_size(value, field_name, self.record, self.line)
        return clean_text(value, field_name, max_len=FIELD_MAX, single_line=True)

    def fit(self, value: str, field_name: str, limit: int = SHORT_MAX) -> str:
        """A single-line value for a field of the book that holds ``limit`` characters; a longer
        one is kept in the notes and flagged, and the field stays empty."""
        text = self.line_text(value, field_name)
        if len(text) <= limit:
            return text
        self.flag(field_name, text[:60] + "…", f"{len(text):,} characters, more than the {limit:,} the "
                  "book keeps in this field; kept in the notes")
        self.extra.append(f"{field_name}: {text}")
        return ""

    def block_text(self, value: str, field_name: str) -> str:
        check_size(value, field_name, self.record, self.line)
        return clean_text(value, field_name, max_len=FIELD_MAX)

    # -- values ---------------------------------------------------------------------------------
    def add_phone(self, raw: str, kind: PhoneKind, field_name: str) -> None:
        text = self.fit(raw, field_name, book.PHONE_MAX)
        if not text or self._full(self.phones, field_name, text, "phone numbers"):
            return
        phone = normalise_phone(text, kind, self.region)
        if phone.e164 is None:
            self.flag(field_name, text, _reason(phone_problem(text, self.region), text))
        if all(p.raw != phone.raw for p in self.phones):
            self.phones.append(phone)

    def add_email(self, address: str, kind: EmailKind, field_name: str) -> None:
        text = self.fit(address, field_name, book.EMAIL_MAX)
        if not text or self._full(self.emails, field_name, text, "email addresses"):
            return
        email, problem = check_email(text, kind)
        if problem is not None:
            self.flag(field_name, text, problem)
        if all(e.address.lower() != email.address.lower() for e in self.emails):
            self.emails.append(email)

    def add_extra(self, label: str, value: str) -> None:
        """Keep a field imdesk does not model: a 'label: value' line in the notes (the lines of a
        multi-line value, such as an address, joined with commas)."""
        text = ", ".join(line.strip() for line in self.block_text(value, label).splitlines() if line.strip())
        if text:
            self.extra.append(f"{label}: {text}")

    def add_tag(self, value: str, field_name: str) -> None:
        tag = self.fit(value, field_name, book.TAG_MAX)
        if tag and tag not in self.tags and not self._full(self.tags, field_name, tag, "tags",
                                                           book.TAGS_MAX):
            self.tags.append(tag)

    def _full(self, values: list[Any], field_name: str, text: str, what: str,
              limit: int = book.VALUES_MAX) -> bool:
        """True (and the value kept in the notes, flagged) when the book holds no more of these."""
        if len(values) < limit:
            return False
        self.flag(field_name, text, f"the book keeps {limit} {what} per contact; kept in the notes")
        self.extra.append(f"{field_name}: {text}")
        return True

    def set_part(self, key: str, value: str, field_name: str) -> None:
        """One part of the name (``given_name``, ``nickname``, … of ContactRecord). A second,
        different value for the same part (a second nickname) is kept in the notes."""
        text = self.fit(value, field_name, NAME_MAX if key == "phonetic_name" else NAME_PART_MAX)
        if not text:
            return
        if self.parts.setdefault(key, text) != text:
            self.add_extra(PART_LABELS[key], text)

    def set_phonetic(self, which: str, value: str, field_name: str) -> None:
        """How one part of the name is read (Apple's and Google's phonetic given/middle/family
        name, a Japanese phone's reading): the parts make the contact's phonetic name."""
        text = self.fit(value, field_name, NAME_PART_MAX)
        if text:
            self.phonetic.setdefault(which, text)

    def has_identity(self) -> bool:
        """True when the contact has something to be named after (see build)."""
        return bool(self.name.strip() or any(self.parts.values()) or self.organisation
                    or self.emails or self.phones)

    def mark_review(self, text: str) -> None:
        """The contact is marked for review (the book's `check`) with this reason."""
        reason = clean_text(text, "review", max_len=len(text), single_line=True) if text.strip() else ""
        if reason:
            self.reviews.append(reason)

    def damaged(self, field_name: str, value: str, reason: str) -> None:
        """A value kept as well as it could be decoded: flagged, and the contact marked for review."""
        self.flag(field_name, value, reason)
        self.mark_review(f"{field_name}: {reason}")

    def flag(self, field_name: str, value: str, reason: str) -> None:
        self.flags.append(Flag(self.record, self.line, field_name, value, reason))

    # -- result ---------------------------------------------------------------------------------
    def build(self) -> ContactRecord:
        if self.phonetic and "phonetic_name" not in self.parts:
            self.set_part("phonetic_name", " ".join(self.phonetic[k] for k in _PHONETIC_ORDER
                                                   if k in self.phonetic), "phonetic name")
        name = self.name or " ".join(self.parts[k] for k in _DISPLAY_ORDER if self.parts.get(k))
        name = self.line_text(name or self.parts.get("nickname", ""), "name")
        check_size(name, "name", self.record, self.line, NAME_MAX)
        if not name:
            name = self._fallback_name()
        # The "label: value" lines: the values are clean, but a label may come from the file
        # (a CSV header, an Apple X-ABLabel). Cleaned here, the record is one clean_record
        # leaves as it is, and the book stores it without cleaning it again (CleanRecord).
        extra = "\n".join(self.extra)
        extra = clean_text(extra, "notes", max_len=len(extra)) if extra else ""
        notes = "\n\n".join(p for p in (self.notes, extra) if p)
        check_size(notes, "notes (with the fields imdesk does not model)", self.record, self.line)
        return ContactRecord(
            name=name, kind=self.kind, job_title=self.job_title, organisation=self.organisation,
            department=self.department, phones=tuple(self.phones), emails=tuple(self.emails),
            preferred_channel=self.preferred_channel, time_zone=self.time_zone, notes=notes,
            tags=tuple(self.tags), account_number=self.account_number,
            last_verified_at=self.last_verified_at, verified_by=self.verified_by,
            review="; ".join(dict.fromkeys(self.reviews))[:REVIEW_MAX], **self.parts)

    def _fallback_name(self) -> str:
        for source, value in (("organisation", self.organisation),
                              ("email address", self.emails[0].address if self.emails else ""),
                              ("phone number", self.phones[0].raw if self.phones else "")):
            if value:
                name = value[:NAME_MAX]
                self.flag("name", name, f"the record has no name; it is named after its {source}")
                return name
        raise ImportRefused("the record has no name, organisation, email address or phone number",
                            record=self.record, line=self.line, field="name")


_DISPLAY_ORDER = ("given_name", "middle_name", "family_name", "name_suffix")   # "Dr." stays a part


def _reason(problem: str | None, text: str) -> str:
    """The validator's reason without its leading repetition of the value."""
    reason = problem or "it does not validate"
    prefix = f"{text!r}: "
    return reason[len(prefix):] if reason.startswith(prefix) else reason
