"""The bundle of services a front end (console, command line, test) works with."""

from __future__ import annotations

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
    from imdesk.services.alert_desk import AlertDesk


@dataclass
class AppContext:
    """Everything a front end (console, command line, test) needs, built once."""

    db: Database
    incidents: IncidentService
    catalog: CatalogService
    settings: SettingsService
    timeline: TimelineService
    war_rooms: WarRoomService
    migration_backup: Path | None = None
    notices: list[str] = field(default_factory=list)

    @cached_property
    def alerts(self) -> AlertDesk:
        """Alert intake, its settings and the monitoring watch (built on first use)."""
        from imdesk.services.alert_desk import AlertDesk

        return AlertDesk(self.db, self.incidents)

    def close(self) -> None:
        self.db.dispose()
