"""Online backup and restore of the SQLite file (the SQLite backup API, consistent under load)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from imdesk.errors import DatabaseCorrupt, KnownError
from imdesk.storage.database import Database
from imdesk.storage.db_info import sqlite_file_uri


def backup_sqlite(db: Database, target: Path) -> Path:
    """Copy the live database to target with the online backup API and verify the copy."""
    if db.info.path is None:
        raise KnownError(
            "backups by imdesk are for the local SQLite file",
            hint="For PostgreSQL use the server's tools (pg_dump).",
        )
    target = target.expanduser().resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".partial")
    src = sqlite3.connect(sqlite_file_uri(db.info.path), uri=True)
    try:
        dst = sqlite3.connect(tmp)
        try:
            src.backup(dst)
            dst.execute("PRAGMA journal_mode = DELETE")
            ok = dst.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            dst.close()
    finally:
        src.close()
    if ok != "ok":
        tmp.unlink(missing_ok=True)
        raise DatabaseCorrupt(f"the backup did not pass its integrity check: {ok}")
    os.replace(tmp, target)
    return target


def verify_sqlite_file(path: Path) -> str:
    """'ok', or what is wrong with the file (never raises for a damaged file)."""
    try:
        conn = sqlite3.connect(sqlite_file_uri(path), uri=True)
        try:
            result = conn.execute("PRAGMA integrity_check").fetchone()[0]
            conn.execute("SELECT count(*) FROM incident").fetchone()
        finally:
            conn.close()
    except sqlite3.Error as exc:
        return str(exc)
    return str(result)


def restore_sqlite(backup: Path, target: Path) -> Path | None:
    """Replace target with a verified backup; the file it replaces is kept as .replaced-<ts>."""
    status = verify_sqlite_file(backup)
    if status != "ok":
        raise DatabaseCorrupt(f"the backup {backup} cannot be used: {status}")
    kept: Path | None = None
    if target.exists():
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = target.with_name(f"{target.name}.replaced-{stamp}")
        os.replace(target, kept)
    for suffix in ("-wal", "-shm"):
        side = target.with_name(target.name + suffix)
        if side.exists():
            if kept is not None and suffix == "-wal":
                # The write-ahead log holds committed work of the replaced file: keep it with it.
                os.replace(side, kept.with_name(kept.name + suffix))
            else:
                side.unlink()
    tmp = target.with_name(target.name + ".restoring")
    shutil.copyfile(backup, tmp)
    os.replace(tmp, target)
    return kept


def find_backups(db_path: Path) -> list[Path]:
    """Backups next to the database, newest first (pre-migration and manual ones)."""
    folder = db_path.parent
    found = [p for p in folder.glob(f"{db_path.name}*.bak") if p.is_file()]
    backups_dir = folder / "backups"
    if backups_dir.is_dir():
        found += [p for p in backups_dir.glob("*.sqlite") if p.is_file()]
    return sorted(found, key=lambda p: p.stat().st_mtime, reverse=True)
