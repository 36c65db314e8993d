"""Writing an entry and its effect together: the one way anything reaches a timeline.

Two paths store the same rows: `write_entry` through the ORM (the caller holds an IncidentRow,
as alert processing and the outbox do), and `append`, plain prebuilt statements on an incident
locked by `storage.locked_incident.lock` (a person's line from the composer: a few hundred
microseconds instead of milliseconds of unit-of-work bookkeeping). One write unit uses one path
per incident."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from imdesk.domain.incident import IncidentState, apply
from imdesk.domain.timeline import GENESIS_HASH, EntryDraft, TimelineEntry
from imdesk.storage import incident_repo, locked_incident, milestone_repo, timeline_repo
from imdesk.storage.database import mark_changed
from imdesk.storage.locked_incident import LockedIncident
from imdesk.storage.models import IncidentRow


def write_entry(s: Session, row: IncidentRow, state: IncidentState | None, draft: EntryDraft, *,
                service_id: int | None, author: str,
                now: datetime) -> tuple[IncidentState, TimelineEntry]:
    """Append after the incident's head (the caller holds its write lock) and update the
    incident row, the projection, and its milestones in the same transaction."""
    new_state, entry = chain_entry(s, row.ref, state, draft, author=author, now=now)
    timeline_repo.add(s, row.id, entry)
    incident_repo.write_state(row, new_state, service_id)
    milestone_repo.on_append(s, row, entry)
    return new_state, entry


def append(s: Session, incident: LockedIncident, draft: EntryDraft, *, author: str,
           now: datetime, first: bool = False) -> tuple[IncidentState, TimelineEntry]:
    """`write_entry` without ORM objects: the entry inserted, the projection's changed columns
    and the milestone row's written with prebuilt statements, on an incident this unit locked
    (`locked_incident.lock`). The same rows, hash and seq as `write_entry`; the desk stamp, the
    change feed and the offline spool as there. INCIDENT moves on to the new state, so a run of
    appends in one unit chains. FIRST: the opened entry of an incident this unit inserted (its
    row's values are not a state yet)."""
    state = None if first else incident.state
    new_state, entry = chain_entry(s, incident.ref, state, draft, author=author, now=now)
    timeline_repo.insert_entries(s, incident.id, [entry])
    locked_incident.write_projection(s, incident, new_state)
    milestone_repo.on_append_plain(s, incident, entry)
    return new_state, entry


def chain_entry(s: Session, ref: str, state: IncidentState | None, draft: EntryDraft, *,
                author: str, now: datetime) -> tuple[IncidentState, TimelineEntry]:
    """The next entry after the head of STATE (None: the first) and the state after it, NOT
    stored yet: `write_entry` stores one; a caller holding the incident's write lock may store
    a run of them with `write_entries` in the same transaction, once per run."""
    desk = s.info.get("imdesk_desk")
    if desk and "desk" not in draft.data:  # the desk that wrote it, hashed with the rest
        draft = replace(draft, data={**draft.data, "desk": desk})
    mark_changed(s, ref)
    prev_hash = state.head_hash if state else GENESIS_HASH
    seq = (state.last_seq if state else 0) + 1
    entry = timeline_repo.new_entry(ref, draft, author=author, now=now, prev_hash=prev_hash,
                                    seq=seq)
    return apply(state, entry), entry


def write_entries(s: Session, row: IncidentRow, state: IncidentState,
                  entries: Sequence[TimelineEntry], *, service_id: int | None) -> None:
    """Store entries made by `chain_entry` (in order, the first after the row's head) and the
    incident row, projection and milestones as of STATE, the state after the last of them."""
    if not entries:
        return
    timeline_repo.insert_entries(s, row.id, entries)
    incident_repo.write_state(row, state, service_id)
    milestone_repo.on_append_many(s, row, entries)
