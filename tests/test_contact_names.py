"""A contact's name parts (given, family, middle, prefix, suffix, nickname, phonetic) as real
fields: read from each exporter's vCard N / CSV name columns, found by search, written back on
export, and moved out of the notes by migration 0011 for books imported before it."""

from __future__ import annotations

import csv
import importlib
import io
from pathlib import Path

import pytest
from sqlalchemy import text

from imdesk.app import build_context
from imdesk.contacts_io.reader import read_contacts, read_contacts_file
from imdesk.contacts_io.vcard_writer import write_vcards
from imdesk.domain.contact import ContactRecord
from imdesk.storage import migrate
from imdesk.storage.database import Database
from tests import test_migrations
from tests.helpers.cli_runner import Cli

CORPUS = Path(__file__).parent / "data" / "contacts"


def parts(c: ContactRecord) -> tuple[str, ...]:
    return (c.name_prefix, c.given_name, c.middle_name, c.family_name, c.name_suffix, c.nickname,
            c.phonetic_name)


@pytest.mark.parametrize(("file", "who", "expected"), [
    ("public/ez-vcard/John_Doe_IPHONE.vcf", 0, ("Mr.", "John", "Richter James", "Doe", "Sr.", "Johny", "")),
    ("outlook_de.csv", 0, ("Herr", "Jürgen", "", "Müller", "", "", "")),
    ("outlook_fr.csv", 0, ("Mme", "Chloé", "", "Martin", "", "Clo", "")),
    ("thunderbird_display_name.csv", 0, ("", "Jörg", "", "Müller", "", "Jo", "")),
    ("docomo_shift_jis.vcf", 0, ("", "美衣", "", "田中", "", "", "ﾐｲ ﾀﾅｶ")),
    ("android.vcf", 0, ("", "伟", "", "张", "", "Wei", "")),
])
def test_each_exporter_s_name_parts_arrive_in_their_fields(file: str, who: int,
                                                            expected: tuple[str, ...]) -> None:
    contact = read_contacts_file(CORPUS / file, "DE").contacts[who]
    assert parts(contact) == expected


def test_google_csv_phonetic_columns_and_a_name_typed_only_as_parts() -> None:
    data = ("First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Last Name,Nickname,"
            "Name Prefix,Name Suffix,E-mail 1 - Label,E-mail 1 - Value\n"
            "Siobhán,,Ní Bhraonáin,Shiv-awn,Nee Vreen-awn,Shiv,Dr.,PhD,* Work,s@example.ie\n")
    (c,) = read_contacts(io.BytesIO(data.encode()), "IE").contacts
    assert c.name == "Siobhán Ní Bhraonáin PhD"          # no display name column: made of the parts
    assert parts(c) == ("Dr.", "Siobhán", "", "Ní Bhraonáin", "PhD", "Shiv", "Shiv-awn Nee Vreen-awn")
    assert "Phonetic" not in c.notes


def test_parts_survive_vcard_and_csv_export_and_a_contact_without_parts_gains_none() -> None:
    jo = ContactRecord("Jo (on call)", given_name="Jörg", family_name="Müller", middle_name="Peter",
                       name_prefix="Dr.", name_suffix="Jr.", nickname="Jo", phonetic_name="Yörg")
    plain = ContactRecord("Northwind Service Desk")
    out = io.StringIO(newline="")
    write_vcards([jo, plain], out)
    text_out = out.getvalue()
    assert "N:Müller;Jörg;Peter;Dr.;Jr.\r\n" in text_out and "NICKNAME:Jo\r\n" in text_out
    back = read_contacts(io.BytesIO(text_out.encode()), "DE").contacts
    assert parts(back[0]) == parts(jo) and back[0].name == jo.name
    assert parts(back[1]) == ("",) * 7 and back[1].notes == ""


def test_search_finds_a_contact_by_any_part_and_csv_export_carries_them(
        capsys: pytest.CaptureFixture[str], db_url: str, tmp_path: Path) -> None:
    cli = Cli(capsys, db_url)
    assert cli("contacts", "import", str(CORPUS / "thunderbird_display_name.csv"))[0] == 0
    ctx = build_context(cli.db)
    try:
        (cid,) = [h.id for h in ctx.contacts.search("müller")]
        assert [h.id for h in ctx.contacts.search("jörg mül")] == [cid]
        assert [h.id for h in ctx.contacts.search("jo")] == [cid]
        assert ctx.contacts.get(cid).record.given_name == "Jörg"
    finally:
        ctx.close()
    out = tmp_path / "book.csv"
    assert cli("contacts", "export", "--format", "csv", "-o", str(out))[0] == 0
    header, row = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))[:2]
    assert dict(zip(header, row, strict=True))["Given name"] == "Jörg"
    assert dict(zip(header, row, strict=True))["Family name"] == "Müller"


# a new SQLite file, or a new PostgreSQL database (test_migrations' own fixture under this name)
empty_database = pytest.fixture(
    name="empty_database",
    params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)],
)(test_migrations.empty_url.__wrapped__)


def test_migration_0011_moves_the_notes_lines_into_the_fields(empty_database: str) -> None:
    db = Database(empty_database)
    migrate.run_alembic_upgrade(db, "0006")
    notes = ("Deputy: Tom.\n\nWeb: https://x.example\nAlso known as: Jörg Peter Müller\n"
             "Nickname: Jo\nPhonetic first name: Yörg")
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO contact (id, name, kind, job_title, organisation, department, "
                          "preferred_channel, time_zone, notes, account_number, verified_by, review, "
                          "created_at, updated_at) VALUES (1, 'Jo (on call)', 'person', '', '', '', "
                          "'call', '', :n, '', '', '', '2026-01-01', '2026-01-01')"), {"n": notes})
    migrate.run_alembic_upgrade(db)
    with db.engine.connect() as conn:
        row = conn.execute(text("SELECT given_name, middle_name, family_name, nickname, phonetic_name, "
                                "notes FROM contact")).one()
        terms = set(conn.scalars(text("SELECT term FROM contact_term")))
    assert tuple(row) == ("Jörg", "Peter", "Müller", "Jo", "Yörg", "Deputy: Tom.\n\nWeb: https://x.example")
    assert "yorg" in terms or "yörg" in terms
    db.dispose()


def test_migration_0011_downgrade_puts_the_parts_back_in_the_notes() -> None:
    mod = importlib.import_module("imdesk.storage.migrations.versions.0011_contact_names")
    found, rest = mod.parts_from_notes("Note.\n\nAlso known as: Mei\nNickname: M")
    assert found == {"given_name": "Mei", "nickname": "M"} and rest == "Note."
    assert mod.notes_from_parts(found, rest) == "Note.\n\nAlso known as: Mei\nNickname: M"
