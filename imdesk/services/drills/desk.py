"""The drill services a front end uses, built together on first use (not at start-up)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from imdesk.domain.errors import ValidationError
from imdesk.domain.exercise_guard import AllowList, normal
from imdesk.services.clock import Clock
from imdesk.services.drills.contact_report import ContactDrillReport
from imdesk.services.drills.delivery import Deliverer
from imdesk.services.drills.reports import DrillReports
from imdesk.services.drills.scoring import DrillScoring
from imdesk.services.drills.service import DrillService
from imdesk.storage import drill_repo
from imdesk.storage.database import Database


class DrillSettings:
    """The desk's allow-list for exercise messages and whether other recipients are captured."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def load(self) -> AllowList:
        with self._db.read() as s:
            return drill_repo.desk_allow_list(s)

    def addresses(self) -> list[str]:
        with self._db.read() as s:
            raw = drill_repo.setting(s, drill_repo.ALLOW_KEY, [])
        return [str(a) for a in raw] if isinstance(raw, list) else []

    def save(self, addresses: Sequence[str], *, capture: bool = True) -> AllowList:
        clean = []
        for a in addresses:
            a = a.strip()
            if not a:
                continue
            if "@" not in a and not normal(a).lstrip("+").isdigit():
                raise ValidationError("allow list", f"{a!r} is neither an email address nor a "
                                                    "phone number")
            clean.append(a)
        with self._db.write() as s:
            drill_repo.put_setting(s, drill_repo.ALLOW_KEY, list(dict.fromkeys(clean)))
            drill_repo.put_setting(s, drill_repo.CAPTURE_KEY, bool(capture))
        return self.load()


class DrillDesk:
    def __init__(self, db: Database, clock: Clock | None, author: str | None,
                 ingest: Callable[[bytes, str], object]) -> None:
        self.service = DrillService(db, clock=clock, author=author)
        self.scoring = DrillScoring(db)
        self.settings = DrillSettings(db)
        self.reports = DrillReports(db, self.service, self.scoring)
        self.contact_report = ContactDrillReport(db)
        self._ingest = ingest

    def deliverer(self, url: str = "", token: str = "") -> Deliverer:
        """Alerts to the listener at `url` with `token`, else into the intake directly."""
        return Deliverer(self._ingest, url, token)
