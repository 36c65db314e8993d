"""Writing contacts as imdesk's own CSV (columns and formula rule in imdesk_csv).

UTF-8 with a byte-order mark (so Excel opens it as UTF-8), comma-separated, CRLF row ends, cells
quoted where RFC 4180 needs it (a comma, quote or line break inside).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from typing import TextIO

from imdesk.contacts_io.imdesk_csv import COLUMNS, to_row
from imdesk.domain.contact import ContactRecord


def write_csv(contacts: Iterable[ContactRecord], out: TextIO) -> int:
    """Write the header and one row per contact to a text stream opened with newline="" and
    encoding "utf-8-sig"; returns how many contacts were written."""
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    count = 0
    for contact in contacts:
        writer.writerow(to_row(contact))
        count += 1
    return count
