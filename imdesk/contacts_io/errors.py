"""The one error a contact file raises when it cannot be read as a whole."""

from __future__ import annotations

from imdesk.domain.errors import ValidationError


class ImportRefused(ValidationError):
    """The file cannot be imported at all; nothing of it is written.

    Names where (``record`` — the card or data row, 1-based, 0 for the file as a whole; ``line`` —
    the physical line of the property at fault when known, else where the record starts; 0 when
    unknown) and what (``field``, ``reason``).
    """

    def __init__(self, reason: str, *, record: int = 0, line: int = 0, field: str = "file") -> None:
        self.record = record
        self.line = line
        self.reason = reason
        super().__init__(field, f"{where(record, line)}{reason}")


def where(record: int, line: int) -> str:
    """'record 3 (line 17): ', 'line 1: ' or '' — the prefix of a message about a place in a file."""
    if record and line:
        return f"record {record} (line {line}): "
    if record:
        return f"record {record}: "
    if line:
        return f"line {line}: "
    return ""
