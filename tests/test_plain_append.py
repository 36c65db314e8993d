"""The plain append (services/journal.py `append`: prebuilt statements, no ORM object) writes
exactly what the ORM path (`write_entry`) writes: the same entry (seq, hash, desk stamp), the
same incident row and the same milestone row (steps, priority and SLA targets copied, caller
mark), and names the same change for the change feed — on SQLite and PostgreSQL.

Each step is written twice from the same state with the same clock and uuid: through the ORM in
a unit that is rolled back after its rows are read, then through the plain path, committed."""

from __future__ import annotations

import itertools
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Table, delete, event, insert, select
from sqlalchemy.orm import Session

from imdesk.context import AppContext
from imdesk.domain.desk import Desk
from imdesk.domain.lifecycle import Status, check_transition
from imdesk.domain.timeline import USER_KINDS, EntryDraft, EntryKind
from imdesk.errors import DatabaseReadOnly
from imdesk.services.clock import ManualClock
from imdesk.services.desk.replica import open_replica
from imdesk.services.incidents import IncidentService, NewIncident
from imdesk.services.integrity import check_database
from imdesk.services.journal import append, chain_entry, write_entries, write_entry
from imdesk.storage import incident_repo, locked_incident, timeline_repo
from imdesk.storage.database import CHANGED
from imdesk.storage.link_models import IncidentLinkRow
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow, SettingRow, TimelineEntryRow
from imdesk.storage.spool_models import SpoolItemRow

TABLES: tuple[Table, ...] = tuple(t.__table__ for t in (IncidentRow, MilestoneRow))  # type: ignore[misc]
ENTRIES: Table = TimelineEntryRow.__table__  # type: ignore[assignment]
LINKS: Table = IncidentLinkRow.__table__  # type: ignore[assignment]


_UUIDS = itertools.count()  # one per entry written (the examples share a database)


class _Undo(Exception):
    """Rolls the ORM path's unit back once its rows are read."""


def _rows(s: Session, incident_id: int) -> dict[str, Any]:
    """Everything the append writes, column by column (the entry's row id aside: a sequence on
    PostgreSQL does not roll back)."""
    out: dict[str, Any] = {}
    for table in TABLES:
        key = table.c.id if "id" in table.c else table.c.incident_id
        row = s.execute(select(*table.c).where(key == incident_id)).first()
        out[table.name] = None if row is None else dict(row._mapping)
    out["entries"] = [{k: v for k, v in r._mapping.items() if k != "id"} for r in s.execute(
        select(*ENTRIES.c).where(ENTRIES.c.incident_id == incident_id).order_by(ENTRIES.c.seq))]
    return out


def write_both(ctx: AppContext, ref: str, draft: EntryDraft, uuid: str) -> dict[str, Any]:
    """DRAFT through the ORM path (undone) and the plain path (kept): asserts they agree."""
    now = ctx.incidents.now()
    author = "kim"
    with pytest.MonkeyPatch.context() as m:
        m.setattr(timeline_repo, "uuid_mod", SimpleNamespace(uuid4=lambda: UUID(uuid)))
        try:
            with ctx.db.write() as s:
                row = incident_repo.get_row(s, ref, for_update=True)
                orm_result = write_entry(s, row, incident_repo.row_state(s, row), draft,
                                         service_id=row.service_id, author=author, now=now)
                s.flush()
                orm_rows, orm_changed = _rows(s, row.id), set(s.info[CHANGED])
                raise _Undo
        except _Undo:
            pass
        with ctx.db.write() as s:
            incident = locked_incident.lock(s, ref)
            plain_result = append(s, incident, draft, author=author, now=now)
            plain_changed = set(s.info[CHANGED])
        with ctx.db.read() as s:
            plain_rows = _rows(s, incident.id)
    assert plain_result == orm_result
    assert plain_changed == orm_changed == {ref}
    assert plain_rows == orm_rows
    return plain_rows


STEP = st.one_of(
    st.tuples(st.just("line"), st.sampled_from([k.value for k in USER_KINDS]),
              # what reaches the journal: the services clean NUL out (PostgreSQL refuses it)
              st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
                      min_size=1, max_size=30), st.sampled_from([None, 5, 600]), st.booleans()),
    st.tuples(st.just("status"), st.sampled_from([s.value for s in Status])),
    st.tuples(st.just("priority"), st.sampled_from(["P1", "P2", "P3", "P4", "P5"]),
              st.integers(1, 600)),
    st.tuples(st.just("major"), st.booleans()),
    st.tuples(st.just("exercise"), st.booleans()),
    st.tuples(st.just("link"), st.booleans()),
    st.tuples(st.just("no milestone row"),),  # a database older than the table
)


