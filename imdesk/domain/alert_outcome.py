"""What processing alert payloads did: incidents opened, cleared and resolved, entries written.
The processor returns it, the listener reports it (domain/alert_report.py), the console and
the command line show it."""

from __future__ import annotations

from dataclasses import dataclass, field

from imdesk.domain.priority import Priority


@dataclass(frozen=True)
class OpenedIncident:
    """An incident opened by an alert or a silent heartbeat (the console notifies)."""

    ref: str
    title: str
    priority: Priority


@dataclass
class Outcome:
    """What processing a batch did, for the console and the command line."""

    opened: list[OpenedIncident] = field(default_factory=list)
    cleared: list[str] = field(default_factory=list)  # refs whose alerts have all cleared
    resolved: list[str] = field(default_factory=list)  # refs resolved automatically
    changed: set[str] = field(default_factory=set)  # refs with new entries
    notes: list[str] = field(default_factory=list)
    processed: int = 0  # inbox rows
    failed: int = 0  # inbox rows that could not be processed (kept there, marked failed)

    def merge(self, other: Outcome) -> None:
        self.processed += other.processed
        self.failed += other.failed
        self.opened += other.opened
        self.cleared += other.cleared
        self.resolved += other.resolved
        self.changed |= other.changed
        self.notes += other.notes
