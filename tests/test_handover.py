"""The shift handover on a known dataset across the end of summer time in Europe/Berlin
(the night shift of 24/25 October 2026 is 9 hours long): every compiled section as computed by
hand, signing freezes it, later entries leave it unchanged, and an edit made behind the
triggers' back is found by `handover verify`."""

from __future__ import annotations

import sqlite3
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.errors import TransitionError, ValidationError
from imdesk.domain.handover import SECTIONS, HandoverState
from imdesk.domain.shift import ShiftWindow
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident
from tests.helpers.cli_runner import Cli
from tests.helpers.pdf_text import pdf_text

T = datetime(2026, 10, 24, 18, 0, tzinfo=UTC)  # 20:00 CEST
NIGHT = ShiftWindow(datetime(2026, 10, 24, 20, 0, tzinfo=UTC), datetime(2026, 10, 25, 5, 0, tzinfo=UTC))
AFTER = datetime(2026, 10, 25, 6, 0, tzinfo=UTC)
Known = tuple[AppContext, ManualClock, dict[str, str]]


def at(clock: ManualClock, hh: int, mm: int = 0, day: int = 24) -> None:
    clock.set(datetime(2026, 10, day, hh, mm, tzinfo=UTC))


@pytest.fixture
def known(db_url: str) -> Iterator[tuple[AppContext, ManualClock, dict[str, str]]]:
    """The dataset (times UTC; the comment says what it is for)."""
    clock = ManualClock(T)
    ctx = build_context(db_url, clock=clock, author="tester")  # SQLite, and PostgreSQL
    ctx.handover.set_pattern("06:00/14:00/22:00", "Europe/Berlin")
    inc, rooms = ctx.incidents, ctx.war_rooms

    def new(title: str, impact: str = "medium", urgency: str = "medium", **kw: object) -> str:
        return inc.create(NewIncident(title, impact, urgency, **kw)).ref  # type: ignore[arg-type]

    refs: dict[str, str] = {}
    at(clock, 18)
    refs["A"] = new("Printer jams (opened before, held in the shift)")
    at(clock, 19)
    refs["B"] = new("VPN drops (resolved before, reopened and resolved in the shift)")
    at(clock, 19, 30)
    inc.change_status(refs["B"], "resolved", "restarted")
    at(clock, 20, 30)
    inc.change_status(refs["B"], "in_progress", "drops again")
    at(clock, 21)
    inc.change_status(refs["A"], "in_progress")
    refs["C"] = new("Badge reader (opened, resolved, closed in the shift)")
    at(clock, 21, 10)
    inc.change_status(refs["C"], "in_progress")
    at(clock, 22)
    inc.change_status(refs["C"], "resolved", "replaced")
    refs["F"] = new("Drill: data centre power (an exercise)", exercise=True)
    at(clock, 22, 30)
    refs["H"] = new("Mail outage (major)", "high", "high", major=True)
    rooms.set_situation(refs["H"], conditions="queue at 4,000", actions="vendor engaged",
                        needs="certificate", impact="no external mail")
    rooms.assign_role(refs["H"], "im", "Kim Nguyen")
    at(clock, 23)
    inc.change_status(refs["A"], "on_hold", "waiting for the vendor")
    inc.add_entry(refs["H"], "fail over to the second relay", "decision")
    at(clock, 23, 10)
    inc.add_entry(refs["H"], "restart the connector", "action")
    rooms.add_action(refs["H"], "renew the certificate", owner="Ahmed",
                     due=datetime(2026, 10, 25, 9, 0, tzinfo=UTC))
    at(clock, 1, 30, day=25)  # 02:30 CET, after the clocks went back
    refs["D"] = new("Share drive slow (opened in the shift, backdated to before it)")
    inc.add_note(refs["D"], "users say since 21:50", occurred_at=datetime(2026, 10, 24, 19, 50, tzinfo=UTC))
    at(clock, 2, 30, day=25)
    inc.change_status(refs["B"], "resolved", "tunnel fixed")
    at(clock, 4, day=25)
    inc.change_status(refs["C"], "closed")
    at(clock, 4, 50, day=25)
    refs["E"] = new("Wi-Fi down (opened in the shift, backdated inside it)")
    inc.add_note(refs["E"], "since 05:40", occurred_at=datetime(2026, 10, 25, 4, 40, tzinfo=UTC))
    at(clock, 5, 30, day=25)
    refs["G"] = new("Phones (opened after the shift, backdated into it)")
    inc.add_note(refs["G"], "started 05:55", occurred_at=datetime(2026, 10, 25, 4, 55, tzinfo=UTC))
    clock.set(AFTER)
    yield ctx, clock, refs
    ctx.close()


def _refs(rows: list[dict[str, object]]) -> list[object]:
    return [r["ref"] for r in rows]


