"""Outbox rows as plain records for the sender's hot path (claiming and recording outcomes):
read with one Core SELECT, changed in memory by the same code that changes ORM rows (the
attribute names are the columns'), and written back with one executemany UPDATE per set of
changed columns — no ORM identity map, attribute instrumentation or unit-of-work flush per
message. Not for a write unit that inspects what it flushes (the offline replica, SPOOLED):
there the sender's claims are refused as the replica refuses them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import datetime
from operator import attrgetter
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, select, update
from sqlalchemy.orm import Session

from imdesk.domain.message import MessageState
from imdesk.errors import DatabaseReadOnly
from imdesk.storage.database import SPOOLED, mark_changed
from imdesk.storage.outbox_models import OutboxMessageRow

_CHUNK = 500
TABLE = cast(Table, OutboxMessageRow.__table__)


@dataclass(slots=True, eq=False)
class MessageRecord:
    """The columns of an outbox_message row that sending reads or changes, by the column's
    name (not its texts: the Job carries those)."""

    id: int
    uuid: str
    incident_id: int
    recipient: str
    route: list[dict[str, Any]]
    step: int
    channel: str
    address: str
    state: str
    attempts: int
    step_attempts: int
    next_attempt_at: datetime | None
    last_error: str
    provider_id: str
    possible_duplicate: bool
    sending_since: datetime | None
    polls: int
    lease_holder: str
    lease_expires: datetime | None
    updated_at: datetime
    loaded: tuple[Any, ...] = field(default=(), repr=False)  # the values as read

    def values(self) -> tuple[Any, ...]:
        return _VALUES(self)  # type: ignore[no-any-return]

    def changes(self) -> dict[str, Any]:
        """The columns whose value differs from what was read."""
        return {name: new for name, new, old in zip(COLUMNS, _VALUES(self), self.loaded, strict=True)
                if new != old}


COLUMNS = tuple(f.name for f in fields(MessageRecord) if f.name != "loaded")
_VALUES = attrgetter(*COLUMNS)
Message = OutboxMessageRow | MessageRecord  # what the outbox journal and outcomes move along


def _refuse_offline(s: Session) -> None:
    if s.info.get(SPOOLED):
        raise DatabaseReadOnly("offline: messages wait in the spool until the server is back; "
                               "the team's sender sends them then")


def _read(s: Session, ids: list[int], *where: ColumnElement[bool],
          skip_locked: bool) -> dict[int, MessageRecord]:
    _refuse_offline(s)
    out: dict[int, MessageRecord] = {}
    columns = [TABLE.c[name] for name in COLUMNS]
    for start in range(0, len(ids), _CHUNK):
        query = (select(*columns).where(TABLE.c.id.in_(ids[start:start + _CHUNK]), *where)
                 .order_by(TABLE.c.id).with_for_update(skip_locked=skip_locked))
        for row in s.execute(query):
            values = tuple(row)
            record = MessageRecord(*values)
            record.loaded = values
            out[record.id] = record
    return out


def claimable(s: Session, ids: list[int], now: datetime) -> dict[int, MessageRecord]:
    """Of these messages, the ones still queued and due, locked for this transaction; on
    PostgreSQL rows another sender is claiming right now are skipped (SKIP LOCKED), never
    waited for; on SQLite the write transaction holds the file."""
    return _read(s, ids, TABLE.c.state == MessageState.QUEUED.value,
                 TABLE.c.next_attempt_at <= now, skip_locked=True)


def locked(s: Session, ids: list[int]) -> dict[int, MessageRecord]:
    """These messages, locked for this transaction (FOR UPDATE on PostgreSQL: a sender
    recording its outcomes waits for another that is taking a stale claim over, and then
    sees it)."""
    return _read(s, ids, skip_locked=False)


def save(s: Session, records: Iterable[MessageRecord]) -> int:
    """Write what changed in these records (one UPDATE per set of changed columns); returns
    how many rows changed. The records then count as read with their new values."""
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for record in records:
        changed = record.changes()
        if not changed:
            continue
        keys = tuple(sorted(changed))
        groups.setdefault(keys, []).append(
            {"row_id": record.id, **{f"new_{k}": v for k, v in changed.items()}})
        record.loaded = record.values()
    for keys, params in groups.items():
        s.execute(update(TABLE).where(TABLE.c.id == bindparam("row_id"))
                  .values({k: bindparam(f"new_{k}", type_=TABLE.c[k].type) for k in keys}),
                  params)
    if groups:
        mark_changed(s, "outbox")
    return sum(len(p) for p in groups.values())
