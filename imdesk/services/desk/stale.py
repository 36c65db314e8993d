"""The stale-state refusal: a change to an incident carries the last sequence number the desk
showed (`expected_seq`); when an entry after it changed the incident (not a mere line of text),
the change is refused naming who changed what, and nothing is written.

The check runs inside the write transaction that holds the incident's row lock
(`SELECT … FOR UPDATE`), so no change can slip in between the check and the write."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from imdesk.domain.desk import Desk
from imdesk.domain.errors import StaleStateError
from imdesk.domain.timeline import EntryKind
from imdesk.storage.models import IncidentRow, TimelineEntryRow

# Entries that change the incident itself: what a change made against an older state can clash
# with. Notes, war-room lines, messages and alerts are only added beside it.
CHANGING_KINDS: tuple[str, ...] = tuple(k.value for k in (
    EntryKind.STATUS, EntryKind.EDIT, EntryKind.PRIORITY, EntryKind.MAJOR, EntryKind.ROLE,
    EntryKind.EXERCISE))


def who(author: str, data: object) -> str:
    """"DESK/USER" for an entry with a desk, the author alone for one written before desks."""
    desk = Desk.from_data(data.get("desk") if isinstance(data, dict) else None)
    return f"{desk.name}/{author}" if desk is not None else author


def check_fresh(s: Session, row: IncidentRow, expected_seq: int | None) -> None:
    """Refuse (StaleStateError) when an entry after `expected_seq` changed the incident.

    The caller holds the row's write lock; None means the caller did not say what it saw."""
    if expected_seq is None or row.last_seq <= expected_seq:
        return
    newest = s.scalars(select(TimelineEntryRow).where(
        TimelineEntryRow.incident_id == row.id, TimelineEntryRow.seq > expected_seq,
        TimelineEntryRow.kind.in_(CHANGING_KINDS)).order_by(TimelineEntryRow.seq.desc())
        .limit(1)).first()
    if newest is not None:
        raise StaleStateError(row.ref, who(newest.author, newest.data), describe(newest), newest.seq,
                              row.last_seq)


def describe(entry: TimelineEntryRow) -> str:
    """What the entry changed, in the words of the timeline."""
    data = entry.data if isinstance(entry.data, dict) else {}
    if entry.kind == EntryKind.STATUS.value and "to" in data:
        moved = f"status {data.get('from', '?')} → {data['to']}"
        return f"{moved} ({entry.text})" if entry.text else moved
    return entry.text or entry.kind
