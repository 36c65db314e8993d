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


def open_database(url: DbUrl, *, read_only: bool | None = None,
                  create: bool = False) -> tuple[Database, Path | None]:
    """Open and bring to the current schema (refusing newer, backing up before upgrading).
    An existing file that is not an imdesk database is refused untouched, and so is a missing
    file where one was before, unless CREATE."""
    from imdesk.storage.database import Database
    from imdesk.storage.db_info import check_database_file, sqlite_path
    from imdesk.storage.migrate import needs_upgrade, upgrade

    path = sqlite_path(url)
    new = False
    if path is not None:
        check_database_file(path, create=create, known=known_databases())
        new = not path.exists()
    db = Database(url, read_only=read_only)
    try:
        if not needs_upgrade(db):
            return db, None
        if new and path is not None:
            remember_database(path)
        if db.read_only:
            raise DatabaseReadOnly(
                "the database is read-only and needs an upgrade first",
                hint="Open it once from an account that can write to it.",
            )
        return db, upgrade(db)
    except BaseException:
        db.dispose()
        raise


KNOWN_DATABASES = "databases-used.txt"


def known_databases() -> frozenset[Path]:
    """The SQLite files imdesk has made on this account (a missing one is not silently remade)."""
    from imdesk.paths import data_dir

    try:
        text = (data_dir() / KNOWN_DATABASES).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return frozenset()
    return frozenset(Path(line) for line in text.splitlines() if line.strip())


def remember_database(path: Path) -> None:
    from imdesk.paths import data_dir

    try:
        with open(data_dir() / KNOWN_DATABASES, "a", encoding="utf-8", errors="replace") as out:
            out.write(f"{path.resolve()}\n")
    except OSError:
        pass  # a read-only data folder: the file's leftovers still tell


def build_context(url: DbUrl, *, clock: Clock | None = None, author: str | None = None,
                  read_only: bool | None = None, create: bool = False) -> AppContext:
    if isinstance(url, str) and url.startswith("postgresql"):  # several desks on one server:
        # offline on this desk's replica (services/desk/); a desk's own file imports none of it
        from imdesk.services.desk.identity import current_desk
        from imdesk.services.desk.spool import open_team

        db: Database
        db, backup = open_team(str(url), lambda u: open_database(u, read_only=read_only,
                                                                  create=create),
                               current_desk(author))
    else:
        db, backup = open_database(url, read_only=read_only, create=create)
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
    Without a saved plan for the query (the first start after installing or upgrading), the
    built-in one reads it. None when that cannot be (another schema, not a readable SQLite file)."""
    from imdesk.storage import first_page
    from imdesk.storage.db_info import sqlite_file_info

    if not first_page.ready(path, plans_file, built_in=True):
        return None

    def quick(query: object, limit: int) -> FirstPage | None:
        return first_page.read_first_page(path, query, limit, plans_file,  # type: ignore[arg-type]
                                          built_in=True)

    return AppContext(opener=lambda: open_database(path), info=sqlite_file_info(path),
                      quick_page=quick)


def run_console(*, db_url: DbUrl, demo: bool, take_over: bool, exit_after_paint: bool = False) -> int:
    """Open the console window (imports Qt only now, so headless commands stay light)."""
    from imdesk.paths import cache_dir
    from imdesk.storage import first_page

    plans = cache_dir() / "first-page-plans.json"
    if not (isinstance(db_url, Path) and first_page.ready(db_url, plans, built_in=True)):
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
    as it closes, and once the list is on screen). A console closed before its database opened
    showed the built-in plan's page: that plan is kept, without opening the database for it."""
    from imdesk.storage.first_page import built_in_plan, save_plan

    if not ctx.opened:
        plan = built_in_plan(query, limit)
    elif ctx.db.is_sqlite:
        plan = ctx.incidents.first_page_plan(query, limit)
    else:
        return
    if plan is not None:
        save_plan(plans, plan)


def run_self_test() -> int:
    from imdesk.qt.self_test import run

    return int(run(build=build_context))
