"""The shift handover on a database of the issue's shape (100k incidents / 1M entries, 300
incidents and 10k entries in the last 12 hours): compiling that 12-hour
shift's handover, and writing it as a PDF, each beside a baseline measured in the same run —
raw sqlite3 running the window's bare queries (open incidents, incidents opened in the window,
status entries recorded in it), and Qt's PDF writer printing the same text as one plain block."""

from __future__ import annotations

import sqlite3
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import CACHE, finish_build, isolate, report, save, start_build, upgrade_older

RUNS = 7


def _ms(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return (time.perf_counter() - start) * 1000


def _sql_time(value: datetime) -> str:
    return value.replace(tzinfo=None).isoformat(" ", "microseconds")


def handover_database() -> tuple[Path, datetime]:
    """The issue's shape: 100k incidents / 1M entries, of which 300 incidents and 10k entries
    fall in the 12 hours before the end of the data (built once, cached like the big one)."""
    from imdesk.app import build_context
    from imdesk.services.demo.bulk_seed import bulk_seed
    from imdesk.services.demo.story import ensure_demo_data
    from imdesk.storage.schema import HEAD_REVISION


    path = CACHE / f"handover-100000-1000000-open01-schema{HEAD_REVISION}.sqlite"
    tmp = None if path.exists() else start_build(path)
    if tmp is not None and upgrade_older(path, tmp):
        finish_build(build_context(f"sqlite:///{tmp}"), tmp, path)
    elif tmp is not None:  # None: built already (or by another run while this one waited)
        ctx = build_context(f"sqlite:///{tmp}")
        ensure_demo_data(ctx)
        end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
        print("  building 100,000 incidents / 1,000,000 entries, 300 / 10,000 in the last "
              "12 hours (once) …", flush=True)
        # Before the shift, a desk has closed nearly everything: 0.1 % of the history stays
        # open (about 100 incidents, with the demo's and the shift's own: the open section).
        bulk_seed(ctx.db, incidents=99_700, entries=990_000, now=end - timedelta(hours=12),
                  open_share=0.001)
        bulk_seed(ctx.db, incidents=300, entries=10_000, now=end, span=timedelta(hours=12), seed=2)
        path.with_suffix(".end").write_text(end.isoformat())  # where the shift ends
        finish_build(ctx, tmp, path)
    return path, datetime.fromisoformat(path.with_suffix(".end").read_text().strip())


def run() -> list[dict[str, object]]:
    isolate()
    path, end = handover_database()
    from imdesk.app import build_context
    from imdesk.domain.shift import ShiftWindow
    from imdesk.services.clock import ManualClock

    raw = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    # A minute before the hour: never the window of a handover the demo story signed (its shifts
    # start on the hour), which `show` would return frozen instead of compiling.
    end -= timedelta(minutes=1)
    window = ShiftWindow(end - timedelta(hours=12), end)
    bounds = (_sql_time(window.start), _sql_time(window.end))
    n_inc = raw.execute("SELECT count(*) FROM incident WHERE opened_at >= ? AND opened_at < ?",
                        bounds).fetchone()[0]
    n_ent = raw.execute("SELECT count(*) FROM timeline_entry WHERE recorded_at >= ? "
                        "AND recorded_at < ?", bounds).fetchone()[0]
    n_open = raw.execute("SELECT count(*) FROM incident WHERE status IN "
                         "('new','in_progress','on_hold')").fetchone()[0]
    print(f"  window {window.start:%Y-%m-%d %H:%M} → {window.end:%H:%M} UTC: {n_inc:,} incidents "
          f"opened, {n_ent:,} entries recorded in it; {n_open:,} open incidents", flush=True)

    ctx = build_context(f"sqlite:///{path}", clock=ManualClock(window.end - timedelta(minutes=30)))
    svc = ctx.handover
    view = svc.show(window)  # warm up (imports, statement caches, page cache)
    assert view.state.value == "draft", "the benchmark's window must be compiled, not a signed one"
    ours = statistics.median(_ms(lambda: svc.show(window)) for _ in range(RUNS))

    def baseline() -> None:
        raw.execute("SELECT * FROM incident WHERE status IN ('new','in_progress','on_hold') "
                    "ORDER BY priority, opened_at").fetchall()
        raw.execute("SELECT * FROM incident WHERE opened_at >= ? AND opened_at < ?",
                    bounds).fetchall()
        raw.execute("SELECT incident_id, recorded_at, data FROM timeline_entry WHERE "
                    "recorded_at >= ? AND recorded_at < ? AND kind = 'status'", bounds).fetchall()

    baseline()
    base = statistics.median(_ms(baseline) for _ in range(RUNS))
    results = [report(f"compile a 12-hour shift's handover ({n_inc:,} incidents, {n_ent:,} "
                      f"entries in the window, {n_open:,} open), median of {RUNS}", ours, "ms",
                      base, "raw sqlite3: the window's three bare queries", "≤ 300 ms",
                      ours <= 300)]
    results.append(_pdf(view, ctx.settings.desk_name()))
    ctx.close()
    raw.close()
    return results


def _pdf(view: object, desk: str) -> dict[str, object]:
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication, QPageSize, QPdfWriter, QTextDocument

    from imdesk.domain.report_doc import to_markdown
    from imdesk.qt.widgets.report_pdf import write_report_pdf
    from imdesk.services.handover.document import handover_doc

    app = QGuiApplication.instance() or QGuiApplication([])
    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-handover-"))

    def ours() -> None:
        doc = handover_doc(view, desk)  # type: ignore[arg-type]
        write_report_pdf(doc, folder / "handover.pdf")

    text = to_markdown(handover_doc(view, desk))  # type: ignore[arg-type]

    def plain() -> None:
        writer = QPdfWriter(str(folder / "plain.pdf"))
        writer.setResolution(300)
        writer.setPageSize(QPageSize(QPageSize.PageSizeId.A4))
        doc = QTextDocument()
        doc.setPlainText(text)
        doc.print_(writer)
        del writer

    ours()
    plain()
    figure = statistics.median(_ms(ours) for _ in range(3))
    base = statistics.median(_ms(plain) for _ in range(3))
    pages = len(text.splitlines())
    del app
    return report(f"the handover to PDF (A4, {pages} lines of text), median of 3", figure, "ms",
                  base, "QPdfWriter printing the same text as one plain block", "≤ 1000 ms",
                  figure <= 1000)


if __name__ == "__main__":
    save(run())
