"""Cleaning a ContactRecord before it is stored: limits per field, invisible controls and bidi
overrides removed, refusals naming the field. Flagged phones and emails pass (kept for review)."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Any

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
from imdesk.domain.errors import ValidationError
from imdesk.domain.text import clean_text

NAME_MAX = 200
FIELD_MAX = 200
NOTES_MAX = 20_000
PHONE_MAX = 100
EMAIL_MAX = 320
TAG_MAX = 60
TAGS_MAX = 50
VALUES_MAX = 20          # phones or emails per contact
_E164 = re.compile(r"\+[1-9]\d{4,14}")


@dataclass(frozen=True, slots=True)
class CleanRecord:
    """A record that ``clean_record`` would give back unchanged: what ``clean_record`` returned,
    or what an importer built under the same rules (contacts_io.record_builder). The contact book
    stores it as it is; a plain ContactRecord is cleaned first. Wrap only such records: a record
    changed after cleaning (merged, edited) is a plain ContactRecord again."""

    record: ContactRecord


def record_of(rec: ContactRecord | CleanRecord) -> ContactRecord:
    """The record itself, whether or not it is known to be clean."""
    return rec.record if isinstance(rec, CleanRecord) else rec


def is_e164(number: str) -> bool:
    """True for "+" and 5 to 15 digits, the first not 0: what the book stores as a dialable number."""
    return _E164.fullmatch(number) is not None


def _line(value: str, field: str, max_len: int = FIELD_MAX, *, required: bool = False) -> str:
    return clean_text(value, field, max_len=max_len, required=required, single_line=True)


def clean_phone(phone: Phone) -> Phone:
    raw = _line(phone.raw, "phone", PHONE_MAX, required=True)
    try:
        kind = PhoneKind(phone.kind)
    except ValueError as exc:
        raise ValidationError("phone", str(exc)) from None
    if phone.e164 is not None and not is_e164(phone.e164):
        raise ValidationError("phone", f"{phone.e164!r} is not an E.164 number")
    return Phone(kind, raw, phone.e164)


def clean_email(email: Email) -> Email:
    try:
        kind = EmailKind(email.kind)
    except ValueError as exc:
        raise ValidationError("email", str(exc)) from None
    return Email(kind, _line(email.address, "email", EMAIL_MAX, required=True), bool(email.valid))


def clean_record(rec: ContactRecord) -> ContactRecord:
    """The record with every field cleaned, or ValidationError naming the first bad field."""
    if len(rec.phones) > VALUES_MAX:
        raise ValidationError("phone", f"{len(rec.phones)} phone numbers; the limit is {VALUES_MAX}")
    if len(rec.emails) > VALUES_MAX:
        raise ValidationError("email", f"{len(rec.emails)} email addresses; the limit is {VALUES_MAX}")
    tags = tuple(dict.fromkeys(t for t in (_line(t, "tag", TAG_MAX) for t in rec.tags) if t))
    if len(tags) > TAGS_MAX:
        raise ValidationError("tags", f"{len(tags)} tags; the limit is {TAGS_MAX}")
    if rec.last_verified_at is not None and rec.last_verified_at.tzinfo is None:
        raise ValidationError("last verified", "the verification time needs its UTC offset")
    try:
        kind, channel = ContactKind(rec.kind), Channel(rec.preferred_channel)
    except ValueError as exc:
        raise ValidationError("kind", str(exc)) from None
    parts: dict[str, Any] = {key: _line(getattr(rec, key), label.lower(),
                                        NAME_MAX if key == "phonetic_name" else NAME_PART_MAX)
                             for key, label in NAME_FIELDS}
    return replace(
        rec,
        kind=kind,
        preferred_channel=channel,
        name=_line(rec.name, "name", NAME_MAX, required=True),
        job_title=_line(rec.job_title, "job title"),
        organisation=_line(rec.organisation, "organisation"),
        department=_line(rec.department, "department"),
        time_zone=_line(rec.time_zone, "time zone", 64),
        notes=clean_text(rec.notes, "notes", max_len=NOTES_MAX),
        account_number=_line(rec.account_number, "contract number"),
        verified_by=_line(rec.verified_by, "verified by", 120),
        review=_line(rec.review, "review", 500),
        phones=tuple(clean_phone(p) for p in rec.phones),
        emails=tuple(clean_email(e) for e in rec.emails),
        tags=tags,
        **parts,
    )
