"""The scorecard of a drill: its incidents' timelines read through the milestones, as scenario
times beside the scenario's expectations, and the playbook steps never done
(domain/drill_score.py holds the rules)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from imdesk.domain.drill_scenario import Inject, Scenario
from imdesk.domain.drill_schedule import scenario_at
from imdesk.domain.drill_score import Scorecard, contact_reached_at, missed_steps, score
from imdesk.domain.errors import ValidationError
from imdesk.domain.milestones import milestones_of
from imdesk.domain.timeline import TimelineEntry
from imdesk.services.contacts.directory import ladder_ids
from imdesk.services.drills.service import _view
from imdesk.services.playbook import load_playbook
from imdesk.storage import drill_repo, org_repo, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow, ServiceRow


def reached_at_in(s: Session, incident: IncidentRow, entries: list[TimelineEntry],
                  inject: Inject | None, now: datetime, service: str = "") -> datetime | None:
    """When a contact of the service's ladder was first reached by phone from this incident:
    the expectation's contact by name when it names one, else anyone on the ladder of its
    service (or the incident's); with no service at all, any contact reached counts."""
    wanted = inject.contact.casefold() if inject is not None and inject.contact else ""
    name = (inject.service if inject is not None and inject.service else "") or service
    row: ServiceRow | None = None
    if name:
        try:
            row = org_repo.service_row(s, name)
        except (ValidationError, LookupError):
            row = None
    elif incident.service_id is not None:
        row = s.get(ServiceRow, incident.service_id)
    ids = set(ladder_ids(s, row, now)) if row is not None else None

    def on_ladder(contact_id: int, person: str) -> bool:
        if wanted:
            return person.casefold() == wanted
        return ids is None or contact_id in ids

    return contact_reached_at(entries, on_ladder)


class DrillScoring:
    def __init__(self, db: Database) -> None:
        self._db = db

    def scorecard(self, drill_id: int, now: datetime | None = None) -> Scorecard:
        with self._db.read() as s:
            drill = _view(drill_repo.get(s, drill_id))
            scenario: Scenario = drill.scenario
            moment = now or datetime.now(drill.started_at.tzinfo)
            timelines: list[list[TimelineEntry]] = []
            milestones = []
            reached: list[datetime | None] = []
            refs: list[str] = []
            contact = next((i for i in scenario.injects if i.expect == "contact_reached"), None)
            for ident in drill_repo.incident_ids(s, drill_id):
                incident = s.get(IncidentRow, ident)
                if incident is None:
                    continue
                entries = timeline_repo.entries_for(s, incident)
                timelines.append(entries)
                milestones.append(milestones_of(entries, moment))
                reached.append(reached_at_in(s, incident, entries, contact, moment,
                                             scenario.service))
                refs.append(incident.ref)
        _name, steps = load_playbook()
        major = [t for t, m in zip(timelines, milestones, strict=True) if m.major_at is not None]
        missed = missed_steps(major, [(st.id, st.text) for st in steps]) if major else [
            st.text for st in steps]
        anchors = drill.anchors

        def to_scenario(at: datetime) -> float:
            return scenario_at(anchors, at.timestamp())

        return score(milestones, reached, scenario.expected_s, to_scenario, missed, refs)
