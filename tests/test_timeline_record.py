"""The war-room record: kinds, backdating, corrections, cleaning, search, verify, migration."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from imdesk.app import build_context
from imdesk.cli import main
from imdesk.context import AppContext
from imdesk.domain.errors import ValidationError
from imdesk.domain.sla import format_duration
from imdesk.domain.timefmt import friendly
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import NewIncident
from imdesk.storage import timeline_search
from imdesk.storage.database import Database
from imdesk.storage.migrate import run_alembic_upgrade


def _major(ctx: AppContext) -> str:
    return ctx.incidents.create(NewIncident(title="Core switch down in DC2", impact="high",
                                            urgency="high", major=True)).ref


def test_each_kind_is_recorded_with_author_and_time(ctx: AppContext, clock: ManualClock) -> None:
    ref = _major(ctx)
    for kind in ("note", "action", "decision", "communication"):
        clock.advance(timedelta(minutes=1))
        entry = ctx.incidents.add_entry(ref, f"a {kind}", kind)
        assert (entry.kind, entry.text, entry.author, entry.recorded_at) == (
            kind, f"a {kind}", "tester", clock.now())
    with pytest.raises(ValidationError, match="kind must be one of"):
        ctx.incidents.add_entry(ref, "x", "status")  # written by changes, not by hand
    assert [e.kind for e in ctx.incidents.detail(ref).timeline] == [
        "opened", "note", "action", "decision", "communication"]


def test_backdated_entries_are_bounded_and_marked(ctx: AppContext, clock: ManualClock) -> None:
    ref = _major(ctx)
    clock.advance(timedelta(minutes=30))
    when = clock.now() - timedelta(minutes=12)
    entry = ctx.incidents.add_entry(ref, "failover started", "action", occurred_at=when)
    assert entry.occurred_at == when and entry.recorded_at == clock.now()
    before = ctx.incidents.detail(ref)
    with pytest.raises(ValidationError, match="in the future"):
        ctx.incidents.add_entry(ref, "x", occurred_at=clock.now() + timedelta(minutes=5))
    assert ctx.incidents.detail(ref) == before
    # the outage began before the call came in: allowed, and marked as such
    earlier = ctx.incidents.add_entry(ref, "users lost mail from 09:50",
                                      occurred_at=before.incident.opened_at - timedelta(minutes=25))
    assert earlier.data["before_opened"] is True
    assert earlier.occurred_at == before.incident.opened_at - timedelta(minutes=25)


def test_a_correction_supersedes_and_keeps_the_original(ctx: AppContext, db_url: str,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    ref = _major(ctx)
    wrong = ctx.incidents.add_entry(ref, "failover started at 10:24", "action")
    fixed = ctx.incidents.add_entry(ref, "failover started at 10:42", "action",
                                    supersedes=wrong.seq)
    assert fixed.data["supersedes"] == wrong.seq
    with pytest.raises(ValidationError, match="no note, action"):
        ctx.incidents.add_entry(ref, "x", supersedes=1)  # the 'opened' entry is not a line
    with pytest.raises(ValidationError, match="no note, action"):
        ctx.incidents.add_entry(ref, "x", supersedes=99)
    assert main(["--db", db_url, "timeline", "show", ref, "--json"]) == 0
    shown = {e["seq"]: e for e in json.loads(capsys.readouterr().out)["timeline"]}
    assert shown[wrong.seq]["superseded"] and shown[wrong.seq]["text"].endswith("10:24")
    assert not shown[fixed.seq]["superseded"]


@pytest.mark.parametrize(("raw", "stored", "reason"), [
    ("call \u202egnp.exe now", "call gnp.exe now", "1 hidden control character removed"),
    ("a\u200b\u2066b", "ab", "2 hidden control characters removed"),
    ("<b>bold</b> & <script>", "<b>bold</b> & <script>", None),
])
def test_hidden_characters_are_removed_visibly(ctx: AppContext, raw: str, stored: str,
                                               reason: str | None) -> None:
    entry = ctx.incidents.add_entry(_major(ctx), raw)
    assert entry.text == stored
    assert entry.data.get("cleaned") == reason


@pytest.mark.parametrize("text", ["", "   \n\t ", "\u202e\u200b", "x" * 1_000_000])
def test_empty_and_huge_lines_are_refused(ctx: AppContext, text: str) -> None:
    ref = _major(ctx)
    with pytest.raises(ValidationError) as err:
        ctx.incidents.add_entry(ref, text)
    assert "empty" in err.value.message or "limit" in err.value.message
    assert len(ctx.incidents.detail(ref).timeline) == 1


def test_cli_refuses_bad_times_with_the_reason(sqlite_url: str,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", sqlite_url, "incident", "add", "--title", "t", "--impact", "low",
                 "--urgency", "low"]) == 0
    capsys.readouterr()
    for at, reason in (("2999-01-01T00:00:00Z", "in the future"), ("2026-11-27 10:00", "UTC offset"),
                       ("yesterday", "ISO 8601")):
        assert main(["--db", sqlite_url, "timeline", "add", "INC-1001", "x", "--at", at]) == 2
        err = capsys.readouterr().err
        assert reason in err and err.count("\n") == 1
    assert main(["--db", sqlite_url, "timeline", "show", "INC-1001", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)["timeline"]) == 1
    # before the incident was opened is allowed (the outage began earlier), marked
    assert main(["--db", sqlite_url, "timeline", "add", "INC-1001", "began",
                 "--at", "2001-01-01T00:00:00Z"]) == 0


def test_search_finds_hits_across_incidents(ctx: AppContext, db_url: str, clock: ManualClock,
                                            capsys: pytest.CaptureFixture[str]) -> None:
    first, second = _major(ctx), _major(ctx)
    clock.advance(timedelta(minutes=1))
    ctx.incidents.add_entry(first, "Uplink to DC1 flapping, Kim checks the optics", "action")
    clock.advance(timedelta(minutes=1))
    ctx.incidents.add_entry(second, "Decided: fail over to DC1 now", "decision")
    result = ctx.timeline.search("dc1")
    assert {(h.ref, h.kind) for h in result.hits} == {(first, "action"), (second, "decision")}
    assert result.total == 2
    assert all("«DC1»" in h.snippet for h in result.hits), [h.snippet for h in result.hits]
    assert ctx.timeline.search("optic flap").hits[0].ref == first  # prefixes, ANDed
    assert ctx.timeline.search('"; DROP TABLE incident; --').total == 0
    assert main(["--db", db_url, "timeline", "search", "uplink", "--json"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert [(h["ref"], h["seq"]) for h in out["hits"]] == [(first, 2)]
    assert out["hits"][0]["text"].startswith("Uplink")


def test_common_words_come_newest_first(ctx: AppContext, clock: ManualClock,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    ref = _major(ctx)
    for n in range(12):
        clock.advance(timedelta(minutes=1))
        ctx.incidents.add_entry(ref, f"status call {n}: still investigating")
    monkeypatch.setattr(timeline_search, "RANK_LIMIT", 5)  # 12 hits count as "common"
    hits = ctx.timeline.search("investigating", limit=4).hits
    assert [h.text.split(":")[0] for h in hits] == [f"status call {n}" for n in (11, 10, 9, 8)]
    result = ctx.timeline.search("investigating")
    assert (result.total, result.more, result.total_text) == (6, True, "5+")  # counted to 5 + 1


def test_verify_is_quiet_when_intact(sqlite_ctx: AppContext, sqlite_url: str,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    ref = _major(sqlite_ctx)
    sqlite_ctx.incidents.add_entry(ref, "bridge open")
    assert main(["--db", sqlite_url, "timeline", "verify"]) == 0
    assert "intact: 1 incidents, 2 entries" in capsys.readouterr().out
    assert main(["--db", sqlite_url, "timeline", "verify", ref]) == 0


def test_upgrading_from_0001_indexes_old_entries_for_search(tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """The real migration chain on a file with data: backup first, then old lines searchable
    (and their milestones filled by 0008)."""
    from sqlalchemy import bindparam, select

    from imdesk.services.incidents import IncidentService
    from imdesk.storage import locked_incident, milestone_repo

    path = tmp_path / "old.sqlite"
    old = Database(f"sqlite:///{path}")
    run_alembic_upgrade(old, "0001")
    service = IncidentService(old, author="night shift")
    with monkeypatch.context() as m:  # the code of 0001's time kept no milestones
        m.setattr(milestone_repo, "on_append", lambda *_a: None)
        m.setattr(milestone_repo, "on_append_plain", lambda *_a: None)
        m.setattr(locked_incident, "_BY_REF", select(*locked_incident.INCIDENT.c).where(
            locked_incident.INCIDENT.c.ref == bindparam("ref")))  # (nor read them)
        ref = service.create(NewIncident(title="Generator test", impact="low", urgency="low")).ref
        service.add_entry(ref, "diesel generator started on load", "action")
    old.dispose()

    ctx = build_context(f"sqlite:///{path}")
    try:
        assert ctx.migration_backup is not None and ctx.migration_backup.exists()
        hits = ctx.timeline.search("diesel").hits
        assert [(h.ref, h.seq, h.author) for h in hits] == [(ref, 2, "night shift")]
        from imdesk.storage import timeline_words

        with ctx.db.read() as s:  # 0022 took in the words of the old lines
            assert timeline_words.behind(s) == 0
        assert {h.seq for h in ctx.timeline.search("generat").hits} == {1, 2}  # title, line
        assert ctx.timeline.verify().ok
        from imdesk.services.integrity import check_database

        report = check_database(ctx.db)
        assert report.ok, report.problem  # milestones included
    finally:
        ctx.close()
    restored = Database(f"sqlite:///{ctx.migration_backup}")
    try:
        with restored.engine.connect() as conn:
            version = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar_one()
        assert version == "0001"  # the backup is the database as it was before
    finally:
        restored.dispose()


def test_dates_and_durations_across_a_daylight_saving_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 2026-10-25: clocks go back from 03:00 CEST to 02:00 CET.
    before = datetime(2026, 10, 24, 23, 30, tzinfo=UTC)  # 01:30 CEST
    after = datetime(2026, 10, 25, 2, 30, tzinfo=UTC)  # 03:30 CET
    now = datetime(2026, 10, 25, 9, 0, tzinfo=UTC)
    assert friendly(before, now, berlin) == "today 01:30"
    assert friendly(after, now, berlin) == "today 03:30"
    assert format_duration(after - before) == "3h 00m"  # not 2h: durations are UTC
    assert friendly(datetime(2026, 10, 24, 20, 0, tzinfo=UTC), now, berlin) == "yesterday 22:00"
    assert friendly(datetime(2026, 10, 19, 7, 0, tzinfo=UTC), now, berlin) == "Mon 19 Oct 09:00"