def test_the_night_window_is_nine_hours_across_the_change(known: Known) -> None:
    ctx = known[0]
    window = ctx.handover.window(at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC))
    assert window == NIGHT and window.hours == 9


def test_the_compiled_sections_are_the_hand_computed_ones(known: Known) -> None:
    ctx, _clock, r = known
    view = ctx.handover.show(NIGHT)
    c = view.content
    assert view.state == HandoverState.DRAFT and view.id is None
    assert c["window"] == {"start": "2026-10-24T20:00:00Z", "end": "2026-10-25T05:00:00Z"}
    assert sorted(_refs(c["open"])) == sorted([r["A"], r["D"], r["E"], r["G"], r["H"]])
    assert _refs(c["opened"]) == [r["C"], r["H"], r["E"], r["G"]]
    assert [x["at"] for x in c["opened"]] == ["2026-10-24T21:00:00Z", "2026-10-24T22:30:00Z",
                                              "2026-10-25T04:40:00Z", "2026-10-25T04:55:00Z"]
    assert _refs(c["resolved"]) == [r["C"], r["B"]]
    assert _refs(c["closed"]) == [r["C"]]
    assert _refs(c["reopened"]) == [r["B"]]
    assert _refs(c["exercises"]) == [r["F"]]  # listed apart, counted nowhere
    assert r["F"] not in _refs(c["open"]) + _refs(c["opened"])
    [major] = c["majors"]
    assert major["ref"] == r["H"] and major["needs"] == "certificate"
    assert major["roles"] == {"Incident manager": "Kim Nguyen"}
    assert [d["text"] for d in major["decisions"]] == ["fail over to the second relay"]
    assert [d["text"] for d in major["shift_actions"]] == ["restart the connector"]
    assert c["actions_open"] == [{"ref": r["H"], "number": 1, "text": "renew the certificate",
                                  "owner": "Ahmed", "due": "2026-10-25T09:00:00Z"}]
    held = next(x for x in c["open"] if x["ref"] == r["A"])
    assert (held["status"], held["sla"]) == ("on_hold", "paused")
    risk = {x["ref"]: x for x in c["sla_at_risk"]}
    assert risk[r["H"]]["breached"] and risk[r["H"]]["clock"] == "respond"  # P1, never taken up
    assert r["A"] not in risk  # paused
    for key in ("messages_attention", "maintenance", "alerts_unlinked", "heartbeats_late"):
        assert c[key] == []
    assert set(view.heads) == {r[k] for k in "ABCDEGH"}  # every incident it speaks of, no exercise


def test_signing_freezes_later_entries_change_nothing_and_take_over(
        known: tuple[AppContext, ManualClock, dict[str, str]]) -> None:
    ctx, clock, r = known
    h = ctx.handover
    with pytest.raises(ValidationError, match="not an open incident"):
        h.sign(NIGHT, "Kim", ratings={r["C"]: "stable"})
    h.save_draft(NIGHT, ratings={r["H"]: "unstable"}, if_then=["if the queue grows, then call the vendor"])
    signed = h.sign(NIGHT, "Kim Nguyen", notes="Mail queue is the thing to watch.")
    assert signed.state == HandoverState.SIGNED and signed.signed and signed.signed.name == "Kim Nguyen"
    assert next(x for x in signed.content["open"] if x["ref"] == r["H"])["rating"] == "unstable"
    assert signed.content["if_then"] == ["if the queue grows, then call the vendor"]
    with pytest.raises(TransitionError, match="already signed"):
        h.sign(NIGHT, "Kim Nguyen")
    with pytest.raises(TransitionError):
        h.rate(NIGHT, r["A"], "watch")
    clock.advance(timedelta(minutes=5))
    ctx.incidents.add_note(r["A"], "vendor is on the way")
    ctx.incidents.change_status(r["E"], "resolved", "AP rebooted")
    again = h.show(NIGHT)
    assert again.content == signed.content and again.heads == signed.heads
    with pytest.raises(ValidationError, match="synthesis is required"):
        h.take("Sam Okafor", "ok")
    taken = h.take("Sam Okafor", "Mail outage H is mine: I watch the queue and call the vendor.")
    assert taken.state == HandoverState.TAKEN and taken.taken and taken.taken.name == "Sam Okafor"
    with pytest.raises(TransitionError, match="already taken over"):
        h.take("Sam Okafor", "Taking it over a second time is refused.", handover_id=taken.id)
    [item] = h.history()
    assert (item.outgoing, item.incoming, item.open_count) == ("Kim Nguyen", "Sam Okafor", 5)
    assert h.verify().ok


def test_taking_over_a_draft_is_refused(known: tuple[AppContext, ManualClock, dict[str, str]]) -> None:
    ctx, _clock, r = known
    ctx.handover.rate(NIGHT, r["A"], "watch")
    with pytest.raises(TransitionError, match="is a draft"):
        ctx.handover.take("Sam Okafor", "I take over everything that is open now.")


