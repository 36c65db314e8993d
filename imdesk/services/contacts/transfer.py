"""Import and export of the contact book: read a file into a plan, write the plan, write the book.

One function per step, each its own unit of work: ``preview_import`` reads the file and the book
(no writes; slow for big files, so the console runs it off the GUI thread), ``apply_import`` writes
what the user chose in ONE transaction (``ContactService.import_records``: all or nothing),
``export_contacts`` writes the whole book to a file, replacing it only once it is complete.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Collection
from enum import StrEnum
from pathlib import Path

from imdesk.contacts_io.plan import ImportPlan, plan_import
from imdesk.contacts_io.reader import read_contacts_file
from imdesk.domain.contact_book import ImportOutcome
from imdesk.domain.errors import ValidationError
from imdesk.services.contacts.service import ContactService


class ExportFormat(StrEnum):
    VCARD = "vcard"
    CSV = "csv"

    @property
    def label(self) -> str:
        return "vCard 3.0" if self is ExportFormat.VCARD else "imdesk CSV"

    @property
    def suffix(self) -> str:
        return ".vcf" if self is ExportFormat.VCARD else ".csv"


def preview_import(contacts: ContactService, path: Path, encoding: str | None = None) -> ImportPlan:
    """What importing ``path`` would do; ``encoding`` the user's choice for its lines that are not
    ASCII (None: found out). Raises ImportRefused when the file cannot be read whole."""
    parsed = read_contacts_file(path, contacts.default_region(), encoding)
    return plan_import(parsed, contacts.all_records())


def apply_import(contacts: ContactService, plan: ImportPlan, merge: Collection[int] = (), *,
                 author: str | None = None) -> ImportOutcome:
    """Write the plan: its new contacts, and the duplicates whose position is in ``merge`` merged
    into what they match (the others skipped). One transaction."""
    new, merges = plan.resolve(merge)
    return contacts.import_records(new, merges, author=author or contacts.author)


def export_contacts(contacts: ContactService, path: Path, fmt: ExportFormat | str) -> int:
    """Write every contact to ``path`` (vCard 3.0 or imdesk CSV); returns how many. The file is
    written beside the target and renamed over it when complete: a failed export leaves no
    half-written file."""
    try:
        kind = ExportFormat(str(fmt).lower())
    except ValueError:
        raise ValidationError("format", f"{fmt!r} is not an export format (vcard or csv)") from None
    records = [record for _, record in contacts.all_records()]
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ValidationError("file", f"{folder} is not a folder")
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=folder)
    except OSError as exc:
        raise ValidationError("file", f"cannot write in {folder}: {exc.strerror or exc}") from None
    try:
        if kind is ExportFormat.VCARD:
            from imdesk.contacts_io.vcard_writer import write_vcards

            with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
                count = write_vcards(records, out)
        else:
            from imdesk.contacts_io.csv_writer import write_csv

            with os.fdopen(handle, "w", encoding="utf-8-sig", newline="") as out:
                count = write_csv(records, out)
        os.replace(temp, path)
    except OSError as exc:
        Path(temp).unlink(missing_ok=True)
        raise ValidationError("file", f"cannot write {path}: {exc.strerror or exc}") from None
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return count
