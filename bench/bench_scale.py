"""Scaling curve: start-up, filter keystroke p95, war-room open and Ctrl+K search p95 over 10k,
100k and 1M incidents (10 entries each). First pages and searches must not grow with the table:
the 1M figure of each path is reported against the 100k figure of the same run (gate ≤ 1.3×).

Each size is measured in a process of its own (`bench_scale.py --size N`), so one database's
page cache and heap do not help or hinder the next. The databases are built once and cached
(bench/scale_data.py); the 1M build takes many minutes and is resumable."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

from common import ROOT, isolate, median, percentile, report, save
from scale_data import SIZES, build_seconds, scale_database

PATHS = (("start", "start to incident list painted", "median of 5"),
         ("filter", "filter keystroke to updated list, p95", "40 keystrokes, all incidents"),
         ("room", "war room open (room + newest 200 entries)", "median of 20"),
         ("search", "Ctrl+K timeline search, top 50, p95", "60 searches"))
GATE = 1.3


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _startup(db: Path) -> tuple[float, float]:
    """Median wall time to the painted list, and the mean CPU time of a start (both ms)."""
    from bench_startup import _run

    env = dict(os.environ, QT_QPA_PLATFORM=os.environ.get("QT_QPA_PLATFORM", "offscreen"))
    cmd = [sys.executable, "-m", "imdesk", "--db", str(db), "--exit-after-paint"]
    _run(cmd, env)  # warm the page cache and leave the first-page plan
    cpu = _children_cpu()
    wall = median([_run(cmd, env)[0] for _ in range(5)]) * 1000
    return wall, (_children_cpu() - cpu) * 1000 / 5


def _filter(db: Path) -> tuple[float, float]:
    from bench_filter import open_list, type_prefixes

    ctx, window, pane, wait_loaded = open_list(db)
    wait_loaded(pane.apply_filter)
    cpu = time.process_time()  # the worker thread's too
    times = type_prefixes(pane, wait_loaded)
    cpu = (time.process_time() - cpu) * 1000 / len(times)
    window.close()
    ctx.close()
    return percentile(times, 95), cpu


def _room_and_search(db: Path) -> tuple[float, float, float, float]:
    """Wall median of room opens and p95 of searches; their CPU figures the same way."""
    from bench_search import QUERIES

    from imdesk.app import build_context

    ctx = build_context(f"sqlite:///{db}")
    ref = ctx.war_rooms.open_rooms()[0].ref  # the demo story's major incident
    rooms, room_cpu = [], []
    for _ in range(21):
        start, cpu = time.perf_counter(), time.process_time()
        ctx.war_rooms.open_rooms()
        ctx.war_rooms.room(ref)
        ctx.war_rooms.entries(ref, limit=200)
        rooms.append((time.perf_counter() - start) * 1000)
        room_cpu.append((time.process_time() - cpu) * 1000)
    ctx.timeline.search("warm up")
    searches, search_cpu = [], []
    for q in QUERIES * 3:
        start, cpu = time.perf_counter(), time.process_time()
        ctx.timeline.search(q, 50)
        searches.append((time.perf_counter() - start) * 1000)
        search_cpu.append((time.process_time() - cpu) * 1000)
    ctx.close()
    return (median(rooms[1:]), percentile(searches, 95), median(room_cpu[1:]),
            percentile(search_cpu, 95))


def measure(size: int) -> dict[str, float]:
    """The four figures at one size (run in a process of its own)."""
    db = scale_database(size)
    figures: dict[str, float] = {}
    figures["start"], figures["start_cpu"] = _startup(db)
    figures["filter"], figures["filter_cpu"] = _filter(db)
    (figures["room"], figures["search"], figures["room_cpu"],
     figures["search_cpu"]) = _room_and_search(db)
    return figures


def run() -> list[dict[str, object]]:
    isolate()
    for size in SIZES:  # build (or reuse) every database before measuring any
        scale_database(size)
    table: dict[int, dict[str, float]] = {}
    for size in SIZES:
        out = subprocess.run([sys.executable, __file__, "--size", str(size)], cwd=ROOT,
                             env=dict(os.environ), check=True, capture_output=True, text=True)
        table[size] = json.loads(out.stdout.strip().splitlines()[-1])
    load = os.getloadavg()[0]
    for suffix, what in (("", "wall ms"), ("_cpu", "CPU ms of the console, which load does not "
                                                  "inflate; start and filter: mean per run")):
        print(f"\nscaling table ({what}; load average {load:.1f}):")
        print(f"  {'path':<46}" + "".join(f"{s:>12,}" for s in SIZES) + "   1M / 100k")
        for key, name, _how in PATHS:
            row = [table[s][key + suffix] for s in SIZES]
            cells = "".join(f"{v:>12.1f}" for v in row)
            print(f"  {name:<46}{cells}   {row[-1] / row[-2]:.2f}")
    for size in SIZES:
        seconds = build_seconds(size)
        if seconds is not None:
            print(f"  database of {size:,} incidents built in {seconds:.0f} s (cached)")
    print(flush=True)
    results = []
    for key, name, how in PATHS:
        big, base = table[SIZES[-1]][key], table[SIZES[-2]][key]
        results.append(report(f"{name} at 1M incidents / 10M entries ({how})", big, "ms", base,
                              "the same at 100k incidents / 1M entries", f"≤ {GATE}×",
                              big <= GATE * base))
    return results


if __name__ == "__main__":
    if sys.argv[1:2] == ["--size"]:
        isolate()
        figures = measure(int(sys.argv[2]))
        print(json.dumps(figures), flush=True)
    else:
        save(run())
