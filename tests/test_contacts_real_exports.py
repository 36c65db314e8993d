"""Real address-book exports (tests/data/contacts/, sources in its README): every file that is
an address book is read whole with its names intact; a damaged value is kept as well as it
decodes, flagged and its contact marked for review; only files that are not address books or
whose structure is broken beyond a record are refused, with the reason. The review mark (a
wrong number) survives export and import in both formats."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.reader import read_contacts_file
from imdesk.contacts_io.result import ParsedFile
from imdesk.domain.contact import ContactRecord
from tests.helpers.cli_runner import Cli

CORPUS = Path(__file__).parent / "data" / "contacts"


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_url: str) -> Cli:
    return Cli(capsys, db_url)

REFUSED = {
    "issue64.vcf": "no card of the file holds a name, organisation, email address or phone number",
    "broken_no_end.vcf": "has no END:VCARD before the next BEGIN:VCARD",
    "broken_truncated.vcf": "the file ends before its END:VCARD",
    "broken_quote.csv": "a quoted cell is never closed",
    "unknown_layout.csv": "is not a layout imdesk knows",
    "utf16_no_bom.csv": "NUL bytes",
}
FILES = sorted(p for p in CORPUS.rglob("*") if p.suffix in (".vcf", ".csv"))


def read(name: str, region: str = "DE") -> ParsedFile:
    return read_contacts_file(CORPUS / name, region)


def _texts(c: ContactRecord) -> list[str]:
    return [c.name, c.organisation, c.department, c.job_title, c.notes,
            *(p.raw for p in c.phones), *(e.address for e in c.emails)]


# The files under public/ as real programs wrote them (sources and licences in the README).
REAL = {
    "ez-vcard/John_Doe_ANDROID.vcf": "Android", "ez-vcard/John_Doe_BLACK_BERRY.vcf": "BlackBerry",
    "ez-vcard/John_Doe_EVOLUTION.vcf": "Evolution", "ez-vcard/John_Doe_GMAIL.vcf": "Gmail",
    "ez-vcard/gmail-list.vcf": "Gmail", "ez-vcard/gmail-single.vcf": "Gmail",
    "ez-vcard/gmail-single2.vcf": "Gmail", "ez-vcard/John_Doe_IPHONE.vcf": "iPhone",
    "ez-vcard/John_Doe_LOTUS_NOTES.vcf": "Lotus Notes", "ez-vcard/John_Doe_MAC_ADDRESS_BOOK.vcf": "macOS",
    "ez-vcard/John_Doe_MS_OUTLOOK.vcf": "Outlook", "ez-vcard/outlook-2003.vcf": "Outlook",
    "ez-vcard/outlook-2007.vcf": "Outlook", "ez-vcard/fullcontact.vcf": "FullContact",
    "ez-vcard/issue114.vcf": "a user's address book (ez-vcard issue 114)",
    "ez-vcard/thunderbird-MoreFunctionsForAddressBook-extension.vcf": "Thunderbird",
    "ez-vcard/rfc2426-example.vcf": "RFC 2426", "ez-vcard/rfc6350-example.vcf": "RFC 6350",
    "thunderbird/export.csv": "Thunderbird", "thunderbird/export.vcf": "Thunderbird",
    "thunderbird/basic_addressbook.csv": "Thunderbird", "thunderbird/quote.csv": "Thunderbird",
    "thunderbird/shiftjis_addressbook.csv": "Thunderbird (Japanese Windows)",
    "thunderbird/utf16_addressbook.csv": "Thunderbird", "thunderbird/csv_semicolon.csv": "Thunderbird",
    "thunderbird/dos_vcard_addressbook.vcf": "Gmail via Windows (CR CR LF)",
    "thunderbird/emptylines_vcard_addressbook.vcf": "Thunderbird", "thunderbird/import.vcf": "Thunderbird",
    "thunderbird/v3-binary-jpeg.vcf": "Thunderbird", "thunderbird/v4-uri-png.vcf": "Thunderbird",
    "sabre-vobject/issue153.vcf": "a user's address book (sabre/vobject issue 153)",
    "sabre-vobject/issue64.vcf": "a user's address book (sabre/vobject issue 64)",
    "py-vobject/radicale-1587.vcf": "Radicale (issue 1587)",
}


def test_at_least_25_real_files_from_at_least_8_exporters() -> None:
    public = {str(p.relative_to(CORPUS / "public")) for p in FILES if "public" in p.parts}
    assert public == set(REAL)
    assert len(REAL) >= 25 and len(set(REAL.values())) >= 8


def test_thunderbird_files_read_with_their_names_and_a_cut_value_is_kept() -> None:
    tb = CORPUS / "public" / "thunderbird"
    one, two = read_contacts_file(tb / "export.vcf", "DE").contacts
    assert (one.given_name, one.family_name, two.name) == ("contact", "one", "contact number two")
    assert "Custom3: custom\n" in two.notes and two.notes.endswith("Unread line: 3")   # a bare CR
    assert two.review == "line 18: not a vCard property; kept in the notes"
    (gonbei,) = read_contacts_file(tb / "shiftjis_addressbook.csv", "JP").contacts
    assert (gonbei.name, gonbei.family_name, gonbei.given_name) == ("名無しの権兵衛", "名無し", "権兵衛")
    (acer,) = read_contacts_file(tb / "quote.csv", "US").contacts
    assert (acer.name, acer.organisation, acer.phones[0].raw) == ("Acer America", "Acer America",
                                                                    "(800) 000-0000")


def test_a_line_that_is_no_property_flags_its_card_and_keeps_the_others() -> None:
    parsed = read("broken_line.vcf")
    assert [c.name for c in parsed.contacts] == ["Person 1", "Person 2", "Person 3"]
    assert [(f.record, f.field) for f in parsed.flags] == [(2, "line 10")]
    assert parsed.contacts[1].notes == "Unread line: THIS LINE HAS NO COLON"


def test_the_corpus_is_big_and_varied() -> None:
    assert len(FILES) >= 25
    assert sum(p.suffix == ".csv" for p in FILES) >= 8 and sum(p.suffix == ".vcf" for p in FILES) >= 17


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(CORPUS)))
def test_every_address_book_reads_whole_and_only_non_address_books_are_refused(path: Path) -> None:
    if path.name in REFUSED:
        with pytest.raises(ImportRefused, match=REFUSED[path.name]):
            read_contacts_file(path, "DE")
        return
    parsed = read_contacts_file(path, "DE")
    assert parsed.records, path
    flagged_records = {f.record for f in parsed.flags}
    for rec in parsed.records:
        c = rec.contact
        assert c.name.strip(), (path, rec.record)
        if any("\ufffd" in t for t in _texts(c)):   # damaged on the way in: said so, to review
            assert rec.record in flagged_records and c.review, (path, rec.record, c.review)


def test_android_quoted_printable_that_is_not_utf8_keeps_the_file_and_flags_the_record() -> None:
    parsed = read("android_qp_damaged.vcf")
    joerg, mei = parsed.contacts
    assert joerg.name == "J\ufffd(\ufffdrg Müller" and joerg.phones[0].e164 == "+491712345678"
    assert joerg.review.startswith("N: 2 bytes not valid UTF-8")
    assert [(f.record, f.field) for f in parsed.flags] == [(1, "N"), (1, "FN")]
    assert (mei.name, mei.review, mei.phones[0].e164) == ("Mei Tanaka", "", "+819012345678")


def test_iphone_cr_cr_lf_with_a_folded_photo() -> None:
    parsed = read("iphone_crcrlf.vcf")
    (sam,) = parsed.contacts
    assert (sam.name, sam.emails[0].address, sam.phones[0].e164) == (
        "Sam Okafor", "sam@example.com", "+447911123456")
    assert [n.text for n in parsed.notices] == ["PHOTO not imported (265 bytes of encoded data)"]


def test_german_outlook_empty_parameter_agent_card_and_shift_jis() -> None:
    (hannah,) = read("outlook_de_empty_param.vcf").contacts
    assert "Address (home): Straße 12, Berlin, 10115, Deutschland" in hannah.notes
    assert [e.address for e in hannah.emails] == ["hannah.schulz@example.de"]
    agent = read("outlook_agent.vcf")
    assert [c.name for c in agent.contacts] == ["Jonas Berg"]
    assert [p.raw for p in agent.contacts[0].phones] == ["+49 40 1234567"]  # not the agent's
    assert "AGENT card not imported" in agent.notices[0].text
    sjis = read("docomo_shift_jis.vcf", "JP")
    assert sjis.contacts[0].name == "田中 美衣" and "shift_jis" in sjis.encoding
    assert sjis.contacts[0].phones[0].e164 == "+819012345678"


@pytest.mark.parametrize(("name", "who", "org", "mobile"), [
    ("outlook_de.csv", "Jürgen Müller", "Stadtwerke Nord GmbH", "+491712345678"),
    ("outlook_fr.csv", "Chloé Martin", "Hébergement Lyon SA", "+33612345678"),
    ("outlook_es.csv", "Diego Álvarez Ruiz", "Telecomunicaciones Ibéricas", "+34612345678"),
])
def test_localised_outlook_csv(name: str, who: str, org: str, mobile: str) -> None:
    parsed = read(name)
    assert parsed.layout == "Outlook CSV"
    person = parsed.contacts[0]
    assert (person.name, person.organisation) == (who, org)
    assert [p.e164 for p in person.phones if p.kind == "mobile"] == [mobile]


def test_a_pager_stays_a_pager() -> None:
    (juergen, _) = read("outlook_de.csv").contacts
    assert [p.raw for p in juergen.phones if p.kind == "pager"] == ["+49 40 1234599"]
    (jo,) = read("thunderbird_display_name.csv").contacts
    assert [p.kind.value for p in jo.phones] == ["office", "pager", "mobile"]


def test_thunderbird_display_name_keeps_first_and_last_name_searchable(cli: Cli) -> None:
    (jo,) = read("thunderbird_display_name.csv").contacts
    assert jo.name == "Jo (Rufbereitschaft)"
    assert (jo.given_name, jo.family_name, jo.nickname) == ("Jörg", "Müller", "Jo")
    assert "Also known as" not in jo.notes and "Nickname" not in jo.notes
    assert cli("contacts", "import", str(CORPUS / "thunderbird_display_name.csv"))[0] == 0
    found = cli.json("contacts", "list")
    assert [c["name"] for c in found] == ["Jo (Rufbereitschaft)"]
    cid = found[0]["id"]
    from imdesk.app import build_context

    ctx = build_context(cli.db)
    try:
        assert [h.id for h in ctx.contacts.search("müller")] == [cid]
        assert [h.id for h in ctx.contacts.search("jörg")] == [cid]
    finally:
        ctx.close()


@pytest.mark.parametrize("fmt", ["vcard", "csv"])
def test_the_wrong_number_mark_survives_export_and_import(
        cli: Cli, tmp_path: Path, capsys: pytest.CaptureFixture[str], fmt: str) -> None:
    from imdesk.app import build_context

    assert cli("contacts", "import", str(CORPUS / "outlook_de.csv"))[0] == 0
    ctx = build_context(cli.db)
    try:
        cid = next(c.id for c in ctx.contacts.summaries() if c.name == "Jürgen Müller")
        ctx.contacts.verify(cid, "wrong_number")
    finally:
        ctx.close()
    out = tmp_path / f"book.{fmt}"
    assert cli("contacts", "export", "--format", fmt, "-o", str(out))[0] == 0
    other = Cli(capsys, f"sqlite:///{tmp_path / 'other.sqlite'}")
    assert other("contacts", "import", str(out))[0] == 0
    reviews = {c["name"]: c["review"] for c in other.json("contacts", "list")}
    assert reviews["Jürgen Müller"].startswith("wrong number reported by")
    assert reviews["Özlem Yildiz"] == ""
