"""Drill records and playing one inject: start a drill from a scenario (its names checked
against the contact book), play injects (alerts through the listener or the intake, prompts,
expectations checked against the drill incidents' milestones, contingencies only when their
expectation was missed), record the pace, finish. Each public method is one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.drill_scenario import (
    Inject,
    Problem,
    Scenario,
    check_names,
    check_speed_text,
)
from imdesk.domain.drill_scenario_data import from_data, to_data
from imdesk.domain.errors import ValidationError
from imdesk.domain.exercise_guard import normal
from imdesk.domain.milestones import milestones_of
from imdesk.domain.text import clean_text
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.drills.delivery import Deliverer, tag
from imdesk.storage import contact_repo, drill_repo, org_repo, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.drill_models import DrillEventRow, DrillRow
from imdesk.storage.models import IncidentRow

RUNNING = ("running", "paused")


@dataclass(frozen=True)
class DrillView:
    id: int
    name: str
    source: str
    status: str
    speed: float
    started_at: datetime
    ended_at: datetime | None
    started_by: str
    participants: tuple[str, ...]
    allow_list: tuple[str, ...]
    scenario: Scenario
    anchors: tuple[tuple[float, float, float], ...]

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "source": self.source, "status": self.status,
                "speed": self.speed, "started_at": self.started_at.isoformat(),
                "ended_at": self.ended_at.isoformat() if self.ended_at else None,
                "started_by": self.started_by, "participants": list(self.participants),
                "injects": len(self.scenario.injects), "length_s": self.scenario.length_s}


@dataclass(frozen=True)
class Played:
    inject: Inject
    result: str  # played, met, missed, skipped, failed
    text: str
    late_ms: float = 0.0
    route: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"at": self.inject.at_text, "kind": self.inject.kind, "id": self.inject.id,
                "result": self.result, "text": self.text, "late_ms": round(self.late_ms, 1),
                "route": self.route}


@dataclass(frozen=True)
class EventView:
    inject_id: str
    kind: str
    due_s: int
    played_at: datetime
    late_ms: float
    result: str
    text: str


def _view(row: DrillRow) -> DrillView:
    return DrillView(row.id, row.name, row.source, row.status, row.speed, row.started_at,
                     row.ended_at, row.started_by, tuple(row.participants or ()),
                     tuple(row.allow_list or ()), from_data(row.scenario, row.source),
                     tuple((float(a[0]), float(a[1]), float(a[2])) for a in row.anchors or ()))


class DrillService:
    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()

    def now(self) -> datetime:
        return self._clock.now()

    # -- scenarios ------------------------------------------------------------------------------
    def check_names(self, scenario: Scenario) -> list[Problem]:
        """Contacts and services an expectation names that the book does not know."""
        with self._db.read() as s:
            def known(kind: str, name: str) -> bool:
                if kind == "contact":
                    return bool(contact_repo.ids_named(s, name))
                try:
                    org_repo.service_row(s, name)
                except (ValidationError, LookupError):
                    return False
                return True

            return check_names(scenario, known)

    # -- a drill --------------------------------------------------------------------------------
    def start(self, scenario: Scenario, *, speed: float = 1.0, participants: Sequence[str] = (),
              allow_list: Sequence[str] = ()) -> DrillView:
        check_speed_text(speed)
        problems = self.check_names(scenario)
        if problems:
            raise ValidationError("scenario", "; ".join(str(p) for p in problems))
        people = [clean_text(p, "participant", max_len=120, single_line=True) for p in participants]
        allow = list(dict.fromkeys([*scenario.allow_list, *(a.strip() for a in allow_list)]))
        for a in allow:
            if not normal(a) or (("@" not in a) and not normal(a).lstrip("+").isdigit()):
                raise ValidationError("allow list", f"{a!r} is neither an email address nor a "
                                                    "phone number")
        now = self._clock.now()
        with self._db.write() as s:
            row = DrillRow(name=scenario.name[:120], source=scenario.source[:500] or "scenario",
                           scenario=to_data(scenario), status="running", speed=float(speed),
                           scenario_s=0.0, anchored_at=now,
                           anchors=[[now.timestamp(), 0.0, float(speed)]], allow_list=allow,
                           participants=[p for p in people if p], started_by=self.author,
                           started_at=now, ended_at=None)
            s.add(row)
            s.flush()
            return _view(row)

    def get(self, drill_id: int) -> DrillView:
        with self._db.read() as s:
            return _view(drill_repo.get(s, drill_id))

    def drills(self, limit: int = 200) -> list[DrillView]:
        with self._db.read() as s:
            return [_view(r) for r in drill_repo.newest(s, limit)]

    def events(self, drill_id: int) -> list[EventView]:
        with self._db.read() as s:
            return [EventView(e.inject_id, e.kind, e.due_s, e.played_at, e.late_ms, e.result,
                              e.text) for e in drill_repo.events(s, drill_id)]

    def pace(self, drill_id: int, *, status: str, speed: float,
             anchors: Sequence[tuple[float, float, float]]) -> None:
        """The player's pace (running or paused, speed, its anchors) as it is now."""
        with self._db.write() as s:
            row = drill_repo.get(s, drill_id, for_update=True)
            if row.status not in RUNNING:
                raise ValidationError("drill", f"drill {drill_id} is {row.status}")
            row.status, row.speed = status, float(speed)
            row.anchors = [list(a) for a in anchors]
            row.anchored_at = self._clock.now()
            row.scenario_s = float(anchors[-1][1]) if anchors else 0.0

    def finish(self, drill_id: int, *, stopped: bool = False) -> DrillView:
        with self._db.write() as s:
            row = drill_repo.get(s, drill_id, for_update=True)
            if row.status in RUNNING:
                self._link(s, row)
                row.status = "stopped" if stopped else "finished"
                row.ended_at = self._clock.now()
            return _view(row)

    # -- playing ----------------------------------------------------------------------------------
    def play(self, drill_id: int, inject: Inject, deliverer: Deliverer | None = None, *,
             late_ms: float = 0.0) -> Played:
        with self._db.read() as s:
            row = drill_repo.get(s, drill_id)
            if row.status not in RUNNING:
                raise ValidationError("drill", f"drill {drill_id} is {row.status}: nothing plays")
        route = ""
        text = inject.describe()
        result = "played"
        if inject.kind == "alert":
            if deliverer is None:
                raise ValidationError("drill", "no way to deliver the drill's alerts")
            try:
                route = deliverer.deliver(inject.fmt, tag(inject.fmt, inject.payload, drill_id))
                text += f" (via the {route})"
            except ValueError as exc:
                result, text = "failed", f"{text}: {exc}"
        elif inject.kind == "expectation":
            result = "met" if self._met(drill_id, inject) else "missed"
        elif inject.kind == "contingency" and self._result_of(drill_id, inject.if_missed) != "missed":
            result, text = "skipped", f"not needed ({inject.if_missed} was met): {text}"
        with self._db.write() as s:
            row = drill_repo.get(s, drill_id, for_update=True)
            s.add(DrillEventRow(drill_id=drill_id, inject_index=inject.index, inject_id=inject.id,
                                kind=inject.kind, due_s=inject.at_s, played_at=self._clock.now(),
                                late_ms=float(late_ms), result=result, text=text[:4000]))
            self._link(s, row)
        return Played(inject, result, text, late_ms, route)

    def _result_of(self, drill_id: int, inject_id: str) -> str:
        with self._db.read() as s:
            found = [e.result for e in drill_repo.events(s, drill_id) if e.inject_id == inject_id]
        return found[-1] if found else ""

    def _link(self, s: Session, row: DrillRow) -> list[int]:
        ids = drill_repo.incidents_of_alerts(s, row.id, row.started_at)
        ids |= drill_repo.exercises_opened(s, row.started_at, row.ended_at)
        drill_repo.link(s, row.id, ids)
        s.flush()
        return drill_repo.incident_ids(s, row.id)

    def incident_refs(self, drill_id: int) -> list[str]:
        with self._db.read() as s:
            ids = drill_repo.incident_ids(s, drill_id)
            return [r.ref for r in (s.get(IncidentRow, i) for i in ids) if r is not None]

    def _met(self, drill_id: int, inject: Inject) -> bool:
        from imdesk.services.drills.scoring import reached_at_in

        with self._db.write() as s:
            row = drill_repo.get(s, drill_id)
            ids = self._link(s, row)
            now = self._clock.now()
            for i in ids:
                incident = s.get(IncidentRow, i)
                if incident is None:
                    continue
                entries = timeline_repo.entries_for(s, incident)
                m = milestones_of(entries, now)
                at = {"acknowledged": m.acknowledged_at, "major": m.major_at,
                      "first_update": m.first_communication_at, "resolved": m.resolved_at,
                      "contact_reached": None}[inject.expect]
                if inject.expect == "contact_reached":
                    at = reached_at_in(s, incident, entries, inject, now)
                if at is not None and at <= now:
                    return True
        return False
