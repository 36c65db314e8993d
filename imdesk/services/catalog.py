"""The service catalogue (what can be affected): names and business criticality."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select

from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import Level
from imdesk.domain.text import clean_text
from imdesk.storage.database import Database
from imdesk.storage.models import ServiceRow


@dataclass(frozen=True)
class Service:
    name: str
    criticality: Level
    description: str


class CatalogService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def services(self) -> list[Service]:
        with self._db.read() as s:
            rows = s.scalars(select(ServiceRow).order_by(func.lower(ServiceRow.name))).all()
            return [Service(r.name, Level(r.criticality), r.description) for r in rows]

    def add(self, name: str, criticality: str = "medium", description: str = "") -> Service:
        clean = clean_text(name, "service name", max_len=120, required=True, single_line=True)
        level = Level.parse(criticality, "criticality")
        desc = clean_text(description, "description")
        with self._db.write() as s:
            exists = s.scalars(
                select(ServiceRow.id).where(func.lower(ServiceRow.name) == clean.lower())
            ).first()
            if exists is not None:
                raise ValidationError("service name", f"a service named {clean!r} already exists")
            s.add(ServiceRow(name=clean, criticality=level.value, description=desc))
        return Service(clean, level, desc)
