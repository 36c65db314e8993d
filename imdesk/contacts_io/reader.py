"""The front door for reading a contact file: vCard or CSV, told apart by their first line."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import BinaryIO

from imdesk.contacts_io.decoding import TextSource, lines_count
from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.result import Notice, ParsedFile
from imdesk.contacts_io.values import DEFAULT_REGION
from imdesk.contacts_io.vcard_cards import CharsetTracker
from imdesk.gc_pause import collector_paused


def read_contacts(stream: BinaryIO, region: str = DEFAULT_REGION, encoding: str | None = None) -> ParsedFile:
    """Read every contact of a vCard or CSV file; raises ImportRefused when it cannot be read whole.

    ``region`` is the default region for phone numbers written without a country code;
    ``encoding`` the user's choice for the lines that are not ASCII (None: found out, see decoding).
    """
    with collector_paused():
        parsed = _read(stream, region, encoding)
    return parsed


def _read(stream: BinaryIO, region: str, encoding: str | None) -> ParsedFile:
    source = TextSource(stream, encoding)
    parsed = _parse(source, region)
    parsed.legacy_encoding = source.found
    if source.damaged_lines:
        lines = ", ".join(str(n) for n in source.damaged_lines[:10])
        more = ", …" if len(source.damaged_lines) > 10 else ""
        parsed.notices.append(Notice(0, source.damaged_lines[0], (
            f"{lines_count(len(source.damaged_lines))} held bytes that did not decode ({lines}{more}): "
            "their values are kept with \ufffd and marked for review; "
            "choose another encoding if the names look wrong")))
    return parsed


def _parse(source: TextSource, region: str) -> ParsedFile:
    lines = source.lines(CharsetTracker())
    first: tuple[int, str] | None = None
    for number, text in lines:
        if text.strip():
            first = (number, text)
            break
    if first is None:
        raise ImportRefused("the file is empty")
    rest = itertools.chain([first], lines)
    if first[1].strip().upper() == "BEGIN:VCARD":
        from imdesk.contacts_io.vcard_reader import read_vcards

        return read_vcards(rest, source, region)
    from imdesk.contacts_io.csv_reader import read_csv

    return read_csv(rest, source, region)


def read_contacts_file(path: Path, region: str = DEFAULT_REGION, encoding: str | None = None) -> ParsedFile:
    try:
        with path.open("rb") as stream:
            return read_contacts(stream, region, encoding)
    except (FileNotFoundError, IsADirectoryError, PermissionError) as exc:
        raise ImportRefused(f"{path} cannot be opened: {exc.strerror or exc}") from None
