"""SLA clocks: respond-by and resolve-by per priority, paused on hold, at risk at 75 %, breached at
100 %, met/missed once the clock ends; and the short duration format."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from imdesk.app import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, Priority, PriorityMatrix
from imdesk.domain.sla import (
    WARN_FRACTION,
    ClockInputs,
    SlaPolicy,
    SlaState,
    SlaTargets,
    format_duration,
    read_clock,
)
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident

T0 = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)  # the night Europe moves to summer time
POLICY = SlaPolicy()


def _levels_for(priority: Priority) -> tuple[str, str]:
    matrix = PriorityMatrix()
    for (impact, urgency), prio in matrix.cells.items():
        if prio == priority:
            return impact.value, urgency.value
    raise AssertionError(priority)


def test_default_targets_are_sensible() -> None:
    # P1 15 min / 4 h as the issue suggests; every lower priority at least as lenient.
    assert POLICY.for_priority(Priority.P1) == SlaTargets(15, 240)
    ranked = [POLICY.for_priority(p) for p in sorted(Priority, key=lambda p: p.rank)]
    for higher, lower in itertools.pairwise(ranked):
        assert lower.respond_minutes >= higher.respond_minutes
        assert lower.resolve_minutes >= higher.resolve_minutes
    for t in ranked:
        assert t.respond_minutes < t.resolve_minutes


@pytest.mark.parametrize("priority", list(Priority))
def test_due_times_per_priority(ctx: AppContext, clock: ManualClock, priority: Priority) -> None:
    impact, urgency = _levels_for(priority)
    state = ctx.incidents.create(NewIncident(title="t", impact=impact, urgency=urgency))
    targets = POLICY.for_priority(priority)
    assert state.priority == priority
    assert state.respond_due == clock.now() + timedelta(minutes=targets.respond_minutes)
    assert state.resolve_due == clock.now() + timedelta(minutes=targets.resolve_minutes)
    reading = state.sla(clock.now())
    assert (reading.clock, reading.state) == ("respond", SlaState.OK)
    assert reading.remaining == timedelta(minutes=targets.respond_minutes)


def test_custom_sla_targets_from_settings(ctx: AppContext, clock: ManualClock) -> None:
    custom = {p: SlaTargets(5 * p.rank, 60 * p.rank) for p in Priority}
    ctx.settings.set_sla_policy(SlaPolicy(custom))
    state = ctx.incidents.create(NewIncident(title="t", impact="medium", urgency="medium"))
    targets = custom[state.priority]
    assert state.respond_due == clock.now() + timedelta(minutes=targets.respond_minutes)
    assert state.resolve_due == clock.now() + timedelta(minutes=targets.resolve_minutes)


def test_bad_sla_settings_are_refused() -> None:
    data = POLICY.to_json()
    data["P3"]["respond_minutes"] = 0
    with pytest.raises(ValidationError) as err:
        SlaPolicy.from_json(data)
    assert err.value.field == "sla" and "P3" in str(err.value)
    del data["P3"]
    with pytest.raises(ValidationError):
        SlaPolicy.from_json(data)


def test_respond_clock_warns_at_75_percent_and_breaches_at_100(ctx: AppContext,
                                                               clock: ManualClock) -> None:
    state = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high"))
    target = timedelta(minutes=state.respond_minutes)
    warn_at = state.opened_at + target * WARN_FRACTION
    second = timedelta(seconds=1)
    assert state.sla(warn_at - second).state == SlaState.OK
    assert state.sla(warn_at).state == SlaState.AT_RISK
    assert state.sla(state.respond_due - second).state == SlaState.AT_RISK
    breached = state.sla(state.respond_due)
    assert (breached.clock, breached.state, breached.remaining) == ("respond", SlaState.BREACHED,
                                                                    timedelta(0))
    late = state.sla(state.respond_due + timedelta(minutes=3))
    assert late.remaining == -timedelta(minutes=3) and late.fraction > 1


def test_after_acknowledgement_the_resolve_clock_runs(ctx: AppContext, clock: ManualClock) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high")).ref
    clock.advance(timedelta(minutes=20))  # respond target (15 min) missed, then acknowledged
    state = ctx.incidents.change_status(ref, Status.IN_PROGRESS)
    reading = state.sla(clock.now())
    assert reading.clock == "resolve" and reading.state == SlaState.OK
    target = timedelta(minutes=state.resolve_minutes)
    assert reading.remaining == target - timedelta(minutes=20)
    warn_at = state.opened_at + target * WARN_FRACTION
    assert state.sla(warn_at - timedelta(seconds=1)).state == SlaState.OK
    assert state.sla(warn_at).state == SlaState.AT_RISK
    assert state.sla(state.resolve_due).state == SlaState.BREACHED
    assert state.sla_due == state.resolve_due


def test_on_hold_pauses_the_clock_and_moves_the_due_times(ctx: AppContext,
                                                          clock: ManualClock) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="medium", urgency="medium")).ref
    clock.advance(timedelta(minutes=10))
    state = ctx.incidents.change_status(ref, Status.IN_PROGRESS)
    due_before = state.resolve_due
    clock.advance(timedelta(minutes=30))
    state = ctx.incidents.change_status(ref, Status.ON_HOLD, "waiting for the customer")
    paused = state.sla(clock.now())
    assert paused.state == SlaState.PAUSED
    hold = timedelta(hours=3, minutes=7, seconds=5)
    clock.advance(hold)
    still = state.sla(clock.now())
    assert (still.state, still.remaining) == (SlaState.PAUSED, paused.remaining)
    state = ctx.incidents.change_status(ref, Status.IN_PROGRESS)
    assert state.on_hold_seconds == hold.total_seconds()
    assert state.resolve_due == due_before + hold
    assert state.sla(clock.now()).remaining == paused.remaining
    assert state.sla(clock.now()).state == SlaState.OK
    # a second hold adds up
    clock.advance(timedelta(minutes=1))
    ctx.incidents.change_status(ref, Status.ON_HOLD, "again")
    clock.advance(timedelta(minutes=2))
    state = ctx.incidents.change_status(ref, Status.IN_PROGRESS)
    assert state.on_hold_seconds == (hold + timedelta(minutes=2)).total_seconds()
    assert state.resolve_due == due_before + hold + timedelta(minutes=2)


def test_a_clock_breached_while_on_hold_still_says_breached(ctx: AppContext,
                                                            clock: ManualClock) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high")).ref
    ctx.incidents.change_status(ref, Status.IN_PROGRESS)
    clock.advance(timedelta(hours=5))
    state = ctx.incidents.change_status(ref, Status.ON_HOLD, "waiting")
    assert state.sla(clock.now()).state == SlaState.BREACHED


@pytest.mark.parametrize(("early", "expected"), [(True, SlaState.MET), (False, SlaState.MISSED)])
def test_met_or_missed_after_the_end(ctx: AppContext, clock: ManualClock, early: bool,
                                     expected: SlaState) -> None:
    state = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high"))
    ctx.incidents.change_status(state.ref, Status.IN_PROGRESS)
    target = timedelta(minutes=state.resolve_minutes)
    clock.advance(target if early else target + timedelta(seconds=1))
    state = ctx.incidents.change_status(state.ref, Status.RESOLVED, "fixed")
    for later in (timedelta(0), timedelta(days=30)):  # the verdict does not change with time
        reading = state.sla(clock.now() + later)
        assert (reading.clock, reading.state) == ("resolve", expected)
    assert state.sla_due is None
    closed = ctx.incidents.change_status(state.ref, Status.CLOSED)
    assert closed.sla(clock.now() + timedelta(days=2)).state == expected


def test_sla_reading_is_exact_across_a_dst_change() -> None:
    inputs = ClockInputs(opened_at=T0, acknowledged_at=None, ended_at=None, hold_started_at=None,
                         on_hold_seconds=0, respond_minutes=120, resolve_minutes=480)
    # 01:00 UTC = 03:00 CEST; local wall clocks jump an hour, the SLA must not.
    reading = read_clock(inputs, T0 + timedelta(minutes=90))
    assert reading.remaining == timedelta(minutes=30)
    assert reading.state == SlaState.AT_RISK


def test_desk_counts_at_risk_and_breached(ctx: AppContext, clock: ManualClock) -> None:
    a = ctx.incidents.create(NewIncident(title="a", impact="high", urgency="high"))
    ctx.incidents.create(NewIncident(title="b", impact="low", urgency="low"))
    ctx.incidents.create(NewIncident(title="c", impact="high", urgency="high", major=True))
    clock.advance(timedelta(minutes=a.respond_minutes) * WARN_FRACTION)
    counts = ctx.incidents.desk_counts()
    assert (counts.open, counts.open_majors, counts.at_risk, counts.breached) == (3, 1, 2, 0)
    clock.set(a.respond_due)
    counts = ctx.incidents.desk_counts()
    assert (counts.at_risk, counts.breached) == (0, 2)


@pytest.mark.parametrize(("delta", "text"), [
    (timedelta(0), "0s"),
    (timedelta(seconds=45), "45s"),
    (timedelta(minutes=1), "1m"),
    (timedelta(minutes=59, seconds=59), "59m"),
    (timedelta(hours=1, minutes=5), "1h 05m"),
    (timedelta(hours=1, minutes=12, seconds=30), "1h 12m"),
    (timedelta(days=2, hours=4, minutes=59), "2d 4h"),
    (timedelta(minutes=-3), "-3m"),
    (timedelta(seconds=-45), "-45s"),
    (-timedelta(days=1, hours=2), "-1d 2h"),
])
def test_format_duration(delta: timedelta, text: str) -> None:
    assert format_duration(delta) == text


def test_every_priority_has_a_cell_in_the_default_matrix() -> None:
    # every priority has at least one (impact, urgency) cell in the default matrix
    for prio in Priority:
        impact, urgency = _levels_for(prio)
        assert PriorityMatrix().priority(Level(impact), Level(urgency)) == prio
