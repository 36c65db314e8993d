"""Process start to incident list painted (100k incidents, 1M entries) and peak RSS,
against a bare PySide6 window in the same run.

The usual start uses the first-page plan an earlier start left in the cache folder (the list's
first page is read before SQLAlchemy is imported, storage/first_page.py); the cold start has no
plan (the first start after installing or upgrading) and opens the database first."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, big_database, isolate, median, report, save

RUNS = 5


def _run(cmd: list[str], env: dict[str, str]) -> tuple[float, int]:
    """Seconds from spawning the process to its first painted rows, and its peak RSS (KiB).
    The child prints the wall-clock time of that paint and, as it exits, its own VmHWM (the
    parent's rusage would count the memory of the forked parent too)."""
    start = time.time()
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    _pid, status, _usage = os.wait4(proc.pid, 0)
    out = proc.stdout.read().decode() if proc.stdout else ""
    if status != 0 or "painted-at" not in out:
        err = proc.stderr.read().decode() if proc.stderr else ""
        raise SystemExit(f"{cmd} failed ({status}): {err or out}")
    painted = float(out.split("painted-at", 1)[1].split()[0])
    peak_kib = int(out.split("peak-rss-kib", 1)[1].split()[0]) if "peak-rss-kib" in out else 0
    return painted - start, peak_kib


def _plans() -> Path:
    return Path(os.environ["IMDESK_DATA_DIR"]) / "cache" / "first-page-plans.json"


def run() -> list[dict[str, object]]:
    isolate()
    db = big_database()
    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    app_cmd = [sys.executable, "-m", "imdesk", "--db", str(db), "--exit-after-paint"]
    bare_cmd = [sys.executable, str(ROOT / "bench" / "bare_window.py")]
    _run(app_cmd, env)  # warm the page cache once for both (and leave the first-page plan)
    _run(bare_cmd, env)
    if not _plans().is_file():
        raise SystemExit("the console left no first-page plan behind")
    app_times, cold_times, bare_times, app_rss, bare_rss = [], [], [], [], []
    for _ in range(RUNS):
        t, rss = _run(app_cmd, env)
        app_times.append(t)
        app_rss.append(rss)
        t, rss = _run(bare_cmd, env)
        bare_times.append(t)
        bare_rss.append(rss)
        _plans().unlink()
        t, _rss = _run(app_cmd, env)  # leaves the plan again for the next usual start
        cold_times.append(t)
    start_app, start_bare = median(app_times) * 1000, median(bare_times) * 1000
    ratio = start_app / start_bare
    cold = median(cold_times) * 1000
    out = [report("start to incident list painted (100k incidents, 1M entries)", start_app, "ms",
                  start_bare, "bare PySide6 window", "≤ 2×", ratio <= 2.0),
           report("cold start (no first-page plan: first start after an upgrade)", cold, "ms",
                  start_bare, "bare PySide6 window", "≤ 2.5×", cold <= 2.5 * start_bare)]
    peak = max(app_rss) / 1024
    out.append(report("peak RSS with that database open", peak, "MB", max(bare_rss) / 1024,
                      "bare PySide6 window", "≤ 250 MB", peak <= 250))
    return out


if __name__ == "__main__":
    out = run()
    save(out if isinstance(out, list) else [out])
