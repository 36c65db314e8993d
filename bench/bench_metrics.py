"""Desk metrics over the 100k-incident / 1M-entry database, one year: the whole report (figures,
per priority, SLA, majors, weekly trend) against a raw sqlite3 count of the same incidents in
the same run. Gate: 200 ms (it runs on a worker thread in the console)."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta

from common import big_database, isolate, median, report, save

RUNS = 7


def main() -> None:
    isolate()
    path = big_database()
    from imdesk.app import build_context
    from imdesk.services.metrics import MetricsFilter

    ctx = build_context(f"sqlite:///{path}")
    end = datetime.now(UTC) + timedelta(days=1)
    f = MetricsFilter(end - timedelta(days=365), end)
    ctx.metrics.report(f)  # warm: connection, statement cache, pages in the OS cache
    ours, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        result = ctx.metrics.report(f, "week")
        ours.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    ctx.close()

    conn = sqlite3.connect(path)
    sql = ("SELECT count(*) FROM incident WHERE opened_at >= ? AND opened_at < ? "
           "AND exercise = 0")
    args = (f.start.replace(tzinfo=None).isoformat(" "), f.end.replace(tzinfo=None).isoformat(" "))
    raw = []
    for _ in range(RUNS):
        start = time.perf_counter()
        count = conn.execute(sql, args).fetchone()[0]
        raw.append((time.perf_counter() - start) * 1000)
    conn.close()
    print(f"  {result.summary.count:,} incidents in the year (raw count {count:,}); "
          f"TTA median {result.summary.tta.median} s, {len(result.trend)} weeks; the report's own "
          f"CPU time {median(cpu):.0f} ms (what it takes on a quiet machine)")
    figure = median(ours)
    save([report(f"metrics report over one year ({result.summary.count:,} incidents), "
                 f"median of {RUNS}", figure, "ms", median(raw), "raw sqlite3 count(*)",
                 "<= 200 ms", figure <= 200)])


if __name__ == "__main__":
    main()
