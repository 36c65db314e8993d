"""Reading a contact CSV as a stream: header row → layout, then one contact per data row.

The delimiter is the one of comma, semicolon and tab under which the header row is a layout imdesk
knows. Broken quoting (a quote that never closes, text after a closing quote) and rows with more
cells than the header refuse the file, naming the line; empty rows are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator

from imdesk.contacts_io.csv_layouts import LAYOUTS, Layout, recognise
from imdesk.contacts_io.csv_localised import localised_outlook
from imdesk.contacts_io.decoding import DAMAGED, TextSource
from imdesk.contacts_io.errors import ImportRefused
from imdesk.contacts_io.record_builder import FIELD_MAX, RecordBuilder
from imdesk.contacts_io.result import Notice, ParsedFile, ParsedRecord

DELIMITERS = (",", ";", "\t")


class _Feeder:
    """Feeds lines to csv.reader, remembering where the current row started and its raw text."""

    def __init__(self, lines: Iterator[tuple[int, str]]) -> None:
        self._lines = lines
        self.next_line = 1
        self.row_start = 1
        self.row_text: list[str] = []

    def __iter__(self) -> Iterator[str]:
        for number, text in self._lines:
            if not self.row_text:
                self.row_start = number
            self.row_text.append(text)
            self.next_line = number + 1
            yield text + "\n"

    def row_done(self) -> None:
        self.row_text = []


def read_csv(lines: Iterator[tuple[int, str]], source: TextSource, region: str) -> ParsedFile:
    header_line, header_text = next(lines)
    layout, delimiter, headers = _layout(header_text, header_line)
    parsed = ParsedFile(layout=layout.name, encoding="")
    feeder = _Feeder(lines)
    reader = csv.reader(feeder, delimiter=delimiter, strict=True)
    record = 0
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise _broken(exc, feeder, headers, delimiter, record + 1) from None
        start = feeder.row_start
        feeder.row_done()
        if not any(c.strip() for c in cells):
            continue
        record += 1
        if len(cells) > len(headers) and any(c.strip() for c in cells[len(headers):]):
            raise ImportRefused(f"the row has {len(cells)} cells but the header has {len(headers)}: "
                                "a value with an unquoted separator?", record=record, line=start)
        row = [(h or f"Column {i + 1}", c) for i, (h, c) in enumerate(zip(headers, cells, strict=False))]
        builder = RecordBuilder(record, start, region)
        for header, cell in row:
            if "\ufffd" in cell:      # the line held bytes that did not decode
                builder.damaged(header, cell[:60], DAMAGED)
        for text in layout.fill(builder, row):
            parsed.notices.append(Notice(record, start, text))
        contact = builder.build()
        parsed.records.append(ParsedRecord(record, start, contact))
        parsed.flags.extend(builder.flags)
    parsed.encoding = source.encoding
    return parsed


def _layout(text: str, line: int) -> tuple[Layout, str, list[str]]:
    best: list[str] = []
    for delimiter in DELIMITERS:
        try:
            headers = next(csv.reader([text], delimiter=delimiter))
        except (csv.Error, StopIteration):
            continue
        layout = recognise(headers)
        if layout is not None:
            return layout, delimiter, [h.strip() for h in headers]
        english = localised_outlook(headers)   # Outlook in German, French, Spanish
        layout = recognise(english) if english else None
        if layout is not None and english is not None:
            return layout, delimiter, [h.strip() for h in english]
        if len(headers) > len(best):
            best = headers
    shown = ", ".join(repr(h.strip()) for h in best[:6]) + (", …" if len(best) > 6 else "")
    known = ", ".join(layout.name for layout in LAYOUTS)
    raise ImportRefused(f"the CSV header ({shown}) is not a layout imdesk knows; it reads {known} "
                        "(as those programs export them)", line=line, field="header")


def _broken(exc: csv.Error, feeder: _Feeder, headers: list[str], delimiter: str,
            record: int) -> ImportRefused:
    message = str(exc)
    if "field larger than field limit" in message:
        column = _oversized_column("\n".join(feeder.row_text), delimiter)
        name = headers[column] if column is not None and column < len(headers) else "a cell"
        return ImportRefused(f"{name} is longer than the limit of {FIELD_MAX:,} characters for one field",
                             record=record, line=feeder.row_start, field=name)
    if "unexpected end of data" in message:
        return ImportRefused("a quoted cell is never closed (the file ends inside quotes)",
                             record=record, line=feeder.row_start)
    return ImportRefused(f"the row is not valid CSV ({message})", record=record, line=feeder.row_start)


def _oversized_column(text: str, delimiter: str) -> int | None:
    """Which cell of a raw CSV row is longer than FIELD_MAX (quote-aware), if any."""
    column, length, quoted = 0, 0, False
    i = 0
    while i < len(text):
        char = text[i]
        if char == '"':
            if quoted and text[i + 1:i + 2] == '"':
                i += 1
                length += 1
            else:
                quoted = not quoted
        elif char == delimiter and not quoted:
            column, length = column + 1, 0
        else:
            length += 1
            if length > FIELD_MAX:
                return column
        i += 1
    return None
