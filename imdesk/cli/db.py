"""`imdesk db check|backup|restore`: database upkeep."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.cli.common import UsageError, command_group, db_url, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register(sub: Subparsers) -> None:
    """Add ``db`` and its actions to the top-level sub-parsers."""
    dbp = command_group(sub, "db", "database upkeep")
    chk = dbp.add_parser("check", help="integrity, hash chains and projections")
    chk.add_argument("--json", action="store_true")
    chk.set_defaults(handler=in_context(db_check))
    bak = dbp.add_parser("backup", help="copy the database to FILE (online, verified)")
    bak.add_argument("file", type=Path)
    bak.set_defaults(handler=in_context(db_backup), outputs=("file",))
    res = dbp.add_parser("restore", help="replace the database with a verified backup FILE")
    res.add_argument("file", type=Path)
    res.set_defaults(handler=db_restore, inputs=("file",))  # replaces the file: no context is opened on it


def db_check(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.integrity import check_database

    report = check_database(ctx.db)
    summary = (f"ok: {report.incidents} incidents, {report.entries} timeline entries verified"
               if report.ok else f"problem: {report.problem}")
    emit({"ok": report.ok, "incidents": report.incidents, "entries": report.entries,
          "problem": report.problem}, args.json, summary)
    if not report.ok and not args.json:
        print(f"imdesk: {report.problem}", file=sys.stderr)
    return 0 if report.ok else 1


def db_backup(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.backups import backup_to

    made = backup_to(ctx.db, args.file)
    print(f"backup written to {made}")
    return 0


def db_restore(args: argparse.Namespace) -> int:
    from imdesk.errors import KnownError
    from imdesk.services.backups import restore
    from imdesk.storage.db_info import sqlite_path
    from imdesk.storage.instance_lock import InstanceLock

    file: Path = args.file
    target = sqlite_path(db_url(args))
    if target is None:
        raise KnownError("restore is for the local SQLite file; for PostgreSQL use pg_restore")
    if _same_file(file, target) or file.resolve() == target.resolve():
        raise UsageError(f"{file} is the live database itself: restore from a backup copy")
    lock = InstanceLock(target)
    lock.acquire(take_over_stale=True)  # refuses while a console has the file open
    try:
        kept = restore(file, target)
    finally:
        lock.release()
    print(f"restored {file} to {target}" + (f"; the replaced file is kept as {kept}" if kept else ""))
    return 0


def _same_file(a: Path, b: Path) -> bool:
    import os

    try:
        return os.path.samefile(a, b)
    except (OSError, ValueError):
        return False
