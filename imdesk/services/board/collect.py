"""What the awareness board may say, read from the database: open major and P1/P2 incidents with
only the fields the business templates use (reference, priority, service, title, the business
impact, status, Conditions / Actions / Needs, the next update's time), recently resolved ones,
planned maintenance windows, and the desk's contact block. Never a timeline line's text, an
internal note, a bridge or a person's name: those are not even read."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import func, or_, select

from imdesk.domain.lifecycle import OPEN_STATUSES, Status
from imdesk.domain.priority import Priority
from imdesk.domain.timeline import EntryKind
from imdesk.domain.war_room import DEFAULT_UPDATE_POLICY, update_clock
from imdesk.services.docs.settings import DeskContact, DocSettings
from imdesk.storage.alert_models import MaintenanceWindowRow
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow, SettingRow, TimelineEntryRow

RESOLVED_WINDOW = timedelta(hours=24)
MAINTENANCE_AHEAD = timedelta(days=14)
URGENT = (Priority.P1.value, Priority.P2.value)
MAX_CURRENT = 40  # a board is read at a glance; more than this says "and more"


class BoardSource(Protocol):
    """What the board needs of a front end's bundle of services (an AppContext has it)."""

    @property
    def db(self) -> Database: ...

    def now(self) -> datetime: ...


@dataclass(frozen=True)
class BoardIncident:
    ref: str
    priority: str
    service: str
    title: str
    status: str
    major: bool
    impact: str = ""
    conditions: str = ""
    actions: str = ""
    needs: str = ""
    next_update: datetime | None = None
    since: datetime | None = None


@dataclass(frozen=True)
class BoardResolved:
    ref: str
    service: str
    title: str
    resolved_at: datetime


@dataclass(frozen=True)
class BoardMaintenance:
    name: str
    service: str
    starts_at: datetime
    ends_at: datetime


@dataclass(frozen=True)
class BoardData:
    desk: str
    contact: DeskContact
    generated_at: datetime
    current: tuple[BoardIncident, ...] = ()
    resolved: tuple[BoardResolved, ...] = ()
    maintenance: tuple[BoardMaintenance, ...] = field(default=())
    more_current: bool = False  # more open P1/P2 incidents than the board lists


def _urgent() -> Any:
    """Major or P1/P2 — wrapped so that SQLite never picks the major or priority index (most
    rows are closed; the status or update-time index finds the few that matter)."""
    return or_(func.coalesce(IncidentRow.major, False).is_(True),
               func.coalesce(IncidentRow.priority, "").in_(URGENT))


def collect_board(ctx: BoardSource) -> BoardData:
    """One read of everything the board shows (a handful of small queries)."""
    from imdesk.domain.war_room import fold_room
    from imdesk.storage.timeline_repo import to_entry

    now = ctx.now()
    settings = DocSettings(ctx.db)
    contact = settings.desk_contact()
    current: list[BoardIncident] = []
    with ctx.db.read() as s:
        desk_row = s.get(SettingRow, "desk_name")
        desk = str(desk_row.value if desk_row is not None else "") or "Service Desk"
        rows = s.scalars(select(IncidentRow).where(
            IncidentRow.status.in_([st.value for st in OPEN_STATUSES]),  # the index: few rows
            IncidentRow.exercise.is_(False), _urgent(),
        ).order_by(  # coalesce: sort the few open rows; never walk the major index instead
            func.coalesce(IncidentRow.major, False).desc(), IncidentRow.priority,
            IncidentRow.opened_at).limit(MAX_CURRENT + 1)).all()
        more = len(rows) > MAX_CURRENT
        rows = rows[:MAX_CURRENT]
        for r in rows:
            item = BoardIncident(r.ref, r.priority, r.service_name or "", r.title,
                                 Status(r.status).label, bool(r.major), since=r.opened_at)
            if r.major:
                # Only the entries that make up the room's situation and clock: no note is read.
                kinds = [EntryKind.OPENED, EntryKind.MAJOR, EntryKind.SITUATION, EntryKind.COMMUNICATION]
                entries = [to_entry(e, r.ref) for e in s.scalars(select(TimelineEntryRow).where(
                    TimelineEntryRow.incident_id == r.id,
                    TimelineEntryRow.kind.in_([k.value for k in kinds])).order_by(TimelineEntryRow.seq))]
                room = fold_room(r.ref, entries)
                sit = room.situation
                clock = update_clock(room, DEFAULT_UPDATE_POLICY[Priority(r.priority)], now)
                item = BoardIncident(r.ref, r.priority, r.service_name or "", r.title,
                                     Status(r.status).label, True, sit.impact, sit.conditions,
                                     sit.actions, sit.needs, clock.due, r.opened_at)
            current.append(item)
        resolved = tuple(BoardResolved(r.ref, r.service_name or "", r.title, r.resolved_at)
                         for r in s.scalars(select(IncidentRow).where(
                             IncidentRow.resolved_at >= now - RESOLVED_WINDOW,
                             IncidentRow.updated_at >= now - RESOLVED_WINDOW,  # its index
                             func.coalesce(IncidentRow.status, "").in_(
                                 [Status.RESOLVED.value, Status.CLOSED.value]),
                             IncidentRow.exercise.is_(False), _urgent(),
                         ).order_by(IncidentRow.resolved_at.desc()).limit(20))
                         if r.resolved_at is not None)
        maintenance = tuple(BoardMaintenance(m.name, m.service or "", m.starts_at, m.ends_at)
                            for m in s.scalars(select(MaintenanceWindowRow).where(
                                MaintenanceWindowRow.ends_at > now,
                                MaintenanceWindowRow.ended_at.is_(None),
                                MaintenanceWindowRow.starts_at < now + MAINTENANCE_AHEAD,
                            ).order_by(MaintenanceWindowRow.starts_at).limit(20)))
    return BoardData(desk, contact, now, tuple(current), resolved, maintenance, more)
