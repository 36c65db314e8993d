"""The alert processor's writes of stored alerts and groups in plain SQL: a repeat's count and
last-seen time (with its annotations and summary) and a group's last digest change on nearly
every payload of a storm, and the ORM's flush of them cost more CPU than applying the payload.
A stored row's new values are set as its committed state (the ORM then writes nothing for
them) and written with one executemany per table at the end of the transaction, after every
read of this transaction that could see them (the applier judges its own rows in memory); a
row not stored yet (added in this transaction) is changed the ORM's way and inserted so."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import instance_state, set_committed_value

from imdesk.storage import alert_repo
from imdesk.storage.alert_models import AlertGroupRow, AlertRow
from imdesk.storage.database import mark_changed


class Bumps:
    """The stored rows changed in plain SQL in this transaction (by id(); see `write`)."""

    def __init__(self) -> None:
        self._alerts: dict[int, AlertRow] = {}
        self._groups: dict[int, AlertGroupRow] = {}

    def alert(self, alert: AlertRow, **values: Any) -> None:
        """Set VALUES (columns of alert_repo.ALERT_CHANGES) on the alert."""
        if self._set(alert, values):
            self._alerts[id(alert)] = alert

    def group(self, group: AlertGroupRow, **values: Any) -> None:
        """Set VALUES (columns of alert_repo.GROUP_CHANGES) on the group."""
        if self._set(group, values):
            self._groups[id(group)] = group

    @staticmethod
    def _set(row: object, values: dict[str, Any]) -> bool:
        if instance_state(row).key is None:  # not stored yet: the ORM inserts it as it is
            for name, value in values.items():
                setattr(row, name, value)
            return False
        for name, value in values.items():
            set_committed_value(row, name, value)
        return True

    def write(self, s: Session) -> None:
        """The changed rows' values as they are now: one statement per table."""
        alerts = [[getattr(a, n) for n in alert_repo.ALERT_CHANGES] + [a.id]
                  for a in self._alerts.values()]
        groups = [[getattr(g, n) for n in alert_repo.GROUP_CHANGES] + [g.id]
                  for g in self._groups.values()]
        self._alerts.clear()
        self._groups.clear()
        alert_repo.write_changes(s, AlertRow, alert_repo.ALERT_CHANGES, alerts)
        alert_repo.write_changes(s, AlertGroupRow, alert_repo.GROUP_CHANGES, groups)
        if alerts or groups:
            mark_changed(s, "alerts")  # the change feed (the ORM's flush names what it writes)
