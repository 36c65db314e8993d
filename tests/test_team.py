"""Team mode (issue 13, online part): desks on entries, the stale-state refusal, the change feed,
`desk name` / `desk status`, and — on a real PostgreSQL — four processes appending to one incident
at full speed and two desks changing one incident at once (Hypothesis)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.domain.errors import StaleStateError
from imdesk.domain.incident import IncidentState
from imdesk.domain.timeline import TimelineEntry
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from tests.conftest import PG_URL, fresh_pg_url

ROOT = Path(__file__).resolve().parents[1]
needs_pg = pytest.mark.skipif(not PG_URL, reason="PostgreSQL not started (IMDESK_TEST_PG_URL)")


def desk_ctx(url: str, name: str, author: str, clock: ManualClock | None = None) -> AppContext:
    ctx = build_context(url, clock=clock, author=author)
    ctx.set_desk_name(name)
    return ctx


def new(ctx: AppContext, title: str = "Mail down") -> str:
    return ctx.incidents.create(NewIncident(title=title, impact="high", urgency="medium")).ref


def cli(url: str, *args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMDESK_DATA_DIR": str(data)}
    return subprocess.run([sys.executable, "-m", "imdesk", "--db", url, *args], capture_output=True,
                          text=True, env=env, timeout=120, check=False)


# -- desks on entries, the stale-state refusal (SQLite and PostgreSQL) ---------------------------
def test_every_entry_carries_its_desk_and_the_chain_holds(db_url: str, clock: ManualClock) -> None:
    a = desk_ctx(db_url, "SPOC desk", "ana", clock)
    b = desk_ctx(db_url, "MIM laptop", "bo", clock)
    try:
        ref = new(a)
        b.incidents.add_note(ref, "bridge is up")
        b.war_rooms.declare(ref, roles={"im": "Kim"})
        timeline = a.incidents.detail(ref).timeline
        desks = [(e.author, e.data["desk"]["name"]) for e in timeline]
        assert desks[0] == ("ana", "SPOC desk")
        assert set(desks[1:]) == {("bo", "MIM laptop")}
        assert a.timeline.verify(ref).ok  # the desk is hashed with the rest
    finally:
        a.close()
        b.close()


def test_a_change_against_a_stale_state_is_refused_naming_the_other_desk(
        db_url: str, clock: ManualClock) -> None:
    a = desk_ctx(db_url, "SPOC desk", "ana", clock)
    b = desk_ctx(db_url, "Shift lead", "bo", clock)
    try:
        ref = new(a)
        seen = b.incidents.get(ref).last_seq  # what desk B shows
        a.incidents.add_note(ref, "a mere note changes nothing")
        b.incidents.change_status(ref, "in_progress", expected_seq=seen)  # not refused
        seen_a = a.incidents.get(ref).last_seq - 2
        before = a.incidents.get(ref)
        with pytest.raises(StaleStateError) as refused:
            a.incidents.change_status(ref, "on_hold", "vendor", expected_seq=seen_a)
        assert str(refused.value) == (f"{ref} was changed meanwhile by Shift lead/bo: "
                                      "status new → in_progress")
        assert a.incidents.get(ref) == before  # nothing written
        with pytest.raises(StaleStateError, match="Shift lead/bo"):
            a.incidents.edit(ref, IncidentEdit(title="Mail slow"), expected_seq=seen_a)
        with pytest.raises(StaleStateError, match="Shift lead/bo"):
            a.war_rooms.declare(ref, expected_seq=seen_a)
        # told once, the second try is made against the state it was told of
        state = a.incidents.change_status(ref, "on_hold", "vendor",
                                          expected_seq=refused.value.latest)
        assert state.status.value == "on_hold"
        b.war_rooms.declare(ref, roles={"im": "Kim"})
        room_seen = b.incidents.get(ref).last_seq
        a.war_rooms.assign_role(ref, "im", "Lea")
        with pytest.raises(StaleStateError, match="SPOC desk/ana: Incident manager handed over"):
            b.war_rooms.assign_role(ref, "im", "Max", expected_seq=room_seen)
    finally:
        a.close()
        b.close()


def test_the_command_line_refuses_a_stale_change_with_exit_3(sqlite_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    assert cli(sqlite_url, "desk", "name", "CLI desk", data=data).returncode == 0
    ref = cli(sqlite_url, "incident", "add", "--title", "VPN down", "--impact", "high",
              "--urgency", "high", data=data).stdout.strip()
    seq = json.loads(cli(sqlite_url, "incident", "show", ref, "--json", data=data).stdout)["last_seq"]
    assert cli(sqlite_url, "incident", "status", ref, "in_progress", "--expected-seq", str(seq),
               data=data).returncode == 0
    done = cli(sqlite_url, "incident", "status", ref, "on_hold", "--note", "vendor",
               "--expected-seq", str(seq), data=data)
    assert done.returncode == 3
    assert done.stderr.strip().endswith("changed meanwhile by CLI desk/tester: status new → in_progress")
    shown = json.loads(cli(sqlite_url, "incident", "show", ref, "--json", data=data).stdout)
    assert shown["status"] == "in_progress" and shown["timeline"][-1]["data"]["desk"]["name"] == "CLI desk"


def test_desk_name_and_status(sqlite_url: str, tmp_path: Path) -> None:
    data = tmp_path / "data"
    named = cli(sqlite_url, "desk", "name", "  SPOC   desk ", "--json", data=data)
    assert named.returncode == 0 and json.loads(named.stdout)["name"] == "SPOC desk"
    status = json.loads(cli(sqlite_url, "desk", "status", "--json", data=data).stdout)
    assert status["desk"]["name"] == "SPOC desk" and status["online"] is True
    assert status["database"]["kind"] == "sqlite" and status["change_counter"] is None
    down = cli("postgresql+psycopg://imdesk@127.0.0.1:1/nothing", "desk", "status", "--json",
               data=data)
    report = json.loads(down.stdout)
    assert down.returncode == 0 and report["online"] is False and "cannot be used" in report["error"]


# -- PostgreSQL: the change feed, several consoles, concurrency ---------------------------------
@pytest.fixture
def pg_url(pg_template: str) -> str:
    return fresh_pg_url(pg_template)


@needs_pg
def test_each_commit_is_one_change_feed_row_and_one_notification(pg_url: str) -> None:
    import psycopg

    from imdesk.services.desk.listener import conninfo_of

    a = desk_ctx(pg_url, "SPOC desk", "ana")
    try:
        with psycopg.connect(conninfo_of(a.db.engine.url), autocommit=True) as conn:
            conn.execute("LISTEN imdesk_changes")
            ref = new(a)
            a.war_rooms.declare(ref, bridge="+47 22 00 00 00", roles={"im": "Kim"})  # one commit
            notes = list(conn.notifies(timeout=2.0, stop_after=2))
            rows = conn.execute("SELECT counter, desk, what FROM change_feed ORDER BY counter").fetchall()
        assert [n.payload for n in notes] == [f"{r[0]}:SPOC desk" for r in rows]
        assert [r[2] for r in rows] == [ref, ref]
        assert all(r[0] in a.db.own_counters for r in rows)  # this desk ignores them
    finally:
        a.close()


@needs_pg
def test_two_consoles_open_one_postgresql_database(pg_url: str) -> None:
    from imdesk.storage.db_info import sqlite_path

    assert sqlite_path(pg_url) is None  # the one-console lock is for SQLite files only
    a, b = desk_ctx(pg_url, "A", "ana"), desk_ctx(pg_url, "B", "bo")
    try:
        ref = new(a)
        b.incidents.add_note(ref, "seen from B")
        assert len(a.incidents.detail(ref).timeline) == 2
    finally:
        a.close()
        b.close()


APPENDER = """
import sys
from imdesk.app import build_context
ctx = build_context(sys.argv[1], author=sys.argv[2])
ctx.set_desk_name(sys.argv[2])
for n in range(int(sys.argv[4])):
    ctx.incidents.add_note(sys.argv[3], f"{sys.argv[2]} line {n}")
