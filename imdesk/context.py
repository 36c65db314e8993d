"""The bundle of services a front end (console, command line, test) works with."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.services.catalog import CatalogService
from imdesk.services.incidents import IncidentService
from imdesk.services.settings import SettingsService
from imdesk.services.timeline import TimelineService
from imdesk.services.war_room import WarRoomService
from imdesk.storage.database import Database

if TYPE_CHECKING:
    from imdesk.services.comms import Comms
    from imdesk.services.contacts import ContactService


@dataclass
class AppContext:
    """Everything a front end (console, command line, test) needs, built once."""

    db: Database
    incidents: IncidentService
    catalog: CatalogService
    settings: SettingsService
    timeline: TimelineService
    war_rooms: WarRoomService
    make_contacts: Callable[[], ContactService]
    migration_backup: Path | None = None
    notices: list[str] = field(default_factory=list)
    make_comms: Callable[[], Comms] | None = field(default=None, repr=False)

    @cached_property
    def contacts(self) -> ContactService:
        """The contact book, built (and its modules imported) on first use: not at start-up."""
        return self.make_contacts()

    @cached_property
    def comms(self) -> Comms:
        """Messages to people (settings, secrets, outbox), built on first use: not at start-up."""
        if self.make_comms is None:
            raise RuntimeError("this context was built without communications")
        return self.make_comms()

    def close(self) -> None:
        self.db.dispose()
