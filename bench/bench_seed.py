"""`demo seed` insert rate vs. raw sqlite3.executemany of the same rows (same run, same disk)."""

from __future__ import annotations

import sqlite3
import tempfile
from pathlib import Path

from common import isolate, report, save, timed

N_INCIDENTS, N_ENTRIES = 20_000, 200_000


def run() -> dict[str, object]:
    isolate()
    from imdesk.app import build_context
    from imdesk.services.demo.bulk_seed import bulk_seed

    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-seed-"))
    ctx = build_context(f"sqlite:///{folder / 'seed.sqlite'}")
    result = bulk_seed(ctx.db, incidents=N_INCIDENTS, entries=N_ENTRIES)
    ctx.close()
    ours = result.rate

    # Baseline: the same rows, already built, inserted with raw sqlite3 into the same schema —
    # tables, indexes, full-text tables and their triggers — with the same pragmas (WAL,
    # synchronous=FULL): what SQLite itself must do, without imdesk's work.
    src = sqlite3.connect(folder / "seed.sqlite")
    rows = src.execute("SELECT uuid, incident_id, seq, kind, text, author, recorded_at, occurred_at, "
                       "data, prev_hash, hash FROM timeline_entry").fetchall()
    incidents = src.execute("SELECT * FROM incident").fetchall()
    shadow = ("_data", "_idx", "_docsize", "_config", "_content")  # made by CREATE VIRTUAL TABLE
    schema = [sql for name, sql in src.execute(
        "SELECT name, sql FROM sqlite_master WHERE sql IS NOT NULL ORDER BY rowid")
        if not ("_fts_" in name and name.endswith(shadow))]
    src.close()
    dst = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    dst.execute("PRAGMA journal_mode=WAL")
    dst.execute("PRAGMA synchronous=FULL")
    for sql in schema:
        dst.execute(sql)
    dst.execute("PRAGMA foreign_keys=ON")

    def raw_insert() -> None:
        dst.execute("BEGIN IMMEDIATE")
        dst.executemany(f"INSERT INTO incident VALUES ({','.join('?' * len(incidents[0]))})", incidents)
        dst.executemany("INSERT INTO timeline_entry (uuid, incident_id, seq, kind, text, author, "
                        "recorded_at, occurred_at, data, prev_hash, hash) VALUES "
                        "(?,?,?,?,?,?,?,?,?,?,?)", rows)
        dst.execute("COMMIT")

    raw_rate = len(rows) / timed(raw_insert)
    dst.close()
    pct = ours / raw_rate * 100
    return report("demo seed insert rate", ours / 1000, "k entries/s", raw_rate / 1000,
                  "raw sqlite3.executemany", f"≥ 30 % of baseline (is {pct:.0f} %)", pct >= 30)


if __name__ == "__main__":
    out = run()
    save(out if isinstance(out, list) else [out])