ctx.close()
"""


@needs_pg
def test_four_processes_append_250_entries_each_to_one_incident(pg_url: str, tmp_path: Path) -> None:
    setup = desk_ctx(pg_url, "setup", "ana")
    ref = new(setup)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMDESK_DATA_DIR": str(tmp_path)}
    procs = [subprocess.Popen([sys.executable, "-c", APPENDER, pg_url, f"desk{n}", ref, "250"],
                              env=env, stderr=subprocess.PIPE, text=True) for n in range(4)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0, 0], errors
    assert not any(errors), errors
    try:
        timeline = setup.incidents.detail(ref).timeline
        assert [e.seq for e in timeline] == list(range(1, 1002))  # gap-free, opened + 1,000
        for n in range(4):  # each desk's lines in its own order, none lost
            mine = [e.text for e in timeline if e.data.get("desk", {}).get("name") == f"desk{n}"]
            assert mine == [f"desk{n} line {i}" for i in range(250)]
        report = setup.timeline.verify(ref)
        assert report.ok and report.entries == 1001
    finally:
        setup.close()


CHANGES = st.lists(st.tuples(st.sampled_from(["title", "urgency", "major", "role", "note"]),
                             st.sampled_from(["title", "urgency", "role", "note", "major"])),
                   min_size=1, max_size=6)


@needs_pg
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=CHANGES)
def test_two_desks_changing_one_incident_at_once(pg_template: str, pairs: list[tuple[str, str]]) -> None:
    url = fresh_pg_url(pg_template)
    a, b = desk_ctx(url, "Desk A", "ana"), desk_ctx(url, "Desk B", "bo")
    try:
        ref = new(a)
        a.incidents.change_status(ref, "in_progress")
        counter = iter(range(10_000))

        def change(ctx: AppContext, kind: str, seen: int) -> object:
            n = next(counter)
            if kind == "title":
                return ctx.incidents.edit(ref, IncidentEdit(title=f"title {n}"), expected_seq=seen)
            if kind == "urgency":
                return ctx.incidents.edit(ref, IncidentEdit(urgency=["low", "high"][n % 2]),
                                          expected_seq=seen)
            if kind == "major":
                major = not ctx.incidents.get(ref).major
                return ctx.incidents.edit(ref, IncidentEdit(major=major), expected_seq=seen)
            if kind == "role":
                return ctx.war_rooms.assign_role(ref, "scribe", f"person {n}", expected_seq=seen)
            return ctx.incidents.add_note(ref, f"note {n}")

        for kind_a, kind_b in pairs:
            seen = a.incidents.get(ref).last_seq  # both desks show the same state
            before = seen
            barrier = threading.Barrier(2)
            outcome: dict[str, object] = {}

            def run(name: str, ctx: AppContext, kind: str, seen: int = seen,
                    barrier: threading.Barrier = barrier,
                    outcome: dict[str, object] = outcome) -> None:
                barrier.wait()
                try:
                    outcome[name] = change(ctx, kind, seen)
                except Exception as exc:  # judged below
                    outcome[name] = exc

            threads = [threading.Thread(target=run, args=("A", a, kind_a)),
                       threading.Thread(target=run, args=("B", b, kind_b))]
            for t in threads:
                t.start()
            for t in threads:
                t.join(60)
            refused = {k: v for k, v in outcome.items() if isinstance(v, Exception)}
            assert len(outcome) == 2 and len(refused) < 2, outcome  # someone always gets in
            for name, why in refused.items():
                other = "Desk B" if name == "A" else "Desk A"
                assert isinstance(why, StaleStateError), repr(why)  # never a crash
                assert why.by.startswith(f"{other}/"), why
            # no lost write: every accepted change is in the chain, and only those
            after = a.incidents.detail(ref).timeline
            by_seq = {e.seq: e for e in after}
            writers = {e.data["desk"]["name"] for e in after if e.seq > before}
            assert writers <= {f"Desk {k}" for k in outcome if k not in refused}
            for name, result in outcome.items():
                if isinstance(result, TimelineEntry):
                    assert by_seq[result.seq].uuid == result.uuid
                elif isinstance(result, IncidentState) and result.last_seq > before:
                    # its own change, or one that asked for what the incident already was (a
                    # note of the other desk came first): nothing written by this desk then
                    writer = by_seq[result.last_seq].data["desk"]["name"]
                    assert writer == f"Desk {name}" or f"Desk {name}" not in writers, outcome
        assert a.timeline.verify(ref).ok
    finally:
        a.close()
        b.close()
