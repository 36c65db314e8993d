"""The timeline is append-only (the database refuses UPDATE/DELETE) and hash-chained: with the
trigger dropped, an edited, deleted or reordered entry is found by `db check`, naming it."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from imdesk.app import AppContext
from imdesk.cli import main
from imdesk.domain.timeline import GENESIS_HASH, TimelineEntry, entry_hash, verify_chain
from imdesk.services.clock import ManualClock
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.services.integrity import check_database

# -- the chain itself (pure) ------------------------------------------------------------------


def _chain(n: int, ref: str = "INC-1001") -> list[TimelineEntry]:
    entries: list[TimelineEntry] = []
    prev = GENESIS_HASH
    at = datetime(2026, 1, 5, 8, 0, tzinfo=UTC)
    for seq in range(1, n + 1):
        fields: dict[str, Any] = {"incident_ref": ref, "seq": seq, "uuid": str(uuid.uuid4()), "kind": "note",
                  "text": f"entry {seq}", "author": "amy", "recorded_at": at,
                  "occurred_at": None, "data": {"n": seq}}
        digest = entry_hash(prev_hash=prev, **fields)
        entries.append(TimelineEntry(prev_hash=prev, hash=digest, **fields))
        prev = digest
        at += timedelta(minutes=1)
    return entries


def _bad_seq(chain: list[TimelineEntry]) -> int:
    problem = verify_chain(chain)
    assert problem is not None
    return problem.seq


def test_an_untouched_chain_verifies() -> None:
    chain = _chain(6)
    assert verify_chain(chain, expected_head=chain[-1].hash) is None


@pytest.mark.parametrize("seq", [1, 3, 6])
def test_an_edited_text_is_found_at_its_seq(seq: int) -> None:
    chain = _chain(6)
    chain[seq - 1] = replace(chain[seq - 1], text="nothing happened here")
    problem = verify_chain(chain, expected_head=chain[-1].hash)
    assert problem is not None and problem.seq == seq and "edited" in problem.reason


def test_edited_data_or_time_is_found() -> None:
    chain = _chain(4)
    chain[1] = replace(chain[1], data={"n": 99})
    assert _bad_seq(chain) == 2
    chain = _chain(4)
    chain[2] = replace(chain[2], recorded_at=chain[2].recorded_at - timedelta(hours=1))
    assert _bad_seq(chain) == 3


@pytest.mark.parametrize("seq", [1, 3, 6])
def test_a_deleted_entry_is_found(seq: int) -> None:
    chain = _chain(6)
    head = chain[-1].hash
    del chain[seq - 1]
    problem = verify_chain(chain, expected_head=head)
    assert problem is not None and problem.seq == seq


def test_swapped_entries_are_found() -> None:
    chain = _chain(6)
    chain[2], chain[3] = chain[3], chain[2]
    assert _bad_seq(chain) == 3


def test_a_recomputed_chain_is_caught_only_by_the_external_head() -> None:
    chain = _chain(5)
    head = chain[-1].hash
    forged: list[TimelineEntry] = []
    prev = GENESIS_HASH
    for e in chain:
        e = replace(e, text="forged" if e.seq == 2 else e.text, prev_hash=prev)
        e = replace(e, hash=entry_hash(prev_hash=prev, incident_ref=e.incident_ref, seq=e.seq,
                                       uuid=e.uuid, kind=e.kind, text=e.text, author=e.author,
                                       recorded_at=e.recorded_at, occurred_at=e.occurred_at,
                                       data=e.data))
        forged.append(e)
        prev = e.hash
    assert verify_chain(forged) is None  # internally consistent ...
    problem = verify_chain(forged, expected_head=head)  # ... but not the head on record
    assert problem is not None and problem.seq == 6


# -- in the database (SQLite and PostgreSQL) ------------------------------------------------


def _story(ctx: AppContext, clock: ManualClock) -> str:
    """An incident with 7 entries, and a bystander incident."""
    ctx.catalog.add("Mail")
    ref = ctx.incidents.create(NewIncident(title="Mail down", impact="high", urgency="high",
                                           service="Mail")).ref
    ctx.incidents.create(NewIncident(title="bystander", impact="low", urgency="low"))
    for step in range(3):
        clock.advance(timedelta(minutes=3))
        ctx.incidents.add_note(ref, f"note {step}")
    ctx.incidents.change_status(ref, "in_progress")
    ctx.incidents.edit(ref, IncidentEdit(urgency="low"))
    ctx.incidents.edit(ref, IncidentEdit(major=True))
    assert ctx.incidents.get(ref).last_seq == 7
    assert check_database(ctx.db).ok
    return ref


def _timeline(ctx: AppContext, ref: str) -> list[tuple[int, str]]:
    return [(e.seq, e.text) for e in ctx.incidents.detail(ref).timeline]


def _drop_append_only_trigger(ctx: AppContext) -> None:
    with ctx.db.engine.begin() as conn:
        if ctx.db.is_sqlite:
            conn.execute(text("DROP TRIGGER timeline_entry_no_update"))
            conn.execute(text("DROP TRIGGER timeline_entry_no_delete"))
        else:
            conn.execute(text("DROP TRIGGER timeline_entry_append_only ON timeline_entry"))


def _incident_id(ctx: AppContext, ref: str) -> int:
    with ctx.db.engine.connect() as conn:
        return int(conn.execute(text("SELECT id FROM incident WHERE ref = :r"), {"r": ref})
                   .scalar_one())


@pytest.mark.parametrize("statement", [
    "UPDATE timeline_entry SET text = 'nothing to see' WHERE seq = 2",
    "UPDATE timeline_entry SET seq = seq + 100",
    "DELETE FROM timeline_entry WHERE seq = 3",
    "DELETE FROM timeline_entry",
])
def test_the_database_refuses_update_and_delete(ctx: AppContext, clock: ManualClock,
                                                statement: str) -> None:
    ref = _story(ctx, clock)
    before = _timeline(ctx, ref)
    with pytest.raises(DBAPIError) as err, ctx.db.engine.begin() as conn:
        conn.execute(text(statement))
    assert "append-only" in str(err.value)
    assert _timeline(ctx, ref) == before
    assert check_database(ctx.db).ok


def _tamper_edit(ctx: AppContext, incident_id: int) -> int:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE timeline_entry SET text = 'all fine, no outage' "
                          "WHERE incident_id = :i AND seq = 3"), {"i": incident_id})
    return 3


def _tamper_delete(ctx: AppContext, incident_id: int) -> int:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM timeline_entry WHERE incident_id = :i AND seq = 4"),
                     {"i": incident_id})
    return 4


def _tamper_delete_last(ctx: AppContext, incident_id: int) -> int:
    with ctx.db.engine.begin() as conn:
        conn.execute(text("DELETE FROM timeline_entry WHERE incident_id = :i AND seq = 7"),
                     {"i": incident_id})
    return 7


def _tamper_swap(ctx: AppContext, incident_id: int) -> int:
    with ctx.db.engine.begin() as conn:
        for old, new in ((2, -1), (5, 2), (-1, 5)):
            conn.execute(text("UPDATE timeline_entry SET seq = :new "
                              "WHERE incident_id = :i AND seq = :old"),
                         {"i": incident_id, "old": old, "new": new})
    return 2


TAMPERINGS = {"edit text": _tamper_edit, "delete": _tamper_delete,
              "delete last": _tamper_delete_last, "swap seq": _tamper_swap}


@pytest.mark.parametrize("how", sorted(TAMPERINGS))
def test_tampering_is_found_by_db_check(ctx: AppContext, db_url: str, clock: ManualClock,
                                        capsys: pytest.CaptureFixture[str], how: str) -> None:
    ref = _story(ctx, clock)
    _drop_append_only_trigger(ctx)
    seq = TAMPERINGS[how](ctx, _incident_id(ctx, ref))

    report = check_database(ctx.db)
    assert not report.ok
    assert ref in str(report.problem) and f"entry {seq}" in str(report.problem)
    assert check_database(ctx.db, ref=ref).problem == report.problem

    capsys.readouterr()
    assert main(["--db", db_url, "db", "check"]) == 1
    out, err = capsys.readouterr()
    assert err.count("\n") == 1 and ref in err and f"entry {seq}" in err
    assert "Traceback" not in out + err

    for args in (["timeline", "verify"], ["timeline", "verify", ref]):
        assert main(["--db", db_url, *args]) == 1
        out, err = capsys.readouterr()
        assert err.count("\n") == 1 and ref in err and f"entry {seq}" in err, err
    assert main(["--db", db_url, "timeline", "verify", "--json"]) == 1
    verdict = json.loads(capsys.readouterr().out)
    assert (verdict["ok"], verdict["ref"], verdict["seq"]) == (False, ref, seq)


def test_a_tampered_projection_is_found(ctx: AppContext, clock: ManualClock) -> None:
    ref = _story(ctx, clock)
    with ctx.db.engine.begin() as conn:
        conn.execute(text("UPDATE incident SET priority = 'P5' WHERE ref = :r"), {"r": ref})
    report = check_database(ctx.db)
    assert not report.ok and ref in str(report.problem) and "priority" in str(report.problem)
