"""The post-incident review pack: what happened, read from the record (timeline, milestones,
war room, outbox, alerts), and the empty sections the review itself fills in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select

from imdesk.domain.incident import IncidentState
from imdesk.domain.milestones import Milestones, milestones_of
from imdesk.domain.timeline import TimelineEntry
from imdesk.domain.war_room import RoomState, fold_room
from imdesk.services.clock import Clock, SystemClock
from imdesk.storage import alert_repo, incident_repo, timeline_repo
from imdesk.storage.database import Database
from imdesk.storage.outbox_models import OutboxMessageRow


@dataclass(frozen=True)
class MessageLine:
    requested_at: datetime | None
    template: str
    recipient: str
    channel: str
    address: str
    state: str
    attempts: int
    last_error: str


@dataclass(frozen=True)
class AlertLine:
    source: str
    summary: str
    severity: str
    status: str
    first_seen: datetime
    last_seen: datetime
    count: int


@dataclass(frozen=True)
class ReviewData:
    incident: IncidentState
    timeline: list[TimelineEntry]
    milestones: Milestones
    room: RoomState
    messages: list[MessageLine]
    alerts: list[AlertLine]
    made_at: datetime


class ReviewService:
    def __init__(self, db: Database, clock: Clock | None = None) -> None:
        self._db = db
        self._clock = clock or SystemClock()

    def data(self, ref: str) -> ReviewData:
        """Everything the pack shows, in one read transaction (NotFoundError for a bad ref)."""
        now = self._clock.now()
        with self._db.read() as s:
            row = incident_repo.get_row(s, ref)
            state = incident_repo.row_state(s, row)
            timeline = timeline_repo.entries_for(s, row)
            at_seq = {e.seq: e.recorded_at for e in timeline}
            messages = [_message(m, at_seq) for m in s.scalars(
                select(OutboxMessageRow).where(OutboxMessageRow.incident_id == row.id)
                .order_by(OutboxMessageRow.id))]
            alerts = [AlertLine(a.source, a.summary, a.severity, a.status, a.first_seen,
                                a.last_seen, a.count)
                      for a, _key, _ref in alert_repo.alerts_with_refs(
                          s, incident_id=row.id, status=None, limit=1000, offset=0)]
        return ReviewData(state, timeline, milestones_of(timeline, now=now),
                          fold_room(state.ref, timeline), messages, alerts, now)


def _message(m: Any, at_seq: dict[int, datetime]) -> MessageLine:
    return MessageLine(at_seq.get(m.request_seq), m.template, m.recipient, m.channel, m.address,
                       m.state, m.attempts, m.last_error)
