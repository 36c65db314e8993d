"""What the incident list asks for: filters and the sort (run in SQL by the storage layer)."""

from __future__ import annotations

from dataclasses import dataclass, field

from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Priority

# The list counts matching incidents up to this many (and one more, to know there are more).
COUNT_CAP = 10_000


def count_text(total: int) -> str:
    """The list's count label: "1 incident", "2,345 incidents", "more than 10,000 incidents"."""
    if total > COUNT_CAP:
        return f"more than {COUNT_CAP:,} incidents"
    return f"{total:,} incident{'s' if total != 1 else ''}"


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
