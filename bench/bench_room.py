"""The war room at the service level: add an entry (commit with synchronous=FULL) and read a
room whose incident has 10k entries, each against raw sqlite3 doing the bare SQL in the same run.
The view-update part of "add an entry" and first paint are measured by bench_room_gui.py."""

from __future__ import annotations

import os
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from common import isolate, percentile, report, save

ADDS = 200
READS = 20
PAGE = 200


def _ms(start: float) -> float:
    return (time.perf_counter() - start) * 1000


def bench_add(folder: Path) -> dict[str, object]:
    from imdesk.app import build_context
    from imdesk.domain.timeline import compact_json
    from imdesk.services.incidents import NewIncident

    ctx = build_context(f"sqlite:///{folder / 'add.sqlite'}")
    ref = ctx.incidents.create(NewIncident(title="Core switch down in DC2", impact="high",
                                           urgency="high", major=True)).ref
    ctx.war_rooms.declare(ref, bridge="tel:+49 30 1234 5678", roles={"im": "Kim Berg"})
    for n in range(5):  # warm up (statement caches, WAL file)
        ctx.incidents.add_entry(ref, f"warm-up line {n}")
    ours, cpu = [], []
    for n in range(ADDS):
        start, cpu_start = time.perf_counter(), time.process_time()
        entry = ctx.incidents.add_entry(ref, f"line {n}: failover to DC1 in progress, Kim "
                                             "checks the optics", "action" if n % 3 else "note")
        ours.append(_ms(start))
        cpu.append((time.process_time() - cpu_start) * 1000)
    with ctx.db.engine.connect() as conn:
        sync = conn.exec_driver_sql("PRAGMA synchronous").scalar_one()
        mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar_one()
    assert (sync, mode) == (2, "wal"), (sync, mode)  # FULL, WAL: the figure is for real commits
    ctx.close()

    # The same-size row, written and committed by raw sqlite3 with the same durability.
    row = (entry.uuid, 1, 0, entry.kind, entry.text, entry.author,
           entry.recorded_at.isoformat(" "), None, compact_json(entry.data), entry.prev_hash,
           entry.hash)
    raw = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    raw.execute("PRAGMA journal_mode = WAL")
    raw.execute("PRAGMA synchronous = FULL")
    raw.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY, uuid TEXT, incident_id INTEGER, "
                "seq INTEGER, kind TEXT, text TEXT, author TEXT, recorded_at TEXT, "
                "occurred_at TEXT, data TEXT, prev_hash TEXT, hash TEXT)")
    base = []
    for n in range(5 + ADDS):
        start = time.perf_counter()
        raw.execute("BEGIN IMMEDIATE")
        raw.execute("INSERT INTO entry (uuid, incident_id, seq, kind, text, author, recorded_at, "
                    "occurred_at, data, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (*row[:2], n, *row[3:]))
        raw.execute("COMMIT")
        if n >= 5:
            base.append(_ms(start))
    raw.close()
    print(f"  add an entry: CPU per entry median {statistics.median(cpu):.2f} ms, p95 "
          f"{percentile(cpu, 95):.2f} ms (what load and the disk change least; load average "
          f"{os.getloadavg()[0]:.2f})", flush=True)
    p95 = percentile(ours, 95)
    return report(f"add an entry (service, commit; synchronous=FULL), p95 of {ADDS}", p95, "ms",
                  percentile(base, 95), "raw sqlite3 INSERT+COMMIT, same-size row, FULL/WAL",
                  "≤ 30 ms", p95 <= 30)


def bench_read(folder: Path) -> dict[str, object]:
    from imdesk.app import build_context
    from imdesk.services.demo.bulk_seed import bulk_seed
    from imdesk.services.incidents import REF_BASE, REF_PREFIX

    path = folder / "room.sqlite"
    ctx = build_context(f"sqlite:///{path}")
    bulk_seed(ctx.db, incidents=1, entries=10_000)
    with ctx.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
    ref = f"{REF_PREFIX}{REF_BASE + 1}"  # the first incident on a new file
    room = ctx.war_rooms.room(ref)
    assert room.entry_count == 10_000, room.entry_count
    ours = []
    for _ in range(READS):
        start = time.perf_counter()
        room = ctx.war_rooms.room(ref)
        page = ctx.war_rooms.entries(ref, limit=PAGE)
        ours.append(_ms(start))
    assert [e.seq for e in page] == list(range(10_000 - PAGE + 1, 10_001))
    ctx.close()

    raw = sqlite3.connect(path)
    base = []
    for _ in range(READS):
        start = time.perf_counter()
        incident_id = raw.execute("SELECT id FROM incident WHERE ref = ?", (ref,)).fetchone()[0]
        rows = raw.execute("SELECT seq, uuid, kind, text, author, recorded_at, occurred_at, data, "
                           "prev_hash, hash FROM timeline_entry WHERE incident_id = ? "
                           f"ORDER BY seq DESC LIMIT {PAGE}", (incident_id,)).fetchall()
        base.append(_ms(start))
    assert len(rows) == PAGE
    raw.close()
    figure = statistics.median(ours)
    return report(f"read a room with 10k entries (room + newest {PAGE}), median of {READS}",
                  figure, "ms", statistics.median(base),
                  f"raw sqlite3 SELECT … ORDER BY seq DESC LIMIT {PAGE}", "≤ 150 ms",
                  figure <= 150)


def run() -> list[dict[str, object]]:
    isolate()
    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-room-"))
    return [bench_add(folder), bench_read(folder)]


if __name__ == "__main__":
    save(run())
