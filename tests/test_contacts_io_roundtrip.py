"""Export → import gives the same contacts, in both formats (Hypothesis), and the formula rule."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime

from hypothesis import given, settings
from hypothesis import strategies as st

from imdesk.contacts_io.csv_writer import write_csv
from imdesk.contacts_io.imdesk_csv import FORMULA_START, neutralise, restore
from imdesk.contacts_io.reader import read_contacts
from imdesk.contacts_io.vcard_writer import write_vcards
from imdesk.domain.contact import Channel, ContactKind, ContactRecord, EmailKind, Phone, PhoneKind
from imdesk.domain.contact_clean import clean_record
from imdesk.domain.text import clean_text
from imdesk.services.contacts.values import normalise_email, normalise_phone

REGION = "DE"

# Text as the book stores it: cleaned (clean_text), so that what comes back can equal it.
_chars = st.characters(blacklist_categories=("Cs", "Cc", "Cf", "Zl", "Zp", "Co", "Cn"))


def line(max_size: int, min_size: int = 0) -> st.SearchStrategy[str]:
    raw = st.text(_chars | st.sampled_from("=+-@',;:\\\"\t"), min_size=min_size, max_size=max_size)
    cleaned = raw.map(lambda t: clean_text(t, "x", single_line=True))
    return cleaned.filter(lambda t: len(t) >= min_size and len(t) <= max_size)


notes = st.text(_chars | st.sampled_from("\n\t=+-@',;:\\\""), max_size=300).map(
    lambda t: clean_text(t, "notes"))
raw_phone = st.one_of(
    st.from_regex(r"\A\+?[0-9][0-9 ()/-]{4,18}[0-9]\Z"),
    st.sampled_from(["030 1234567", "+49 171 2345678", "0800 FLOWERS", "12", "ext. 4711"]),
)
phones = st.lists(st.tuples(st.sampled_from(list(PhoneKind)), raw_phone), max_size=4,
                  unique_by=lambda p: p[1]).map(
    lambda ps: tuple(normalise_phone(clean_text(raw, "p", single_line=True), kind, REGION)
                     for kind, raw in ps))
address = st.one_of(st.emails(), line(40, 1))
emails = st.lists(st.tuples(st.sampled_from(list(EmailKind)), address), max_size=3).map(
    lambda es: tuple(normalise_email(clean_text(a, "e", single_line=True), kind) for kind, a in es)
).map(lambda es: tuple({e.address.lower(): e for e in reversed(es)}.values())[::-1])
verified = st.none() | st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1),
                                    timezones=st.just(UTC))


@st.composite
def contacts(draw: st.DrawFn) -> ContactRecord:
    return ContactRecord(
        name=draw(line(60, 1)), kind=draw(st.sampled_from(list(ContactKind))),
        job_title=draw(line(40)), organisation=draw(line(40)), department=draw(line(40)),
        phones=draw(phones), emails=draw(emails),
        preferred_channel=draw(st.sampled_from(list(Channel))),
        time_zone=draw(st.sampled_from(["", "Europe/Berlin", "America/Los_Angeles"]) | line(30)),
        notes=draw(notes), tags=tuple(sorted(set(draw(st.lists(line(20, 1), max_size=4))))),
        account_number=draw(line(20)), last_verified_at=draw(verified), verified_by=draw(line(30)),
        given_name=draw(line(30)), family_name=draw(line(30)), middle_name=draw(line(20)),
        name_prefix=draw(line(10)), name_suffix=draw(line(10)), nickname=draw(line(20)),
        phonetic_name=draw(line(40)))


def vcard_round_trip(records: list[ContactRecord]) -> list[ContactRecord]:
    out = io.StringIO(newline="")
    write_vcards(records, out)
    return read_contacts(io.BytesIO(out.getvalue().encode("utf-8")), REGION).contacts


def csv_round_trip(records: list[ContactRecord]) -> list[ContactRecord]:
    out = io.StringIO(newline="")
    write_csv(records, out)
    return read_contacts(io.BytesIO(out.getvalue().encode("utf-8-sig")), REGION).contacts


@settings(max_examples=100, deadline=None)
@given(st.lists(contacts(), min_size=1, max_size=5))
def test_vcard_export_then_import_gives_the_same_contacts(records: list[ContactRecord]) -> None:
    assert vcard_round_trip(records) == records


@settings(max_examples=100, deadline=None)
@given(st.lists(contacts(), min_size=1, max_size=5))
def test_csv_export_then_import_gives_the_same_contacts(records: list[ContactRecord]) -> None:
    assert csv_round_trip(records) == records


label_text = st.text(max_size=30).map(lambda t: "".join(" " if ch in "\r\n\x00" else ch for ch in t))


@settings(max_examples=60, deadline=None)
@given(st.lists(contacts(), min_size=1, max_size=3), label_text, label_text)
def test_what_the_readers_build_is_already_clean(records: list[ContactRecord], label: str,
                                                 header: str) -> None:
    """The book stores imported records without cleaning them again (CleanRecord): whatever a
    file holds, even in an Apple label or a CSV header, clean_record must leave them unchanged."""
    out = io.StringIO(newline="")
    write_vcards(records, out)
    extra = f"item1.TEL:+49 30 1234567\r\nitem1.X-ABLabel:{label}\r\nEND:VCARD"
    cards = out.getvalue().replace("END:VCARD", extra)
    built = read_contacts(io.BytesIO(cards.encode("utf-8")), REGION).contacts
    cell = '"' + header.replace('"', '""') + '"'
    table = f"First Name,Last Name,Display Name,Primary Email,{cell}\r\nKim,Roe,Kim Roe,,value\r\n"
    built += read_contacts(io.BytesIO(table.encode("utf-8")), REGION).contacts
    assert len(built) == len(records) + 1
    for rec in built:
        assert clean_record(rec) == rec


def test_a_spreadsheet_never_sees_a_formula_in_the_export() -> None:
    dangerous = ContactRecord(name='=HYPERLINK("http://evil.example","x")', job_title="+1+1",
                              organisation="-2", department="@SUM(A1)", notes="=cmd|' /C calc'!A0",
                              account_number="'quoted")
    out = io.StringIO(newline="")
    write_csv([dangerous], out)
    row = list(csv.reader(io.StringIO(out.getvalue())))[1]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row)
    assert row[0] == '\'=HYPERLINK("http://evil.example","x")'
    assert csv_round_trip([dangerous]) == [dangerous]


@given(st.text())
def test_the_formula_rule_is_undone_by_the_import(cell: str) -> None:
    shown = neutralise(cell)
    assert restore(shown) == cell
    assert not shown.startswith(FORMULA_START) or shown.startswith("'")


@settings(max_examples=200, deadline=None)
@given(st.one_of(raw_phone, st.text(max_size=20), st.from_regex(r"\A[0-9+ ()]{1,20}\Z")),
       st.sampled_from(["DE", "GB", "US", "FR", "IN"]))
def test_normalise_phone_flags_exactly_the_numbers_phone_problem_refuses(raw: str, region: str) -> None:
    import phonenumbers

    from imdesk.services.contacts.values import phone_problem

    phone = normalise_phone(raw, PhoneKind.MOBILE, region)
    assert phone.raw == raw.strip()
    assert (phone.e164 is None) == (phone_problem(raw, region) is not None)
    if phone.e164 is not None:
        number = phonenumbers.parse(raw.strip(), region)
        assert phone.e164 == phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    assert normalise_phone(raw, PhoneKind.HOME, region) == Phone(PhoneKind.HOME, phone.raw, phone.e164)


def test_a_valid_number_longer_than_e164_allows_is_kept_flagged() -> None:
    from imdesk.services.contacts.values import phone_problem

    assert normalise_phone("+49 30 123456789012").e164 is None
    assert "15 digits" in (phone_problem("+49 30 123456789012") or "")


@settings(max_examples=200, deadline=None)
@given(address)
def test_the_one_pass_email_check_agrees_with_normalise_email_and_email_problem(raw: str) -> None:
    from imdesk.services.contacts.values import check_email, email_problem

    text = clean_text(raw, "e", single_line=True)
    if text:
        email, problem = check_email(text, EmailKind.HOME)
        assert email == normalise_email(text, EmailKind.HOME)
        assert email.valid == (problem is None)
        expected = email_problem(text)
        assert problem == (None if expected is None else expected.removeprefix(f"{text!r}: "))


@settings(max_examples=500, deadline=None)
@given(st.text(max_size=80) | line(60))
def test_the_builders_shortcut_for_clean_values_cleans_like_clean_text(value: str) -> None:
    from imdesk.contacts_io.record_builder import RecordBuilder

    builder = RecordBuilder(1, 1, REGION)
    assert builder.line_text(value, "name") == clean_text(value, "name", single_line=True)
