"""Bad and oversized input: encodings, line ends, 10 MB fields, 100k rows, invisible characters."""

from __future__ import annotations

import base64
import io
import json
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.reader import read_contacts
from imdesk.contacts_io.result import ParsedFile

CRLF = "\r\n"
HEADER = "Name,Phones,Emails,Notes"


def read_bytes(data: bytes) -> ParsedFile:
    return read_contacts(io.BytesIO(data), region="DE")


def card(*lines: str) -> str:
    return CRLF.join(["BEGIN:VCARD", "VERSION:3.0", *lines, "END:VCARD", ""])


def refused(data: bytes) -> str:
    with pytest.raises(ImportRefused) as exc:
        read_bytes(data)
    return str(exc.value)


# -- encodings and line ends -------------------------------------------------------------------------
@pytest.mark.parametrize(("encoding", "bom", "label"), [
    ("utf-8", b"", "UTF-8"),
    ("utf-8", b"\xef\xbb\xbf", "UTF-8 (byte-order mark)"),
    ("utf-16-le", b"\xff\xfe", "UTF-16 (byte-order mark)"),
    ("utf-16-be", b"\xfe\xff", "UTF-16 (byte-order mark)"),
    ("cp1252", b"", "windows-1252"),
])
def test_each_supported_encoding_reads_the_same_names(encoding: str, bom: bytes, label: str) -> None:
    text = card("FN:Zoë Ångström-Lefèvre", "EMAIL:zoe@example.com") + card("FN:Łukasz? no: Lukas Müßig")
    if encoding == "cp1252":
        text = text.replace("Łukasz? no: ", "")
    parsed = read_bytes(bom + text.encode(encoding))
    assert parsed.encoding == label
    assert parsed.contacts[0].name == "Zoë Ångström-Lefèvre"
    assert parsed.contacts[1].name.endswith("Lukas Müßig")


def test_a_file_mixing_utf8_and_windows_1252_lines_reads_each_as_written() -> None:
    data = (card("FN:Jürgen Müller").encode("utf-8") + card("FN:Amélie Lefèvre").encode("cp1252"))
    parsed = read_bytes(data)
    assert [c.name for c in parsed.contacts] == ["Jürgen Müller", "Amélie Lefèvre"]
    assert parsed.encoding == "UTF-8, 1 line in windows-1252 or their declared charset"


def test_a_declared_charset_decodes_raw_bytes() -> None:
    name = "FN;CHARSET=ISO-8859-7:Γιώργος".encode("iso-8859-7")
    data = (CRLF.join(["BEGIN:VCARD", "VERSION:2.1", "FN", "END:VCARD", ""]).encode()
            .replace(b"FN", name))
    assert read_bytes(data).contacts[0].name == "Γιώργος"


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_crlf_lf_and_old_mac_cr_line_ends(newline: str) -> None:
    rows = [HEADER, 'Kim Nguyen,mobile: +49 171 2345678,work: kim@example.com,"two', 'lines"',
            "Sam Okafor,,sam@example.com,"]
    parsed = read_bytes(newline.join(rows).encode())
    assert [(r.record, r.line, r.contact.name) for r in parsed.records] == [
        (1, 2, "Kim Nguyen"), (2, 4, "Sam Okafor")]
    assert parsed.contacts[0].notes == "two\nlines"


def test_utf16_bom_with_a_broken_byte_sequence_is_refused() -> None:
    data = b"\xff\xfe" + "Name,Emails\r\nKim".encode("utf-16-le") + b"\x00\xd8"   # lone surrogate
    assert "not UTF-16" in refused(data)


def test_an_empty_file_is_refused() -> None:
    assert refused(b"\r\n  \r\n") == "the file is empty"


# -- sizes -------------------------------------------------------------------------------------------
TEN_MB = 10 * 1024 * 1024


