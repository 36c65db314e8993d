"""Backups of the local database: by hand, automatic (kept 7), and restore from the newest."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

from imdesk.errors import KnownError
from imdesk.storage.backup import backup_sqlite, find_backups, restore_sqlite
from imdesk.storage.database import Database

AUTO_KEEP = 7
AUTO_EVERY_S = 12 * 3600


def backup_to(db: Database, target: Path) -> Path:
    return backup_sqlite(db, target)


def auto_backup_due(db_path: Path) -> bool:
    folder = db_path.parent / "backups"
    newest = max((p.stat().st_mtime for p in folder.glob("auto-*.sqlite")), default=0.0)
    return time.time() - newest > AUTO_EVERY_S


def auto_backup(db: Database) -> Path | None:
    """Write backups/auto-<time>.sqlite and keep the newest AUTO_KEEP of them."""
    if db.info.path is None or db.read_only:
        return None
    folder = db.info.path.parent / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    made = backup_sqlite(db, folder / f"auto-{stamp}.sqlite")
    autos = sorted(folder.glob("auto-*.sqlite"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in autos[AUTO_KEEP:]:
        old.unlink(missing_ok=True)
    return made


def newest_backup(db_path: Path) -> Path | None:
    found = find_backups(db_path)
    return found[0] if found else None


def restore(backup: Path, db_path: Path) -> Path | None:
    """Put a verified backup in place of db_path. The replaced file is kept beside it."""
    if not backup.exists():
        raise KnownError(f"no backup file at {backup}")
    return restore_sqlite(backup, db_path)


def quarantine(db_path: Path) -> Path:
    """Move a damaged database aside as .corrupt-<time> so that nothing overwrites it."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = db_path.with_name(f"{db_path.name}.corrupt-{stamp}")
    db_path.rename(target)
    for suffix in ("-wal", "-shm"):
        side = db_path.with_name(db_path.name + suffix)
        if side.exists():
            side.rename(target.with_name(target.name + suffix))
    return target
