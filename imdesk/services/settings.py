"""Shared desk settings kept in the database: priority matrix and SLA targets."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.priority import PriorityMatrix
from imdesk.domain.sla import SlaPolicy
from imdesk.storage.database import Database
from imdesk.storage.models import SettingRow

MATRIX_KEY = "priority_matrix"
SLA_KEY = "sla_targets"
DESK_NAME_KEY = "desk_name"


def _get(session: Session, key: str) -> Any:
    row = session.get(SettingRow, key)
    return None if row is None else row.value


def load_matrix(session: Session) -> PriorityMatrix:
    raw = _get(session, MATRIX_KEY)
    return PriorityMatrix() if raw is None else PriorityMatrix.from_json(raw)


def load_sla(session: Session) -> SlaPolicy:
    raw = _get(session, SLA_KEY)
    return SlaPolicy() if raw is None else SlaPolicy.from_json(raw)


class SettingsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def matrix(self) -> PriorityMatrix:
        with self._db.read() as s:
            return load_matrix(s)

    def sla_policy(self) -> SlaPolicy:
        with self._db.read() as s:
            return load_sla(s)

    def desk_name(self) -> str:
        with self._db.read() as s:
            return str(_get(s, DESK_NAME_KEY) or "Service Desk")

    def set_matrix(self, matrix: PriorityMatrix) -> None:
        self._put(MATRIX_KEY, matrix.to_json())

    def set_sla_policy(self, policy: SlaPolicy) -> None:
        self._put(SLA_KEY, policy.to_json())

    def set_desk_name(self, name: str) -> None:
        self._put(DESK_NAME_KEY, name.strip()[:80] or "Service Desk")

    def _put(self, key: str, value: Any) -> None:
        with self._db.write() as s:
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value