def test_a_10_mb_vcard_field_refuses_the_file_naming_it_without_holding_it() -> None:
    data = (card("FN:Kim Nguyen", "EMAIL:kim@example.com")
            + card("FN:Sam Okafor", "NOTE:" + "x" * TEN_MB)).encode()
    tracemalloc.start()
    try:
        message = refused(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message == "record 2 (line 9): NOTE is longer than the limit of 20,000 characters for one field"
    assert peak < 3.5 * TEN_MB   # the 10 MB line as bytes and as text, never a copy per chunk or fold


def test_a_10_mb_folded_field_is_refused_too() -> None:
    folded = CRLF.join(" " + "y" * 74 for _ in range(TEN_MB // 74))
    message = refused(card("FN:Sam Okafor", "NOTE:start", folded).encode())
    assert message.startswith("record 1 (line 4): NOTE is longer than the limit")


def test_a_10_mb_csv_cell_refuses_the_file_naming_row_and_column() -> None:
    data = (HEADER + CRLF + "Kim,,kim@example.com,short" + CRLF
            + 'Sam,,sam@example.com,"' + "z" * TEN_MB + '"' + CRLF).encode()
    assert refused(data) == ("record 2 (line 3): Notes is longer than the limit of 20,000 characters "
                             "for one field")


def test_a_cell_just_over_the_limit_is_refused_with_its_size() -> None:
    data = (HEADER + CRLF + "Kim,,kim@example.com," + "n" * 20_001 + CRLF).encode()
    assert refused(data) == ("record 1 (line 2): Notes is 20,001 characters long; the limit for one "
                             "field is 20,000")


def test_a_10_mb_photo_is_skipped_as_it_streams_past() -> None:
    b64 = base64.b64encode(b"\xff" * (TEN_MB * 3 // 4)).decode()
    photo = ["PHOTO;ENCODING=b;TYPE=JPEG:" + b64[:40]]
    photo += [" " + b64[i:i + 74] for i in range(40, len(b64), 74)]
    data = card("FN:Kim Nguyen", *photo, "EMAIL:kim@example.com").encode()
    tracemalloc.start()
    try:
        parsed = read_bytes(data)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert parsed.contacts[0].emails[0].address == "kim@example.com"
    assert [str(n) for n in parsed.notices] == ["record 1 (line 1): PHOTO not imported (10,240 KB of "
                                                 "encoded data)"]
    assert peak < 2 * 1024 * 1024    # line by line: the photo is never held


def test_a_line_longer_than_16_mib_is_not_a_contact_file() -> None:
    assert refused(b"Name," + b"a" * (17 * 1024 * 1024)) == (
        "line 1: the line is longer than 16 MiB: this is not a contact file")


def test_a_100k_row_csv_streams_in_bounded_memory(tmp_path: Path) -> None:
    """In a process of its own (tracemalloc would slow it tenfold): 100,000 rows read, and the
    peak resident memory stays far below what holding the file several times over would take."""
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write("Name,Kind,Department,Notes,Extra column\r\n")
        for i in range(100_000):
            out.write(f'Person {i},person,Dept {i % 40},"Row {i}, with a note",x{i}\r\n')
    probe = ("import json, re\nfrom pathlib import Path\n"
             "from imdesk.contacts_io.reader import read_contacts_file\n"
             f"parsed = read_contacts_file(Path({str(path)!r}))\n"
             "peak = re.search(r'VmHWM:\\s+(\\d+)', Path('/proc/self/status').read_text()).group(1)\n"
             "print(json.dumps({'records': len(parsed.records), 'last': parsed.contacts[-1].notes,\n"
             "  'rss_mb': int(peak) / 1024}))")
    run = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=300,
                         check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert result["records"] == 100_000
    assert result["last"] == "Row 99999, with a note\n\nExtra column: x99999"
    assert result["rss_mb"] < 150, result      # ~75 MB measured: the records themselves


# -- limits of the book ------------------------------------------------------------------------------
def test_a_name_longer_than_the_book_holds_refuses_the_file() -> None:
    message = refused(card("FN:" + "N" * 201).encode())
    assert message == "record 1 (line 1): name is 201 characters long; the limit for one field is 200"


def test_a_job_title_too_long_for_the_book_is_kept_in_the_notes_and_flagged() -> None:
    parsed = read_bytes(card("FN:Kim", "TITLE:" + "t" * 250).encode())
    kim = parsed.contacts[0]
    assert kim.job_title == "" and kim.notes == "TITLE: " + "t" * 250
    assert [(f.field, f.reason) for f in parsed.flags] == [
        ("TITLE", "250 characters, more than the 200 the book keeps in this field; kept in the notes")]


def test_numbers_beyond_the_books_twenty_are_kept_in_the_notes() -> None:
    tels = [f"TEL;TYPE=CELL:+49 171 23456{i:02d}" for i in range(23)]
    parsed = read_bytes(card("FN:Kim", *tels).encode())
    kim = parsed.contacts[0]
    assert len(kim.phones) == 20
    assert kim.notes.splitlines() == [f"TEL: +49 171 23456{i:02d}" for i in range(20, 23)]
    assert len(parsed.flags) == 3


def test_a_card_without_a_name_is_named_after_its_address_and_flagged() -> None:
    parsed = read_bytes(card("EMAIL:noname@example.com").encode())
    assert parsed.contacts[0].name == "noname@example.com"
    assert [str(f) for f in parsed.flags] == [
        "record 1 (line 1): name 'noname@example.com': the record has no name; it is named after its "
        "email address"]


def test_a_card_with_nothing_to_call_it_is_skipped_and_a_file_of_only_such_cards_refused() -> None:
    assert refused(card("NOTE:just a note").encode()) == (
        "no card of the file holds a name, organisation, email address or phone number (1 without)")
    parsed = read_bytes((card("NOTE:just a note") + card("FN:Kim")).encode())
    assert [c.name for c in parsed.contacts] == ["Kim"]
    assert [str(n) for n in parsed.notices] == [
        "record 1 (line 1): card skipped: it holds no name, organisation, email address or phone number"]


def test_a_csv_row_with_more_cells_than_the_header_is_refused() -> None:
    data = (HEADER + CRLF + "Kim,,kim@example.com,a note,surplus" + CRLF).encode()
    assert refused(data).startswith("record 1 (line 2): the row has 5 cells but the header has 4")


# -- invisible characters ----------------------------------------------------------------------------
@pytest.mark.parametrize("dirty", [
    "Kim\u202e Nguyen", "\u200bKim Nguyen", "Kim \u2066Nguyen\u2069", "\ufeffKim Nguyen",
    "Kim\u00a0\u00a0Nguyen", "Kim\x07 Nguyen",
])
def test_bidi_overrides_and_zero_width_characters_are_removed_from_names(dirty: str) -> None:
    for data in (card("FN:" + dirty).encode(), (HEADER + CRLF + dirty + ",,,").encode()):
        assert read_bytes(data).contacts[0].name == "Kim Nguyen"


@pytest.mark.parametrize("name", ["דנה לוי", "محمد عبد الله", "Zoë O\u2019Brien", "👩\u200d💻 Ops"])
def test_right_to_left_names_and_joiners_stay_as_written(name: str) -> None:
    assert read_bytes(card("FN:" + name).encode()).contacts[0].name == name


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
@pytest.mark.parametrize("chunk", range(1, 12))
def test_line_ends_that_straddle_the_read_chunks(encoding: str, chunk: int,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.contacts_io import decoding

    monkeypatch.setattr(decoding, "CHUNK", chunk)
    text = HEADER + "\r\nKim,,kim@example.com,ä\r\nSam,,,\n\rLea,,,\r\r\nZoë,,,\r"
    parsed = read_bytes(text.encode(encoding))
    assert [(r.line, r.contact.name) for r in parsed.records] == [
        (2, "Kim"), (3, "Sam"), (5, "Lea"), (7, "Zoë")]
    assert parsed.contacts[0].notes == "ä"


def test_a_21_photo_written_without_indentation_is_skipped_up_to_its_blank_line() -> None:
    b64 = base64.b64encode(bytes(range(256)) * 4).decode()
    lines = ["BEGIN:VCARD", "VERSION:2.1", "FN:Kim Nguyen", "PHOTO;ENCODING=BASE64;TYPE=JPEG:" + b64[:60],
             *[b64[i:i + 76] for i in range(60, len(b64), 76)], "", "TEL;CELL:+49 171 2345678",
             "END:VCARD", ""]
    parsed = read_bytes(CRLF.join(lines).encode())
    assert [p.raw for p in parsed.contacts[0].phones] == ["+49 171 2345678"]
    assert [n.text.split(" (")[0] for n in parsed.notices] == ["PHOTO not imported"]


@pytest.mark.parametrize("edge", ["9999-12-31T23:59:59-01:00", "0001-01-01T00:00:00+01:00",
                                  "1900-01-01T00:00:00Z"])
def test_a_last_verified_time_at_the_edge_of_the_calendar_is_flagged_not_a_crash(edge: str) -> None:
    header = ("Name,Kind,Job title,Organisation,Department,Phones,Emails,Preferred channel,Time zone,"
              "Tags,Account number,Last verified at (UTC),Verified by,Notes")
    row = f"Kim Larsen,person,,,,+4915112345678,kim@example.com,,,,,{edge},,"
    parsed = read_bytes(f"{header}\r\n{row}\r\n".encode())
    assert parsed.contacts[0].last_verified_at is None
    assert [(f.record, f.field, f.value) for f in parsed.flags] == [(1, "Last verified at (UTC)", edge)]
    assert "1970 to 2999" in parsed.flags[0].reason
    assert f"Last verified at (UTC): {edge}" in parsed.contacts[0].notes
