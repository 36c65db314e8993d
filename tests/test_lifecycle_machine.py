"""L1: a Hypothesis state machine drives incidents through random moves, notes, priority edits,
clock jumps and database reopenings. Only allowed moves happen (refusals change nothing),
timestamps stay ordered, the projection equals a rebuild and `db check` passes after every step."""

from __future__ import annotations

import itertools
import shutil
from collections import Counter
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from imdesk.app import AppContext, build_context
from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.incident import rebuild
from imdesk.domain.lifecycle import FINAL_STATUSES, NOTE_REQUIRED, Status
from imdesk.domain.priority import Level, PriorityMatrix
from imdesk.domain.text import clean_text
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.services.integrity import check_database
from tests.conftest import START
from tests.test_lifecycle import EXPECTED

LEVELS = st.sampled_from([lvl.value for lvl in Level])
_run = itertools.count()


class LifecycleMachine(RuleBasedStateMachine):
    template: Path
    workdir: Path
    moves_done: Counter[tuple[Status, Status]] = Counter()  # over all runs: not a vacuous test

    refs = Bundle("refs")

    def __init__(self) -> None:
        super().__init__()
        self.path = self.workdir / f"machine-{next(_run)}.sqlite"
        shutil.copyfile(self.template, self.path)
        self.url = f"sqlite:///{self.path}"
        self.clock = ManualClock(START)
        self.ctx: AppContext = build_context(self.url, clock=self.clock, author="tester")
        self.status: dict[str, Status] = {}
        self.matrix = PriorityMatrix()

    def teardown(self) -> None:
        self.ctx.close()
        for p in self.path.parent.glob(self.path.name + "*"):
            p.unlink()

    # -- rules -----------------------------------------------------------------------------
    @rule(target=refs, impact=LEVELS, urgency=LEVELS, major=st.booleans())
    def create(self, impact: str, urgency: str, major: bool) -> str:
        state = self.ctx.incidents.create(NewIncident(title="Something broke", impact=impact,
                                                      urgency=urgency, major=major))
        assert state.status == Status.NEW and state.opened_at == self.clock.now()
        self.status[state.ref] = Status.NEW
        return state.ref

    @rule(ref=refs, goal=st.sampled_from(list(Status)), with_note=st.booleans())
    def move(self, ref: str, goal: Status, with_note: bool) -> None:
        """Any move at all: allowed ones happen, the others are refused and change nothing."""
        self._move(ref, goal, with_note)

    @precondition(lambda self: any(EXPECTED[s] for s in self.status.values()))
    @rule(data=st.data(), moves=st.integers(1, 4))
    def allowed_moves(self, data: st.DataObject, moves: int) -> None:
        """A few moves the lifecycle allows on one incident that is not final, mostly with their
        note, seldom a cancel, the clock moving in between: so that runs go deep (on hold and
        back, resolve, reopen, close)."""
        ref = data.draw(st.sampled_from(sorted(r for r, s in self.status.items() if EXPECTED[s])))
        for _ in range(moves):
            choices = sorted(EXPECTED[self.status[ref]])
            if not choices:
                break
            target = data.draw(st.sampled_from(
                [c for c in choices for _ in range(1 if c == Status.CANCELLED else 3)]))
            self.clock.advance(timedelta(minutes=data.draw(st.integers(0, 600))))
            self._move(ref, target, with_note=data.draw(st.integers(0, 3)) > 0)

    def _move(self, ref: str, target: Status, with_note: bool) -> None:
        current = self.status[ref]
        note = "the reason, in words" if with_note else ""
        allowed = target in EXPECTED[current] and (with_note or target not in NOTE_REQUIRED)
        before = self.ctx.incidents.detail(ref)
        if not allowed:
            with pytest.raises(ValidationError):
                self.ctx.incidents.change_status(ref, target, note)
            assert self.ctx.incidents.detail(ref) == before
            return
        state = self.ctx.incidents.change_status(ref, target, note)
        now = self.clock.now()
        assert state.status == target and state.updated_at == now
        if current == Status.NEW and target != Status.CANCELLED:
            assert state.acknowledged_at == now
        else:
            assert state.acknowledged_at == before.incident.acknowledged_at
        if target == Status.RESOLVED:
            assert state.resolved_at == now
        if target in (Status.CLOSED, Status.CANCELLED):
            assert state.closed_at == now
        if current == Status.ON_HOLD:
            held = now - before.incident.hold_started_at  # type: ignore[operator]
            assert state.on_hold_seconds == before.incident.on_hold_seconds + int(
                held.total_seconds())
        self.status[ref] = target
        self.moves_done[(current, target)] += 1

    @rule(ref=refs, text=st.text(max_size=40))
    def note(self, ref: str, text: str) -> None:
        before = self.ctx.incidents.detail(ref)
        try:
            expected = clean_text(text, "note", required=True)
        except ValidationError:
            with pytest.raises(ValidationError):
                self.ctx.incidents.add_note(ref, text)
            assert self.ctx.incidents.detail(ref) == before
            return
        entry = self.ctx.incidents.add_note(ref, text)
        assert entry.text == expected and entry.seq == before.incident.last_seq + 1

    @rule(ref=refs, impact=LEVELS, urgency=LEVELS)
    def edit_priority(self, ref: str, impact: str, urgency: str) -> None:
        if self.status[ref] in FINAL_STATUSES:  # a closed or cancelled record is final
            before = self.ctx.incidents.detail(ref)
            with pytest.raises(TransitionError):
                self.ctx.incidents.edit(ref, IncidentEdit(impact=impact, urgency=urgency))
            assert self.ctx.incidents.detail(ref) == before
            return
        state = self.ctx.incidents.edit(ref, IncidentEdit(impact=impact, urgency=urgency))
        assert state.priority == self.matrix.priority(Level(impact), Level(urgency))
        assert state.status == self.status[ref]

    @rule(minutes=st.one_of(st.integers(1, 59), st.integers(60, 24 * 60),
                            st.integers(24 * 60, 10 * 24 * 60)))
    def advance_clock(self, minutes: int) -> None:
        self.clock.advance(timedelta(minutes=minutes))

    @rule()
    def reopen_database(self) -> None:
        self.ctx.close()
        self.ctx = build_context(self.url, clock=self.clock, author="tester")

    # -- invariants ------------------------------------------------------------------------
    @invariant()
    def every_incident_is_consistent(self) -> None:
        for ref, status in self.status.items():
            detail = self.ctx.incidents.detail(ref)
            st_ = detail.incident
            assert st_.status == status
            assert rebuild(detail.timeline) == st_
            stamps = [t for t in (st_.opened_at, st_.acknowledged_at, st_.resolved_at,
                                  st_.closed_at) if t is not None]
            assert stamps == sorted(stamps)
            assert st_.on_hold_seconds >= 0
            assert (st_.hold_started_at is not None) == (status == Status.ON_HOLD)
            if status in (Status.RESOLVED, Status.CLOSED):
                assert st_.resolved_at is not None
            if status in (Status.CLOSED, Status.CANCELLED):
                assert st_.closed_at is not None
            else:
                assert st_.closed_at is None

    @invariant()
    def db_check_passes(self) -> None:
        report = check_database(self.ctx.db)
        assert report.ok, report.problem
        assert report.incidents == len(self.status)


def test_lifecycle_state_machine(sqlite_template: Path, tmp_path: Path) -> None:
    LifecycleMachine.template = sqlite_template
    LifecycleMachine.workdir = tmp_path
    LifecycleMachine.moves_done = Counter()
    run_state_machine_as_test(
        LifecycleMachine,
        settings=settings(max_examples=50, stateful_step_count=30, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow],
                          phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.target,
                                  Phase.shrink]),  # no 'explain': its tracer is very slow
    )
    assert not list(tmp_path.glob("machine-*.sqlite"))  # every run cleaned up after itself
    # not a vacuous run: moves really happened (figures vary with Hypothesis' swarm of rules)
    moves = LifecycleMachine.moves_done
    reached = {target for _, target in moves}
    assert sum(moves.values()) >= 10 and len(reached) >= 3, moves
    print(f"\nlifecycle machine: {sum(moves.values())} moves, {len(moves)} of "
          f"{sum(map(len, EXPECTED.values()))} kinds, reached {sorted(s.value for s in reached)}")
