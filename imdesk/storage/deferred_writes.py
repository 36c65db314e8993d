"""Plain writes held until the end of a unit of work, then sent as one executemany per
statement (and per set of changed columns): the alert processor appends a few entries to many
incidents per transaction, and one statement per entry, projection and milestone row cost it
more CPU than everything else it does (SQLAlchemy's per-statement work, not SQLite's).

While a unit defers (`begin`), `timeline_repo.insert_entries`, `locked_incident.write_projection`
and `milestone_repo.on_append_plain` hand their rows here instead of executing them; their
in-memory copies (LockedIncident.stored, .milestone) are current, so the appends that follow
chain on them. Nothing in such a unit may read those tables before `flush` (the status
change's link propagation flushes first; so does any ORM flush, whose rows may point at the
waiting ones); the unit's end flushes what is left (`end`). A new incident's row waits too,
with the id and ref it was given (`locked_incident.next_id`).
Inserts go first, parent rows (new incidents) before the rest, each statement's rows in the
order asked (entry ids keep the order they were appended in), then the updates; the offline
replica's spool listener sees the executemany as it sees one row."""

from __future__ import annotations

from collections.abc import Iterable
from itertools import groupby
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import Executable

KEY = "imdesk.deferred_writes"


class DeferredWrites:
    """Rows to insert and columns to update, by statement, in the order first asked."""

    def __init__(self) -> None:
        self._inserts: dict[Executable, list[dict[str, Any]]] = {}
        self._inserting: set[int] = set()  # id() of the row dicts waiting in _inserts
        # statement → key (the row's "_id") → (its live values, the names to write)
        self._updates: dict[Executable, dict[int, tuple[dict[str, Any], set[str]]]] = {}

    def insert(self, statement: Executable, row: dict[str, Any], *, parent: bool = False) -> None:
        """ROW (a live dict: changes made to it before the flush are inserted with it). A
        PARENT row (one others point at: a new incident) goes in before every other row."""
        if parent and statement not in self._inserts:  # its statement first in the order
            self._inserts = {statement: [], **self._inserts}
        self._inserts.setdefault(statement, []).append(row)
        self._inserting.add(id(row))

    def inserting(self, row: dict[str, Any]) -> bool:
        """Is ROW waiting to be inserted (its changes then need no update)?"""
        return id(row) in self._inserting

    def update(self, statement: Executable, key: int, values: dict[str, Any],
               names: Iterable[str]) -> None:
        """Write the columns NAMES of row KEY with what VALUES (live) holds at the flush."""
        held = self._updates.setdefault(statement, {})
        if key in held:
            held[key][1].update(names)
        else:
            held[key] = (values, set(names))

    def flush(self, s: Session) -> None:
        inserts, self._inserts, self._inserting = self._inserts, {}, set()
        updates, self._updates = self._updates, {}
        if not (inserts or updates):
            return
        connection = s.connection()  # (the session's execute would flush the ORM first)
        for statement, rows in inserts.items():
            for _keys, run in groupby(rows, key=_shape):  # (runs of one shape, in order)
                connection.execute(statement, list(run))
        for statement, by_key in updates.items():
            by_names: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for key, (values, names) in by_key.items():
                ordered = tuple(sorted(names))
                by_names.setdefault(ordered, []).append(
                    {"_id": key, **{name: values[name] for name in ordered}})
            for params in by_names.values():
                connection.execute(statement, params)


def _shape(row: dict[str, Any]) -> tuple[str, ...]:
    return tuple(row)


@event.listens_for(Session, "before_flush")
def _before_orm_flush(s: Session, _context: object, _instances: object) -> None:
    """An ORM flush in a deferring unit writes what waits first (its rows may point at them:
    an alert at the incident a storm's payload opened)."""
    flush(s)


def insert_row(s: Session, statement: Executable, row: dict[str, Any], *,
               parent: bool = False) -> None:
    """Insert ROW now, or at the flush in a unit that defers (see DeferredWrites.insert)."""
    found = active(s)
    if found is None:
        s.execute(statement, row)
    else:
        found.insert(statement, row, parent=parent)


def update_row(s: Session, statement: Executable, key: int, stored: dict[str, Any],
               changed: dict[str, Any]) -> None:
    """Write CHANGED columns of row KEY (STATEMENT's "_id") now, or at the flush in a unit that
    defers (nothing more if the row itself still waits to be inserted); STORED, the row as
    held, takes them either way."""
    found = active(s)
    if found is None:
        s.execute(statement, {"_id": key, **changed})
    elif not found.inserting(stored):  # (a row still to insert takes them with it)
        found.update(statement, key, stored, changed)
    stored.update(changed)


def begin(s: Session) -> DeferredWrites:
    """This unit's plain writes wait for `flush`/`end` from now on."""
    found = s.info.get(KEY)
    if not isinstance(found, DeferredWrites):
        found = s.info[KEY] = DeferredWrites()
    return found


def active(s: Session) -> DeferredWrites | None:
    found = s.info.get(KEY)
    return found if isinstance(found, DeferredWrites) else None


def flush(s: Session) -> None:
    """Write what waits (before anything in the unit reads the tables it writes)."""
    found = active(s)
    if found is not None:
        found.flush(s)


def end(s: Session) -> None:
    """Write what waits; the unit's writes are immediate again."""
    found = s.info.pop(KEY, None)
    if isinstance(found, DeferredWrites):
        found.flush(s)
