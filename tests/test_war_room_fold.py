"""Property: for random sequences of war-room operations, the room is the fold of its timeline —
all at once, entry by entry, incrementally from `entries(after_seq=…)` as the pane reads it, and
from the service (which folds only the room's kinds) — it matches what the operations did, a
refused operation writes nothing, and the room reads the same after reopening the database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imdesk.app import build_context
from imdesk.domain.errors import ValidationError
from imdesk.domain.text import clean_text
from imdesk.domain.timeline import USER_KINDS, TimelineEntry
from imdesk.domain.war_room import ActionStatus, Role, RoomState, apply_room, fold_room
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.services.integrity import check_database

NAMES = st.sampled_from(["Kim", "Lee", "Sam", "Ana"])
ROLE_WORDS = st.sampled_from(["im", "tl", "comms", "scribe", "incident_manager",
                              "Technical Lead", "boss"])
TEXT = st.one_of(
    st.sampled_from(["", " ", "DC2 core switch down", "call \u202egnp.exe", "<b>x</b> & y",
                     "a\u200bb\nc"]),
    st.text(max_size=12),
)
LINES = st.tuples(st.just("entry"), st.sampled_from(list(USER_KINDS)),
                  st.one_of(st.none(), st.none(), st.integers(0, 60)),  # backdated by minutes
                  st.one_of(st.none(), st.integers(-1, 4)))  # corrects the n-th last line; -1: seq 1
OPS = st.lists(st.one_of(
    st.tuples(st.just("advance"), st.integers(0, 100)),
    st.tuples(st.just("declare"), st.one_of(st.none(), st.integers(0, 30)), TEXT),
    st.tuples(st.just("major"), st.booleans()),
    st.tuples(st.just("role"), ROLE_WORDS, NAMES),
    st.tuples(st.just("people"), NAMES, st.booleans()),
    st.tuples(st.just("situation"), TEXT, TEXT),
    st.tuples(st.just("bridge"), TEXT),
    st.tuples(st.just("action"), TEXT, st.one_of(st.just(""), NAMES),
              st.one_of(st.none(), st.integers(-5, 90))),
    st.tuples(st.just("status"), st.integers(1, 4), st.sampled_from(list(ActionStatus))),
    LINES, LINES,  # the log is mostly lines, some of them corrections
), min_size=8, max_size=30)


class Model:
    """What a user expects to see from the operations that were accepted."""

    def __init__(self) -> None:
        self.roles: dict[Role, str] = {}
        self.present: set[str] = set()
        self.actions: dict[int, ActionStatus] = {}
        self.bridge = ""


def _run(ctx: Any, clock: ManualClock, model: Model, ref: str, op: tuple[Any, ...],
         log: list[TimelineEntry]) -> None:
    """Do one operation; when it is refused, check the model says it should be (where the model
    knows) and leave the model unchanged."""
    wr, name = ctx.war_rooms, op[0]
    if name == "advance":
        clock.advance(timedelta(minutes=op[1]))
    elif name == "declare":
        wr.declare(ref, first_update_minutes=op[1] or None, bridge=op[2])
        model.bridge = clean_text(op[2], "bridge", single_line=True) or model.bridge
    elif name == "major":
        ctx.incidents.edit(ref, IncidentEdit(major=op[1]))
    elif name == "role":
        try:
            role = Role.parse(op[1])
        except ValidationError:
            role = None
        refused = role is None or model.roles.get(role) == op[2]
        try:
            wr.assign_role(ref, op[1], op[2])
        except ValidationError:
            assert refused
            raise
        assert not refused and role is not None
        model.roles[role] = op[2]
    elif name == "people":
        who, joined = op[1], op[2]
        refused = (who in model.present) == joined
        try:
            wr.participant(ref, who, joined=joined)
        except ValidationError:
            assert refused
            raise
        assert not refused
        (model.present.add if joined else model.present.discard)(who)
    elif name == "situation":
        wr.set_situation(ref, conditions=op[1], actions="", needs=op[2], impact=op[1])
    elif name == "bridge":
        wr.set_bridge(ref, op[1])
        model.bridge = clean_text(op[1], "bridge", single_line=True)
    elif name == "action":
        due = None if op[3] is None else clock.now() + timedelta(minutes=op[3])
        number = wr.add_action(ref, op[1], owner=op[2], due=due)
        assert number == len(model.actions) + 1
        model.actions[number] = ActionStatus.OPEN
    elif name == "status":
        refused = model.actions.get(op[1]) in (None, op[2])
        try:
            wr.update_action(ref, op[1], status=op[2].value)
        except ValidationError:
            assert refused
            raise
        assert not refused
        model.actions[op[1]] = op[2]
    elif name == "entry":
        at = None if op[2] is None else clock.now() - timedelta(minutes=op[2])
        lines = [e.seq for e in log if e.kind in USER_KINDS]
        target = (None if op[3] is None else 1 if op[3] < 0 or not lines
                  else lines[-1 - op[3] % len(lines)])
        try:
            ctx.incidents.add_entry(ref, "line", op[1], occurred_at=at, supersedes=target)
        except ValidationError:
            assert target == 1 or (at is not None and at < ctx.incidents.get(ref).opened_at)
            raise


@settings(deadline=None, max_examples=40,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(ops=OPS, major=st.booleans())
def test_the_room_is_the_fold_of_its_timeline(db_url: str, ops: list[tuple[Any, ...]],
                                              major: bool) -> None:
    # One database per test; each example works on an incident of its own.
    clock = ManualClock(datetime(2026, 11, 2, 9, 0, tzinfo=UTC))
    ctx = build_context(db_url, clock=clock, author="tester")
    try:
        ref = ctx.incidents.create(NewIncident(title="DC2 down", impact="high", urgency="high",
                                               major=major)).ref
        model = Model()
        log = ctx.war_rooms.entries(ref)
        incremental = fold_room(ref, log)
        for op in ops:
            head = ctx.incidents.get(ref).head_hash
            try:
                _run(ctx, clock, model, ref, op, log)
            except ValidationError:
                assert ctx.incidents.get(ref).head_hash == head  # refused: nothing written
            for e in ctx.war_rooms.entries(ref, after_seq=log[-1].seq, limit=1000):
                incremental = apply_room(incremental, e)
                log.append(e)

        timeline = ctx.incidents.detail(ref).timeline
        assert timeline == log
        folded = fold_room(ref, timeline)
        stepwise = RoomState(ref=ref)
        for e in timeline:
            stepwise = apply_room(stepwise, e)
        room = ctx.war_rooms.room(ref)
        assert stepwise == folded == incremental == room.state

        assert {r: h.name for r, h in folded.roles.items()} == model.roles
        assert folded.present == sorted(model.present)
        assert {n: a.status for n, a in folded.actions.items()} == model.actions
        assert folded.bridge == model.bridge
        assert (folded.declared_at is not None) == room.incident.major
        assert folded.superseded == ctx.war_rooms.superseded(ref) == {
            int(e.data["supersedes"]) for e in timeline if "supersedes" in e.data}
        assert check_database(ctx.db, ref=ref).ok
    finally:
        ctx.close()

    reopened = build_context(db_url, clock=clock, author="someone else")
    try:
        assert reopened.war_rooms.room(ref) == room
    finally:
        reopened.close()
