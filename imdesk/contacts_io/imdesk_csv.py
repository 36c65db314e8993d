"""imdesk's own CSV columns, both directions, and the rule against formula injection.

Columns (header row, in this order on export; any order and case on import; "Name" is required):

    Name, Kind, Job title, Organisation, Department, Phones, Emails, Preferred channel,
    Time zone, Tags, Account number, Last verified at (UTC), Verified by, Notes, Review,
    Prefix, Given name, Middle name, Family name, Suffix, Nickname, Phonetic name

- Phones: one number per line in the cell, "mobile: +49 171 2345678" (mobile, office, home,
  other), the number exactly as it was typed. Emails: likewise, "work: kim@example.com"
  (work, home, other). Tags: one per line.
- Kind: person, vendor or facility. Preferred channel: call, sms or email.
- Last verified at: ISO 8601 in UTC ("2026-11-02T09:00:00Z"), empty when never.
- Columns imdesk does not know are kept in the contact's notes as "Column: value".

Formula injection: a spreadsheet runs a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and
tab or CR, which some strip first) as a formula. On export such a cell — and, so that the rule can be
undone, a cell that already starts with an apostrophe — is written with one apostrophe in front
(``=HYPERLINK(…)`` → ``'=HYPERLINK(…)``), which spreadsheets show as text. Importing an imdesk CSV
removes exactly one leading apostrophe from every cell, giving back the value as it was.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TypeVar

from imdesk.contacts_io.record_builder import TIME_ZONE_MAX, VERIFIED_BY_MAX, RecordBuilder
from imdesk.domain.contact import NAME_FIELDS, Channel, ContactKind, ContactRecord, EmailKind, PhoneKind

COLUMNS = ("Name", "Kind", "Job title", "Organisation", "Department", "Phones", "Emails",
           "Preferred channel", "Time zone", "Tags", "Account number", "Last verified at (UTC)",
           "Verified by", "Notes", "Review", *(label for _, label in NAME_FIELDS))
_PART_KEYS = {label: key for key, label in NAME_FIELDS}
_KEYS = {c.lower(): c for c in COLUMNS}
K = TypeVar("K", PhoneKind, EmailKind)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "'")


def neutralise(cell: str) -> str:
    """The cell as exported: one apostrophe in front when a spreadsheet could run it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_START) else cell


def restore(cell: str) -> str:
    """The inverse of neutralise, applied to every cell of an imdesk CSV on import."""
    return cell[1:] if cell.startswith("'") else cell


def is_imdesk(headers: set[str]) -> bool:
    """A "Name" column and at least one more of imdesk's own."""
    return "name" in headers and len(headers & set(_KEYS)) >= 2


def iso_utc(moment: datetime | None) -> str:
    """UTC with a Z, full precision ("2026-11-02T09:00:00Z"); "" for never."""
    return "" if moment is None else moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def to_row(contact: ContactRecord) -> list[str]:
    cells = [
        contact.name, contact.kind.value, contact.job_title, contact.organisation,
        contact.department,
        "\n".join(f"{p.kind.value}: {p.raw}" for p in contact.phones),
        "\n".join(f"{e.kind.value}: {e.address}" for e in contact.emails),
        contact.preferred_channel.value, contact.time_zone, "\n".join(contact.tags),
        contact.account_number, iso_utc(contact.last_verified_at), contact.verified_by, contact.notes,
        contact.review, *(getattr(contact, key) for key, _ in NAME_FIELDS),
    ]
    return [neutralise(c) for c in cells]


def fill(b: RecordBuilder, row: list[tuple[str, str]]) -> None:
    """Map one imdesk CSV row (header, cell) onto the builder."""
    for header, raw in row:
        value = restore(raw)
        key = _KEYS.get(header.strip().lower(), "")
        if not value.strip():
            continue
        if key == "Name":
            b.name = b.line_text(value, header)
        elif key == "Kind":
            _choice(b, header, value, ContactKind, "kind")
        elif key == "Job title":
            b.job_title = b.fit(value, header)
        elif key == "Organisation":
            b.organisation = b.fit(value, header)
        elif key == "Department":
            b.department = b.fit(value, header)
        elif key == "Phones":
            for line in value.splitlines():
                kind, number = _split_kind(line, PhoneKind, PhoneKind.OTHER)
                b.add_phone(number, kind, header)
        elif key == "Emails":
            for line in value.splitlines():
                ekind, address = _split_kind(line, EmailKind, EmailKind.WORK)
                b.add_email(address, ekind, header)
        elif key == "Preferred channel":
            _choice(b, header, value, Channel, "preferred_channel")
        elif key == "Time zone":
            b.time_zone = b.fit(value, header, TIME_ZONE_MAX)
        elif key == "Tags":
            for tag in value.splitlines():
                b.add_tag(tag, header)
        elif key == "Account number":
            b.account_number = b.fit(value, header)
        elif key == "Last verified at (UTC)":
            _verified(b, header, value)
        elif key == "Verified by":
            b.verified_by = b.fit(value, header, VERIFIED_BY_MAX)
        elif key == "Notes":
            b.notes = b.block_text(value, header)
        elif key == "Review":
            b.mark_review(value)
        elif key in _PART_KEYS:
            b.set_part(_PART_KEYS[key], value, header)
        else:
            b.add_extra(header.strip() or "Column", value)


def _split_kind(line: str, kinds: type[K], default: K) -> tuple[K, str]:
    head, sep, rest = line.partition(":")
    if sep and head.strip().lower() in {k.value for k in kinds}:
        return kinds(head.strip().lower()), rest.strip()
    return default, line.strip()


def _choice(b: RecordBuilder, header: str, value: str, enum: type[ContactKind] | type[Channel],
            attr: str) -> None:
    text = b.line_text(value, header)
    try:
        setattr(b, attr, enum(text.lower()))
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        b.flag(header, text, f"not one of {allowed}; the default is used and the value kept in the notes")
        b.add_extra(header, text)


def _verified(b: RecordBuilder, header: str, value: str) -> None:
    text = b.line_text(value, header)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        b.flag(header, text, "not an ISO 8601 time with a zone (2026-11-02T09:00:00Z); kept in the notes")
        b.add_extra(header, text)
        return
    try:
        in_utc = moment.astimezone(UTC)
    except OverflowError:  # the edge of the calendar: 9999-12-31T23:59-01:00 is past year 9999 in UTC
        in_utc = None
    if in_utc is None or not 1970 <= in_utc.year <= 2999:
        b.flag(header, text, "outside the years 1970 to 2999; kept in the notes")
        b.add_extra(header, text)
        return
    b.last_verified_at = in_utc
