"""The bundle of services a front end (console, command line, test) works with.

Services are built on first use, and their modules imported only then: the console's first
paint needs the incident list, not the war rooms, the contact book or the outbox.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imdesk.services.catalog import CatalogService
    from imdesk.services.clock import Clock
    from imdesk.services.incidents import IncidentService
    from imdesk.services.settings import SettingsService
    from imdesk.services.timeline import TimelineService
    from imdesk.services.war_room import WarRoomService
    from imdesk.storage.database import Database


class AppContext:
    """Everything a front end needs: the open database and the services over it."""

    def __init__(self, db: Database, *, clock: Clock | None = None, author: str | None = None,
                 migration_backup: Path | None = None) -> None:
        self.db = db
        self.clock = clock
        self.author = author
        self.migration_backup = migration_backup
        self.notices: list[str] = []

    @cached_property
    def incidents(self) -> IncidentService:
        from imdesk.services.incidents import IncidentService

        return IncidentService(self.db, clock=self.clock, author=self.author)

    @cached_property
    def catalog(self) -> CatalogService:
        from imdesk.services.catalog import CatalogService

        return CatalogService(self.db)

    @cached_property
    def settings(self) -> SettingsService:
        from imdesk.services.settings import SettingsService

        return SettingsService(self.db)

    @cached_property
    def timeline(self) -> TimelineService:
        from imdesk.services.timeline import TimelineService

        return TimelineService(self.db)

    @cached_property
    def war_rooms(self) -> WarRoomService:
        from imdesk.services.war_room import WarRoomService

        return WarRoomService(self.db, clock=self.clock, author=self.author)

    def close(self) -> None:
        self.db.dispose()
