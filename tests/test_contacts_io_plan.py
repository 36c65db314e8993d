"""The import plan: which records are new, which duplicate the book or the file, and merging."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from imdesk.contacts_io.plan import merge_records, plan_import
from imdesk.contacts_io.reader import read_contacts
from imdesk.contacts_io.result import ParsedFile
from imdesk.domain.contact import ContactRecord, EmailKind, PhoneKind
from imdesk.domain.contact_clean import CleanRecord, record_of
from imdesk.services.contacts.values import normalise_email, normalise_phone

CRLF = "\r\n"


def parsed(*rows: str) -> ParsedFile:
    text = CRLF.join(["Name,Job title,Phones,Emails,Tags,Notes", *rows]) + CRLF
    return read_contacts(io.BytesIO(text.encode()), region="DE")


def person(name: str, phone: str = "", email: str = "", **kw: object) -> ContactRecord:
    return ContactRecord(
        name=name,
        phones=(normalise_phone(phone, PhoneKind.MOBILE, "DE"),) if phone else (),
        emails=(normalise_email(email, EmailKind.WORK),) if email else (), **kw)  # type: ignore[arg-type]


BOOK = [(7, person("Kim Nguyen", "+49 171 2345678", "kim@example.com", job_title="Incident Manager")),
        (9, person("Sam Okafor", "", "sam@example.com"))]


def test_new_duplicates_by_email_or_normalised_phone_and_within_the_file() -> None:
    plan = plan_import(parsed(
        "Lea Brandt,,mobile: 0151 23456789,work: lea@example.com,,",
        "K. Nguyen,,mobile: 0171 2345678,,,",               # Kim's number written nationally
        "Sam O.,,,work: SAM@Example.COM,,",                  # Sam's address in other case
        "Lea B.,,,work: lea@example.com,,from the second list",
        "Zoë Ångström,,other: 12,work: not-an-address,,",
    ), BOOK)
    assert [plan.records[i].contact.name for i in plan.new] == ["Lea Brandt", "Zoë Ångström"]
    assert [(d.record.contact.name, d.matched_on, d.existing_id, d.existing_name, d.earlier)
            for d in plan.duplicates] == [
        ("K. Nguyen", "phone +491712345678", 7, "Kim Nguyen", None),
        ("Sam O.", "email sam@example.com", 9, "Sam Okafor", None),
        ("Lea B.", "email lea@example.com", None, "Lea Brandt", 0),
    ]
    assert {(f.record, f.field) for f in plan.flags} == {(5, "Phones"), (5, "Emails")}
    assert plan.flagged_records == 1


def test_resolving_skips_duplicates_unless_merged() -> None:
    plan = plan_import(parsed(
        "Lea Brandt,,mobile: 0151 23456789,work: lea@example.com,,",
        "K. Nguyen,Duty manager,mobile: 0171 2345678,work: kim.private@example.com,Night shift,",
        "Lea B.,,office: 030 1234567,work: lea@example.com,,",
    ), BOOK)
    new, merges = plan.resolve()
    assert [record_of(c).name for c in new] == ["Lea Brandt"] and merges == []
    assert isinstance(new[0], CleanRecord)       # as read: the book stores it without cleaning again
    new, merges = plan.resolve(merge={1, 2})
    assert not isinstance(new[0], CleanRecord)   # merged: the book cleans it
    assert [p.raw for p in record_of(new[0]).phones] == ["0151 23456789", "030 1234567"]
    ((cid, kim),) = merges
    assert cid == 7 and kim.name == "Kim Nguyen" and kim.job_title == "Incident Manager"
    assert [e.address for e in kim.emails] == ["kim@example.com", "kim.private@example.com"]
    assert [p.raw for p in kim.phones] == ["+49 171 2345678"]          # the same number, once
    assert kim.tags == ("Night shift",)
    assert kim.notes == "From the import —\nJob title: Duty manager\nName: K. Nguyen"


def test_two_records_merging_into_one_contact_both_count() -> None:
    plan = plan_import(parsed("Kim A,,,work: kim@example.com,Alpha,",
                              "Kim B,,,work: kim@example.com,Beta,"), BOOK)
    _, merges = plan.resolve(merge={0, 1})
    assert [(cid, rec.tags) for cid, rec in merges] == [(7, ("Alpha", "Beta"))]


def test_merge_keeps_the_book_fills_gaps_and_keeps_the_newer_verification() -> None:
    older, newer = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 6, 1, tzinfo=UTC)
    book = person("Kim Nguyen", "+49 171 2345678", "kim@example.com", organisation="",
                  notes="Prefers SMS", last_verified_at=older, verified_by="Sam")
    incoming = person("Kim Nguyen", "0171 2345678", "kim@example.com", organisation="Tailspin",
                      notes="Prefers SMS", last_verified_at=newer, verified_by="Lea")
    merged = merge_records(book, incoming)
    assert merged.organisation == "Tailspin" and merged.notes == "Prefers SMS"
    assert (merged.last_verified_at, merged.verified_by) == (newer, "Lea")
    assert merge_records(merged, incoming) == merged          # merging twice changes nothing more


def test_merge_keeps_numbers_beyond_the_books_limit_in_the_notes() -> None:
    book = ContactRecord(name="Kim", phones=tuple(
        normalise_phone(f"+49 171 23456{i:02d}", PhoneKind.MOBILE, "DE") for i in range(20)))
    merged = merge_records(book, person("Kim", "+49 171 2345699"))
    assert len(merged.phones) == 20
    assert merged.notes == "From the import —\nPhone (mobile): +49 171 2345699"
