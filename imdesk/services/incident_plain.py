"""Opening and changing incidents without ORM objects, inside the caller's write transaction:
the alert processor opens a storm's incidents and writes their alert entries this way (an
ORM incident cost ~4.7 ms of CPU to open, most of it the unit of work's flush; this path
writes the same rows with prebuilt statements — `journal.append` on a `LockedIncident`).

`opening` checks what was typed and makes the row's values and the opened entry for both
paths (IncidentService.create_in stores them through the ORM). A write unit uses one path per
incident (storage/locked_incident.py); the status change's link propagation, which works on
ORM rows, is the one crossing, and it says so: its caller drops the incidents it holds."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from sqlalchemy.orm import Session

from imdesk.domain.errors import ValidationError
from imdesk.domain.incident import IncidentState, Origin
from imdesk.domain.lifecycle import Status, check_transition
from imdesk.domain.priority import Level
from imdesk.domain.text import TITLE_MAX, clean_text
from imdesk.domain.timeline import GENESIS_HASH, EntryDraft, EntryKind
from imdesk.services.journal import append
from imdesk.services.settings import load_matrix, load_sla
from imdesk.storage import deferred_writes, incident_repo, link_repo, locked_incident
from imdesk.storage.database import NEW_REF
from imdesk.storage.locked_incident import LockedIncident

if TYPE_CHECKING:
    from imdesk.services.incidents import IncidentService, NewIncident

REF_PREFIX = "INC-"
REF_BASE = 1000


@dataclass(frozen=True)
class Opening:
    """A new incident's row values (its ref still a placeholder) and its opened entry."""

    values: dict[str, Any]
    draft: EntryDraft
    service_id: int | None
    now: datetime


def parse_origin(value: str) -> Origin:
    try:
        return Origin(value.strip().lower().replace("-", "_"))
    except ValueError:
        allowed = ", ".join(o.value for o in Origin)
        raise ValidationError("origin", f"origin must be one of {allowed}, not {value!r}") from None


def opening(s: Session, new: NewIncident, now: datetime) -> Opening:
    """NEW checked and turned into what both paths store (ValidationError names the field)."""
    title = clean_text(new.title, "title", max_len=TITLE_MAX, required=True, single_line=True)
    description = clean_text(new.description, "description")
    impact = Level.parse(new.impact, "impact")
    urgency = Level.parse(new.urgency, "urgency")
    origin = parse_origin(new.origin)
    if new.opened_at is not None and new.opened_at > now + timedelta(seconds=5):
        raise ValidationError("opened_at", "an incident cannot be opened in the future")
    service_id = incident_repo.service_id_for(s, new.service)
    service = incident_repo.service_name(s, service_id)
    priority = load_matrix(s).priority(impact, urgency)
    targets = load_sla(s).for_priority(priority)
    values = dict(
        ref=f"pending-{uuid4().hex}", title=title, description="", impact=impact,
        urgency=urgency, priority=priority, status=Status.NEW, major=new.major,
        origin=origin, exercise=new.exercise, opened_at=now, on_hold_seconds=0,
        respond_minutes=1, resolve_minutes=1, respond_due=now, resolve_due=now,
        last_seq=0, head_hash=GENESIS_HASH, updated_at=now, service_id=service_id)
    draft = EntryDraft(EntryKind.OPENED, text=title, data={
        "title": title, "description": description, "service": service,
        "impact": impact.value, "urgency": urgency.value, "priority": priority.value,
        "major": new.major, "origin": origin.value, "exercise": new.exercise,
        "respond_minutes": targets.respond_minutes, "resolve_minutes": targets.resolve_minutes,
    }, occurred_at=new.opened_at)
    return Opening(values, draft, service_id, now)


def new_ref(s: Session, incident_id: int) -> str:
    make_ref = s.info.get(NEW_REF)  # offline: a provisional ref (desk/replica.py)
    return str(make_ref(s)) if make_ref else f"{REF_PREFIX}{REF_BASE + incident_id}"


class PlainIncidents:
    """IncidentService's writes on LockedIncidents (its author and clock)."""

    def __init__(self, incidents: IncidentService) -> None:
        self._incidents = incidents

    def create(self, s: Session, new: NewIncident) -> LockedIncident:
        """Open an incident: its row (id and ref chosen first), then the opened entry — the
        rows `create_in` writes; in a deferring unit one INSERT with the entry's projection.
        The incident comes back locked (this unit inserted it)."""
        made = opening(s, new, self._incidents.now())
        incident_id = locked_incident.next_id(s)
        incident = locked_incident.insert(s, {**made.values, "id": incident_id,
                                              "ref": new_ref(s, incident_id)})
        append(s, incident, made.draft, author=self._incidents.author, now=made.now, first=True)
        return incident

    def append(self, s: Session, incident: LockedIncident, draft: EntryDraft) -> IncidentState:
        """Any entry; INCIDENT moves on to the state after it."""
        return append(s, incident, draft, author=self._incidents.author,
                      now=self._incidents.now())[0]

    def change_status(self, s: Session, incident: LockedIncident, goal: Status, text: str,
                      data: dict[str, Any] | None = None) -> tuple[IncidentState, bool]:
        """A status change as `IncidentService.change_status_in` makes it; and whether link
        propagation wrote other incidents through the ORM (the caller's LockedIncidents of
        them are stale then; INCIDENT itself is read again)."""
        state = incident.state
        check_transition(state.status, goal, text)
        state = self.append(s, incident, EntryDraft(EntryKind.STATUS, text, data={
            "from": state.status.value, "to": goal.value, **(data or {})}))
        if goal not in (Status.RESOLVED, Status.CLOSED) or not link_repo.caller_rows(s, incident.id):
            return state, False
        from imdesk.services.links.propagation import propagate_in

        deferred_writes.flush(s)  # propagation reads what is stored
        s.flush()
        row = incident_repo.locked_by_id(s, incident.id, fresh=True)
        assert row is not None
        propagate_in(s, self._incidents, row, goal, text)
        s.flush()
        again = locked_incident.lock_id(s, incident.id)
        assert again is not None
        incident.stored, incident.state, incident.milestone = again.stored, again.state, None
        return incident.state, True
