"""Settings for documents and the awareness board, kept in the database like the desk's others
(services/settings.py): the default review interval, the board's folder and the desk's contact
block (phone, mail, hours) that every board shows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from imdesk.domain.docs import DEFAULT_REVIEW_DAYS, check_review_days
from imdesk.storage.database import Database
from imdesk.storage.models import SettingRow

REVIEW_DAYS_KEY = "docs.review_days"
BOARD_FOLDER_KEY = "board.folder"
DESK_CONTACT_KEY = "board.desk_contact"


@dataclass(frozen=True)
class DeskContact:
    phone: str = ""
    mail: str = ""
    hours: str = ""


class DocSettings:
    def __init__(self, db: Database) -> None:
        self._db = db

    def review_days(self) -> int:
        """The review interval a new document gets (180 days unless set)."""
        return int(self._get(REVIEW_DAYS_KEY) or DEFAULT_REVIEW_DAYS)

    def set_review_days(self, days: int) -> None:
        self._put(REVIEW_DAYS_KEY, check_review_days(days))

    def board_folder(self) -> str:
        """Where the awareness board is written ("" = the data folder's ``board``)."""
        return str(self._get(BOARD_FOLDER_KEY) or "")

    def set_board_folder(self, folder: str) -> None:
        self._put(BOARD_FOLDER_KEY, folder.strip())

    def desk_contact(self) -> DeskContact:
        raw = self._get(DESK_CONTACT_KEY) or {}
        return DeskContact(phone=str(raw.get("phone", "")), mail=str(raw.get("mail", "")),
                           hours=str(raw.get("hours", "")))

    def set_desk_contact(self, contact: DeskContact) -> None:
        self._put(DESK_CONTACT_KEY, {"phone": contact.phone.strip()[:60],
                                     "mail": contact.mail.strip()[:200],
                                     "hours": contact.hours.strip()[:200]})

    def _get(self, key: str) -> Any:
        with self._db.read() as s:
            row = s.get(SettingRow, key)
            return None if row is None else row.value

    def _put(self, key: str, value: Any) -> None:
        with self._db.write() as s:
            row = s.get(SettingRow, key)
            if row is None:
                s.add(SettingRow(key=key, value=value))
            else:
                row.value = value
