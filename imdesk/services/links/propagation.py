"""Resolving or closing a master resolves or closes its callers, under the lifecycle's rules:
one entry on each caller naming the master, a caller that cannot follow (on hold, or not yet
resolved when the master closes) is listed on the master's timeline and left as it is."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import ALLOWED, Status
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.storage import incident_repo, link_repo
from imdesk.storage.models import IncidentRow

if TYPE_CHECKING:
    from imdesk.services.incidents import IncidentService

PROPAGATED = frozenset({Status.RESOLVED, Status.CLOSED})


@dataclass(frozen=True)
class Propagation:
    moved: tuple[str, ...]
    left: tuple[tuple[str, str], ...]  # (ref, why)


def propagate_in(s: Session, incidents: IncidentService, master: IncidentRow, goal: Status,
                 note: str) -> Propagation:
    """Inside the master's status-change transaction."""
    moved: list[str] = []
    left: list[tuple[str, str]] = []
    ids = [link.incident_id for link in link_repo.caller_rows(s, master.id)]
    rows = {r.id: r for start in range(0, len(ids), 500) for r in s.scalars(
        select(IncidentRow).where(IncidentRow.id.in_(ids[start:start + 500])).with_for_update())}
    for incident_id in ids:  # every caller's row locked in one statement per 500, in link order
        row = rows.get(incident_id)
        if row is None:
            continue
        state = incident_repo.row_state(s, row)
        if state.status == goal or (goal == Status.RESOLVED and state.status == Status.CLOSED):
            continue
        if state.status == Status.ON_HOLD:
            left.append((row.ref, "on hold"))
            continue
        if goal not in ALLOWED[state.status]:
            left.append((row.ref, state.status.label))
            continue
        text = f"{goal.label} with its master {master.ref}" + (f": {note}" if note else "")
        try:
            incidents.append_in(s, row, state, EntryDraft(EntryKind.STATUS, text, {
                "from": state.status.value, "to": goal.value, "master": master.ref}))
        except ValidationError as exc:
            left.append((row.ref, exc.message))
            continue
        moved.append(row.ref)
    if moved or left:
        parts = []
        if moved:
            parts.append(f"{goal.label} {len(moved)} caller{'s' if len(moved) != 1 else ''} "
                         "with it")
        if left:
            parts.append("left as they are: " + ", ".join(f"{r} ({why})" for r, why in left))
        incidents.append_in(s, master, incident_repo.row_state(s, master), EntryDraft(
            EntryKind.LINK, "; ".join(parts), {"link": "propagated", "to": goal.value,
                                               "moved": moved, "left": [r for r, _ in left]}))
    return Propagation(tuple(moved), tuple(left))
