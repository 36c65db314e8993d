"""Composition root: paths, database (guarded migrations), services, and the Qt console."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.context import AppContext
from imdesk.errors import DatabaseReadOnly

if TYPE_CHECKING:
    from imdesk.domain.incident_query import IncidentQuery
    from imdesk.services.clock import Clock
    from imdesk.storage.database import Database, DbUrl
    from imdesk.storage.first_page import FirstPage


def open_database(url: DbUrl, *, read_only: bool | None = None) -> tuple[Database, Path | None]:
    """Open and bring to the current schema (refusing newer, backing up before upgrading)."""
    from imdesk.storage.database import Database
    from imdesk.storage.migrate import needs_upgrade, upgrade

    db = Database(url, read_only=read_only)
    try:
        if not needs_upgrade(db):
            return db, None
        if db.read_only:
            raise DatabaseReadOnly(
                "the database is read-only and needs an upgrade first",
                hint="Open it once from an account that can write to it.",
            )
        return db, upgrade(db)
    except BaseException:
        db.dispose()
        raise


def build_context(url: DbUrl, *, clock: Clock | None = None, author: str | None = None,
                  read_only: bool | None = None) -> AppContext:
    db, backup = open_database(url, read_only=read_only)
    ctx = AppContext(db, clock=clock, author=author, migration_backup=backup)
    if backup is not None:
        ctx.notices.append(f"The database was upgraded; the copy from before is {backup}.")
    if db.read_only:
        ctx.notices.append("Read-only: this database file cannot be written. Nothing can be saved.")
    return ctx


def late_context(path: Path, plans_file: Path) -> AppContext | None:
    """For the console on a local file at the current schema that an earlier run has planned
    the first page for: a context that opens the database (imports SQLAlchemy) on first use, and
    until then shows the list's first page through the standard library (storage/first_page.py).
    None when that cannot be (another schema, no plans, not a readable SQLite file)."""
    from imdesk.storage import first_page
    from imdesk.storage.db_info import sqlite_file_info

    if not first_page.ready(path, plans_file):
        return None

    def quick(query: object, limit: int) -> FirstPage | None:
        return first_page.read_first_page(path, query, limit, plans_file)  # type: ignore[arg-type]

    return AppContext(opener=lambda: open_database(path), info=sqlite_file_info(path),
                      quick_page=quick)


def run_console(*, db_url: DbUrl, demo: bool, take_over: bool, exit_after_paint: bool = False) -> int:
    """Open the console window (imports Qt only now, so headless commands stay light)."""
    from imdesk.paths import cache_dir
    from imdesk.storage import first_page

    plans = cache_dir() / "first-page-plans.json"
    if not (isinstance(db_url, Path) and first_page.ready(db_url, plans)):
        # The database will be opened before the window: import its modules before PySide6,
        # whose import hook makes every later import slower.
        import imdesk.services.incidents
        import imdesk.storage.migrate  # noqa: F401
    from imdesk.storage.db_info import sqlite_path
    from imdesk.storage.instance_lock import InstanceLock

    path = sqlite_path(db_url)
    lock = InstanceLock(path) if path is not None else None
    from imdesk.qt.console import run

    return int(run(db_url=db_url, path=path, lock=lock, demo=demo, take_over=take_over, build=build_context,
                   exit_after_paint=exit_after_paint,
                   remember_plan=lambda ctx, query, limit: remember_first_page(ctx, plans, query, limit),
                   late=lambda path: late_context(path, plans)))


def remember_first_page(ctx: AppContext, plans: Path, query: IncidentQuery, limit: int) -> None:
    """Keep the plan of the list's query for the next start (the console runs this in a worker
    as it closes, and once the list is on screen)."""
    if not ctx.opened or not ctx.db.is_sqlite:
        return
    from imdesk.storage.first_page import save_plan

    plan = ctx.incidents.first_page_plan(query, limit)
    if plan is not None:
        save_plan(plans, plan)


def run_self_test() -> int:
    from imdesk.qt.self_test import run

    return int(run(build=build_context))
