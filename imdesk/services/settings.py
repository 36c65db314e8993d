"""Shared desk settings kept in the database: priority matrix, SLA targets, the desk's name, and
the contact book's (when a contact goes stale, the default region for phone numbers, the
emergency pack's folder)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.contact_book import DEFAULT_STALE_DAYS
from imdesk.domain.errors import ValidationError
from imdesk.domain.priority import PriorityMatrix
from imdesk.domain.sla import SlaPolicy
from imdesk.storage.database import Database
from imdesk.storage.models import SettingRow

MATRIX_KEY = "priority_matrix"
SLA_KEY = "sla_targets"
DESK_NAME_KEY = "desk_name"
STALE_DAYS_KEY = "contacts.stale_days"
REGION_KEY = "contacts.default_region"
PACK_FOLDER_KEY = "contacts.pack_folder"


def _get(session: Session, key: str) -> Any:
    row = session.get(SettingRow, key)
    return None if row is None else row.value


_READ = "imdesk.settings_read"  # session.info: the matrix and SLA policy this unit of work read
# (settings are written in units of their own: an alert storm's new incidents read them once)


def _read_once(session: Session, key: str, parse: Callable[[Any], Any]) -> Any:
    """KEY's value parsed, read once per unit of work (None stored: parse(None))."""
    read = session.info.setdefault(_READ, {})
    if key not in read:
        read[key] = parse(_get(session, key))
    return read[key]


def load_matrix(session: Session) -> PriorityMatrix:
    matrix: PriorityMatrix = _read_once(
        session, MATRIX_KEY, lambda raw: PriorityMatrix() if raw is None else PriorityMatrix.from_json(raw))
    return matrix


def load_sla(session: Session) -> SlaPolicy:
    policy: SlaPolicy = _read_once(
        session, SLA_KEY, lambda raw: SlaPolicy() if raw is None else SlaPolicy.from_json(raw))
    return policy


def load_stale_days(session: Session) -> int:
    """After how many days without a verification a contact is stale."""
    return int(_get(session, STALE_DAYS_KEY) or DEFAULT_STALE_DAYS)


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

    # -- the contact book ----------------------------------------------------------------------
    def contact_stale_days(self) -> int:
        with self._db.read() as s:
            return load_stale_days(s)

    def set_contact_stale_days(self, days: int) -> None:
        if not 1 <= days <= 3650:
            raise ValidationError("stale after", "a contact goes stale after 1 to 3650 days")
        self._put(STALE_DAYS_KEY, days)

    def contact_region(self) -> str:
        """The region a phone number without a country code is read in ("DE", "GB")."""
        from imdesk.contacts_io.values import DEFAULT_REGION

        with self._db.read() as s:
            return str(_get(s, REGION_KEY) or DEFAULT_REGION)

    def set_contact_region(self, region: str) -> None:
        from imdesk.contacts_io.values import supported_regions

        code = region.strip().upper()
        if code not in supported_regions():
            raise ValidationError("default region", f"{region!r} is not a region code such as DE or GB")
        self._put(REGION_KEY, code)

    def pack_folder(self) -> str:
        """Where the emergency pack is written ("" = the data folder's ``emergency-pack``)."""
        with self._db.read() as s:
            return str(_get(s, PACK_FOLDER_KEY) or "")

    def set_pack_folder(self, folder: str) -> None:
        self._put(PACK_FOLDER_KEY, folder.strip())

    def _put(self, key: str, value: Any) -> None:
        with self._db.write() as s:
            s.info.pop(_READ, None)
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value
