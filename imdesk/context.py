"""The bundle of services a front end (console, command line, test) works with."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from imdesk.services.catalog import CatalogService
from imdesk.services.comms import Comms
from imdesk.services.contacts import ContactService
from imdesk.services.incidents import IncidentService
from imdesk.services.settings import SettingsService
from imdesk.services.timeline import TimelineService
from imdesk.services.war_room import WarRoomService
from imdesk.storage.database import Database


@dataclass
class AppContext:
    """Everything a front end (console, command line, test) needs, built once."""

    db: Database
    incidents: IncidentService
    catalog: CatalogService
    settings: SettingsService
    timeline: TimelineService
    war_rooms: WarRoomService
    contacts: ContactService
    migration_backup: Path | None = None
    notices: list[str] = field(default_factory=list)
    comms: Comms = field(init=False, repr=False)  # set by the composition root

    def close(self) -> None:
        self.db.dispose()
