"""Files that do not say their encoding, and files with a damaged line: the legacy encoding is
guessed from the lines that are not UTF-8 (and shown, so the user can choose another), and a line
that does not decode is kept with U+FFFD, its value flagged and its contact marked for review —
never the whole file refused. The files are hand-written in tests/data/contacts (README)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from imdesk.contacts_io.charset_guess import guess_encoding
from imdesk.contacts_io.reader import read_contacts, read_contacts_file
from imdesk.contacts_io.result import ParsedFile
from tests.helpers.cli_runner import Cli

CORPUS = Path(__file__).parent / "data" / "contacts"


def read(name: str, encoding: str | None = None) -> ParsedFile:
    return read_contacts_file(CORPUS / name, "DE", encoding)


@pytest.mark.parametrize(("name", "shown", "who", "org"), [
    ("undeclared_shift_jis.csv", "Shift_JIS", "田中 美衣", "株式会社サンプル"),
    ("undeclared_gb18030.vcf", "GB18030", "张伟", "北京数据中心有限公司"),
    ("undeclared_big5.csv", "Big5", "大文 陳", "資訊服務股份有限公司"),
    ("undeclared_koi8r.vcf", "KOI8-R", "Сергей Иванов", "Северный дата-центр"),
    ("undeclared_windows1251.csv", "windows-1251", "Ольга Петрова", "Северный дата-центр"),
    ("undeclared_latin1.csv", "windows-1252", "Søren Ødegård", ""),
])
def test_an_undeclared_legacy_encoding_is_guessed_and_shown(name: str, shown: str, who: str,
                                                             org: str) -> None:
    parsed = read(name)
    assert parsed.legacy_encoding == shown
    if shown != "windows-1252":
        assert parsed.encoding.startswith(f"{shown} (guessed, next likely ")
    first = parsed.contacts[0]
    assert (first.name, first.organisation, first.review) == (who, org, "")
    assert not [f for f in parsed.flags if "decode" in f.reason]


def test_the_user_may_choose_another_encoding() -> None:
    parsed = read("undeclared_shift_jis.csv", "gb18030")
    assert parsed.encoding.startswith("GB18030 (chosen)") and parsed.contacts[0].name != "田中 美衣"
    assert read("undeclared_gb18030.vcf", "GB18030").contacts[0].name == "张伟"


def test_a_damaged_line_keeps_the_rest_of_the_file_and_names_record_and_field() -> None:
    parsed = read("damaged_line_utf8.vcf")
    assert [c.name for c in parsed.contacts] == ["Jürgen Müller", "Amélie Lefèvre", "Zoë Åström"]
    amelie = parsed.contacts[1]
    assert amelie.organisation == "Hébergement Lyon Sàrl \ufffd Département réseau"
    assert amelie.review == "ORG: bytes that did not decode were replaced with \ufffd"
    assert [(f.record, f.field) for f in parsed.flags] == [(2, "ORG")]
    assert parsed.contacts[0].review == parsed.contacts[2].review == ""
    assert parsed.encoding == "UTF-8; 1 line with bytes that did not decode (12)"
    assert "line 12: 1 line held bytes that did not decode (12)" in str(parsed.notices[0])
    assert parsed.legacy_encoding == "UTF-8"


def test_bytes_no_encoding_reads_are_kept_in_a_csv_too() -> None:
    parsed = read("undecodable.csv")
    (kim,) = parsed.contacts
    assert kim.name == "Kim \ufffd\ufffd Nguyen" and kim.emails[0].address == "kim@example.com"
    assert [(f.record, f.field) for f in parsed.flags] == [(1, "Name")]
    assert kim.review.startswith("Name: bytes that did not decode")


def test_an_outlook_file_mixing_utf8_and_windows_1252_is_not_taken_for_damage() -> None:
    data = ("BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Jürgen Müller\r\nEND:VCARD\r\n".encode()
            + "BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Amélie Lefèvre\r\nEND:VCARD\r\n".encode("cp1252"))
    parsed = read_contacts(io.BytesIO(data), "DE")
    assert [c.name for c in parsed.contacts] == ["Jürgen Müller", "Amélie Lefèvre"]
    assert not parsed.flags


@pytest.mark.parametrize(("text", "codec"), [
    ("Jürgen Müller;Straße 12;Chloé Lefèvre", "cp1252"),
    ("田中 美衣;たなか みい", "cp932"),
    ("张伟;北京;服务台;值班经理", "gb18030"),
    ("陳大文;台北;資訊服務部;電話", "big5hkscs"),
    ("Иванов Иван;Москва;Петрова Ольга", "cp1251"),
    ("Иванов Иван;Москва;Петрова Ольга", "koi8_r"),
])
def test_the_guess_on_short_samples(text: str, codec: str) -> None:
    assert guess_encoding(text.encode(codec)).codec == codec


@pytest.mark.parametrize("text", [
    "Straße 12", "Jürgen Müller", "Çelik", "Ça va", "São Paulo", "Ñandú", "Ó Briain", "Þór", "É",
    "±5 °C", "Preis: 12 €", "«Bonjour»", "Müller – Schmidt", "“quoted”", "Øst", "naïve",
])
def test_western_text_is_not_taken_for_an_east_asian_or_cyrillic_encoding(text: str) -> None:
    """A letter or two of windows-1252 also decode in Big5, Shift_JIS or KOI8-R (Ç + a = a kana
    in Big5): alone between Latin letters such readings score nothing."""
    assert guess_encoding(text.encode("cp1252")).codec == "cp1252"


def test_half_width_katakana_of_a_japanese_phone() -> None:
    assert guess_encoding("ﾀﾅｶ;ﾐｲ;;;".encode("cp932")).codec == "cp932"


def test_cli_import_takes_an_encoding(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    cli = Cli(capsys, db_url)
    shown = cli.json("contacts", "import", str(CORPUS / "undeclared_shift_jis.csv"), "--dry-run")
    assert shown["encoding"].startswith("Shift_JIS (guessed")
    chosen = cli.json("contacts", "import", str(CORPUS / "undeclared_shift_jis.csv"), "--dry-run",
                      "--encoding", "shift_jis")
    assert chosen["encoding"] == "Shift_JIS (chosen)" and chosen["new"][0]["name"] == "田中 美衣"
    code, out, err = cli("contacts", "import", str(CORPUS / "undeclared_shift_jis.csv"),
                         "--encoding", "klingon")
    assert (code, out) == (2, "") and "'klingon' is not an encoding imdesk knows" in err
