"""What is known of a database before it is opened: no SQLAlchemy here (start-up speed)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class DbInfo:
    url: str  # without password
    dialect: str
    path: Path | None
    read_only: bool

    @property
    def label(self) -> str:
        if self.path is not None:
            suffix = " (read-only)" if self.read_only else ""
            return f"local file {self.path}{suffix}"
        return f"PostgreSQL {self.url}"


def writable(path: Path) -> bool:
    """Can we write it? A file with no write bit at all counts as read-only, even for root."""
    if not path.stat().st_mode & 0o222:
        return False
    return os.access(path, os.W_OK) and os.access(path.parent, os.W_OK)


def sqlite_file_uri(path: Path, *, mode: str = "ro") -> str:
    """A `file:` URI for sqlite3 with the path percent-encoded: '#', '?' or '%' in a folder
    name must not cut the path short (which would open, and create, another file)."""
    return f"{path.resolve().as_uri()}?mode={mode}"


def sqlite_file_info(path: Path) -> DbInfo:
    """The DbInfo a Database opened on this existing file will have."""
    read_only = path.exists() and not writable(path)
    return DbInfo(url=f"sqlite:///{path}", dialect="sqlite", path=path, read_only=read_only)


def sqlite_path(url: object) -> Path | None:
    """The file of a SQLite database location (a Path, or a URL string or object), else None.
    SQLAlchemy is imported only to parse a URL: a Path needs nothing."""
    if isinstance(url, Path):
        return url
    from sqlalchemy.engine import make_url

    parsed = make_url(url)  # type: ignore[arg-type]
    if parsed.get_backend_name() != "sqlite" or not parsed.database or parsed.database == ":memory:":
        return None
    return Path(parsed.database)
