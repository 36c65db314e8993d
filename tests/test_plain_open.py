"""The alert processor's plain-SQL writes (services/incident_plain.py, storage/deferred_writes.py)
store exactly what the ORM path and one-statement-at-a-time writes store, on SQLite and
PostgreSQL. Each comparison runs the same steps on two fresh databases with the same clock and
entry uuids, and compares every row the steps wrote, column by column (ids included)."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.domain.lifecycle import Status
from imdesk.domain.timeline import EntryDraft, EntryKind
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident
from imdesk.services.integrity import check_database
from imdesk.storage import deferred_writes, locked_incident, timeline_repo
from imdesk.storage.locked_incident import LockedIncident
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow, TimelineEntryRow
from tests.conftest import START, twin_url

TABLES: tuple[Table, ...] = tuple(
    t.__table__ for t in (IncidentRow, MilestoneRow, TimelineEntryRow))  # type: ignore[misc]


def stored(ctx: AppContext) -> dict[str, list[dict[str, Any]]]:
    """Every row of the tables an opening and an append write, in key order."""
    with ctx.db.read() as s:
        return {t.name: [dict(r._mapping) for r in s.execute(
            select(*t.c).order_by(*(t.c.id if "id" in t.c else t.c.incident_id,)))]
            for t in TABLES}


@contextmanager
def twins(db_url: str, request: pytest.FixtureRequest, folder: Path,
          sqlite_template: Path) -> Iterator[tuple[AppContext, AppContext, ManualClock]]:
    """DB_URL and a fresh twin of it (in FOLDER), one clock."""
    clock = ManualClock(START)
    first = build_context(db_url, clock=clock, author="kim")
    second = build_context(twin_url(db_url, request, folder, sqlite_template), clock=clock,
                           author="kim")
    try:
        yield first, second, clock
    finally:
        first.close()
        second.close()


def on(ctx: AppContext, steps: Callable[[AppContext], None]) -> dict[str, list[dict[str, Any]]]:
    counter = itertools.count()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(timeline_repo, "uuid_mod", SimpleNamespace(
            uuid4=lambda: UUID(f"00000000-0000-4000-8000-{next(counter):012d}")))
        steps(ctx)
    assert check_database(ctx.db).ok
    return stored(ctx)


OPENINGS = [
    NewIncident(title="Mail down", impact="high", urgency="high", origin="monitoring",
                description="Opened from alertmanager\nalertname=MailDown"),
    NewIncident(title="VPN slow", impact="low", urgency="medium", service="VPN", major=True),
    NewIncident(title="Drill: DNS", impact="medium", urgency="low", exercise=True,
                opened_at=START - timedelta(minutes=20)),
]


def test_an_incident_opened_in_plain_sql_is_the_one_the_orm_opens(
        db_url: str, request: pytest.FixtureRequest, tmp_path: Path,
        sqlite_template: Path) -> None:
    with twins(db_url, request, tmp_path, sqlite_template) as (orm, plain, _clock):
        for ctx in (orm, plain):
            ctx.catalog.add("VPN", "high")

        def by_orm(ctx: AppContext) -> None:
            for new in OPENINGS:
                with ctx.db.write() as s:
                    ctx.incidents.create_in(s, new)

        def by_plain(ctx: AppContext) -> None:
            for new in OPENINGS:
                with ctx.db.write() as s:
                    opened = ctx.incidents.plain.create(s, new)
                    assert opened.ref.startswith("INC-") and opened.state.title == new.title

        expected = on(orm, by_orm)
        assert on(plain, by_plain) == expected
        assert [r["ref"] for r in expected["incident"]] == ["INC-1001", "INC-1002", "INC-1003"]
        found = plain.incidents.page(IncidentQuery(text="slow"), 0, 10)  # (the search index)
        assert [i.title for i in found] == ["VPN slow"]


# what a step appends: (kind, data) by name; status steps move along the lifecycle
STEPS: dict[str, Callable[[LockedIncident], EntryDraft | None]] = {
    "alert": lambda i: EntryDraft(EntryKind.ALERT, "alert firing: latency high",
                                  {"source": "alertmanager", "alerts": [{"key": "a"}]}),
    "note": lambda i: EntryDraft(EntryKind.NOTE, "called the network team", {}),
    "major": lambda i: EntryDraft(EntryKind.MAJOR, "declared a major incident",
                                  {"major": not i.state.major}),
    "priority": lambda i: EntryDraft(EntryKind.PRIORITY, "impact raised", {
        "impact": "high", "urgency": "high", "priority": "P1", "from": i.state.priority.value,
        "respond_minutes": 5, "resolve_minutes": 60}),
    "progress": lambda i: _status(i, {Status.NEW: Status.IN_PROGRESS,
                                      Status.IN_PROGRESS: Status.RESOLVED,
                                      Status.RESOLVED: Status.CLOSED}),
}


def _status(incident: LockedIncident, moves: dict[Status, Status]) -> EntryDraft | None:
    goal = moves.get(incident.state.status)
    if goal is None:
        return None
    return EntryDraft(EntryKind.STATUS, "moving on", {"from": incident.state.status.value,
                                                      "to": goal.value})


def _appends(ctx: AppContext, clock: ManualClock, plan: list[tuple[int, str]],
             deferring: bool) -> None:
    """Three incidents, then PLAN's appends: a unit each, or all in one deferring unit."""
    ctx.catalog.add("VPN", "high")
    with ctx.db.write() as s:
        refs = [ctx.incidents.plain.create(s, new).ref for new in OPENINGS]

    def step(s: Session, held: dict[int, LockedIncident], n: int, name: str) -> None:
        clock.advance(timedelta(seconds=7))
        incident = held.get(n) or locked_incident.lock(s, refs[n])
        held[n] = incident
        draft = STEPS[name](incident)
        if draft is not None:
            ctx.incidents.plain.append(s, incident, draft)

    if not deferring:
        for n, name in plan:
            with ctx.db.write() as s:
                step(s, {}, n, name)
        return
    with ctx.db.write() as s:
        deferred_writes.begin(s)
        held: dict[int, LockedIncident] = {}
        for n, name in plan:
            step(s, held, n, name)
        deferred_writes.end(s)