def _sql(ctx: AppContext, *statements: str) -> None:
    """Behind the application's back, as an attacker with the file would (SQLite only)."""
    if not ctx.db.is_sqlite:
        pytest.skip("edits the SQLite file directly")
    path = ctx.db.engine.url.database
    ctx.db.dispose()
    conn = sqlite3.connect(str(path))
    for sql in statements:
        conn.execute(sql)
    conn.commit()
    conn.close()


def test_an_edit_behind_the_triggers_is_found(known: tuple[AppContext, ManualClock, dict[str, str]],
                                              capsys: pytest.CaptureFixture[str]) -> None:
    ctx, _clock, _r = known
    ctx.handover.sign(NIGHT, "Kim Nguyen", notes="all calm")
    with pytest.raises(Exception, match="append-only"):
        _sql(ctx, "UPDATE handover_step SET name = 'Someone else'")
    cli = Cli(capsys, str(ctx.db.engine.url))
    assert cli("handover", "verify")[0] == 0
    _sql(ctx, "DROP TRIGGER handover_step_no_update",
         "UPDATE handover_step SET body = replace(body, 'Mail outage', 'Mail hiccup')")
    code, _out, err = cli("handover", "verify")
    assert code == 1 and "handover 1 (signed)" in err and len(err.strip().splitlines()) == 1


def test_a_tampered_timeline_no_longer_gives_the_signed_head(
        known: tuple[AppContext, ManualClock, dict[str, str]], capsys: pytest.CaptureFixture[str]) -> None:
    ctx, _clock, r = known
    ctx.handover.sign(NIGHT, "Kim Nguyen")
    _sql(ctx, "DROP TRIGGER timeline_entry_no_update",
         "UPDATE timeline_entry SET text = 'nothing happened' WHERE text = 'waiting for the vendor'")
    cli = Cli(capsys, str(ctx.db.engine.url))
    code, _out, err = cli("handover", "verify")
    assert code == 1 and f"the timeline of {r['A']}" in err
    assert cli("timeline", "verify", r["A"])[0] != 0  # the timeline's own check agrees


def test_the_pdf_holds_every_heading_both_signatures_and_the_hashes(
        known: Known, capsys: pytest.CaptureFixture[str], tmp_path: Path, qapp: object) -> None:
    """(The Qt application is made first, as the console has one: the export reuses it.)"""
    ctx, _clock, _r = known
    ctx.handover.sign(NIGHT, "Kim Nguyen", notes="the mail queue")
    view = ctx.handover.take("Sam Okafor", "I hold the mail outage and the open printer case.")
    cli = Cli(capsys, str(ctx.db.engine.url))
    for page in ("A4", "Letter"):
        out = tmp_path / f"h-{page}.pdf"
        assert cli("handover", "export", "1", "--format", "pdf", "--page", page, "-o", str(out))[0] == 0
        text = unicodedata.normalize("NFKC", pdf_text(out))  # the PDF's ligatures (ﬂ)
        flat = "".join(text.split())
        for _key, title in SECTIONS:
            assert title in text
        assert "Kim Nguyen" in text and "Sam Okafor" in text
        assert view.content_hash in flat and view.signed and view.signed.hash in flat
        assert view.taken and view.taken.hash in flat
        assert all(head in flat for _seq, head in view.heads.values())
        assert "page 1 of" in text
    md = tmp_path / "h.md"
    assert cli("handover", "export", "1", "--format", "md", "-o", str(md))[0] == 0
    assert "Sam Okafor" in md.read_text()


@pytest.mark.parametrize("args, reason", [
    (("handover", "show", "--at", "2026-10-25T01:00:00"), "needs its UTC offset"),
    (("handover", "show", "--shift-start", "2026-10-25T01:00:00Z"), "no shift starts at"),
    (("handover", "sign", "--outgoing", "Kim", "--rate", "INC-1=great"), "stable, watch or unstable"),
    (("handover", "sign", "--outgoing", "Kim", "--rate", "nonsense"), "REF=stable"),
    (("handover", "take", "--incoming", "Sam", "--synthesis", " "), "synthesis is required"),
    (("handover", "take", "--incoming", "Sam", "--synthesis", "I take it all over now."), "no signed"),
    (("handover", "export", "7", "--format", "md", "-o", "x.md"), "no handover 7"),
    (("handover", "export", "7", "--format", "md", "-o", "x.pdf"), "ends with .md"),
    (("handover", "verify", "9"), "no handover 9"),
])
def test_bad_input_exits_2_with_one_line(sqlite_url: str, capsys: pytest.CaptureFixture[str],
                                         args: tuple[str, ...], reason: str, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    cli = Cli(capsys, sqlite_url)
    code, _out, err = cli(*args)
    assert code == 2 and reason in err and len(err.strip().splitlines()) == 1, err
    assert cli.json("handover", "list") == []
