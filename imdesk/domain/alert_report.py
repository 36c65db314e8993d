"""What the listener process (`imdesk alerts serve --report-json`, started by the console)
tells the console, one JSON object a line: {"listening": URL, "port": N}, {"outcome": {...}}
per processing round, {"error": TEXT}. The console reads it without loading the listener."""

from __future__ import annotations

import json
from typing import Any

from imdesk.domain.alert_outcome import OpenedIncident, Outcome
from imdesk.domain.priority import Priority


def outcome_line(outcome: Outcome) -> str:
    return json.dumps({"outcome": {
        "opened": [[o.ref, o.title, o.priority.value] for o in outcome.opened],
        "cleared": outcome.cleared, "resolved": outcome.resolved,
        "changed": sorted(outcome.changed), "notes": outcome.notes,
        "processed": outcome.processed, "failed": outcome.failed}})


def outcome_from_json(raw: dict[str, Any]) -> Outcome:
    return Outcome(opened=[OpenedIncident(str(ref), str(title), Priority(priority))
                           for ref, title, priority in raw.get("opened", [])],
                   cleared=[str(r) for r in raw.get("cleared", [])],
                   resolved=[str(r) for r in raw.get("resolved", [])],
                   changed={str(r) for r in raw.get("changed", [])},
                   notes=[str(n) for n in raw.get("notes", [])],
                   processed=int(raw.get("processed", 0)), failed=int(raw.get("failed", 0)))
