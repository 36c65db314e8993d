"""Team mode offline on a real PostgreSQL server: the replica, the spool, the merge.

The desk is switched offline by hand here (go_offline: exactly what a refused connection does);
the outage drill (test_outage_drill.py) stops a real server."""

from __future__ import annotations

from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.errors import TransitionError
from imdesk.services.desk import merge as merge_mod
from imdesk.services.desk.spool import SpoolService
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.storage import spool_repo
from imdesk.storage.database import Database
from tests.conftest import fresh_pg_url

pytestmark = pytest.mark.postgres


@pytest.fixture
def server(pg_template: str) -> str:
    return fresh_pg_url(pg_template)


def desk(url: str, name: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    """A desk's console context: its own name and data folder (its replica's home)."""
    monkeypatch.setenv("IMDESK_DESK", name)
    monkeypatch.setenv("IMDESK_DATA_DIR", str(home / name))
    monkeypatch.setenv("IMDESK_USER", f"{name.lower()}-user")
    ctx = build_context(url)
    assert ctx.spool is not None and ctx.desk.name == name
    return ctx


def spool(ctx: AppContext) -> SpoolService:
    assert ctx.spool is not None
    return ctx.spool


def test_the_replica_holds_open_incidents_timelines_and_the_contact_book(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = desk(server, "SPOC", tmp_path, monkeypatch)
    ctx.catalog.add("VPN")
    a = ctx.incidents.create(NewIncident("VPN down", "high", "high", service="VPN"))
    ctx.incidents.add_note(a.ref, "called the vendor")
    first = spool(ctx).tick()
    assert first is not None and first.incidents == 1 and first.entries == 2
    ctx.incidents.add_note(a.ref, "vendor calls back")  # online: on the server only
    again = spool(ctx).tick()
    assert again is not None and again.entries == 1  # incremental: only the new entry
    spool(ctx).go_offline()
    assert [e.text for e in ctx.incidents.detail(a.ref).timeline][-2:] == [
        "called the vendor", "vendor calls back"]
    assert [s.name for s in ctx.catalog.services()] == ["VPN"]
    assert ctx.timeline.verify().ok  # the replica's chains are the server's
    ctx.close()


def test_offline_work_is_merged_once_in_order_marked_and_conflicts_kept(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = desk(server, "SPOC", tmp_path, monkeypatch)
    a = ctx.incidents.create(NewIncident("VPN down", "high", "high"))
    b = ctx.incidents.create(NewIncident("Mail slow", "low", "medium"))
    spool(ctx).tick()
    spool(ctx).go_offline()
    assert ctx.db.offline  # type: ignore[attr-defined]
    ctx.incidents.add_note(a.ref, "offline one")
    ctx.incidents.change_status(a.ref, "in_progress", "on it")
    ctx.incidents.change_status(b.ref, "on_hold", "waiting for the vendor")
    c = ctx.incidents.create(NewIncident("Printer on fire", "medium", "high"))
    assert c.ref == "INC-OFF-SPOC-1"
    ctx.incidents.add_note(c.ref, "extinguisher used")
    assert spool(ctx).status().waiting == 5
    # meanwhile another desk cancels b on the server
    other = Database(server)
    IncidentService(other, author="kim").change_status(b.ref, "cancelled", "dup")
    other.dispose()

    report = spool(ctx).tick()
    assert isinstance(report, merge_mod.MergeReport)
    assert report.entries == 4 and report.refs == [("INC-OFF-SPOC-1", "INC-1003")]
    assert len(report.conflicts) == 1 and report.conflicts[0].startswith(b.ref)
    assert not ctx.db.offline  # type: ignore[attr-defined]
    assert spool(ctx).status().waiting == 0
    detail = ctx.incidents.detail(a.ref)
    assert detail.incident.status == "in_progress"
    offline = [e for e in detail.timeline if "offline" in e.data]
    assert [e.text for e in offline] == ["offline one", "on it"]
    assert offline[0].data["offline"]["desk"]["name"] == "SPOC"
    assert detail.timeline[-1].text.endswith("merged")
    new = ctx.incidents.detail("INC-1003")
    assert [e.kind for e in new.timeline] == ["opened", "note", "note"]
    assert "INC-OFF-SPOC-1" in new.timeline[-1].text and "INC-1003" in new.timeline[-1].text
    assert ctx.incidents.get("inc-off-spoc-1").ref == "INC-1003"  # the old ref still finds it
    assert ctx.timeline.verify().ok
    [conflict] = spool(ctx).conflicts()
    assert conflict.incident_ref == b.ref and conflict.to_status == "on_hold"
    assert conflict.text == "waiting for the vendor"
    # a person applies it anyway as a note
    spool(ctx).settle(conflict.id, True, ctx.incidents, "ana")
    assert "waiting for the vendor" in ctx.incidents.detail(b.ref).timeline[-1].text
    assert spool(ctx).conflicts() == []
    ctx.close()


def test_a_merge_cut_short_continues_without_writing_anything_twice(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = desk(server, "MIM", tmp_path, monkeypatch)
    refs = [ctx.incidents.create(NewIncident(f"outage {n}", "high", "low")).ref for n in range(3)]
    spool(ctx).tick()
    spool(ctx).go_offline()
    for ref in refs:
        for n in range(4):
            ctx.incidents.add_note(ref, f"{ref} line {n}")
    new = ctx.incidents.create(NewIncident("offline born", "low", "low"))
    ctx.incidents.add_note(new.ref, "a line on it")

    calls = {"n": 0}
    real_mark = spool_repo.mark

    def crash_after_the_second_server_commit(*args: object, **kwargs: object) -> None:
        calls["n"] += 1
        if calls["n"] == 2:  # the server has committed; the replica never hears of it
            raise KeyboardInterrupt
        real_mark(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(spool_repo, "mark", crash_after_the_second_server_commit)
    with pytest.raises(KeyboardInterrupt):
        spool(ctx).tick()
    monkeypatch.setattr(spool_repo, "mark", real_mark)
    report = spool(ctx).tick()
    assert isinstance(report, merge_mod.MergeReport) and report.already > 0
    server_db = Database(server)
    with server_db.read() as s:
        from sqlalchemy import func, select

        from imdesk.storage.models import TimelineEntryRow

        texts = [t for t in s.scalars(select(TimelineEntryRow.text)).all()
                 if " line " in t and "offline" not in t]
        assert len(texts) == len(set(texts)) == 13
        assert s.scalar(select(func.count()).select_from(TimelineEntryRow).where(
            TimelineEntryRow.kind == "opened")) == 4
    server_db.dispose()
    assert ctx.timeline.verify().ok
    ctx.close()


def test_offline_only_incident_work_is_taken_and_the_rest_says_why(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.errors import DatabaseReadOnly

    ctx = desk(server, "SPOC", tmp_path, monkeypatch)
    ref = ctx.incidents.create(NewIncident("VPN down", "high", "high")).ref
    spool(ctx).tick()
    spool(ctx).go_offline()
    with pytest.raises(DatabaseReadOnly, match="offline"):
        ctx.catalog.add("Payroll")
    with pytest.raises(TransitionError):  # the lifecycle still holds offline
        ctx.incidents.change_status(ref, "closed")
    ctx.close()


def test_a_message_queued_offline_waits_and_is_not_sent_from_the_replica(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.errors import DatabaseReadOnly
    from imdesk.services.comms.recipients import Recipient
    from tests.comms.conftest import configure, use_people

    ctx = desk(server, "SPOC", tmp_path, monkeypatch)
    configure(ctx)
    ref = ctx.incidents.create(NewIncident("VPN down", "high", "high")).ref
    spool(ctx).tick()
    spool(ctx).go_offline()
    use_people(ctx, [Recipient("Kim Larsen", phones=("+4915771234567",))])
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update", audience="business"))
    assert spool(ctx).status().waiting >= 2  # its timeline lines and the message
    from sqlalchemy import select

    from imdesk.storage.outbox_models import OutboxMessageRow

    with pytest.raises(DatabaseReadOnly, match="messages wait"), ctx.db.write() as s:
        msg = s.scalars(select(OutboxMessageRow)).one()
        msg.sending_since = msg.created_at  # what a sender does to claim it: refused offline
    report = spool(ctx).tick()
    assert isinstance(report, merge_mod.MergeReport) and report.messages == 1
    [message] = ctx.comms.outbox.list()
    assert message.state != "sent"
    ctx.close()


def test_an_unreachable_server_without_a_replica_is_said_plainly(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from imdesk.cli import main

    monkeypatch.setenv("IMDESK_DATA_DIR", str(tmp_path / "never-synced"))
    code = main(["--db", "postgresql+psycopg://imdesk@127.0.0.1:1/gone", "incident", "list"])
    err = capsys.readouterr().err
    assert code == 1 and err.count("\n") == 1 and "no replica" in err


def test_what_team_mode_sets_on_the_database_reaches_server_and_replica(
        server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.services.desk.team_db import TeamDatabase

    ctx = desk(server, "SPOC", tmp_path, monkeypatch)
    db = ctx.db
    assert isinstance(db, TeamDatabase)
    db.desk = {"name": "SPOC", "host": "h", "user": "u"}  # the desk on every entry (team mode)
    spool(ctx).tick()  # the replica is made after: it gets it too
    assert db.replica is not None
    want = {"name": "SPOC", "host": "h", "user": "u"}
    assert db.server.desk == db.replica.desk == db.desk == want  # type: ignore[attr-defined]
    ctx.close()
