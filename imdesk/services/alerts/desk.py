"""The alert services a front end uses, built together on first use (not on the start-up path)."""

from __future__ import annotations

from imdesk.services.alerts.intake import AlertService
from imdesk.services.alerts.monitoring_watch import MonitoringWatch
from imdesk.services.alerts.settings import AlertSettingsService
from imdesk.services.incidents import IncidentService
from imdesk.storage.database import Database


class AlertDesk:
    """intake (inbox and processing), settings (mapping, listener), watch (maintenance,
    heartbeats). The incident service is also the clock, so tests' ManualClock reaches all."""

    def __init__(self, db: Database, incidents: IncidentService) -> None:
        self.intake = AlertService(db, incidents, clock=incidents)
        self.settings = AlertSettingsService(db)
        self.watch = MonitoringWatch(db, incidents, clock=incidents, author=incidents.author)
