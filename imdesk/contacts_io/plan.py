"""What an import will do, before anything is written: new contacts, duplicates, flagged values.

A record duplicates a contact in the book when they share an email address (compared without
regard to case) or a phone number (compared in E.164; numbers that do not parse are not compared).
A record that shares one with an earlier *new* record of the same file duplicates that one.
Each duplicate is merged or skipped, as the user decides per row; ``ImportPlan.resolve`` turns the
decisions into the arguments of ``ContactService.import_records``.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

from imdesk.contacts_io.result import Flag, Notice, ParsedFile, ParsedRecord
from imdesk.domain import contact_clean as book
from imdesk.domain.contact import NAME_FIELDS, ContactRecord, Email, Phone
from imdesk.domain.contact_clean import CleanRecord, record_of

T = TypeVar("T")


@dataclass(frozen=True)
class Duplicate:
    """An incoming record that matches a contact already in the book or earlier in the file."""

    position: int                 # index in ImportPlan.records
    record: ParsedRecord
    matched_on: str               # "email kim@example.com" or "phone +4930123456"
    existing_id: int | None       # the contact in the book, or None when ``earlier`` is set
    existing_name: str
    earlier: int | None = None    # index of the earlier record of this file it duplicates


@dataclass(frozen=True)
class ImportPlan:
    layout: str
    encoding: str
    records: list[ParsedRecord]
    new: list[int]                # indexes into records
    duplicates: list[Duplicate]
    flags: list[Flag]
    notices: list[Notice]
    existing: dict[int, ContactRecord] = field(default_factory=dict)   # the matched book contacts
    legacy_encoding: str = "UTF-8"   # what the file was read as ("Shift_JIS"; guessed or chosen)

    def resolve(self, merge: Collection[int] = ()) -> tuple[list[ContactRecord | CleanRecord],
                                                            list[tuple[int, ContactRecord]]]:
        """(new records, merges as (contact id, merged record)). Duplicates whose position is in
        ``merge`` are merged into what they match; the others are skipped. A record as read is a
        CleanRecord (the book stores it as it is); a merged one is a plain ContactRecord, which
        the book cleans (a merge can, say, make the notes too long)."""
        new: dict[int, ContactRecord | CleanRecord] = {i: self.records[i].clean for i in self.new}
        merged: dict[int, ContactRecord] = {}
        for dup in self.duplicates:
            if dup.position not in merge:
                continue
            if dup.existing_id is not None:
                base = merged.get(dup.existing_id, self.existing[dup.existing_id])
                merged[dup.existing_id] = merge_records(base, dup.record.contact)
            elif dup.earlier is not None and dup.earlier in new:
                new[dup.earlier] = merge_records(record_of(new[dup.earlier]), dup.record.contact)
        return [new[i] for i in sorted(new)], list(merged.items())

    @property
    def flagged_records(self) -> int:
        return len({f.record for f in self.flags})


def _keys(contact: ContactRecord) -> Iterable[tuple[str, str]]:
    for email in contact.emails:
        yield "email", email.address.strip().lower()
    for phone in contact.phones:
        if phone.e164:
            yield "phone", phone.e164


def plan_import(parsed: ParsedFile, existing: Sequence[tuple[int, ContactRecord]]) -> ImportPlan:
    book_index: dict[tuple[str, str], int] = {}
    names: dict[int, ContactRecord] = {}
    for contact_id, contact in existing:
        names[contact_id] = contact
        for key in _keys(contact):
            book_index.setdefault(key, contact_id)
    file_index: dict[tuple[str, str], int] = {}
    new: list[int] = []
    duplicates: list[Duplicate] = []
    matched: dict[int, ContactRecord] = {}
    for position, rec in enumerate(parsed.records):
        keys = list(_keys(rec.contact))
        hit = next(((k, book_index[k]) for k in keys if k in book_index), None)
        if hit is not None:
            key, contact_id = hit
            matched[contact_id] = names[contact_id]
            duplicates.append(Duplicate(position, rec, f"{key[0]} {key[1]}", contact_id,
                                        names[contact_id].name))
            continue
        earlier = next(((k, file_index[k]) for k in keys if k in file_index), None)
        if earlier is not None:
            key, first = earlier
            duplicates.append(Duplicate(position, rec, f"{key[0]} {key[1]}", None,
                                        parsed.records[first].contact.name, earlier=first))
            continue
        new.append(position)
        for key in keys:
            file_index.setdefault(key, position)
    return ImportPlan(parsed.layout, parsed.encoding, parsed.records, new, duplicates,
                      parsed.flags, parsed.notices, matched, parsed.legacy_encoding)


def merge_records(existing: ContactRecord, incoming: ContactRecord) -> ContactRecord:
    """The book's contact with what the import adds: empty fields filled, numbers, addresses and tags
    it lacks appended, the file's notes appended when new. Nothing the book has is overwritten: a
    field where the file says something different is noted ("From the import — Job title: …").
    The newer verification of the two is kept."""
    notes: list[str] = []
    scalars: dict[str, Any] = {}
    for attr, label in (("job_title", "Job title"), ("organisation", "Organisation"),
                        ("department", "Department"), ("time_zone", "Time zone"),
                        ("account_number", "Contract number"), *NAME_FIELDS):
        mine, theirs = getattr(existing, attr), getattr(incoming, attr)
        scalars[attr] = mine or theirs
        if mine and theirs and mine != theirs:
            notes.append(f"{label}: {theirs}")
    if incoming.name != existing.name:
        notes.append(f"Name: {incoming.name}")
    phones = list(existing.phones)
    for phone in incoming.phones:
        if not any(_same_phone(phone, p) for p in phones):
            _append(phones, phone, book.VALUES_MAX, notes, f"Phone ({phone.kind.value})", phone.raw)
    emails = list(existing.emails)
    for email in incoming.emails:
        if not any(_same_email(email, e) for e in emails):
            _append(emails, email, book.VALUES_MAX, notes, f"Email ({email.kind.value})", email.address)
    tags = list(existing.tags)
    for tag in incoming.tags:
        if tag not in tags:
            _append(tags, tag, book.TAGS_MAX, notes, "Tag", tag)
    text = existing.notes
    if incoming.notes and incoming.notes not in text:
        text = f"{text}\n\n{incoming.notes}" if text else incoming.notes
    if notes:
        block = "From the import —\n" + "\n".join(notes)
        if block not in text:
            text = f"{text}\n\n{block}" if text else block
    verified = existing
    if incoming.last_verified_at is not None and (
            existing.last_verified_at is None or incoming.last_verified_at > existing.last_verified_at):
        verified = incoming
    return replace(existing, phones=tuple(phones), emails=tuple(emails), tags=tuple(tags), notes=text,
                   last_verified_at=verified.last_verified_at, verified_by=verified.verified_by,
                   job_title=scalars["job_title"], organisation=scalars["organisation"],
                   department=scalars["department"], time_zone=scalars["time_zone"],
                   account_number=scalars["account_number"],
                   **{key: scalars[key] for key, _ in NAME_FIELDS})


def _append(values: list[T], value: T, limit: int, notes: list[str], label: str, text: str) -> None:
    if len(values) < limit:
        values.append(value)
    else:
        notes.append(f"{label}: {text}")


def _same_phone(a: Phone, b: Phone) -> bool:
    if a.e164 and b.e164:
        return a.e164 == b.e164
    return "".join(a.raw.split()).lower() == "".join(b.raw.split()).lower()


def _same_email(a: Email, b: Email) -> bool:
    return a.address.strip().lower() == b.address.strip().lower()
