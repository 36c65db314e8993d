"""`db check`: the file's integrity, every incident's hash chain, and projection == rebuild."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from imdesk.domain.incident import ProjectionError, rebuild
from imdesk.domain.milestone_steps import flat, fold
from imdesk.domain.timeline import TimelineEntry, verify_chain
from imdesk.storage import incident_repo, milestone_repo, timeline_repo
from imdesk.storage.damage import damaged_values
from imdesk.storage.database import Database
from imdesk.storage.incident_repo import sort_due
from imdesk.storage.models import IncidentRow


@dataclass(frozen=True)
class CheckReport:
    incidents: int
    entries: int
    problem: str | None  # the first problem found, or None when all is well

    @property
    def ok(self) -> bool:
        return self.problem is None


def quick_check(db: Database) -> str:
    """'ok' or the first line SQLite reports (PostgreSQL: 'ok')."""
    if not db.is_sqlite:
        return "ok"
    with db.engine.connect() as conn:
        return str(conn.execute(text("PRAGMA quick_check(1)")).scalar_one())


def check_database(db: Database, *, ref: str | None = None,
                   progress: Callable[[int], None] | None = None) -> CheckReport:
    if db.is_sqlite and ref is None:
        try:
            with db.engine.connect() as conn:
                result = str(conn.execute(text("PRAGMA integrity_check(1)")).scalar_one())
        except DBAPIError as exc:  # a damaged schema can fail the check itself
            result = str(exc.orig).splitlines()[0] if exc.orig is not None else "cannot be checked"
        if result != "ok":
            return CheckReport(0, 0, "database file: " + " ".join(result.split()))
        damaged = damaged_values(db)
        if damaged:
            return CheckReport(0, 0, f"{len(damaged)} damaged value(s): " + "; ".join(damaged))
    incidents = entries = 0
    with db.read() as s:
        for row, timeline in timeline_repo.timelines(s, ref):
            incidents += 1
            entries += len(timeline)
            problem = verify_chain(timeline, expected_head=row.head_hash, ref=row.ref)
            if problem is not None:
                return CheckReport(incidents, entries, f"hash chain broken at {problem}")
            stored = incident_repo.row_state(s, row)
            try:
                rebuilt = rebuild(timeline)
            except ProjectionError as exc:
                return CheckReport(incidents, entries, f"{row.ref}: {exc}")
            for f in fields(stored):
                if getattr(stored, f.name) != getattr(rebuilt, f.name):
                    return CheckReport(
                        incidents, entries,
                        f"{row.ref}: projection field {f.name} is {getattr(stored, f.name)!r} "
                        f"but the timeline says {getattr(rebuilt, f.name)!r}",
                    )
            if (row.respond_due, row.resolve_due, row.sla_due) != (
                rebuilt.respond_due, rebuilt.resolve_due, sort_due(rebuilt)
            ):
                return CheckReport(incidents, entries, f"{row.ref}: stored SLA due times are stale")
            problem_text = _milestones_problem(s, row.id, row.ref, timeline)
            if problem_text is not None:
                return CheckReport(incidents, entries, problem_text)
            if progress is not None and incidents % 1000 == 0:
                progress(incidents)
    return CheckReport(incidents, entries, None)


def _milestones_problem(s: Session, incident_id: int, ref: str,
                        timeline: list[TimelineEntry]) -> str | None:
    """The stored milestones against a fold of the timeline (the first field that differs)."""
    have = milestone_repo.stored(s, incident_id)
    if have is None:
        return f"{ref}: no milestones row (the metrics leave it out)"
    want = flat(fold(timeline))
    for name, value in want.items():
        if have[name] != value:
            return (f"{ref}: milestone {name} is {have[name]!r} but the timeline says {value!r}")
    incident = s.get(IncidentRow, incident_id)
    copies = milestone_repo.stored_copies(s, incident_id)
    if incident is not None and copies is not None:
        for name, value in milestone_repo.copied(s, incident).items():
            if copies[name] != value:
                return f"{ref}: milestone {name} is {copies[name]!r} but the incident says {value!r}"
    return None
