"""Reading real exporters' files (tests/data/contacts): what a user gets from each address book."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.reader import read_contacts_file
from imdesk.contacts_io.result import ParsedFile
from imdesk.domain.contact import ContactKind, ContactRecord, EmailKind, PhoneKind

CORPUS = Path(__file__).parent / "data" / "contacts"


def read(name: str) -> ParsedFile:
    return read_contacts_file(CORPUS / name, region="DE")


def by_name(parsed: ParsedFile) -> dict[str, ContactRecord]:
    return {c.name: c for c in parsed.contacts}


def phones(contact: ContactRecord) -> list[tuple[str, str, str | None]]:
    return [(p.kind.value, p.raw, p.e164) for p in contact.phones]


def emails(contact: ContactRecord) -> list[tuple[str, str, bool]]:
    return [(e.kind.value, e.address, e.valid) for e in contact.emails]


def test_outlook_vcard_21_windows_1252_with_quoted_printable_soft_breaks() -> None:
    parsed = read("outlook_2016.vcf")
    assert parsed.layout == "vCard 2.1"
    assert parsed.encoding == "windows-1252"
    people = by_name(parsed)
    assert set(people) == {"Jürgen Müller", "Amélie Lefèvre"}
    jm = people["Jürgen Müller"]
    assert (jm.organisation, jm.department, jm.job_title) == ("Contoso GmbH", "Rechenzentrum Süd",
                                                              "Leiter Betrieb")
    assert phones(jm) == [("office", "+49 (30) 1234567", "+49301234567"),
                          ("mobile", "0171 2345678", "+491712345678")]
    assert emails(jm) == [("work", "juergen.mueller@contoso.example", True)]
    # The QP note with a soft line break decodes in windows-1252; fax and address are kept in the
    # notes, the address once although Outlook writes it twice (ADR and LABEL).
    assert jm.notes.startswith("Bereitschaft nur über die Hotline, nicht direkt anrufen.\n"
                               "Schlüssel für den Serverraum liegen beim Pförtner.")
    assert "Fax (work): +49 30 1234599" in jm.notes
    assert jm.notes.count("Hauptstraße 1") == 1
    assert "card xmlns" not in jm.notes and "REV" not in jm.notes
    # QP without CHARSET in windows-1252 (as Outlook writes it), continued after a soft break.
    assert people["Amélie Lefèvre"].notes == ("Astreinte la nuit: préfère le SMS. Ne pas appeler après "
                                              "23h sauf P1 ou P2.")


def test_outlook_vcard_values_that_do_not_validate_are_kept_and_flagged() -> None:
    parsed = read("outlook_2016.vcf")
    amelie = by_name(parsed)["Amélie Lefèvre"]
    assert ("home", "12", None) in phones(amelie)
    assert ("work", "amelie at fabrikam", False) in emails(amelie)
    flagged = {(f.record, f.line, f.field, f.value) for f in parsed.flags}
    assert flagged == {(2, 21, "TEL", "12"), (2, 21, "EMAIL", "amelie at fabrikam")}
    assert all(f.reason for f in parsed.flags)


def test_apple_groups_labels_and_photo() -> None:
    parsed = read("apple_ios.vcf")
    assert parsed.layout == "vCard 3.0 (-//Apple Inc.//iPhone OS 17.1//EN)"
    people = by_name(parsed)
    assert set(people) == {"Sam Okafor", "Pizza Express Nord"}    # the group card is not a person
    sam = people["Sam Okafor"]
    assert phones(sam) == [("mobile", "+44 7911 123456", "+447911123456"),
                           ("mobile", "+44 7911 123457", "+447911123457"),
                           ("office", "+44 20 7946 0958", "+442079460958"),
                           ("other", "+44 20 7946 0000", "+442079460000")]
    assert emails(sam) == [("work", "sam.okafor@northwind.example", True),
                           ("other", "sam@okafor.example", True)]
    assert sam.tags == ("Network", "On call")
    assert sam.notes.startswith("Prefers SMS at night.\nBackup: Priya Raman.")
    for kept in ("Phone (Bridge line): +44 20 7946 0000", "Address (home): 1 Example Street, London",
                 "Web (HomePage): https://northwind.example/noc", "Birthday: 1984-03-09"):
        assert kept in sam.notes
    assert "ABPerson" not in sam.notes and "/9j/" not in sam.notes
    notices = [str(n) for n in parsed.notices]
    assert any(n.startswith("record 1 (line 1): PHOTO not imported") for n in notices)
    assert any("group card 'On-call leads' skipped" in n for n in notices)
    pizza = people["Pizza Express Nord"]
    assert phones(pizza) == [("office", "030 5550100", "+49305550100")]
    assert "Fax: 030 5550199" in pizza.notes
    assert "delivers to the data centre gate" in pizza.notes


def test_google_vcard() -> None:
    priya = by_name(read("google.vcf"))["Priya Raman"]
    assert (priya.organisation, priya.department, priya.job_title) == ("Contoso India", "Database Team",
                                                                       "DBA")
    assert [p.kind for p in priya.phones] == [PhoneKind.MOBILE, PhoneKind.OFFICE, PhoneKind.OTHER]
    assert [e.kind for e in priya.emails] == [EmailKind.WORK, EmailKind.HOME]
    assert "Phone (Berlin desk): +49 30 9876543" in priya.notes
    assert "Web: https://contoso.example/people/priya" in priya.notes


def test_android_quoted_printable_utf8_and_photo() -> None:
    parsed = read("android.vcf")
    people = by_name(parsed)
    assert set(people) == {"张伟", "Håkon Ødegård"}
    zhang = people["张伟"]
    assert (zhang.organisation, zhang.department) == ("Contoso 北京", "服务台")
    assert zhang.notes.startswith("值班经理，夜间请先发短信。")
    assert (zhang.family_name, zhang.given_name, zhang.nickname) == ("张", "伟", "Wei")
    assert "Nickname" not in zhang.notes
    assert phones(people["Håkon Ødegård"]) == [("mobile", "+47 412 34 567", "+4741234567"),
                                                ("pager", "+47 800 12 345", "+4780012345")]
    assert [str(n) for n in parsed.notices] == ["record 1 (line 1): PHOTO not imported (827 bytes of "
                                                 "encoded data)"]


def test_thunderbird_vcard_40() -> None:
    parsed = read("thunderbird.vcf")
    assert parsed.layout == "vCard 4.0"
    anna = parsed.contacts[0]
    assert phones(anna) == [("office", "+49 89 1234 5678", "+498912345678"),
                            ("mobile", "0151 23456789", "+4915123456789")]
    assert "Fax: +49 89 1234 5600" in anna.notes and anna.nickname == "Anni"
    assert (anna.given_name, anna.family_name) == ("Anna", "Schmidt")
    assert anna.notes.startswith("Escalation contact for ERP outages.\nDeputy: Tom Berger.")


def test_nextcloud_vcard_40_with_tel_uris_and_time_zone() -> None:
    kim = read("nextcloud.vcf").contacts[0]
    assert phones(kim)[0] == ("mobile", "+1-206-555-0142", "+12065550142")
    assert kim.phones[1].kind is PhoneKind.OFFICE
    assert kim.time_zone == "America/Los_Angeles"
    assert kim.tags == ("Incident managers", "Night shift")


def test_outlook_csv_windows_1252_quoted_with_its_unset_values() -> None:
    parsed = read("outlook.csv")
    assert (parsed.layout, parsed.encoding) == ("Outlook CSV", "windows-1252")
    people = by_name(parsed)
    jm = people["Jürgen Müller"]
    assert phones(jm) == [("office", "+49 (30) 1234567", "+49301234567"),
                          ("mobile", "0171 2345678", "+491712345678")]
    assert jm.tags == ("Rechenzentrum", "Bereitschaft")
    assert "Business address: Hauptstraße 1, Berlin, 10115, Deutschland" in jm.notes
    assert "Birthday: 4/12/1975" in jm.notes
    for unset in ("0/0/00", "Unspecified", "Sensitivity", "Priority", "Private", "SMTP",
                  "Display Name: Jürgen"):
        assert unset not in jm.notes
    amelie = people["Amélie Lefèvre"]
    assert (amelie.name_prefix, amelie.given_name, amelie.family_name) == ("Dr.", "Amélie", "Lefèvre")
    assert "Title: Dr." not in amelie.notes and "Assistant's Phone: +33 1 23 45 67 89" in amelie.notes
    assert "E-mail 2 Display Name: Amélie (privat)" in amelie.notes
    pizza = people["Pizza Express Nord"]
    assert pizza.organisation == "Pizza Express Nord"
    assert any(f.record == 3 and f.field == "name" for f in parsed.flags)


def test_outlook_csv_with_semicolons_and_bom() -> None:
    parsed = read("outlook_semicolon.csv")
    assert (parsed.layout, parsed.encoding) == ("Outlook CSV", "UTF-8 (byte-order mark)")
    assert by_name(parsed)["Jürgen Müller"].emails[0].address == "juergen.mueller@contoso.example"


def test_google_csv_multi_values_labels_and_photo_link() -> None:
    parsed = read("google.csv")
    people = by_name(parsed)
    priya = people["Priya Raman"]
    assert emails(priya) == [("work", "priya.raman@contoso.example", True),
                             ("home", "priya.r@example.net", True), ("home", "priya@raman.example", True)]
    assert priya.tags == ("Database", "starred")
    assert "Address (Work): MG Road 12, Bengaluru KA 560001, India" in priya.notes
    assert "googleusercontent" not in priya.notes
    assert [str(n) for n in parsed.notices] == ["record 1 (line 2): photo link not imported"]
    tom = people["Tom Berger"]
    assert phones(tom) == [("pager", "not a number", None)]
    assert "Fax (Work Fax): +49 89 1234 5600" in tom.notes
    assert [(f.field, f.value) for f in parsed.flags] == [("Phone 2 - Value", "not a number")]


def test_google_legacy_csv_in_utf16() -> None:
    parsed = read("google_legacy.csv")
    assert parsed.encoding == "UTF-16 (byte-order mark)"
    hakon = parsed.contacts[0]
    assert (hakon.name, hakon.organisation, hakon.job_title) == ("Håkon Ødegård", "Contoso Norge", "Nettverk")
    assert hakon.tags == ("Nordic",)
    assert phones(hakon)[1] == ("pager", "+47 800 12 345", "+4780012345")


def test_thunderbird_csv_with_its_trailing_comma() -> None:
    parsed = read("thunderbird.csv")
    people = by_name(parsed)
    anna = people["Anna Schmidt"]
    assert emails(anna) == [("work", "anna.schmidt@fabrikam.example", True),
                            ("other", "anna@schmidt.example", True)]
    assert "Birthday (year, month, day): 1982, 5, 17" in anna.notes
    assert "Fax Number: +49 89 1234 5600" in anna.notes
    assert "Column 38" not in anna.notes
    assert phones(people["Facilities desk"]) == [("office", "+49 89 1234 5000", "+498912345000")]


def test_a_tab_separated_thunderbird_export_reads_like_the_comma_one() -> None:
    import csv
    import io

    from imdesk.contacts_io.reader import read_contacts

    rows = list(csv.reader(io.StringIO((CORPUS / "thunderbird.csv").read_text(encoding="utf-8"))))
    out = io.StringIO()
    csv.writer(out, delimiter="\t", lineterminator="\r\n").writerows(rows)
    tabbed = read_contacts(io.BytesIO(out.getvalue().encode()), region="DE")
    assert tabbed.layout == "Thunderbird CSV"
    assert tabbed.contacts == read("thunderbird.csv").contacts


def test_imdesk_csv_restores_neutralised_cells_and_flags_bad_values() -> None:
    parsed = read("imdesk.csv")
    people = by_name(parsed)
    kim = people["Kim Nguyen"]
    assert kim.preferred_channel.value == "sms" and kim.verified_by == "Sam Okafor"
    assert kim.last_verified_at is not None
    assert kim.last_verified_at.isoformat() == "2026-11-02T09:00:00+00:00"
    evil = people['=HYPERLINK("http://evil.example","click")']
    assert (evil.kind, evil.account_number, evil.notes) == (ContactKind.VENDOR, "-42", "@SUM(A1:A9)")
    lena = people["Lena Brandt"]
    assert "Preferred channel: carrier pigeon" in lena.notes
    assert {f.field for f in parsed.flags if f.record == 4} == {"Phones", "Preferred channel",
                                                                 "Last verified at (UTC)"}


@pytest.mark.parametrize(("name", "where", "reason"), [
    ("broken_no_end.vcf", "record 2 (line 6): ", "no END:VCARD before the next BEGIN:VCARD at line 10"),
    ("broken_truncated.vcf", "record 2 (line 6): ", "the file ends before its END:VCARD"),
    ("unknown_layout.csv", "line 1: ", "is not a layout imdesk knows"),
    ("broken_quote.csv", "record 1 (line 2): ", "a quoted cell is never closed"),
    ("utf16_no_bom.csv", "line 1: ", "UTF-16 without its byte-order mark"),
])
def test_a_file_that_cannot_be_read_whole_is_refused_naming_place_and_reason(
        name: str, where: str, reason: str) -> None:
    with pytest.raises(ImportRefused) as refused:
        read(name)
    message = str(refused.value)
    assert message.startswith(where) and reason in message, message


def test_the_fast_path_for_plain_property_lines_reads_them_as_vobject_does() -> None:
    from vobject.base import ParseError, textLineToContentLine  # type: ignore[import-untyped]

    from imdesk.contacts_io.vcard_cards import cards
    from imdesk.contacts_io.vcard_props import parse_property

    lines = ["TEL;TYPE=work,voice:+1 555", "TEL;type=WORK;type=pref:1", "TEL;WORK;VOICE:1",
             "item1.TEL:1", 'EMAIL;TYPE="a,b":x', "X-X;FOO=:v", "NOTE:a:b;c\\, d", "tel;Type=Cell:+1",
             "ADR;TYPE=home:;;1 Main St;Town;;12345;", "N:Doe;John;;;", "X-ABLabel:_$!<Other>!$_"]
    for path in CORPUS.glob("*.vcf"):
        if not path.name.startswith("broken"):
            text = path.read_bytes().decode("utf-8", "replace")
            lines += [t for card in cards(iter(enumerate(text.splitlines(), 1))) for _, t in card.lines]
    plain = [t for t in lines if not re.search("QUOTED-PRINTABLE|CHARSET|ENCODING", t.split(":")[0], re.I)]
    assert len(plain) > 100
    for text in plain:
        ours = parse_property(text, 1, 1)
        try:
            theirs = textLineToContentLine(text, 1)
        except ParseError:   # a quirk vobject refuses (`ADR;HOME;PREF;:`): read by the tolerant path
            assert ours.name and ":" not in ours.name, text
            continue
        assert (ours.name, ours.group, ours.params, ours.singletonparams, ours.value) == (
            theirs.name, theirs.group, theirs.params, theirs.singletonparams, theirs.value), text
