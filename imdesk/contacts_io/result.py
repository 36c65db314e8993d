"""What reading a contact file gives: the records, flagged values and notices."""

from __future__ import annotations

from dataclasses import dataclass, field

from imdesk.contacts_io.errors import where
from imdesk.domain.contact import ContactRecord
from imdesk.domain.contact_clean import CleanRecord


@dataclass(frozen=True, slots=True)
class Flag:
    """A value that does not validate: imported as written and marked for review."""

    record: int          # 1-based card or data row
    line: int            # physical line where the record starts
    field: str           # "TEL", "E-mail Address", "name", ...
    value: str
    reason: str

    def __str__(self) -> str:
        return f"{where(self.record, self.line)}{self.field} {self.value!r}: {self.reason}"


@dataclass(frozen=True, slots=True)
class Notice:
    """Something the import did that a user should know but need not act on (a photo skipped)."""

    record: int
    line: int
    text: str

    def __str__(self) -> str:
        return f"{where(self.record, self.line)}{self.text}"


@dataclass(frozen=True, slots=True)
class ParsedRecord:
    """One contact read from a file, with where it came from. ``contact`` is built by
    record_builder.RecordBuilder under the book's rules: clean_record gives it back unchanged
    (a test holds every reader to that), so the book stores it without cleaning it again."""

    record: int
    line: int
    contact: ContactRecord

    @property
    def clean(self) -> CleanRecord:
        return CleanRecord(self.contact)


@dataclass
class ParsedFile:
    """Everything read from one file. ``layout``: 'vCard 3.0', 'Outlook CSV', ...; ``encoding``: as read."""

    layout: str
    encoding: str
    records: list[ParsedRecord] = field(default_factory=list)
    flags: list[Flag] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    legacy_encoding: str = "UTF-8"   # what the file was read as, in a word ("Shift_JIS"; guessed or chosen)

    @property
    def contacts(self) -> list[ContactRecord]:
        return [r.contact for r in self.records]
