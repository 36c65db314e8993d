"""S2: the writer is killed with SIGKILL at a random moment, 200 times. Every note whose
add_note had returned is in the database, no uuid is doubled, `db check` and SQLite's
integrity_check pass."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.services.incidents import NewIncident
from imdesk.services.integrity import check_database

HELPER = Path(__file__).with_name("helpers") / "kill_writer.py"
CYCLES = 200


@pytest.mark.slow
@pytest.mark.skipif(sys.platform == "win32", reason="fork and SIGKILL are POSIX")
def test_acknowledged_entries_survive_kill_9(sqlite_url: str) -> None:
    ctx = build_context(sqlite_url, author="tester")
    ref = ctx.incidents.create(NewIncident(title="Writer target", impact="low",
                                           urgency="low")).ref
    ctx.close()

    run = subprocess.run([sys.executable, str(HELPER), sqlite_url, ref, str(CYCLES), "20261102"],
                         capture_output=True, text=True, timeout=600, check=False)
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    acknowledged: list[str] = result["acknowledged"]
    assert result["cycles"] == CYCLES
    assert result["child_errors"] == 0, run.stderr
    assert result["killed_mid_run"] >= CYCLES * 0.9  # the kills really came mid-run
    assert len(acknowledged) > CYCLES  # on average several commits per cycle
    assert len(set(acknowledged)) == len(acknowledged)

    ctx = build_context(sqlite_url, author="tester")
    try:
        report = check_database(ctx.db)
        assert report.ok, report.problem
        timeline = ctx.incidents.detail(ref).timeline
        stored = [e.text for e in timeline if e.kind == "note"]
        lost = set(acknowledged) - set(stored)
        assert not lost, sorted(lost)[:10]
        assert len(set(stored)) == len(stored)
        assert len({e.uuid for e in timeline}) == len(timeline)
        assert [e.seq for e in timeline] == list(range(1, len(timeline) + 1))
    finally:
        ctx.close()
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    with sqlite3.connect(path) as raw:
        assert raw.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        uuids = raw.execute("SELECT count(*), count(DISTINCT uuid) FROM timeline_entry").fetchone()
    raw.close()
    assert uuids[0] == uuids[1]
    print(f"\nkill -9: {CYCLES} cycles, {result['killed_mid_run']} killed mid-run, "
          f"{len(acknowledged)} acknowledged entries, {len(stored)} stored, lost={len(lost)}")
