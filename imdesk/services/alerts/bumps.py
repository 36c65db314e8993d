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
        # row and the names of the columns set on it, by id(row)
        self._alerts: dict[int, tuple[AlertRow, set[str]]] = {}
        self._groups: dict[int, tuple[AlertGroupRow, set[str]]] = {}

    def alert(self, alert: AlertRow, **values: Any) -> None:
        """Set VALUES (columns of the alert table) on the alert."""
        if self._set(alert, values):
            self._alerts.setdefault(id(alert), (alert, set()))[1].update(values)

    def group(self, group: AlertGroupRow, **values: Any) -> None:
        """Set VALUES (columns of the alert_group table) on the group."""
        if self._set(group, values):
            self._groups.setdefault(id(group), (group, set()))[1].update(values)

    @staticmethod
    def _set(row: object, values: dict[str, Any]) -> bool:
        state = instance_state(row)
        if state.key is None:  # not stored yet: the ORM inserts it as it is
            for name, value in values.items():
                setattr(row, name, value)
            return False
        for name, value in values.items():
            if name in state.committed_state:  # changed the ORM's way earlier: no longer
                set_committed_value(row, name, value)
            else:  # (what set_committed_value does for a column without pending history)
                state.dict[name] = value
        return True

    def write(self, s: Session) -> None:
        """The changed rows' values as they are now: one statement for the rows of a table
        whose same columns changed (a repeat's few, mostly; an index is updated only when its
        column is set)."""
        changed = bool(self._alerts or self._groups)
        tables: tuple[tuple[type[Any], dict[int, tuple[Any, set[str]]]], ...] = (
            (AlertRow, self._alerts), (AlertGroupRow, self._groups))
        for model, rows in tables:
            by_names: dict[tuple[str, ...], list[list[Any]]] = {}
            for row, changed_names in rows.values():
                key = tuple(sorted(changed_names))
                by_names.setdefault(key, []).append([getattr(row, n) for n in key] + [row.id])
            rows.clear()
            for names, values in by_names.items():
                alert_repo.write_changes(s, model, names, values)
        if changed:
            mark_changed(s, "alerts")  # the change feed (the ORM's flush names what it writes)
