"""Writing contacts as vCard 3.0 (RFC 2426): the version every address book reads — Outlook, Apple,
Google, Android, Thunderbird, Nextcloud — where 4.0 is still patchy.

UTF-8, CRLF line ends, lines folded at 75 octets without splitting a character. Phone numbers are
written exactly as typed (TYPE=CELL, WORK, HOME; VOICE for "other"); what vCard has no property
for (kind, preferred channel, contract number, verification) goes into X-IMDESK-* properties,
which imdesk reads back and other programs keep or ignore. The name's parts go into N, the
nickname into NICKNAME and the phonetic name into X-PHONETIC-NAME. The time zone is written as text
(``TZ;VALUE=text:Europe/Berlin``).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import TextIO

from imdesk import __version__
from imdesk.contacts_io.vcard_values import escape
from imdesk.domain.contact import ContactKind, ContactRecord, EmailKind, PhoneKind

_TEL_TYPE = {PhoneKind.MOBILE: "CELL", PhoneKind.OFFICE: "WORK", PhoneKind.HOME: "HOME",
             PhoneKind.OTHER: "VOICE", PhoneKind.PAGER: "PAGER"}
_EMAIL_TYPE = {EmailKind.WORK: "INTERNET,WORK", EmailKind.HOME: "INTERNET,HOME",
               EmailKind.OTHER: "INTERNET,OTHER"}


def iso_z(moment: datetime) -> str:
    """UTC, full precision, with a Z: 2026-11-02T09:00:00Z."""
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def card_lines(contact: ContactRecord) -> Iterator[str]:
    """The unfolded property lines of one card."""
    yield "BEGIN:VCARD"
    yield "VERSION:3.0"
    yield f"PRODID:-//imdesk//imdesk {__version__}//EN"
    yield f"FN:{escape(contact.name)}"
    # Without parts of its own, N is a guess from the name for the programs that show N; imdesk
    # reads such an N (marked X-IMDESK-GUESSED) as no parts.
    yield f"N{'' if contact.name_parts else ';X-IMDESK-GUESSED=1'}:{_structured_name(contact)}"
    if contact.nickname:
        yield f"NICKNAME:{escape(contact.nickname)}"
    if contact.phonetic_name:
        yield f"X-PHONETIC-NAME:{escape(contact.phonetic_name)}"
    if contact.organisation or contact.department:
        yield f"ORG:{escape(contact.organisation)};{escape(contact.department)}"
    if contact.job_title:
        yield f"TITLE:{escape(contact.job_title)}"
    for phone in contact.phones:
        yield f"TEL;TYPE={_TEL_TYPE[phone.kind]}:{escape(phone.raw)}"
    for email in contact.emails:
        yield f"EMAIL;TYPE={_EMAIL_TYPE[email.kind]}:{escape(email.address)}"
    if contact.tags:
        yield "CATEGORIES:" + ",".join(escape(t) for t in contact.tags)
    if contact.time_zone:
        yield f"TZ;VALUE=text:{escape(contact.time_zone)}"
    if contact.notes:
        yield f"NOTE:{escape(contact.notes)}"
    yield f"X-IMDESK-KIND:{contact.kind.value}"
    yield f"X-IMDESK-CHANNEL:{contact.preferred_channel.value}"
    if contact.account_number:
        yield f"X-IMDESK-ACCOUNT:{escape(contact.account_number)}"
    if contact.last_verified_at is not None:
        yield f"X-IMDESK-VERIFIED-AT:{iso_z(contact.last_verified_at)}"
    if contact.verified_by:
        yield f"X-IMDESK-VERIFIED-BY:{escape(contact.verified_by)}"
    if contact.review:
        yield f"X-IMDESK-REVIEW:{escape(contact.review)}"
    yield "END:VCARD"


def _structured_name(contact: ContactRecord) -> str:
    """N is required in 3.0: the name's parts (family;given;middle;prefix;suffix) when the contact
    has them; else family;given for a person (last word is the family name), the whole name as the
    family part for a vendor or facility. imdesk itself reads FN."""
    if contact.name_parts:
        return ";".join(escape(p) for p in (contact.family_name, contact.given_name,
                                            contact.middle_name, contact.name_prefix,
                                            contact.name_suffix))
    if contact.kind is not ContactKind.PERSON or " " not in contact.name.strip():
        return f"{escape(contact.name)};;;;"
    given, _, family = contact.name.strip().rpartition(" ")
    return f"{escape(family)};{escape(given)};;;"


def fold(line: str) -> str:
    """Fold at 75 octets (UTF-8), continuation lines starting with a space."""
    data = line.encode("utf-8")
    if len(data) <= 75:
        return line
    parts: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > limit:
            parts.append(current)
            current, size, limit = "", 0, 74     # the leading space takes one octet
        current += char
        size += width
    parts.append(current)
    return "\r\n ".join(parts)


def write_vcards(contacts: Iterable[ContactRecord], out: TextIO) -> int:
    """Write the cards to a text stream opened with newline=""; returns how many were written."""
    count = 0
    for contact in contacts:
        out.write("".join(fold(line) + "\r\n" for line in card_lines(contact)))
        count += 1
    return count
