"""The bundle of services a front end (console, command line, test) works with.

Services are built on first use, and their modules imported only then: the console's first
paint needs the incident list, not the war rooms, the contact book or the outbox.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imdesk.domain.desk import Desk
    from imdesk.domain.incident_query import IncidentQuery
    from imdesk.services.alerts.desk import AlertDesk
    from imdesk.services.catalog import CatalogService
    from imdesk.services.clock import Clock
    from imdesk.services.comms.bundle import Comms
    from imdesk.services.contacts.service import ContactService
    from imdesk.services.desk.spool import SpoolService
    from imdesk.services.docs.service import DocService
    from imdesk.services.drills.desk import DrillDesk
    from imdesk.services.handover.service import HandoverService
    from imdesk.services.incidents import IncidentService
    from imdesk.services.links.dependencies import DependencyService
    from imdesk.services.links.service import LinkService
    from imdesk.services.metrics import MetricsService
    from imdesk.services.review import ReviewService
    from imdesk.services.settings import SettingsService
    from imdesk.services.timeline import TimelineService
    from imdesk.services.war_room import WarRoomService
    from imdesk.storage.database import Database
    from imdesk.storage.db_info import DbInfo
    from imdesk.storage.first_page import FirstPage

Opener = Callable[[], "tuple[Database, Path | None]"]  # the database and its pre-upgrade backup
QuickPage = Callable[["IncidentQuery", int], "FirstPage | None"]


class AppContext:
    """Everything a front end needs: the database and the services over it.

    Usually the database is open when the context is made. The console can also make it with an
    `opener` and what it knows of the file (`info`): then the database is opened (SQLAlchemy
    imported, the schema checked) on first use of `db` or a service, in whichever thread asks
    first, and until then `quick_page` may serve the incident list's first page without it.
    """

    def __init__(self, db: Database | None = None, *, opener: Opener | None = None,
                 info: DbInfo | None = None, quick_page: QuickPage | None = None,
                 clock: Clock | None = None, author: str | None = None,
                 migration_backup: Path | None = None) -> None:
        if db is None and (opener is None or info is None):
            raise ValueError("an AppContext needs a database, or an opener and the database's info")
        self._db = db
        self._opener = opener
        self._open_lock = threading.Lock()
        self.info: DbInfo = db.info if db is not None else info  # type: ignore[assignment]
        self._quick_page = quick_page
        self.clock = clock
        self.author = author
        self.migration_backup = migration_backup
        self.notices: list[str] = []
        if db is not None:  # every entry this context writes carries its desk (read at the first write)
            db.desk_source = self._desk_data

    @property
    def db(self) -> Database:
        if self._db is None:
            with self._open_lock:
                if self._db is None:
                    assert self._opener is not None
                    db, self.migration_backup = self._opener()
                    self._quick_page = None
                    db.desk_source = self._desk_data
                    self._db = db
        return self._db

    @property
    def opened(self) -> bool:
        return self._db is not None

    @property
    def read_only(self) -> bool:
        return self.info.read_only

    def take_quick_page(self, query: IncidentQuery, limit: int) -> FirstPage | None:
        """The first page read without opening the database, once, and only before it is open."""
        quick, self._quick_page = self._quick_page, None
        if quick is None or self._db is not None:
            return None
        return quick(query, limit)

    def now(self) -> datetime:
        """The clock the services use, without building any of them."""
        if self.clock is not None:
            return self.clock.now()
        from imdesk.services.clock import SystemClock

        return SystemClock().now()

    @cached_property
    def desk(self) -> Desk:
        """This console's desk identity (name, host, user): no database needed."""
        from imdesk.services.desk.identity import current_desk

        return current_desk(self.author)

    def _desk_data(self) -> dict[str, object]:
        return self.desk.as_data()

    def set_desk_name(self, name: str) -> None:
        """The desk was renamed: entries written from now on carry the new name."""
        from imdesk.domain.desk import Desk

        old = self.desk
        self.__dict__["desk"] = Desk(name=name, host=old.host, user=old.user)
        if self._db is not None:
            self._db.desk = self.desk.as_data()

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

    @cached_property
    def contacts(self) -> ContactService:
        from imdesk.services.contacts.service import ContactService

        return ContactService(self.db, clock=self.clock, author=self.author, settings=self.settings)

    @cached_property
    def comms(self) -> Comms:
        """Messages to people (settings, secrets, outbox), built on first use: not at start-up."""
        from imdesk.services.comms.bundle import build_comms

        return build_comms(self.db, clock=self.clock, author=self.author, settings=self.settings,
                           war_rooms=self.war_rooms)

    @cached_property
    def docs(self) -> DocService:
        """Runbooks and documents per service or team (built on first use)."""
        from imdesk.services.docs.service import DocService

        return DocService(self.db, clock=self.clock, author=self.author)

    @cached_property
    def alerts(self) -> AlertDesk:
        """Alert intake, its settings and the monitoring watch (built on first use)."""
        from imdesk.services.alerts.desk import AlertDesk

        return AlertDesk(self.db, self.incidents)

    @cached_property
    def handover(self) -> HandoverService:
        """The shift handover (compiling reads the war rooms and the contact book)."""
        from imdesk.services.handover.service import HandoverService, default_extras

        return HandoverService(self.db, extras=default_extras(self.war_rooms, self.contacts),
                               clock=self.clock, author=self.author)

    @cached_property
    def metrics(self) -> MetricsService:
        """Desk metrics over the incident milestones (built when Reports opens)."""
        from imdesk.services.metrics import MetricsService

        return MetricsService(self.db)

    @cached_property
    def reviews(self) -> ReviewService:
        """The post-incident review pack's content."""
        from imdesk.services.review import ReviewService

        return ReviewService(self.db, clock=self.clock)

    @cached_property
    def links(self) -> LinkService:
        """Linked incidents, callers, similar hints (built on first use)."""
        from imdesk.services.links.service import LinkService

        return LinkService(self.db, self.incidents)

    @cached_property
    def dependencies(self) -> DependencyService:
        """Service dependencies and the impact of an incident on a service."""
        from imdesk.services.links.dependencies import DependencyService

        return DependencyService(self.db)

    @cached_property
    def drills(self) -> DrillDesk:
        """Drills: scenarios, the player's records, scorecards, after-action reports."""
        from imdesk.services.drills.desk import DrillDesk

        def ingest(body: bytes, fmt: str) -> object:
            return self.alerts.intake.ingest(body, fmt)

        return DrillDesk(self.db, self.clock, self.author, ingest)

    @cached_property
    def spool(self) -> SpoolService | None:
        """Team mode's replica, offline spool and merge (None on a desk's own SQLite file)."""
        from imdesk.services.desk.spool import SpoolService
        from imdesk.services.desk.team_db import TeamDatabase

        db = self.db
        return SpoolService(db, self.desk, self.now) if isinstance(db, TeamDatabase) else None

    def close(self) -> None:
        if self._db is not None:
            self._db.dispose()
