"""Errors of the environment (tell the user what to do) vs. everything else (a bug)."""

from __future__ import annotations


class KnownError(Exception):
    """The environment failed in a way we can explain: DB locked, disk full, corrupt file, ..."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if not self.hint:
            return self.message
        end = "" if self.message.rstrip().endswith((".", "!", "?", ":")) else "."
        return f"{self.message}{end} {self.hint}"


class DatabaseLocked(KnownError):
    """Another imdesk console holds the database."""

    def __init__(self, message: str, *, holder: dict[str, object] | None = None,
                 stale: bool = False) -> None:
        super().__init__(message)
        self.holder = holder or {}
        self.stale = stale


class DatabaseBusy(KnownError):
    """A write waited longer than the busy timeout."""


class DatabaseCorrupt(KnownError):
    """The database file fails its integrity check or is not a database."""


class DatabaseTooNew(KnownError):
    """The database was written by a newer imdesk."""


class DatabaseReadOnly(KnownError):
    """The database (or its folder) cannot be written."""


class DiskFull(KnownError):
    """The disk holding the database is full."""


class DatabaseUnavailable(KnownError):
    """The database server cannot be reached or refused the connection."""


class NotAnImdeskDatabase(KnownError):
    """An existing file that is not an imdesk database (another program's, empty, a device)."""


class DatabaseMissing(KnownError):
    """The database file is gone from where one was: not silently replaced by an empty one."""
