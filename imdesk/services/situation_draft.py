"""A first draft of Conditions / Actions / Needs from an incident's own timeline, for an update
that would otherwise go out nearly empty: the newest notes say what is happening, the newest
decisions and open action items what is being done. The user reads and changes it before it
is sent; nothing is written."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imdesk.services.incidents import IncidentService

NEWEST = 2


def draft_situation(incidents: IncidentService, ref: str) -> dict[str, str]:
    timeline = incidents.detail(ref).timeline
    superseded = {e.data.get("supersedes") for e in timeline if "supersedes" in e.data}
    live = [e for e in reversed(timeline) if e.seq not in superseded]
    notes = [e.text for e in live if e.kind == "note"][:NEWEST]
    doing = [e.text for e in live if e.kind == "decision"][:NEWEST]
    doing += [str(e.data.get("text", e.text)) for e in live if e.kind == "action_item"
              and e.data.get("status", "open") == "open"][:NEWEST]
    return {"conditions": "; ".join(notes), "actions": "; ".join(doing), "needs": ""}
