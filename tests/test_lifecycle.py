"""Lifecycle: every allowed and forbidden move, the notes some moves need, final states and the
timestamps (opened, acknowledged, resolved, closed)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from imdesk.app import AppContext
from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.incident import rebuild
from imdesk.domain.lifecycle import NOTE_REQUIRED, Status, check_transition
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident

N, IP, OH, RS, CL, CA = (Status.NEW, Status.IN_PROGRESS, Status.ON_HOLD, Status.RESOLVED,
                         Status.CLOSED, Status.CANCELLED)

# The lifecycle of ARCHITECTURE.md, written out: new -> in_progress <-> on_hold -> resolved ->
# closed; resolved reopens to in_progress; cancelled from new/in_progress/on_hold. (A call fixed
# at once may go new -> resolved; waiting on a customer may start at new -> on_hold.)
EXPECTED: dict[Status, set[Status]] = {
    N: {IP, OH, RS, CA},
    IP: {OH, RS, CA},
    OH: {IP, RS, CA},
    RS: {CL, IP},
    CL: set(),
    CA: set(),
}
ALL_PAIRS = [(a, b) for a in Status for b in Status]
ALLOWED_PAIRS = [(a, b) for a, b in ALL_PAIRS if b in EXPECTED[a]]
FORBIDDEN_PAIRS = [(a, b) for a, b in ALL_PAIRS if b not in EXPECTED[a]]
NOTE = "waiting for the vendor"

# How to reach each status from new (with the notes the moves need).
PATH: dict[Status, list[Status]] = {
    N: [],
    IP: [IP],
    OH: [IP, OH],
    RS: [IP, RS],
    CL: [IP, RS, CL],
    CA: [CA],
}


def _note_for(target: Status) -> str:
    return NOTE if target in NOTE_REQUIRED else ""


@pytest.mark.parametrize(("current", "target"), ALLOWED_PAIRS)
def test_allowed_move(current: Status, target: Status) -> None:
    check_transition(current, target, NOTE)  # does not raise


@pytest.mark.parametrize(("current", "target"), FORBIDDEN_PAIRS)
def test_forbidden_move(current: Status, target: Status) -> None:
    with pytest.raises(TransitionError) as err:
        check_transition(current, target, NOTE)
    assert err.value.field == "status"
    assert target.label in str(err.value) or target.value in str(err.value)


@pytest.mark.parametrize("final", [CL, CA])
def test_closed_and_cancelled_are_final(final: Status) -> None:
    for target in Status:
        with pytest.raises(TransitionError):
            check_transition(final, target, NOTE)


@pytest.mark.parametrize(("target", "what"), [(OH, "reason"), (RS, "resolution note"),
                                              (CA, "reason")])
@pytest.mark.parametrize("note", ["", "   \n\t "])
def test_moves_that_need_a_note(target: Status, what: str, note: str) -> None:
    with pytest.raises(ValidationError) as err:
        check_transition(IP, target, note)
    assert err.value.field == "note"
    assert what in str(err.value)


def test_moves_that_need_no_note() -> None:
    check_transition(N, IP, "")
    check_transition(OH, IP, "")
    check_transition(RS, CL, "")
    check_transition(RS, IP, "")


def test_status_parse_is_lenient_and_refuses_unknown() -> None:
    assert Status.parse(" In Progress ") == IP
    assert Status.parse("on-hold") == OH
    with pytest.raises(ValidationError) as err:
        Status.parse("done")
    assert err.value.field == "status" and "in_progress" in str(err.value)


# -- through the service, on SQLite and PostgreSQL ------------------------------------------

def _walk(ctx: AppContext, ref: str, path: list[Status]) -> None:
    for step in path:
        ctx.incidents.change_status(ref, step, _note_for(step))


@pytest.mark.parametrize("current", list(Status))
def test_every_move_from_each_status_through_the_service(ctx: AppContext, current: Status) -> None:
    for target in Status:
        ref = ctx.incidents.create(NewIncident(title=f"{current}->{target}", impact="medium",
                                               urgency="medium")).ref
        _walk(ctx, ref, PATH[current])
        before = ctx.incidents.detail(ref)
        assert before.incident.status == current
        if target in EXPECTED[current]:
            after = ctx.incidents.change_status(ref, target, _note_for(target))
            assert after.status == target
            detail = ctx.incidents.detail(ref)
            last = detail.timeline[-1]
            assert (last.kind, dict(last.data)) == ("status", {"from": current.value,
                                                               "to": target.value,
                                                               "desk": ctx.desk.as_data()})
            assert last.text == _note_for(target)
            assert rebuild(detail.timeline) == detail.incident == after
        else:
            with pytest.raises(TransitionError):
                ctx.incidents.change_status(ref, target, NOTE)
            assert ctx.incidents.detail(ref) == before  # nothing written


@pytest.mark.parametrize("target", sorted(NOTE_REQUIRED))
def test_service_refuses_a_move_without_its_note(ctx: AppContext, target: Status) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low")).ref
    ctx.incidents.change_status(ref, IP)
    before = ctx.incidents.detail(ref)
    with pytest.raises(ValidationError) as err:
        ctx.incidents.change_status(ref, target, "  ")
    assert err.value.field == "note"
    assert ctx.incidents.detail(ref) == before


def test_timestamps_through_a_life(ctx: AppContext, clock: ManualClock) -> None:
    opened = clock.now()
    ref = ctx.incidents.create(NewIncident(title="Mail down", impact="high", urgency="high")).ref
    state = ctx.incidents.get(ref)
    assert (state.opened_at, state.acknowledged_at, state.resolved_at, state.closed_at) == (
        opened, None, None, None)

    clock.advance(timedelta(minutes=4))
    ack = clock.now()
    state = ctx.incidents.change_status(ref, IP)
    assert state.acknowledged_at == ack

    clock.advance(timedelta(minutes=10))
    state = ctx.incidents.change_status(ref, OH, "waiting for the ISP")
    clock.advance(timedelta(minutes=30))
    state = ctx.incidents.change_status(ref, IP)
    assert state.acknowledged_at == ack  # only the first move out of new acknowledges

    clock.advance(timedelta(hours=1))
    first_resolve = clock.now()
    state = ctx.incidents.change_status(ref, RS, "restarted the relay")
    assert state.resolved_at == first_resolve and state.closed_at is None

    clock.advance(timedelta(minutes=5))
    state = ctx.incidents.change_status(ref, IP)  # the user calls back: not fixed, reopen
    assert state.status == IP and state.resolved_at is None
    assert state.acknowledged_at == ack

    clock.advance(timedelta(minutes=20))
    resolved = clock.now()
    state = ctx.incidents.change_status(ref, RS, "replaced the relay")
    clock.advance(timedelta(days=1))
    closed = clock.now()
    state = ctx.incidents.change_status(ref, CL)
    assert (state.opened_at, state.acknowledged_at, state.resolved_at, state.closed_at) == (
        opened, ack, resolved, closed)
    detail = ctx.incidents.detail(ref)
    assert rebuild(detail.timeline) == detail.incident


@pytest.mark.parametrize("first", [OH, RS])
def test_any_first_move_out_of_new_acknowledges(ctx: AppContext, clock: ManualClock,
                                                first: Status) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="low", urgency="high")).ref
    clock.advance(timedelta(minutes=3))
    state = ctx.incidents.change_status(ref, first, NOTE)
    assert state.acknowledged_at == clock.now()


def test_cancelling_a_new_incident_does_not_acknowledge_it(ctx: AppContext,
                                                          clock: ManualClock) -> None:
    ref = ctx.incidents.create(NewIncident(title="duplicate", impact="low", urgency="low")).ref
    clock.advance(timedelta(minutes=2))
    state = ctx.incidents.change_status(ref, CA, "duplicate of another call")
    assert state.acknowledged_at is None
    assert state.closed_at == clock.now()
    with pytest.raises(TransitionError) as err:
        ctx.incidents.change_status(ref, IP)
    assert "final" in str(err.value)
