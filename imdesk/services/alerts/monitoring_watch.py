"""Watching the monitoring itself: maintenance windows (alerts recorded, nothing opened) and
heartbeats (a sender gone silent opens "monitoring silent: NAME"; its return adds an entry)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from imdesk.domain.alert_outcome import OpenedIncident, Outcome
from imdesk.domain.alert_rules import Window, matchers_text, parse_matchers
from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.lifecycle import OPEN_STATUSES
from imdesk.domain.sla import format_duration
from imdesk.domain.text import clean_text
from imdesk.domain.timefmt import readable
from imdesk.domain.timeline import EntryDraft, EntryKind, iso
from imdesk.services.clock import Clock, SystemClock
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.storage import alert_repo, incident_repo
from imdesk.storage.alert_models import HeartbeatRow, MaintenanceWindowRow
from imdesk.storage.database import Database
from imdesk.storage.models import IncidentRow

NAME_MAX = 120
EXPIRED_SHOWN = timedelta(days=7)  # ended windows stay in the list this long


@dataclass(frozen=True)
class HeartbeatView:
    name: str
    interval_minutes: int
    last_seen: datetime | None
    state: str  # waiting (never seen), ok, missed
    due: datetime
    ref: str | None  # the "monitoring silent" incident while missed

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "interval_minutes": self.interval_minutes,
                "last_seen": iso(self.last_seen), "state": self.state, "due": iso(self.due),
                "ref": self.ref}


def window_of(row: MaintenanceWindowRow) -> Window:
    return Window(id=row.id, name=row.name, starts_at=row.starts_at, ends_at=row.ends_at,
                  matchers=parse_matchers(row.matchers), service=row.service, ended_at=row.ended_at)


def load_windows(s: Session, now: datetime, *, recent: timedelta = timedelta(0)) -> list[Window]:
    """Windows not yet over at now - recent (the processor passes 0: the ones that may apply)."""
    return [window_of(r) for r in alert_repo.windows_not_over(s, now - recent)]


def heartbeat_seen(s: Session, incidents: IncidentService, name: str, at: datetime) -> Outcome:
    """A heartbeat arrived (from the inbox): note the time; a return after silence is an entry."""
    row = alert_repo.heartbeat(s, name)
    if row is None:
        return Outcome(notes=[f"no heartbeat named {name!r} (removed since?)"])
    out = Outcome()
    if row.last_seen is None or at > row.last_seen:
        row.last_seen = at
    if row.state == "missed" and row.incident_id is not None:
        inc = incident_repo.locked_by_id(s, row.incident_id)
        if inc is not None:
            state = incident_repo.row_state(s, inc)
            silent = format_duration(at - row.missed_at) if row.missed_at else "a while"
            incidents.append_in(s, inc, state, EntryDraft(
                EntryKind.ALERT, f"heartbeat {name} is back (missed for {silent})",
                {"heartbeat": name, "returned": iso(at)}))
            out.changed.add(state.ref)
            if state.status in OPEN_STATUSES:
                out.cleared.append(state.ref)
    row.state, row.missed_at = "ok", None
    row.incident_id = None
    return out


class MonitoringWatch:
    """Maintenance windows and heartbeats: the settings and the silence check."""

    def __init__(self, db: Database, incidents: IncidentService, clock: Clock | None = None,
                 author: str = "desk") -> None:
        self._db = db
        self._incidents = incidents
        self._clock = clock or SystemClock()
        self._author = author

    # -- maintenance ----------------------------------------------------------------------
    def add_window(self, name: str, starts_at: datetime, ends_at: datetime, *, matchers: str = "",
                   service: str | None = None) -> Window:
        title = clean_text(name, "name", max_len=200, required=True, single_line=True)
        parsed = parse_matchers(matchers)
        if ends_at <= starts_at:
            raise ValidationError("end", f"the window ends ({readable(ends_at)}) before it starts "
                                         f"({readable(starts_at)})")
        now = self._clock.now()
        if ends_at <= now:
            raise ValidationError("end", f"the window would already be over ({readable(ends_at)})")
        if not parsed and not (service or "").strip():
            raise ValidationError("matchers", "a window needs label matchers or a service "
                                              "(it would otherwise silence everything)")
        with self._db.write() as s:
            sid = incident_repo.service_id_for(s, service) if service and service.strip() else None
            row = MaintenanceWindowRow(name=title, matchers=matchers_text(parsed),
                                       service=incident_repo.service_name(s, sid),
                                       starts_at=starts_at, ends_at=ends_at, created_at=now,
                                       author=self._author)
            s.add(row)
            s.flush()
            return window_of(row)

    def windows(self, *, recent: timedelta = EXPIRED_SHOWN) -> list[Window]:
        with self._db.read() as s:
            return load_windows(s, self._clock.now(), recent=recent)

    def end_window(self, window_id: int) -> Window:
        with self._db.write() as s:
            row = s.get(MaintenanceWindowRow, window_id)
            if row is None:
                raise NotFoundError(f"no maintenance window {window_id}")
            now = self._clock.now()
            if window_of(row).state(now) in ("expired", "ended"):
                raise ValidationError("window", f"maintenance window {window_id} is already over")
            row.ended_at = max(now, row.starts_at)
            return window_of(row)

    # -- heartbeats -----------------------------------------------------------------------
    def add_heartbeat(self, name: str, interval_minutes: int) -> HeartbeatView:
        clean = clean_text(name, "name", max_len=NAME_MAX, required=True, single_line=True)
        if any(c in clean for c in "/?#% "):
            raise ValidationError("name", "a heartbeat name is part of its URL: no spaces, /, ?, # or %")
        if not 1 <= interval_minutes <= 7 * 24 * 60:
            raise ValidationError("interval", "the interval must be between 1 minute and 7 days")
        with self._db.write() as s:
            row = alert_repo.heartbeat(s, clean)
            if row is None:
                row = HeartbeatRow(name=clean, interval_minutes=interval_minutes,
                                   created_at=self._clock.now(), state="waiting")
                s.add(row)
            else:
                row.interval_minutes = interval_minutes
            s.flush()
            return self._view(s, row)

    def remove_heartbeat(self, name: str) -> None:
        with self._db.write() as s:
            row = alert_repo.heartbeat(s, name)
            if row is None:
                raise NotFoundError(f"no heartbeat named {name!r}")
            s.delete(row)

    def heartbeats(self) -> list[HeartbeatView]:
        with self._db.read() as s:
            return [self._view(s, r) for r in alert_repo.heartbeats(s)]

    def _view(self, s: Session, row: HeartbeatRow) -> HeartbeatView:
        ref = incident_repo_ref(s, row.incident_id)
        return HeartbeatView(row.name, row.interval_minutes, row.last_seen, row.state,
                             _due(row), ref)

    def check_heartbeats(self) -> Outcome:
        """Open "monitoring silent: NAME" for every heartbeat past its interval (once per silence)."""
        now = self._clock.now()
        out = Outcome()
        with self._db.write() as s:
            for row in alert_repo.heartbeats_not_missed(s):
                if now <= _due(row):
                    continue
                since = row.last_seen or row.created_at
                row_inc, state = self._incidents.create_in(s, NewIncident(
                    title=f"monitoring silent: {row.name}", impact="high", urgency="medium",
                    origin="monitoring",
                    description=(f"No heartbeat from {row.name} since {readable(since)} (expected every "
                                 f"{row.interval_minutes} min). The alerting pipeline may be down: "
                                 "alerts from it cannot reach the desk.")))
                row.state, row.missed_at, row.incident_id = "missed", now, row_inc.id
                out.opened.append(OpenedIncident(state.ref, state.title, state.priority))
        return out


def _due(row: HeartbeatRow) -> datetime:
    return (row.last_seen or row.created_at) + timedelta(minutes=row.interval_minutes)


def incident_repo_ref(s: Session, incident_id: int | None) -> str | None:
    if incident_id is None:
        return None
    row = s.get(IncidentRow, incident_id)
    return None if row is None else row.ref
