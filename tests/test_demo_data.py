"""The demo database: seeded once, believable, consistent, and deterministic per seed."""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.incident import IncidentState
from imdesk.domain.priority import Priority, PriorityMatrix
from imdesk.domain.sla import SlaPolicy, SlaState
from imdesk.services.demo.story import (
    DESK_NAME,
    StoryWriter,
    ensure_demo_data,
    load_story,
    plan_demo,
)
from imdesk.services.integrity import check_database
from imdesk.storage.incident_repo import IncidentQuery


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppContext]:
    path: Path = tmp_path_factory.mktemp("demo") / "d.sqlite"
    ctx = build_context(f"sqlite:///{path}")
    try:
        assert ensure_demo_data(ctx) is True
        yield ctx
    finally:
        ctx.close()


def _all(ctx: AppContext) -> list[IncidentState]:
    return ctx.incidents.page(IncidentQuery(sort="ref"), 0, 10_000)


def test_seeds_only_once(seeded: AppContext) -> None:
    before = seeded.incidents.count(IncidentQuery())
    assert ensure_demo_data(seeded) is False
    assert seeded.incidents.count(IncidentQuery()) == before
    assert seeded.settings.desk_name() == DESK_NAME


def test_the_story_is_believable(seeded: AppContext) -> None:
    states = _all(seeded)
    assert 150 <= len(states) <= 250
    names = {s.name for s in seeded.catalog.services()}
    assert {"E-mail", "ERP", "VPN", "Payroll", "Website", "Telephony", "Data-centre power",
            "Wi-Fi", "Printing"} <= names

    prios = Counter(s.priority for s in states)
    urgent = prios[Priority.P1] + prios[Priority.P2]
    assert 0 < urgent <= 0.15 * len(states)
    assert prios[Priority.P3] + prios[Priority.P4] > len(states) / 2

    majors = [s for s in states if s.major]
    assert any(s.status.is_open for s in majors)
    long_ones = [s for s in majors if len(seeded.incidents.detail(s.ref).timeline) >= 20]
    assert len(long_ones) >= 2
    assert any(s.exercise for s in states)
    assert len({s.origin for s in states}) == 5
    assert {s.status.value for s in states} >= {
        "new", "in_progress", "on_hold", "resolved", "closed", "cancelled"}


def test_open_incidents_show_every_sla_state(seeded: AppContext) -> None:
    now = datetime.now(UTC)
    readings = {s.sla(now).state for s in _all(seeded) if s.status.is_open}
    assert {SlaState.BREACHED, SlaState.OK, SlaState.AT_RISK, SlaState.PAUSED} <= readings


def test_timelines_are_ordered_and_never_in_the_future(seeded: AppContext) -> None:
    now = datetime.now(UTC)
    authors: set[str] = set()
    for state in _all(seeded):
        timeline = seeded.incidents.detail(state.ref).timeline
        # lines written offline keep their own recorded_at, where the merge appended them
        times = [e.recorded_at for e in timeline if "offline" not in e.data]
        assert times == sorted(times), state.ref  # one edit may write several entries at once
        assert times[-1] <= now
        authors.update(e.author for e in timeline)
    assert {"Kim Nguyen", "Sam Okafor", "Priya Raman", "Lucía Fernández"} <= authors


def test_database_passes_the_integrity_check(seeded: AppContext) -> None:
    report = check_database(seeded.db)
    assert report.ok, report.problem


def test_plans_are_deterministic_per_seed() -> None:
    story = load_story()
    now = datetime(2026, 3, 12, 14, 30, tzinfo=UTC)
    first, again = plan_demo(story, now, rng_seed=3), plan_demo(story, now, rng_seed=3)
    assert [(p.new, p.steps) for p in first] == [(p.new, p.steps) for p in again]
    other = plan_demo(story, now, rng_seed=4)
    assert [p.new.title for p in first] != [p.new.title for p in other]


def test_every_story_text_fills_in() -> None:
    """No template refers to a placeholder the writer does not know."""
    story = load_story()
    writer = StoryWriter(story, random.Random(1), datetime.now(UTC), PriorityMatrix(), SlaPolicy())
    for service in story["services"]:
        fill = writer.fill(service)
        texts = service["notes"] + [t for tpl in service["incidents"]
                                    for t in (tpl["title"], tpl["description"], tpl["fix"])]
        texts += story["notes"] + story["reopen_notes"] + story["close_notes"]
        texts += story["cancel_reasons"]
        texts += [r[k] for r in story["hold_reasons"] for k in ("text", "resume")]
        for text in texts:
            assert "{" not in text.format_map(fill).replace("{dup}", ""), text



def test_the_open_war_room_is_used_as_meant(seeded: AppContext) -> None:
    """A newcomer opening the demo's war room sees roles held, the bridge, C/A/N, action items,
    decisions and sent updates — and the next update not overdue."""
    from imdesk.domain.war_room import ActionStatus, ClockState, Role

    (open_room,) = seeded.war_rooms.open_rooms()
    room = seeded.war_rooms.room(open_room.ref)
    state = room.state
    assert state.roles[Role.INCIDENT_MANAGER].name == "Kim Nguyen"  # handed over from Priya
    assert {r: h.name for r, h in state.roles.items() if r != Role.INCIDENT_MANAGER} == {
        Role.TECH_LEAD: "Ahmed Haddad", Role.COMMUNICATIONS: "Jonas Berg", Role.SCRIBE: "Mei Tanaka"}
    assert state.bridge.startswith("+49 30 1234")
    assert state.situation.conditions and state.situation.actions and state.situation.needs
    assert state.situation.impact
    assert {a.status for a in state.actions.values()} == {ActionStatus.OPEN, ActionStatus.DONE}
    assert all(a.owner for a in state.actions.values())
    assert room.update.state in (ClockState.OK, ClockState.DUE_SOON), room.update
    assert room.handover.state == ClockState.OK  # the new IM took over minutes ago
    kinds = Counter(str(e.kind) for e in seeded.war_rooms.entries(open_room.ref, limit=500))
    assert kinds["communication"] == 4 and kinds["decision"] >= 1 and kinds["role"] == 5
    handover = [e for e in seeded.war_rooms.entries(open_room.ref, kinds=("role",))
                if "handed over" in e.text]
    assert [e.text for e in handover] == ["Incident manager handed over from Priya Raman to Kim Nguyen"]
