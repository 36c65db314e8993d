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


SQLITE_MAGIC = b"SQLite format 3\x00"


def check_database_file(path: Path, *, create: bool = False, known: frozenset[Path] = frozenset()) -> None:
    """Before a SQLite file is opened (and written): refuse what is not an imdesk database — a
    folder or device, an empty file, another program's SQLite file — naming what it is, and a
    missing file where one was before (KNOWN lists it, or its leftovers are beside it) unless
    CREATE.
    Raises NotAnImdeskDatabase or DatabaseMissing; never writes."""
    import sqlite3
    import stat

    from imdesk.errors import DatabaseMissing, NotAnImdeskDatabase

    try:
        st = os.stat(path)
    except FileNotFoundError:
        if not create and (held_a_database(path) or path.resolve() in known):
            raise DatabaseMissing(
                f"the database {path} is missing, but imdesk has used it before",
                hint="Restore a backup (imdesk db restore FILE), or start an empty database with --create.",
            ) from None
        return
    except OSError as exc:
        raise NotAnImdeskDatabase(f"{path} cannot be opened ({exc.strerror or exc})") from None
    if not stat.S_ISREG(st.st_mode):
        from imdesk.files import kind_of

        raise NotAnImdeskDatabase(f"{path} is {kind_of(st.st_mode)}, not an imdesk database")
    if st.st_size == 0:
        raise NotAnImdeskDatabase(f"{path} is an empty file, not an imdesk database")
    try:
        with open(path, "rb") as handle:
            head = handle.read(len(SQLITE_MAGIC))
    except OSError as exc:
        raise NotAnImdeskDatabase(f"{path} cannot be read ({exc.strerror or exc})") from None
    if head != SQLITE_MAGIC:
        from imdesk.errors import DatabaseCorrupt

        raise DatabaseCorrupt(f"{path} is damaged or not a database (it does not begin as a "
                              "SQLite file)", hint="Restore the newest backup (imdesk db restore).")
    try:
        conn = sqlite3.connect(sqlite_file_uri(path), uri=True)
        conn.text_factory = lambda b: b.decode("utf-8", "replace")
        try:
            names = [r[0] for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        finally:
            conn.close()
    except (sqlite3.Error, UnicodeError):
        return  # damaged: the open that follows says so (DatabaseCorrupt)
    if names and "alembic_version" not in names and "incident" not in names:
        shown = ", ".join(names[:5]) + (", …" if len(names) > 5 else "")
        raise NotAnImdeskDatabase(
            f"{path} is the SQLite database of another program (tables: {shown}); "
            "imdesk does not open it")


def held_a_database(path: Path) -> bool:
    """Does something beside PATH say a database was there: its -wal, lock, replaced or damaged
    copies, its upgrade backups, or (for a file named imdesk*.sqlite) automatic backups?"""
    folder = path.parent
    if not folder.is_dir():
        return False
    name = path.name
    for pattern in (f"{name}-wal", f"{name}.lock", f"{name}.replaced-*", f"{name}.corrupt-*",
                    f"{name}.pre-*.bak"):
        if any(folder.glob(pattern)):
            return True
    return name.startswith("imdesk") and any((folder / "backups").glob("auto-*.sqlite"))
