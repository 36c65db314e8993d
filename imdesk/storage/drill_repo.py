"""Drill records in SQL: drills, played injects, their incidents, reports; and the outbound
guard's allow-list for an incident (the desk's setting plus its drills' own lists)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from imdesk.domain.errors import NotFoundError
from imdesk.domain.exercise_guard import AllowList
from imdesk.storage.alert_models import AlertRow
from imdesk.storage.drill_models import DrillEventRow, DrillIncidentRow, DrillReportRow, DrillRow
from imdesk.storage.models import IncidentRow, SettingRow

ALLOW_KEY = "drills.allow_list"
CAPTURE_KEY = "drills.capture"
DRILL_LABEL = "imdesk_drill"


def setting(s: Session, key: str, default: object) -> object:
    row = s.get(SettingRow, key)
    return default if row is None else row.value


def put_setting(s: Session, key: str, value: object) -> None:
    row = s.get(SettingRow, key)
    if row is None:
        s.add(SettingRow(key=key, value=value))
    else:
        row.value = value


def desk_allow_list(s: Session) -> AllowList:
    raw = setting(s, ALLOW_KEY, [])
    entries = [str(a) for a in raw] if isinstance(raw, list) else []
    return AllowList.of(entries, capture=bool(setting(s, CAPTURE_KEY, True)))


def allow_list_for(s: Session, incident_id: int) -> AllowList:
    """What an exercise incident's messages may go to: the desk's list plus its drills' lists."""
    lists = s.scalars(select(DrillRow.allow_list).join(
        DrillIncidentRow, DrillIncidentRow.drill_id == DrillRow.id).where(
        DrillIncidentRow.incident_id == incident_id)).all()
    allow = desk_allow_list(s)
    for more in lists:
        allow = allow.merged(str(a) for a in more or [])
    return allow


def exercise_ids(s: Session, incident_ids: Iterable[int]) -> set[int]:
    ids = list(set(incident_ids))
    if not ids:
        return set()
    return set(s.scalars(select(IncidentRow.id).where(IncidentRow.id.in_(ids),
                                                      IncidentRow.exercise.is_(True))).all())


def get(s: Session, drill_id: int, *, for_update: bool = False) -> DrillRow:
    stmt = select(DrillRow).where(DrillRow.id == drill_id)
    row = s.scalars(stmt.with_for_update() if for_update else stmt).first()
    if row is None:
        raise NotFoundError(f"no drill {drill_id}")
    return row


def newest(s: Session, limit: int = 200) -> Sequence[DrillRow]:
    return s.scalars(select(DrillRow).order_by(DrillRow.id.desc()).limit(limit)).all()


def events(s: Session, drill_id: int) -> Sequence[DrillEventRow]:
    return s.scalars(select(DrillEventRow).where(DrillEventRow.drill_id == drill_id)
                     .order_by(DrillEventRow.id)).all()


def incident_ids(s: Session, drill_id: int) -> list[int]:
    return list(s.scalars(select(DrillIncidentRow.incident_id).where(
        DrillIncidentRow.drill_id == drill_id).order_by(DrillIncidentRow.incident_id)).all())


def link(s: Session, drill_id: int, ids: Iterable[int]) -> None:
    known = set(incident_ids(s, drill_id))
    for i in sorted(set(ids) - known):
        s.add(DrillIncidentRow(drill_id=drill_id, incident_id=i))


def incidents_of_alerts(s: Session, drill_id: int, since: datetime) -> set[int]:
    """Incidents opened from alerts the drill played (their label names the drill)."""
    rows = s.execute(select(AlertRow.incident_id, AlertRow.labels, AlertRow.annotations).where(
        AlertRow.first_seen >= since, AlertRow.incident_id.is_not(None))).all()
    mark = str(drill_id)
    return {int(i) for i, labels, notes in rows
            if str((labels or {}).get(DRILL_LABEL, "")) == mark
            or str((notes or {}).get(DRILL_LABEL, "")) == mark}


def exercises_opened(s: Session, since: datetime, until: datetime | None) -> set[int]:
    stmt = select(IncidentRow.id).where(IncidentRow.exercise.is_(True),
                                        IncidentRow.opened_at >= since)
    if until is not None:
        stmt = stmt.where(IncidentRow.opened_at <= until)
    return set(s.scalars(stmt).all())


def report(s: Session, drill_id: int) -> DrillReportRow | None:
    return s.get(DrillReportRow, drill_id)
