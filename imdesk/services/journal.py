"""Writing an entry and its effect together: the one way anything reaches a timeline."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from imdesk.domain.incident import IncidentState, apply
from imdesk.domain.timeline import GENESIS_HASH, EntryDraft, TimelineEntry
from imdesk.storage import incident_repo, milestone_repo, timeline_repo
from imdesk.storage.database import mark_changed
from imdesk.storage.models import IncidentRow


def write_entry(s: Session, row: IncidentRow, state: IncidentState | None, draft: EntryDraft, *,
                service_id: int | None, author: str,
                now: datetime) -> tuple[IncidentState, TimelineEntry]:
    """Append after the incident's head (the caller holds its write lock) and update the
    incident row, the projection, and its milestones in the same transaction."""
    desk = s.info.get("imdesk_desk")
    if desk and "desk" not in draft.data:  # the desk that wrote it, hashed with the rest
        draft = replace(draft, data={**draft.data, "desk": desk})
    mark_changed(s, row.ref)
    prev_hash = state.head_hash if state else GENESIS_HASH
    seq = (state.last_seq if state else 0) + 1
    entry = timeline_repo.append(s, row, draft, author=author, now=now, prev_hash=prev_hash,
                                 seq=seq)
    new_state = apply(state, entry)
    incident_repo.write_state(row, new_state, service_id)
    milestone_repo.on_append(s, row, entry)
    return new_state, entry