def _draft(ctx: AppContext, ref: str, step: tuple[Any, ...], written: list[int]) -> EntryDraft | None:
    state = ctx.incidents.get(ref)
    now = ctx.incidents.now()
    kind = step[0]
    if kind == "line":
        _, user_kind, text, back, correct = step
        data: dict[str, Any] = {}
        occurred = None if back is None else now - timedelta(minutes=back)
        if occurred is not None and occurred < state.opened_at:
            data["before_opened"] = True
        if correct and written:
            data["supersedes"] = written[-1]
        return EntryDraft(EntryKind(user_kind), text, data, occurred)
    if kind == "status":
        try:
            check_transition(state.status, Status(step[1]), "why")
        except Exception:
            return None
        return EntryDraft(EntryKind.STATUS, "why", {"from": state.status.value, "to": step[1]})
    if kind == "priority":
        return EntryDraft(EntryKind.PRIORITY, "priority", {
            "impact": "high", "urgency": "low", "priority": step[1], "from": state.priority.value,
            "respond_minutes": step[2], "resolve_minutes": step[2] * 4})
    if kind in ("major", "exercise"):
        return EntryDraft(EntryKind(kind), kind, {kind: step[1]})
    master = ctx.incidents.create(NewIncident(title="master", impact="low", urgency="low")) \
        if kind == "link" else None
    with ctx.db.write() as s:
        incident_id = incident_repo.get_row(s, ref).id
        if kind == "link":  # the link row first, then the entry that tells of it
            s.execute(delete(LINKS).where(LINKS.c.incident_id == incident_id))
            if master is not None and step[1]:
                other = incident_repo.get_row(s, master.ref).id
                s.execute(insert(LINKS), {"incident_id": incident_id, "other_id": other,
                                          "kind": "caller", "author": "kim", "created_at": now})
            return EntryDraft(EntryKind.LINK, "linked" if step[1] else "unlinked", {})
        s.execute(delete(MilestoneRow.__table__).where(  # type: ignore[arg-type]
            MilestoneRow.__table__.c.incident_id == incident_id))  # type: ignore[attr-defined]
    return None


@settings(max_examples=15, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(STEP, min_size=1, max_size=8))
def test_the_plain_append_writes_what_the_orm_path_writes(
        ctx: AppContext, clock: ManualClock, steps: list[tuple[Any, ...]]) -> None:
    ctx.db.desk = Desk("SPOC", "host", "kim").as_data()  # the desk stamp is hashed with the rest
    ref = ctx.incidents.create(NewIncident(title="Mail down", impact="high", urgency="medium",
                                           service=None)).ref
    written: list[int] = []
    for step in [*steps, ("line", "note", "the last line", None, False)]:
        clock.advance(timedelta(seconds=37))
        draft = _draft(ctx, ref, step, written)
        if draft is None:
            continue
        rows = write_both(ctx, ref, draft, f"00000000-0000-4000-8000-{next(_UUIDS):012d}")
        entry = rows["entries"][-1]
        assert entry["data"]["desk"]["name"] == "SPOC"
        if draft.kind in USER_KINDS:
            written.append(entry["seq"])
    assert ctx.timeline.verify(ref).ok
    assert check_database(ctx.db).ok


def test_the_composer_line_takes_the_plain_path_and_keeps_the_chain(ctx: AppContext,
                                                                    clock: ManualClock) -> None:
    """IncidentService.add_entry (what the composer calls) writes no ORM object, and what it
    writes checks clean: chain, projection, milestones."""
    ref = ctx.incidents.create(NewIncident(title="VPN down", impact="high", urgency="high")).ref
    seen: list[object] = []

    def collect(s: Session, *_args: object) -> None:
        seen.extend(s.new)

    event.listen(Session, "before_flush", collect)
    try:
        for n, kind in enumerate(["note", "communication", "decision", "action"]):
            clock.advance(timedelta(minutes=1))
            ctx.incidents.add_entry(ref, f"line {n}", kind)
        first = ctx.incidents.detail(ref).timeline[1].seq
        ctx.incidents.add_entry(ref, "line 0, corrected", supersedes=first)
    finally:
        event.remove(Session, "before_flush", collect)
    assert not [o for o in seen if isinstance(o, (TimelineEntryRow, MilestoneRow))]
    detail = ctx.incidents.detail(ref)
    assert [e.seq for e in detail.timeline] == list(range(1, 7))
    assert detail.incident.last_seq == 6 and detail.incident.head_hash == detail.timeline[-1].hash
    assert ctx.timeline.verify(ref).ok
    assert check_database(ctx.db).ok


def test_the_offline_spool_sees_every_entry_however_it_was_inserted(tmp_path: Path) -> None:
    """On a desk's replica each entry gets its spool item in the unit that wrote it, in the
    order written — through the ORM, the plain append or a run of plain inserts — and a plain
    write to a table the merge does not carry is refused like an ORM one, nothing saved."""
    replica = open_replica(tmp_path / "replica.sqlite", Desk("MIM", "laptop", "ana"))
    try:
        service = IncidentService(replica, author="ana")
        ref = service.create(NewIncident(title="Core switch", impact="high", urgency="high")).ref
        assert ref == "INC-OFF-MIM-1"
        service.add_entry(ref, "through the plain path")
        with replica.write() as s:
            row = incident_repo.get_row(s, ref, for_update=True)
            state = incident_repo.row_state(s, row)
            run = []
            for text in ("a run", "of two"):
                state, entry = chain_entry(s, row.ref, state, EntryDraft(EntryKind.NOTE, text),
                                           author="ana", now=service.now())
                run.append(entry)
            write_entries(s, row, state, run, service_id=row.service_id)
        with pytest.raises(DatabaseReadOnly), replica.write() as s:
            s.execute(insert(SettingRow.__table__), {"key": "x", "value": 1})  # type: ignore[arg-type]
        with replica.read() as s:
            items = s.execute(select(SpoolItemRow.uuid, SpoolItemRow.incident_id,
                                     SpoolItemRow.recorded_at, SpoolItemRow.desk)
                              .where(SpoolItemRow.kind == "entry").order_by(SpoolItemRow.id)).all()
            entries = s.execute(select(ENTRIES.c.uuid, ENTRIES.c.incident_id,
                                       ENTRIES.c.recorded_at).order_by(ENTRIES.c.id)).all()
            assert s.get(SettingRow, "x") is None
        assert [tuple(i[:3]) for i in items] == [tuple(e) for e in entries]
        assert len(items) == 4 and {i.desk["name"] for i in items} == {"MIM"}
        assert [e.text for e in service.detail(ref).timeline] == [
            "Core switch", "through the plain path", "a run", "of two"]
        assert check_database(replica).ok
    finally:
        replica.dispose()
