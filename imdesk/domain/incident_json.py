"""The JSON shape of an incident (command line --json, exports)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from imdesk.domain.incident import IncidentState
from imdesk.domain.timeline import TimelineEntry, iso


def incident_json(state: IncidentState,
                  timeline: Sequence[TimelineEntry] | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "ref": state.ref,
        "title": state.title,
        "description": state.description,
        "service": state.service,
        "impact": state.impact.value,
        "urgency": state.urgency.value,
        "priority": state.priority.value,
        "status": state.status.value,
        "major": state.major,
        "origin": state.origin.value,
        "exercise": state.exercise,
        "opened_at": iso(state.opened_at),
        "acknowledged_at": iso(state.acknowledged_at),
        "resolved_at": iso(state.resolved_at),
        "closed_at": iso(state.closed_at),
        "respond_due": iso(state.respond_due),
        "resolve_due": iso(state.resolve_due),
        "on_hold_seconds": state.on_hold_seconds,
        "head_hash": state.head_hash,
        "last_seq": state.last_seq,  # what a change made against this state gives --expected-seq
    }
    if timeline is not None:
        out["timeline"] = [e.to_json() for e in timeline]
    return out
