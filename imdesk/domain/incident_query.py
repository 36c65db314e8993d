"""What the incident list asks for: filters and the sort (run in SQL by the storage layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Priority


@dataclass(frozen=True)
class IncidentQuery:
    """What the incident list shows: filters and the sort, all done in SQL."""

    text: str = ""
    statuses: tuple[Status, ...] = ()  # empty: all
    priorities: tuple[Priority, ...] = ()
    major_only: bool = False
    sort: str = "sla"
    descending: bool = False
    include_exercise: bool = True
    services: tuple[str, ...] = field(default=())
