"""The incident service on SQLite and PostgreSQL: refs, priorities, every change a timeline entry
written with it, refusals that write nothing, projection == rebuild, text cleaning."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from imdesk.app import AppContext
from imdesk.domain.errors import NotFoundError, TransitionError, ValidationError
from imdesk.domain.incident import Origin, rebuild
from imdesk.domain.incident_json import incident_json
from imdesk.domain.lifecycle import Status
from imdesk.domain.priority import Level, PriorityMatrix
from imdesk.domain.text import TEXT_MAX, TITLE_MAX
from imdesk.domain.timeline import GENESIS_HASH
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import REF_BASE, REF_PREFIX, IncidentDetail, IncidentEdit, NewIncident
from imdesk.services.integrity import check_database
from imdesk.storage import incident_repo, locked_incident
from imdesk.storage.incident_repo import IncidentQuery


def _snapshot(ctx: AppContext) -> tuple[int, list[IncidentDetail]]:
    states = ctx.incidents.page(IncidentQuery(sort="ref"), 0, 1000)
    return ctx.incidents.count(IncidentQuery()), [ctx.incidents.detail(s.ref) for s in states]


def _assert_consistent(ctx: AppContext, ref: str) -> IncidentDetail:
    detail = ctx.incidents.detail(ref)
    assert rebuild(detail.timeline) == detail.incident
    assert detail.incident.last_seq == len(detail.timeline) == detail.timeline[-1].seq
    assert detail.incident.head_hash == detail.timeline[-1].hash
    return detail


@pytest.fixture
def mail(ctx: AppContext) -> str:
    ctx.catalog.add("Mail", criticality="high")
    ctx.catalog.add("Payroll")
    return "Mail"


def test_refs_count_up_from_the_base_and_carry_the_priority(ctx: AppContext) -> None:
    matrix = PriorityMatrix()
    made = []
    for n, (impact, urgency) in enumerate([("high", "high"), ("low", "medium"), ("medium", "low")],
                                          start=1):
        state = ctx.incidents.create(NewIncident(title=f"incident {n}", impact=impact,
                                                 urgency=urgency))
        assert state.ref == f"{REF_PREFIX}{REF_BASE + n}"
        assert state.priority == matrix.priority(Level(impact), Level(urgency))
        assert state.status == Status.NEW
        made.append(state.ref)
    assert made[0] == "INC-1001"
    assert ctx.incidents.get(made[1].lower()).ref == made[1]  # refs are found in any case


def test_create_writes_one_opened_entry(ctx: AppContext, clock: ManualClock, mail: str) -> None:
    state = ctx.incidents.create(NewIncident(
        title="Mail down", impact="high", urgency="medium", service="mail", origin="walk-in",
        description="Nobody can send.\nSince 08:50.", major=True))
    detail = _assert_consistent(ctx, state.ref)
    assert [e.kind for e in detail.timeline] == ["opened"]
    opened = detail.timeline[0]
    assert (opened.seq, opened.author, opened.recorded_at, opened.prev_hash) == (
        1, "tester", clock.now(), GENESIS_HASH)
    assert (state.service, state.origin, state.major) == ("Mail", Origin.WALK_IN, True)
    assert state.description == "Nobody can send.\nSince 08:50."


def test_backdated_opening(ctx: AppContext, clock: ManualClock) -> None:
    call = clock.now() - timedelta(minutes=12)
    state = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high",
                                             opened_at=call))
    assert state.opened_at == call
    assert state.respond_due == call + timedelta(minutes=state.respond_minutes)
    _assert_consistent(ctx, state.ref)
    with pytest.raises(ValidationError) as err:
        ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high",
                                         opened_at=clock.now() + timedelta(hours=1)))
    assert err.value.field == "opened_at"


def test_every_kind_of_change_is_an_entry_and_the_projection_equals_a_rebuild(
        ctx: AppContext, clock: ManualClock, mail: str) -> None:
    ref = ctx.incidents.create(NewIncident(title="Mail slow", impact="medium", urgency="medium",
                                           service=mail)).ref
    changes: list[tuple[str, Callable[[], Any]]] = [
        ("status", lambda: ctx.incidents.change_status(ref, "in_progress")),
        ("note", lambda: ctx.incidents.add_note(ref, "called the vendor")),
        ("edit", lambda: ctx.incidents.edit(ref, IncidentEdit(title="Mail down",
                                                              description="all users"))),
        ("edit", lambda: ctx.incidents.edit(ref, IncidentEdit(service="Payroll"))),
        ("edit", lambda: ctx.incidents.edit(ref, IncidentEdit(service=""))),
        ("edit", lambda: ctx.incidents.edit(ref, IncidentEdit(origin="chat"))),
        ("priority", lambda: ctx.incidents.edit(ref, IncidentEdit(impact="high",
                                                                  urgency="high"))),
        ("major", lambda: ctx.incidents.edit(ref, IncidentEdit(major=True))),
        ("status", lambda: ctx.incidents.change_status(ref, "on_hold", "waiting for vendor")),
        ("note", lambda: ctx.incidents.add_note(ref, "vendor says 1 h",
                                                occurred_at=clock.now() - timedelta(minutes=1))),
        ("status", lambda: ctx.incidents.change_status(ref, "in_progress")),
        ("status", lambda: ctx.incidents.change_status(ref, "resolved", "relay restarted")),
        ("status", lambda: ctx.incidents.change_status(ref, "in_progress")),
        ("major", lambda: ctx.incidents.edit(ref, IncidentEdit(major=False))),
        ("status", lambda: ctx.incidents.change_status(ref, "resolved", "relay replaced")),
        ("status", lambda: ctx.incidents.change_status(ref, "closed")),
    ]
    for n, (kind, change) in enumerate(changes, start=2):
        clock.advance(timedelta(minutes=7))
        change()
        detail = _assert_consistent(ctx, ref)
        assert len(detail.timeline) == n
        last = detail.timeline[-1]
        assert last.kind == kind and last.recorded_at == clock.now() and last.author == "tester"
    final = ctx.incidents.get(ref)
    assert (final.title, final.description, final.service, final.origin) == (
        "Mail down", "all users", None, Origin.CHAT)
    assert (final.priority.value, final.major, final.status) == ("P1", False, Status.CLOSED)
    assert check_database(ctx.db).ok


def test_an_edit_of_several_fields_is_one_transaction(ctx: AppContext, mail: str) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low")).ref
    state = ctx.incidents.edit(ref, IncidentEdit(title="Mail down", service=mail, impact="high",
                                                 major=True))
    detail = _assert_consistent(ctx, ref)
    assert [e.kind for e in detail.timeline] == ["opened", "edit", "priority", "major"]
    assert dict(detail.timeline[1].data)["changes"] == {"title": ["t", "Mail down"],
                                                        "service": [None, "Mail"]}
    assert state == detail.incident


def test_an_edit_that_changes_nothing_writes_nothing(ctx: AppContext) -> None:
    ref = ctx.incidents.create(NewIncident(title="Printer", impact="low", urgency="low")).ref
    before = ctx.incidents.detail(ref)
    ctx.incidents.edit(ref, IncidentEdit(title="  Printer ", impact="LOW", major=False))
    assert ctx.incidents.detail(ref) == before


def test_priority_edit_reprioritises_with_new_sla_targets(ctx: AppContext,
                                                          clock: ManualClock) -> None:
    state = ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low"))
    clock.advance(timedelta(minutes=5))
    after = ctx.incidents.edit(state.ref, IncidentEdit(impact="high", urgency="high"))
    matrix, policy = ctx.settings.matrix(), ctx.settings.sla_policy()
    assert after.priority == matrix.priority(Level.HIGH, Level.HIGH) != state.priority
    targets = policy.for_priority(after.priority)
    assert (after.respond_minutes, after.resolve_minutes) == (targets.respond_minutes,
                                                              targets.resolve_minutes)
    assert after.respond_due == state.opened_at + timedelta(minutes=targets.respond_minutes)
    entry = ctx.incidents.detail(state.ref).timeline[-1]
    assert entry.kind == "priority"
    assert dict(entry.data)["from"] == state.priority.value
    assert dict(entry.data)["priority"] == after.priority.value
    assert state.priority.value in entry.text and after.priority.value in entry.text


def test_major_flag(ctx: AppContext) -> None:
    ref = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high")).ref
    assert not ctx.incidents.get(ref).major
    assert ctx.incidents.edit(ref, IncidentEdit(major=True)).major
    entry = ctx.incidents.detail(ref).timeline[-1]
    assert (entry.kind, dict(entry.data)) == ("major", {"major": True, "desk": ctx.desk.as_data()})
    before = ctx.incidents.detail(ref)
    ctx.incidents.edit(ref, IncidentEdit(major=True))  # already major: no entry
    assert ctx.incidents.detail(ref) == before
    assert not ctx.incidents.edit(ref, IncidentEdit(major=False)).major
    assert ctx.incidents.count(IncidentQuery(major_only=True)) == 0


# -- refusals write nothing -------------------------------------------------------------------

REFUSALS: dict[str, tuple[type[Exception], str | None, Callable[[AppContext, str], Any]]] = {
    "forbidden transition": (TransitionError, "status",
                             lambda c, r: c.incidents.change_status(r, "closed")),
    "unknown status": (ValidationError, "status",
                       lambda c, r: c.incidents.change_status(r, "done")),
    "hold without reason": (ValidationError, "note",
                            lambda c, r: c.incidents.change_status(r, "on_hold", " ")),
    "resolve without note": (ValidationError, "note",
                             lambda c, r: c.incidents.change_status(r, "resolved")),
    "cancel without reason": (ValidationError, "note",
                              lambda c, r: c.incidents.change_status(r, "cancelled", "")),
    "empty note": (ValidationError, "note", lambda c, r: c.incidents.add_note(r, " \n ")),
    "note from the future": (ValidationError, "occurred_at",
                             lambda c, r: c.incidents.add_note(
                                 r, "x", occurred_at=c.incidents.now() + timedelta(hours=1))),
    # (a note from before the incident was opened is allowed: the outage began before the call)
    "note without its UTC offset": (ValidationError, "occurred_at",
                                    lambda c, r: c.incidents.add_note(
                                        r, "x", occurred_at=c.incidents.now().replace(tzinfo=None))),
    "empty title (edit)": (ValidationError, "title",
                           lambda c, r: c.incidents.edit(r, IncidentEdit(title="  "))),
    "unknown service (edit)": (ValidationError, "service",
                               lambda c, r: c.incidents.edit(r, IncidentEdit(service="Nope"))),
    "bad impact (edit)": (ValidationError, "impact",
                          lambda c, r: c.incidents.edit(r, IncidentEdit(title="new title",
                                                                        impact="huge"))),
    "bad origin (edit)": (ValidationError, "origin",
                          lambda c, r: c.incidents.edit(r, IncidentEdit(origin="pigeon"))),
    "unknown ref": (NotFoundError, None, lambda c, r: c.incidents.add_note("INC-9999", "x")),
    "empty title (create)": (ValidationError, "title",
                             lambda c, r: c.incidents.create(NewIncident(
                                 title=" \t", impact="low", urgency="low"))),
    "unknown service (create)": (ValidationError, "service",
                                 lambda c, r: c.incidents.create(NewIncident(
                                     title="t", impact="low", urgency="low", service="Nope"))),
    "bad origin (create)": (ValidationError, "origin",
                            lambda c, r: c.incidents.create(NewIncident(
                                title="t", impact="low", urgency="low", origin="fax"))),
    "title too long (create)": (ValidationError, "title",
                                lambda c, r: c.incidents.create(NewIncident(
                                    title="x" * (TITLE_MAX + 1), impact="low", urgency="low"))),
}


@pytest.mark.parametrize("case", sorted(REFUSALS))
def test_a_refused_change_writes_nothing(ctx: AppContext, clock: ManualClock, mail: str,
                                         case: str) -> None:
    ref = ctx.incidents.create(NewIncident(title="Mail down", impact="high", urgency="high",
                                           service=mail)).ref
    ctx.incidents.add_note(ref, "first note")
    clock.advance(timedelta(minutes=1))
    before = _snapshot(ctx)
    error, field, change = REFUSALS[case]
    with pytest.raises(error) as err:
        change(ctx, ref)
    if field is not None:
        assert getattr(err.value, "field", None) == field
    assert str(err.value)  # a message for the user
    assert _snapshot(ctx) == before
    assert check_database(ctx.db).ok


def test_a_failure_after_the_entry_is_written_rolls_back_both(
        ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    """The entry and the projection are one transaction: neither stays if the other fails."""
    ref = ctx.incidents.create(NewIncident(title="t", impact="high", urgency="high")).ref
    before = _snapshot(ctx)

    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(incident_repo, "write_state", broken)  # the ORM path (create)
    monkeypatch.setattr(locked_incident, "write_projection", broken)  # the plain one (a note)
    with pytest.raises(RuntimeError):
        ctx.incidents.add_note(ref, "lost?")
    with pytest.raises(RuntimeError):
        ctx.incidents.create(NewIncident(title="t2", impact="low", urgency="low"))
    monkeypatch.undo()
    assert _snapshot(ctx) == before
    ctx.incidents.add_note(ref, "after the failure")  # seq continues cleanly
    assert _assert_consistent(ctx, ref).timeline[-1].seq == 2


# -- text -------------------------------------------------------------------------------------

def test_control_and_bidi_characters_are_stripped(ctx: AppContext) -> None:
    # An RLO override would show "txt.exe" as "exe.txt"; NUL and BEL are never wanted.
    title = "Mail\x00 down\u202e gnp.exe\u202c \x07now\u200b"
    state = ctx.incidents.create(NewIncident(title=title, impact="high", urgency="high",
                                             description="line 1\r\nline\x1b[31m 2\u2066\t!"))
    assert state.title == "Mail down gnp.exe now"
    assert state.description == "line 1\nline[31m 2\t!"
    entry = ctx.incidents.add_note(state.ref, "\u202eevil\u202c note\x00")
    assert entry.text == "evil note"
    edited = ctx.incidents.edit(state.ref, IncidentEdit(title="new\u2067 title\x7f"))
    assert edited.title == "new title"
    _assert_consistent(ctx, state.ref)


def test_a_one_megabyte_description_is_refused_clearly(ctx: AppContext) -> None:
    huge = "x" * (1 << 20)
    with pytest.raises(ValidationError) as err:
        ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low",
                                         description=huge))
    assert err.value.field == "description"
    assert f"{len(huge):,}" in err.value.message and f"{TEXT_MAX:,}" in err.value.message
    with pytest.raises(ValidationError):
        ctx.incidents.add_note("INC-1001", huge)
    assert ctx.incidents.count(IncidentQuery()) == 0


def test_text_at_the_limits_is_kept_whole(ctx: AppContext) -> None:
    title = "T" * TITLE_MAX
    desc = "é" * TEXT_MAX
    state = ctx.incidents.create(NewIncident(title=title, impact="low", urgency="low",
                                             description=desc))
    stored = ctx.incidents.get(state.ref)
    assert (stored.title, stored.description) == (title, desc)


def test_html_stays_literal_text(ctx: AppContext) -> None:
    title = "<b>Mail</b> & <script>alert('x')</script> &amp;"
    state = ctx.incidents.create(NewIncident(title=title, impact="low", urgency="low",
                                             description="<img src=x onerror=alert(1)>"))
    entry = ctx.incidents.add_note(state.ref, "<a href='javascript:x'>click</a>")
    detail = ctx.incidents.detail(state.ref)
    assert detail.incident.title == title
    assert detail.incident.description == "<img src=x onerror=alert(1)>"
    assert detail.timeline[-1].text == entry.text == "<a href='javascript:x'>click</a>"
    assert incident_json(detail.incident)["title"] == title


def test_unicode_round_trips_exactly(ctx: AppContext) -> None:
    title = "Störung 🔥 في الشبكة — 東京"
    state = ctx.incidents.create(NewIncident(title=title, impact="low", urgency="low"))
    assert ctx.incidents.get(state.ref).title == title
    assert check_database(ctx.db).ok
