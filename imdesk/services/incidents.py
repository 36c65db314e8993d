"""Incident use cases: open, edit, move through the lifecycle, note, list. Each one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.incident import EDITABLE_FIELDS, IncidentState
from imdesk.domain.lifecycle import FINAL_STATUSES, Status, check_transition
from imdesk.domain.priority import Level
from imdesk.domain.sla import SlaState, read_clock
from imdesk.domain.text import TITLE_MAX, clean_text, hidden_controls
from imdesk.domain.timefmt import readable
from imdesk.domain.timeline import (
    USER_KINDS,
    EntryDraft,
    EntryKind,
    TimelineEntry,
    parse_user_kind,
)
from imdesk.services.clock import Clock, SystemClock, default_author
from imdesk.services.desk.stale import check_fresh
from imdesk.services.incident_plain import REF_BASE as REF_BASE
from imdesk.services.incident_plain import REF_PREFIX as REF_PREFIX
from imdesk.services.incident_plain import PlainIncidents, new_ref, opening
from imdesk.services.incident_plain import parse_origin as parse_origin
from imdesk.services.journal import append, write_entry
from imdesk.services.settings import load_matrix, load_sla
from imdesk.storage import incident_page, incident_repo, locked_incident, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.first_page import FirstPagePlan
from imdesk.storage.incident_repo import IncidentQuery
from imdesk.storage.models import IncidentRow


@dataclass(frozen=True)
class NewIncident:
    """What the user typed into the new-incident dialog or the command line (raw strings)."""

    title: str
    impact: str
    urgency: str
    service: str | None = None
    origin: str = "phone"
    description: str = ""
    major: bool = False
    exercise: bool = False
    opened_at: datetime | None = None  # backdated opening ("the call came at 10:02")


@dataclass(frozen=True)
class IncidentEdit:
    """Changed fields only (None = unchanged)."""

    title: str | None = None
    description: str | None = None
    service: str | None = None  # "" clears the service
    origin: str | None = None
    impact: str | None = None
    urgency: str | None = None
    major: bool | None = None


@dataclass(frozen=True)
class IncidentDetail:
    incident: IncidentState
    timeline: list[TimelineEntry]


@dataclass(frozen=True)
class DeskCounts:
    open: int
    open_majors: int
    breached: int
    at_risk: int


class IncidentService:
    """Opens and changes incidents; every change is a timeline entry in the same transaction."""

    def __init__(self, db: Database, clock: Clock | None = None, author: str | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()
        self.author = author or default_author()

    # -- writing ---------------------------------------------------------------------------
    def create(self, new: NewIncident) -> IncidentState:
        with self._db.write() as s:
            return self.create_in(s, new)[1]

    def create_in(self, s: Session, new: NewIncident) -> tuple[IncidentRow, IncidentState]:
        """Open an incident inside the caller's write transaction (a drill, a heartbeat, an
        import link it to their rows in the same unit of work)."""
        made = opening(s, new, self._clock.now())
        row = IncidentRow(**made.values)
        s.add(row)
        s.flush()
        row.ref = new_ref(s, row.id)
        return row, self._append(s, row, None, made.draft, made.service_id, made.now)

    @property
    def plain(self) -> PlainIncidents:
        """The same writes on incidents locked without ORM objects (services/incident_plain.py)."""
        return PlainIncidents(self)

    def change_status(self, ref: str, target: str | Status, note: str = "", *,
                      expected_seq: int | None = None) -> IncidentState:
        """`expected_seq`: the last seq the desk showed; refused (StaleStateError) when the
        incident was changed after it."""
        goal = target if isinstance(target, Status) else Status.parse(target)
        text = clean_text(note, "note")
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            check_fresh(s, row, expected_seq)
            return self.change_status_in(s, row, incident_repo.row_state(s, row), goal, text)

    def change_status_in(self, s: Session, row: IncidentRow, state: IncidentState, goal: Status,
                         text: str, data: dict[str, Any] | None = None) -> IncidentState:
        """A status change inside the caller's write transaction (which holds the row)."""
        check_transition(state.status, goal, text)
        draft = EntryDraft(EntryKind.STATUS, text=text,
                           data={"from": state.status.value, "to": goal.value, **(data or {})})
        new_state = self._append(s, row, state, draft, row.service_id, self._clock.now())
        if goal in (Status.RESOLVED, Status.CLOSED):  # a master's callers follow it
            from imdesk.services.links.propagation import propagate_in

            if propagate_in(s, self, row, goal, text).moved or row.last_seq != new_state.last_seq:
                new_state = incident_repo.row_state(s, row)
        return new_state

    def append_in(self, s: Session, row: IncidentRow, state: IncidentState,
                  draft: EntryDraft) -> IncidentState:
        """Any other entry (e.g. an alert's state change) inside the caller's transaction."""
        return self._append(s, row, state, draft, row.service_id, self._clock.now())

    def add_note(self, ref: str, text: str, occurred_at: datetime | None = None) -> TimelineEntry:
        return self.add_entry(ref, text, EntryKind.NOTE, occurred_at=occurred_at)

    def add_entry(self, ref: str, text: str, kind: str | EntryKind = EntryKind.NOTE, *,
                  occurred_at: datetime | None = None,
                  supersedes: int | None = None) -> TimelineEntry:
        """A line a person writes: note, action, decision or communication. Backdated with
        occurred_at ("the failover started at 10:42"); a correction names the entry it
        supersedes (which stays, marked as superseded). Hidden control and bidi characters
        are removed and the entry says so."""
        entry_kind = parse_user_kind(str(kind))
        body = clean_text(text, entry_kind.value, required=True)
        data: dict[str, Any] = {}
        removed = hidden_controls(text)
        if removed:
            data["cleaned"] = f"{removed} hidden control character{'s' if removed > 1 else ''} removed"
        now = self._clock.now()
        with self._db.write() as s:  # the plain path (journal.append): no ORM object
            incident = locked_incident.lock(s, ref)
            state = incident.state
            if occurred_at is not None:
                if occurred_at.tzinfo is None:
                    raise ValidationError("occurred_at", "a time needs its UTC offset or a Z")
                if occurred_at > now + timedelta(seconds=5):
                    raise ValidationError("occurred_at", f"{readable(occurred_at)} is in the future "
                                                         f"(now {readable(now)})")
                if occurred_at < state.opened_at:
                    # the outage began before the call came in: allowed, and marked
                    data["before_opened"] = True
            if supersedes is not None:
                if timeline_repo.kind_at(s, incident.id, supersedes) not in USER_KINDS:
                    raise ValidationError(
                        "supersedes", f"{state.ref} has no note, action, decision or "
                        f"communication with seq {supersedes} to correct")
                data["supersedes"] = supersedes
            draft = EntryDraft(entry_kind, body, data, occurred_at)
            return append(s, incident, draft, author=self.author, now=now)[1]

    def edit(self, ref: str, edit: IncidentEdit, *, expected_seq: int | None = None) -> IncidentState:
        """Apply the changed fields; one entry per kind of change, all in one transaction."""
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            check_fresh(s, row, expected_seq)
            state = incident_repo.row_state(s, row)
            if state.status in FINAL_STATUSES:
                raise TransitionError(
                    f"{state.ref} is {state.status.label}: its record is final (notes can still "
                    "be added)")
            now = self._clock.now()
            service_id = row.service_id
            changes: dict[str, list[Any]] = {}
            if edit.title is not None:
                title = clean_text(edit.title, "title", max_len=TITLE_MAX, required=True,
                                   single_line=True)
                if title != state.title:
                    changes["title"] = [state.title, title]
            if edit.description is not None:
                desc = clean_text(edit.description, "description")
                if desc != state.description:
                    changes["description"] = [state.description, desc]
            if edit.service is not None:
                new_id = incident_repo.service_id_for(s, edit.service or None)
                name = incident_repo.service_name(s, new_id)
                if name != state.service:
                    changes["service"] = [state.service, name]
                    service_id = new_id
            if edit.origin is not None:
                origin = parse_origin(edit.origin)
                if origin != state.origin:
                    changes["origin"] = [state.origin.value, origin.value]
            impact = Level.parse(edit.impact, "impact") if edit.impact is not None else state.impact
            urgency = (Level.parse(edit.urgency, "urgency") if edit.urgency is not None
                       else state.urgency)
            assert set(changes) <= set(EDITABLE_FIELDS)
            if changes:
                summary = ", ".join(f"{k}: {_short(v[0])} → {_short(v[1])}" for k, v in changes.items())
                state = self._append(s, row, state,
                                     EntryDraft(EntryKind.EDIT, summary, {"changes": changes}),
                                     service_id, now)
            if (impact, urgency) != (state.impact, state.urgency):
                priority = load_matrix(s).priority(impact, urgency)
                targets = load_sla(s).for_priority(priority)
                text = (f"impact {state.impact} → {impact}, urgency {state.urgency} → {urgency}: "
                        f"{state.priority} → {priority}")
                state = self._append(s, row, state, EntryDraft(EntryKind.PRIORITY, text, {
                    "impact": impact.value, "urgency": urgency.value, "priority": priority.value,
                    "from": state.priority.value, "respond_minutes": targets.respond_minutes,
                    "resolve_minutes": targets.resolve_minutes,
                }), service_id, now)
            if edit.major is not None and edit.major != state.major:
                text = "declared a major incident" if edit.major else "no longer a major incident"
                state = self._append(s, row, state,
                                     EntryDraft(EntryKind.MAJOR, text, {"major": edit.major}),
                                     service_id, now)
            return state

    def set_exercise(self, ref: str, exercise: bool, why: str, *,
                     expected_seq: int | None = None) -> IncidentState:
        """Turn a real incident into an exercise or an exercise into a real incident (the drill
        found a real fault): an explicit entry with who and why."""
        reason = clean_text(why, "why", max_len=1000, required=True, single_line=True)
        with self._db.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            check_fresh(s, row, expected_seq)
            state = incident_repo.row_state(s, row)
            if state.exercise == exercise:
                raise ValidationError("exercise", f"{state.ref} already is "
                                                  f"{'an exercise' if exercise else 'a real incident'}")
            text = (f"marked as an exercise: {reason}" if exercise
                    else f"turned into a real incident: {reason}")
            draft = EntryDraft(EntryKind.EXERCISE, text, {"exercise": exercise, "why": reason})
            return self._append(s, row, state, draft, row.service_id, self._clock.now())

    def _append(self, s: Session, row: IncidentRow, state: IncidentState | None, draft: EntryDraft,
                service_id: int | None, now: datetime) -> IncidentState:
        return self._write(s, row, state, draft, service_id, now)[0]

    def _write(self, s: Session, row: IncidentRow, state: IncidentState | None, draft: EntryDraft,
               service_id: int | None, now: datetime) -> tuple[IncidentState, TimelineEntry]:
        return write_entry(s, row, state, draft, service_id=service_id, author=self.author, now=now)

    # -- reading ---------------------------------------------------------------------------
    def get(self, ref: str) -> IncidentState:
        with self._db.read() as s:
            return incident_repo.row_state(s, incident_repo.get_row(s, ref))

    def detail(self, ref: str, last: int | None = None) -> IncidentDetail:
        """The incident and its timeline (only the newest `last` entries when given)."""
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            return IncidentDetail(incident_repo.row_state(s, row),
                                  timeline_repo.entries_for(s, row, last))

    def page(self, query: IncidentQuery, offset: int, limit: int) -> list[IncidentState]:
        with self._db.read() as s:
            if self._db.is_sqlite:
                return incident_page.read_page(s, query, offset, limit)
            return incident_repo.list_page(s, query, offset, limit)

    def first_page(self, query: IncidentQuery, limit: int) -> tuple[list[IncidentState], int]:
        """The list's first page and how many match (as page() and count()), in one read."""
        with self._db.read() as s:
            return incident_page.page_and_total(s, query, limit)

    def count(self, query: IncidentQuery) -> int:
        with self._db.read() as s:
            return incident_repo.count(s, query)

    def desk_counts(self) -> DeskCounts:
        now = self._clock.now()
        with self._db.read() as s:
            clocks = incident_repo.open_clocks(s)
        readings = [read_clock(inputs, now).state for _major, inputs in clocks]
        return DeskCounts(
            open=len(clocks),
            open_majors=sum(1 for major, _inputs in clocks if major),
            breached=sum(1 for r in readings if r == SlaState.BREACHED),
            at_risk=sum(1 for r in readings if r == SlaState.AT_RISK),
        )

    def now(self) -> datetime:
        return self._clock.now()

    def first_page_plan(self, query: IncidentQuery, limit: int) -> FirstPagePlan | None:
        """What the start-up reader needs to show this query's first page without SQLAlchemy."""
        with self._db.read() as s:
            return incident_repo.first_page_plan(s, query, limit)

    def change_marker(self) -> tuple[int, datetime | None]:
        """Cheap fingerprint of the incident table: it changes whenever any incident does."""
        with self._db.read() as s:
            return incident_repo.change_marker(s)


def _short(value: Any) -> str:
    text = "—" if value in (None, "") else str(value)
    return text if len(text) <= 40 else text[:39] + "…"
