"""The war room: declaring, roles with explicit hand-over, people, situation, action items, the
update and hand-over clocks (derived from the timeline), paging, corrections, open rooms, and
the command line (major declare, action add/done, role assign)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, Priority, PriorityMatrix
from imdesk.domain.timefmt import readable
from imdesk.domain.timeline import TimelineEntry, iso
from imdesk.domain.war_room import (
    DEFAULT_UPDATE_POLICY,
    HANDOVER_SUGGEST,
    HANDOVER_WARN,
    ActionStatus,
    ClockState,
    Role,
)
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.services.integrity import check_database
from tests.helpers.cli_runner import Cli

ALLOWED_ROLES = ", ".join(r.value for r in Role)


def _levels(priority: Priority) -> tuple[Level, Level]:
    """An (impact, urgency) pair the default matrix maps to this priority."""
    return next(k for k, v in PriorityMatrix().cells.items() if v == priority)


def _incident(ctx: AppContext, priority: Priority = Priority.P1, *, major: bool = False) -> str:
    impact, urgency = _levels(priority)
    return ctx.incidents.create(NewIncident(title="Core switch down in DC2", impact=impact.value,
                                            urgency=urgency.value, major=major)).ref


def _timeline(ctx: AppContext, ref: str) -> list[TimelineEntry]:
    return ctx.incidents.detail(ref).timeline


def _intact(ctx: AppContext) -> None:
    report = check_database(ctx.db)
    assert report.ok, report.problem
    assert ctx.timeline.verify().ok


def _refused(ctx: AppContext, ref: str, match: str, fn: Any, *args: Any, **kwargs: Any) -> str:
    """The call is refused with a ValidationError matching `match` and writes nothing."""
    before = _timeline(ctx, ref)
    with pytest.raises(ValidationError, match=match) as err:
        fn(*args, **kwargs)
    assert _timeline(ctx, ref) == before
    return err.value.message


# -- declaring ------------------------------------------------------------------------------------

def test_declaring_writes_each_checklist_step(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx)
    clock.advance(timedelta(minutes=3))
    declared = clock.now()
    room = ctx.war_rooms.declare(ref, bridge="  tel:+49 30 1234 5678  pin 4711 ",
                                 roles={"im": "Kim Berg", "tech lead": "Lee Wu"},
                                 first_update_minutes=10)
    steps = _timeline(ctx, ref)[1:]
    assert [e.kind for e in steps] == ["major", "bridge", "role", "role", "note"]
    assert {(e.author, e.recorded_at) for e in steps} == {("tester", declared)}
    assert steps[1].data["bridge"] == "tel:+49 30 1234 5678 pin 4711"
    assert [(e.data["role"], e.data["name"], e.data["previous"]) for e in steps[2:4]] == [
        (Role.INCIDENT_MANAGER.value, "Kim Berg", None), (Role.TECH_LEAD.value, "Lee Wu", None)]
    assert steps[4].data["first_update_due"] == iso(declared + timedelta(minutes=10))

    assert room.incident.major and room.state.declared_at == declared
    assert room.state.bridge == "tel:+49 30 1234 5678 pin 4711"
    assert {r: (h.name, h.since) for r, h in room.state.roles.items()} == {
        Role.INCIDENT_MANAGER: ("Kim Berg", declared), Role.TECH_LEAD: ("Lee Wu", declared)}
    assert room.update.due == declared + timedelta(minutes=10)
    assert room.handover.state == ClockState.OK
    assert room.entry_count == len(steps) + 1
    assert ctx.incidents.get(ref).major
    _intact(ctx)


def test_declaring_twice_is_refused_but_the_checklist_can_be_completed(ctx: AppContext) -> None:
    ref = _incident(ctx)
    ctx.war_rooms.declare(ref)
    assert [e.kind for e in _timeline(ctx, ref)] == ["opened", "major"]
    _refused(ctx, ref, "already a major incident", ctx.war_rooms.declare, ref)
    room = ctx.war_rooms.declare(ref, bridge="https://meet.example.org/dc2")
    assert [e.kind for e in _timeline(ctx, ref)] == ["opened", "major", "bridge"]
    assert room.state.bridge == "https://meet.example.org/dc2"
    _intact(ctx)


@pytest.mark.parametrize("final", [Status.RESOLVED, Status.CLOSED, Status.CANCELLED])
def test_declaring_an_ended_incident_is_refused(ctx: AppContext, final: Status) -> None:
    ref = _incident(ctx)
    path = {Status.RESOLVED: [Status.IN_PROGRESS, Status.RESOLVED],
            Status.CLOSED: [Status.IN_PROGRESS, Status.RESOLVED, Status.CLOSED],
            Status.CANCELLED: [Status.CANCELLED]}[final]
    for step in path:
        ctx.incidents.change_status(ref, step, note="switch replaced, traffic back")
    before = _timeline(ctx, ref)
    with pytest.raises(TransitionError, match=f"{ref} is {final.label}: declare a new incident"):
        ctx.war_rooms.declare(ref, bridge="tel:123")
    assert _timeline(ctx, ref) == before and not ctx.incidents.get(ref).major


def test_an_incident_opened_as_major_has_its_room_declared(ctx: AppContext,
                                                            clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    opened = clock.now()
    clock.advance(timedelta(minutes=1))
    room = ctx.war_rooms.room(ref)
    assert room.state.declared_at == opened
    assert room.update.due == opened + timedelta(minutes=DEFAULT_UPDATE_POLICY[Priority.P1]
                                                 .first_minutes)
    assert room.handover.state == ClockState.OK
    _refused(ctx, ref, "already a major incident", ctx.war_rooms.declare, ref)
    ctx.war_rooms.declare(ref, roles={"im": "Kim"})
    assert [e.kind for e in _timeline(ctx, ref)] == ["opened", "role"]
    assert ctx.war_rooms.room(ref).state.declared_at == opened


def test_no_longer_major_closes_the_room_and_declaring_again_restarts_it(
        ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx)
    ctx.war_rooms.declare(ref)
    clock.advance(timedelta(minutes=40))
    ctx.incidents.edit(ref, IncidentEdit(major=False))
    room = ctx.war_rooms.room(ref)
    assert room.state.declared_at is None and room.update.state == ClockState.NONE
    assert ref not in [st.ref for st in ctx.war_rooms.open_rooms()]
    clock.advance(timedelta(minutes=5))
    room = ctx.war_rooms.declare(ref)
    assert room.state.declared_at == clock.now()
    assert (room.update.due, room.update.state) == (
        clock.now() + timedelta(minutes=DEFAULT_UPDATE_POLICY[Priority.P1].first_minutes),
        ClockState.OK)


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"roles": {"boss": "Kim"}}, f"role must be one of {ALLOWED_ROLES}, not 'boss'"),
    ({"roles": {"im": "  \u200b"}}, "name must not be empty"),
    ({"first_update_minutes": 0}, "1 to 240 minutes"),
    ({"first_update_minutes": 241}, "1 to 240 minutes"),
    ({"bridge": "x" * 501}, "limit is 500"),
])
def test_declare_refuses_bad_input_and_writes_nothing(ctx: AppContext, kwargs: dict[str, Any],
                                                      match: str) -> None:
    ref = _incident(ctx)
    _refused(ctx, ref, match, ctx.war_rooms.declare, ref, **kwargs)
    assert not ctx.incidents.get(ref).major


# -- roles ----------------------------------------------------------------------------------------

def test_roles_are_handed_over_explicitly(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx)
    ctx.war_rooms.declare(ref)
    clock.advance(timedelta(minutes=2))
    first = ctx.war_rooms.assign_role(ref, "incident_manager", "Kim Berg")
    assert (first.kind, first.text) == ("role", "Incident manager: Kim Berg")
    assert first.data == {"role": "incident_manager", "name": "Kim Berg", "previous": None,
                          "desk": ctx.desk.as_data()}  # the desk that wrote it
    clock.advance(timedelta(minutes=50))
    second = ctx.war_rooms.assign_role(ref, "IM", "Sam Ode")
    assert second.text == "Incident manager handed over from Kim Berg to Sam Ode"
    assert second.data["previous"] == "Kim Berg"
    assert second.seq == first.seq + 1
    holder = ctx.war_rooms.room(ref).state.roles[Role.INCIDENT_MANAGER]
    assert (holder.name, holder.since) == ("Sam Ode", clock.now())

    _refused(ctx, ref, "Sam Ode already is incident manager",
             ctx.war_rooms.assign_role, ref, "incident_manager", "  Sam   Ode ")
    message = _refused(ctx, ref, "role must be one of", ctx.war_rooms.assign_role,
                       ref, "boss", "Kim")
    assert message == f"role must be one of {ALLOWED_ROLES}, not 'boss'"
    _refused(ctx, ref, "name must not be empty", ctx.war_rooms.assign_role, ref, "scribe", " ")
    _intact(ctx)


@pytest.mark.parametrize(("typed", "role"), [
    ("im", Role.INCIDENT_MANAGER), ("IC", Role.INCIDENT_MANAGER),
    ("Incident Manager", Role.INCIDENT_MANAGER), ("tl", Role.TECH_LEAD),
    ("technical-lead", Role.TECH_LEAD), ("tech_lead", Role.TECH_LEAD),
    ("comms", Role.COMMUNICATIONS), ("Communications", Role.COMMUNICATIONS),
    (" scribe ", Role.SCRIBE),
])
def test_role_aliases(ctx: AppContext, typed: str, role: Role) -> None:
    ref = _incident(ctx, major=True)
    entry = ctx.war_rooms.assign_role(ref, typed, "Ana")
    assert entry.data["role"] == role.value and entry.text == f"{role.label}: Ana"
    assert ctx.war_rooms.room(ref).state.roles[role].name == "Ana"


# -- people and situation -------------------------------------------------------------------------

def test_participants_join_and_leave(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    joined_at = clock.now()
    for name in ("Ana", "Bo", "Cy"):
        entry = ctx.war_rooms.participant(ref, name, joined=True)
        assert (entry.kind, entry.text) == ("participant", f"{name} joined")
    _refused(ctx, ref, "Ana is already in the room",
             ctx.war_rooms.participant, ref, "Ana", joined=True)
    clock.advance(timedelta(minutes=7))
    left = ctx.war_rooms.participant(ref, "Bo", joined=False)
    assert left.text == "Bo left"
    _refused(ctx, ref, "Bo is not in the room", ctx.war_rooms.participant, ref, "Bo", joined=False)
    _refused(ctx, ref, "Dee is not in the room",
             ctx.war_rooms.participant, ref, "Dee", joined=False)
    state = ctx.war_rooms.room(ref).state
    assert state.present == ["Ana", "Cy"]
    assert state.participants["Bo"] == (joined_at, clock.now())
    clock.advance(timedelta(minutes=1))
    ctx.war_rooms.participant(ref, "Bo", joined=True)  # back again
    assert ctx.war_rooms.room(ref).state.present == ["Ana", "Bo", "Cy"]
    _intact(ctx)


def test_situation_latest_wins_and_text_is_cleaned(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    ctx.war_rooms.set_situation(ref, conditions="DC2 core switch down", actions="failover",
                                needs="network vendor", impact="payroll offline")
    clock.advance(timedelta(minutes=4))
    entry = ctx.war_rooms.set_situation(
        ref, conditions="  DC2 \u202eswitch\u202c replaced  ", actions="",
        needs="<b>vendor</b> on site\u200b", impact="none since 10:42")
    assert entry.kind == "situation"
    assert entry.data["cleaned"] == "3 hidden control characters removed"
    assert entry.text == ("situation — Conditions: DC2 switch replaced · Needs: <b>vendor</b> on "
                          "site · Impact: none since 10:42")
    situation = ctx.war_rooms.room(ref).state.situation
    assert (situation.conditions, situation.actions, situation.needs, situation.impact,
            situation.written_at) == ("DC2 switch replaced", "", "<b>vendor</b> on site",
                                      "none since 10:42", clock.now())
    cleared = ctx.war_rooms.set_situation(ref, conditions=" ", actions="", needs="", impact="")
    assert cleared.text == "situation — cleared"
    assert ctx.war_rooms.room(ref).state.situation.conditions == ""
    _refused(ctx, ref, "limit is 4,000", ctx.war_rooms.set_situation, ref,
             conditions="x" * 4001, actions="", needs="", impact="")
    _intact(ctx)


def test_bridge_is_recorded_and_replaced(ctx: AppContext) -> None:
    ref = _incident(ctx, major=True)
    ctx.war_rooms.set_bridge(ref, "tel:+49 30 1234")
    entry = ctx.war_rooms.set_bridge(ref, "https://meet.example.org/\u2066dc2")
    assert (entry.kind, entry.data["bridge"]) == ("bridge", "https://meet.example.org/dc2")
    assert entry.data["cleaned"] == "1 hidden control character removed"
    assert ctx.war_rooms.room(ref).state.bridge == "https://meet.example.org/dc2"
    _refused(ctx, ref, "bridge must not be empty", ctx.war_rooms.set_bridge, ref, "  ")


# -- action items ---------------------------------------------------------------------------------

def test_action_items_numbers_owner_due_and_status(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    due = clock.now() + timedelta(minutes=30)
    texts = ["Fail over DNS to DC1", "Call the switch vendor", "Tell the payroll team"]
    numbers = [ctx.war_rooms.add_action(ref, t, owner="Lee" if i == 0 else "",
                                        due=due if i < 2 else None)
               for i, t in enumerate(texts)]
    assert numbers == list(range(1, len(texts) + 1))
    added = [e for e in _timeline(ctx, ref) if e.kind == "action_item"]
    assert added[0].text == f"action 1: {texts[0]} — Lee, due {readable(due)}"  # local, with the day
    assert added[2].text == f"action 3: {texts[2]}"
    actions = ctx.war_rooms.room(ref).state.actions
    assert [(a.number, a.text, a.owner, a.due, a.status) for a in actions.values()] == [
        (1, texts[0], "Lee", due, ActionStatus.OPEN), (2, texts[1], "", due, ActionStatus.OPEN),
        (3, texts[2], "", None, ActionStatus.OPEN)]
    assert not any(a.overdue(clock.now()) for a in actions.values())

    done = ctx.war_rooms.update_action(ref, 1, status="done")
    assert (done.kind, done.text) == ("action_item", f"action 1 ({texts[0]}): done")
    dropped = ctx.war_rooms.update_action(ref, 3, status="dropped", owner="Ana")
    assert dropped.text == f"action 3 ({texts[2]}): dropped, owner Ana"
    clock.set(due + timedelta(seconds=1))
    actions = ctx.war_rooms.room(ref).state.actions
    assert {n: (a.status, a.overdue(clock.now())) for n, a in actions.items()} == {
        1: (ActionStatus.DONE, False), 2: (ActionStatus.OPEN, True),
        3: (ActionStatus.DROPPED, False)}
    assert (actions[1].owner, actions[1].due, actions[3].owner) == ("Lee", due, "Ana")
    assert not actions[2].overdue(due)  # due at, not before

    _refused(ctx, ref, f"{ref} has no action 4", ctx.war_rooms.update_action, ref, 4,
             status="done")
    _refused(ctx, ref, "action 1 is already done", ctx.war_rooms.update_action, ref, 1,
             status="done")
    _refused(ctx, ref, "status must be one of open, done, dropped",
             ctx.war_rooms.update_action, ref, 2, status="finished")
    _refused(ctx, ref, "nothing to change", ctx.war_rooms.update_action, ref, 2)
    reopened = ctx.war_rooms.update_action(ref, 1, status="open")
    assert reopened.data == {"number": 1, "status": "open", "desk": ctx.desk.as_data()}
    assert ctx.war_rooms.room(ref).state.actions[1].overdue(clock.now())
    _intact(ctx)


def test_action_items_refuse_bad_input(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    now = clock.now()
    _refused(ctx, ref, "action must not be empty", ctx.war_rooms.add_action, ref, " \u200b ")
    _refused(ctx, ref, "is already past", ctx.war_rooms.add_action, ref, "x",
             due=now - timedelta(minutes=2))
    _refused(ctx, ref, "UTC offset", ctx.war_rooms.add_action, ref, "x",
             due=now.replace(tzinfo=None) + timedelta(hours=1))
    _refused(ctx, ref, "limit is 1,000", ctx.war_rooms.add_action, ref, "x" * 1001)
    # A due time in another zone is the same instant, kept in UTC.
    cet = datetime(2026, 11, 2, 11, 0, tzinfo=UTC).astimezone(ZoneInfo("Europe/Berlin"))
    number = ctx.war_rooms.add_action(ref, "Restart the payroll batch", due=cet)
    item = ctx.war_rooms.room(ref).state.actions[number]
    assert item.due == cet and item.due.utcoffset() == timedelta(0)
    assert item.created_at == now


# -- the update clock -----------------------------------------------------------------------------

@pytest.mark.parametrize("priority", list(Priority))
def test_update_clock_follows_the_policy(ctx: AppContext, clock: ManualClock,
                                         priority: Priority) -> None:
    policy = DEFAULT_UPDATE_POLICY[priority]
    ref = _incident(ctx, priority)
    declared = ctx.war_rooms.declare(ref).state.declared_at
    assert declared is not None
    first = timedelta(minutes=policy.first_minutes)

    def state_at(offset: timedelta, start: datetime) -> ClockState:
        clock.set(start + offset)
        room = ctx.war_rooms.room(ref)
        assert room.update.due is not None
        assert room.update.remaining == room.update.due - clock.now()
        return room.update.state

    assert ctx.war_rooms.room(ref).update.due == declared + first
    last_quarter = first - first / 4
    assert state_at(last_quarter - timedelta(seconds=1), declared) == ClockState.OK
    assert state_at(last_quarter, declared) == ClockState.DUE_SOON
    assert state_at(first - timedelta(seconds=1), declared) == ClockState.DUE_SOON
    assert state_at(first, declared) == ClockState.OVERDUE

    ctx.incidents.add_entry(ref, "note: still investigating")
    ctx.incidents.add_entry(ref, "fail over to DC1", "decision")
    assert ctx.war_rooms.room(ref).update.state == ClockState.OVERDUE  # only updates count

    clock.advance(timedelta(minutes=3))
    sent = ctx.incidents.add_entry(ref, "update mailed to stakeholders", "communication")
    every = timedelta(minutes=policy.every_minutes)
    room = ctx.war_rooms.room(ref)
    assert (room.state.last_update_at, room.update.due, room.update.state) == (
        sent.recorded_at, sent.recorded_at + every, ClockState.OK)
    assert state_at(every - every / 4, sent.recorded_at) == ClockState.DUE_SOON
    assert state_at(every, sent.recorded_at) == ClockState.OVERDUE


def test_first_update_minutes_and_backdated_updates(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx)
    room = ctx.war_rooms.declare(ref, first_update_minutes=12)
    declared = clock.now()
    assert room.update.due == declared + timedelta(minutes=12)
    clock.advance(timedelta(minutes=8))
    assert ctx.war_rooms.room(ref).update.state == ClockState.OK  # 4 of 12 min left
    clock.advance(timedelta(minutes=2))
    assert ctx.war_rooms.room(ref).update.state == ClockState.DUE_SOON
    every = timedelta(minutes=DEFAULT_UPDATE_POLICY[Priority.P1].every_minutes)
    sent = ctx.incidents.add_entry(ref, "first update sent", "communication")
    clock.advance(timedelta(minutes=1))
    # Recorded late, happened earlier: the clock keeps counting from the latest update.
    ctx.incidents.add_entry(ref, "also phoned the CFO", "communication",
                            occurred_at=declared + timedelta(minutes=2))
    assert ctx.war_rooms.room(ref).update.due == sent.recorded_at + every
    # Backdated after the latest one: the clock counts from when it happened.
    clock.advance(timedelta(minutes=10))
    late = clock.now() - timedelta(minutes=5)
    ctx.incidents.add_entry(ref, "status page updated", "communication", occurred_at=late)
    assert ctx.war_rooms.room(ref).update.due == late + every


def test_clocks_survive_reopening_the_database(ctx: AppContext, db_url: str,
                                               clock: ManualClock) -> None:
    ref = _incident(ctx)
    ctx.war_rooms.declare(ref, bridge="tel:1", roles={"im": "Kim"}, first_update_minutes=7)
    clock.advance(timedelta(minutes=6))
    ctx.incidents.add_entry(ref, "update 1", "communication")
    ctx.war_rooms.add_action(ref, "Fail over", owner="Lee", due=clock.now() + timedelta(hours=1))
    ctx.war_rooms.participant(ref, "Ana", joined=True)
    clock.advance(timedelta(minutes=80))
    before = ctx.war_rooms.room(ref)
    assert (before.update.state, before.handover.state) == (ClockState.OVERDUE,
                                                           ClockState.DUE_SOON)
    ctx.close()
    reopened = build_context(db_url, clock=clock, author="someone else")
    try:
        assert reopened.war_rooms.room(ref) == before
        assert [st.ref for st in reopened.war_rooms.open_rooms()] == [ref]
    finally:
        reopened.close()


# -- the hand-over clock --------------------------------------------------------------------------

def test_handover_clock(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx)
    ctx.war_rooms.declare(ref, roles={"im": "Kim"})
    since = clock.now()

    def reading(after: timedelta) -> tuple[ClockState, datetime | None]:
        clock.set(since + after)
        c = ctx.war_rooms.room(ref).handover
        return c.state, c.due

    assert reading(HANDOVER_SUGGEST - timedelta(seconds=1)) == (ClockState.OK,
                                                                since + HANDOVER_WARN)
    assert reading(HANDOVER_SUGGEST)[0] == ClockState.DUE_SOON
    ctx.war_rooms.assign_role(ref, "tl", "Lee")  # another role: no reset
    assert reading(HANDOVER_WARN - timedelta(seconds=1))[0] == ClockState.DUE_SOON
    assert reading(HANDOVER_WARN)[0] == ClockState.OVERDUE
    ctx.war_rooms.assign_role(ref, "im", "Sam")
    since = clock.now()
    assert reading(timedelta(0)) == (ClockState.OK, since + HANDOVER_WARN)
    assert ctx.war_rooms.room(ref).handover.remaining == HANDOVER_WARN


def test_handover_clock_counts_from_the_declaration_without_an_im(ctx: AppContext,
                                                                  clock: ManualClock) -> None:
    ref = _incident(ctx)
    assert ctx.war_rooms.room(ref).handover.state == ClockState.NONE  # not a major incident
    ctx.war_rooms.declare(ref)
    declared = clock.now()
    clock.advance(HANDOVER_SUGGEST)
    assert ctx.war_rooms.room(ref).handover.state == ClockState.DUE_SOON
    ctx.war_rooms.assign_role(ref, "im", "Kim")
    handover = ctx.war_rooms.room(ref).handover
    assert (handover.state, handover.due) == (ClockState.OK, clock.now() + HANDOVER_WARN)
    assert handover.due != declared + HANDOVER_WARN


# -- reading the timeline -------------------------------------------------------------------------

def test_entries_pages_newest_first_and_filters(ctx: AppContext, clock: ManualClock) -> None:
    ref = _incident(ctx, major=True)
    for n in range(25):
        clock.advance(timedelta(seconds=30))
        ctx.incidents.add_entry(ref, f"line {n}", "decision" if n % 5 == 0 else "note")
    everything = _timeline(ctx, ref)
    newest = ctx.war_rooms.entries(ref, limit=10)
    assert newest == everything[-10:]
    older = ctx.war_rooms.entries(ref, before_seq=newest[0].seq, limit=10)
    assert older == everything[-20:-10]
    oldest = ctx.war_rooms.entries(ref, before_seq=older[0].seq, limit=10)
    assert oldest == everything[:-20]
    assert ctx.war_rooms.entries(ref, before_seq=oldest[0].seq) == []

    head = everything[-1].seq
    assert ctx.war_rooms.entries(ref, after_seq=head) == []
    new = ctx.incidents.add_entry(ref, "bridge is noisy", "note")
    assert ctx.war_rooms.entries(ref, after_seq=head) == [new]

    decisions = ctx.war_rooms.entries(ref, kinds=("decision",))
    assert decisions == [e for e in everything if e.kind == "decision"]
    assert ctx.war_rooms.entries(ref, kinds=("decision",), limit=2) == decisions[-2:]
    assert ctx.war_rooms.entries(ref, kinds=("decision", "opened"),
                                 before_seq=decisions[1].seq) == [everything[0], decisions[0]]


def test_corrections_are_listed_as_superseded(ctx: AppContext) -> None:
    ref = _incident(ctx, major=True)
    assert ctx.war_rooms.superseded(ref) == frozenset()
    wrong = ctx.incidents.add_entry(ref, "failover started at 10:24", "action")
    fixed = ctx.incidents.add_entry(ref, "failover started at 10:42", "action",
                                    supersedes=wrong.seq)
    wrong_update = ctx.incidents.add_entry(ref, "update to the board", "communication")
    ctx.incidents.add_entry(ref, "update to the executive board", "communication",
                            supersedes=wrong_update.seq)
    assert ctx.war_rooms.superseded(ref) == {wrong.seq, wrong_update.seq}
    assert ctx.war_rooms.room(ref).state.superseded == {wrong.seq, wrong_update.seq}
    assert fixed.seq not in ctx.war_rooms.superseded(ref)
    shown = {e.seq: e.text for e in ctx.war_rooms.entries(ref)}
    assert shown[wrong.seq] == wrong.text  # the superseded line stays in the record


def test_open_rooms_lists_open_majors_most_urgent_first(ctx: AppContext,
                                                        clock: ManualClock) -> None:
    p3 = _incident(ctx, Priority.P3)
    ctx.war_rooms.declare(p3)
    clock.advance(timedelta(minutes=1))
    p1_old = _incident(ctx, Priority.P1, major=True)
    clock.advance(timedelta(minutes=1))
    p1_new = _incident(ctx, Priority.P1)
    ctx.war_rooms.declare(p1_new)
    _incident(ctx, Priority.P1)  # not major
    closed = _incident(ctx, Priority.P1, major=True)
    ctx.incidents.change_status(closed, Status.CANCELLED, note="duplicate of the DC2 outage")
    resolved = _incident(ctx, Priority.P2, major=True)
    ctx.incidents.change_status(resolved, Status.IN_PROGRESS)
    ctx.incidents.change_status(resolved, Status.RESOLVED, note="fixed")
    on_hold = _incident(ctx, Priority.P2, major=True)
    ctx.incidents.change_status(on_hold, Status.IN_PROGRESS)
    ctx.incidents.change_status(on_hold, Status.ON_HOLD, note="waiting for the vendor")
    rooms = ctx.war_rooms.open_rooms()
    assert [st.ref for st in rooms] == [p1_old, p1_new, on_hold, p3]
    assert all(st.major and st.status.is_open for st in rooms)


def test_every_step_is_one_entry_and_the_record_stays_intact(ctx: AppContext,
                                                             clock: ManualClock) -> None:
    ref = _incident(ctx)
    wr = ctx.war_rooms
    steps: list[tuple[str, Any]] = [
        ("bridge", lambda: wr.set_bridge(ref, "tel:1")),
        ("role", lambda: wr.assign_role(ref, "scribe", "Ana")),
        ("role", lambda: wr.assign_role(ref, "scribe", "Bo")),
        ("participant", lambda: wr.participant(ref, "Cy", joined=True)),
        ("participant", lambda: wr.participant(ref, "Cy", joined=False)),
        ("situation", lambda: wr.set_situation(ref, conditions="c", actions="a", needs="n",
                                               impact="i")),
        ("action_item", lambda: wr.add_action(ref, "do it")),
        ("action_item", lambda: wr.update_action(ref, 1, owner="Bo")),
        ("communication", lambda: ctx.incidents.add_entry(ref, "update", "communication")),
    ]
    ctx.war_rooms.declare(ref)
    for kind, step in steps:
        clock.advance(timedelta(seconds=20))
        before = ctx.incidents.get(ref).last_seq
        step()
        after = _timeline(ctx, ref)
        assert (len(after), after[-1].kind, after[-1].recorded_at) == (before + 1, kind,
                                                                       clock.now())
        _intact(ctx)


def test_an_unknown_incident_is_not_found(ctx: AppContext) -> None:
    from imdesk.domain.errors import NotFoundError

    for call in (lambda: ctx.war_rooms.room("INC-9999"),
                 lambda: ctx.war_rooms.declare("INC-9999"),
                 lambda: ctx.war_rooms.add_action("INC-9999", "x")):
        with pytest.raises(NotFoundError):
            call()


# -- command line ---------------------------------------------------------------------------------

def _utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_cli_declare_actions_and_roles(capsys: pytest.CaptureFixture[str], db_url: str) -> None:
    cli = Cli(capsys, db_url)
    ref = cli.json("incident", "add", "--title", "DC2 down", "--impact", "high",
                   "--urgency", "high")["ref"]
    room = cli.json("major", "declare", ref.lower(), "--bridge", "tel:+49 30 1234",
                    "--im", "Kim Berg", "--first-update", "10")
    declared = _utc(room["declared_at"])
    assert (room["ref"], room["bridge"], room["priority"], room["status"]) == (
        ref, "tel:+49 30 1234", "P1", "new")
    assert room["roles"] == {"incident_manager": {"name": "Kim Berg", "since": room["declared_at"]}}
    assert _utc(room["next_update_due"]) == declared + timedelta(minutes=10)
    assert (room["next_update_state"], room["handover_state"]) == ("ok", "ok")
    assert room["head_hash"] == cli.timeline(ref)[-1]["hash"]
    assert [e["kind"] for e in cli.timeline(ref)] == ["opened", "major", "bridge", "role", "note"]
    cli.refused(ref, "already a major incident", "major", "declare", ref)
    cli.refused(ref, "1 to 240 minutes", "major", "declare", ref, "--first-update", "0")
    cli.refused(ref, "not a whole number", "major", "declare", ref, "--first-update", "soon")

    code, out, err = cli("major", "declare", ref, "--bridge", "https://meet.example.org/x")
    assert (code, err) == (0, "") and out.startswith(f"{ref} is a major incident")

    due = (datetime.now(UTC) + timedelta(hours=1)).replace(microsecond=0)
    added = cli.json("action", "add", ref, "Fail over DNS", "--owner", "Lee",
                     "--due", iso(due) or "")
    assert added == {"ref": ref, "number": 1}
    code, out, err = cli("action", "add", ref, "Call the vendor")
    assert (code, out, err) == (0, f"{ref} action 2 added\n", "")
    cli.refused(ref, "ISO 8601", "action", "add", ref, "x", "--due", "tomorrow")
    cli.refused(ref, "needs its UTC offset", "action", "add", ref, "x", "--due",
                "2030-01-01T10:00")
    cli.refused(ref, "is already past", "action", "add", ref, "x", "--due",
                "2001-01-01T10:00:00Z")
    cli.refused(ref, "action must not be empty", "action", "add", ref, "  ")

    code, out, err = cli("action", "done", ref, "1")
    assert (code, out, err) == (0, f"{ref} action 1 (Fail over DNS): done\n", "")
    cli.refused(ref, "action 1 is already done", "action", "done", ref, "1")
    cli.refused(ref, f"{ref} has no action 3", "action", "done", ref, "3")
    cli.refused(ref, "not a whole number", "action", "done", ref, "one")

    code, out, err = cli("role", "assign", ref, "tl", "Lee Wu")
    assert (code, out, err) == (0, f"{ref}: Technical lead: Lee Wu\n", "")
    code, out, err = cli("role", "assign", ref, "im", "Sam Ode")
    assert (code, out, err) == (
        0, f"{ref}: Incident manager handed over from Kim Berg to Sam Ode\n", "")
    cli.refused(ref, f"role must be one of {ALLOWED_ROLES}, not 'boss'",
                "role", "assign", ref, "boss", "Kim")
    cli.refused(ref, "Sam Ode already is incident manager", "role", "assign", ref, "im",
                "Sam Ode")

    code, out, _err = cli("db", "check")
    assert code == 0 and out.startswith("ok:")
    assert cli("timeline", "verify")[0] == 0


def test_cli_refuses_ended_and_unknown_incidents(capsys: pytest.CaptureFixture[str],
                                                 sqlite_url: str) -> None:
    cli = Cli(capsys, sqlite_url)
    ref = cli.json("incident", "add", "--title", "Printer", "--impact", "low",
                   "--urgency", "low")["ref"]
    assert cli("incident", "status", ref, "cancelled", "--note", "duplicate")[0] == 0
    cli.refused(ref, "declare a new incident", "major", "declare", ref, "--bridge", "tel:1")
    code, out, err = cli("major", "declare", "INC-9999")
    assert (code, out) == (2, "") and err.count("\n") == 1 and "INC-9999" in err
    code, out, err = cli("action", "done", "INC-9999", "1")
    assert (code, out) == (2, "") and err.count("\n") == 1


def test_a_closed_incidents_room_takes_no_more_changes(sqlite_ctx: AppContext) -> None:
    from imdesk.domain.errors import TransitionError
    from imdesk.services.incidents import NewIncident

    rooms = sqlite_ctx.war_rooms
    ref = sqlite_ctx.incidents.create(NewIncident(title="Payroll batch failed", impact="high",
                                                  urgency="high", major=True)).ref
    rooms.assign_role(ref, "im", "Kim Nguyen")
    sqlite_ctx.incidents.change_status(ref, "resolved", "batch re-run")
    sqlite_ctx.incidents.change_status(ref, "closed")
    before = sqlite_ctx.incidents.detail(ref)
    for attempt in (lambda: rooms.assign_role(ref, "im", "Sam Okafor"),
                    lambda: rooms.add_action(ref, "write the PIR"),
                    lambda: rooms.participant(ref, "Jonas Berg", joined=True),
                    lambda: rooms.set_bridge(ref, "+49 30 1")):
        with pytest.raises(TransitionError, match="war room is closed"):
            attempt()
    assert sqlite_ctx.incidents.detail(ref) == before
    sqlite_ctx.incidents.add_entry(ref, "PIR booked for Monday")  # notes still go in
