"""Composition root: paths, database (guarded migrations), services, and the Qt console."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.context import AppContext
from imdesk.errors import DatabaseReadOnly
from imdesk.services.catalog import CatalogService
from imdesk.services.clock import Clock
from imdesk.services.incidents import IncidentService
from imdesk.services.settings import SettingsService
from imdesk.services.timeline import TimelineService
from imdesk.services.war_room import WarRoomService
from imdesk.storage.database import Database, DbUrl
from imdesk.storage.migrate import needs_upgrade, upgrade

if TYPE_CHECKING:
    from imdesk.services.comms import Comms
    from imdesk.services.contacts import ContactService


def open_database(url: DbUrl, *, read_only: bool | None = None) -> tuple[Database, Path | None]:
    """Open and bring to the current schema (refusing newer, backing up before upgrading)."""
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
    ctx = AppContext(
        db=db,
        incidents=IncidentService(db, clock=clock, author=author),
        catalog=CatalogService(db),
        settings=SettingsService(db),
        timeline=TimelineService(db),
        war_rooms=WarRoomService(db, clock=clock, author=author),
        make_contacts=lambda: _contact_book(db, clock, author),
        migration_backup=backup,
        make_comms=lambda: _comms(ctx, clock, author),
    )
    if backup is not None:
        ctx.notices.append(f"The database was upgraded; the copy from before is {backup}.")
    if db.read_only:
        ctx.notices.append("Read-only: this database file cannot be written. Nothing can be saved.")
    return ctx


def _contact_book(db: Database, clock: Clock | None, author: str | None) -> ContactService:
    from imdesk.services.contacts import ContactService

    return ContactService(db, clock=clock, author=author)


def _comms(ctx: AppContext, clock: Clock | None, author: str | None) -> Comms:
    from imdesk.services.comms import build_comms

    return build_comms(ctx.db, clock=clock, author=author, settings=ctx.settings,
                       war_rooms=ctx.war_rooms)


def run_console(*, db_url: DbUrl, demo: bool, take_over: bool, exit_after_paint: bool = False) -> int:
    """Open the console window (imports Qt only now, so headless commands stay light)."""
    from imdesk.qt.console import run

    return int(run(db_url=db_url, demo=demo, take_over=take_over, build=build_context,
                   exit_after_paint=exit_after_paint))


def run_self_test() -> int:
    from imdesk.qt.self_test import run

    return int(run(build=build_context))