PLAN = st.lists(st.tuples(st.integers(0, 2), st.sampled_from(sorted(STEPS))), min_size=1,
                max_size=25)


@settings(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(plan=PLAN)
def test_a_deferring_unit_writes_what_one_unit_per_append_writes(
        request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
        sqlite_template: Path, plan: list[tuple[int, str]]) -> None:
    folder = tmp_path_factory.mktemp("twins")
    shutil.copyfile(sqlite_template, folder / "first.sqlite")
    with twins(f"sqlite:///{folder / 'first.sqlite'}", request, folder,
               sqlite_template) as (one_by_one, deferring, clock):
        expected = on(one_by_one, lambda c: _appends(c, clock, plan, deferring=False))
        clock.set(START)
        assert on(deferring, lambda c: _appends(c, clock, plan, deferring=True)) == expected


def test_a_deferring_unit_on_both_databases(db_url: str, request: pytest.FixtureRequest,
                                             tmp_path: Path, sqlite_template: Path) -> None:
    """A fixed run across three incidents (each moved on to closed) on SQLite and PostgreSQL;
    and nothing reaches the tables before the unit's end."""
    plan = [(n, name) for name in ["alert", "progress", "priority", "note", "major", "progress",
                                   "alert", "progress"] for n in range(3)]
    with twins(db_url, request, tmp_path, sqlite_template) as (one_by_one, deferring, clock):
        expected = on(one_by_one, lambda c: _appends(c, clock, plan, deferring=False))
        clock.set(START)
        assert on(deferring, lambda c: _appends(c, clock, plan, deferring=True)) == expected
        assert [r["status"] for r in expected["incident"]] == ["closed"] * 3
        with deferring.db.write() as s:
            deferred_writes.begin(s)
            incident = locked_incident.lock(s, "INC-1001")
            deferring.incidents.plain.append(s, incident, STEPS["note"](incident))
            count = s.execute(select(TimelineEntryRow.id).where(
                TimelineEntryRow.incident_id == incident.id)).all()
            assert len(count) == incident.state.last_seq - 1  # the new entry waits
            # an incident opened after an entry to another: its row goes in before both
            opened = deferring.incidents.plain.create(s, OPENINGS[0])
            deferring.incidents.plain.append(s, opened, STEPS["alert"](opened))
            deferred_writes.end(s)
        assert deferring.incidents.get("INC-1001").last_seq == incident.state.last_seq
        assert [e.kind for e in deferring.incidents.detail(opened.ref).timeline] == [
            "opened", "alert"]
        assert check_database(deferring.db).ok
