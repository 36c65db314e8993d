"""The scaling benchmark's databases: 10k, 100k and 1M incidents with 10 entries each, built once
and kept in CACHE (keyed by size and schema revision).

Years of data at a steady arrival rate: every size has the same 2,000 open incidents (as the
100k benchmark database) and the same pace (100k incidents per 30 days), so a bigger database is
a longer closed history, not a bigger open queue. The build is resumable: it seeds in chunks,
and `python bench/scale_data.py 1000000` run again after an interruption carries on where the
last committed batch ended. A cache built at an older schema revision is copied and upgraded
(adding an index to 10M rows takes seconds; building them takes many minutes)."""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from common import CACHE, copy_and_upgrade, finish_build

OPEN = 2000              # open incidents at every size
PER_INCIDENT = 10        # timeline entries per incident
PACE = timedelta(days=30) / 100_000  # time between two incidents
CHUNK = 50_000           # incidents per bulk_seed call (the unit of resumption)
SIZES = (10_000, 100_000, 1_000_000)


def _path(size: int, revision: str) -> Path:
    return CACHE / f"scale-{size}-{size * PER_INCIDENT}-schema{revision}.sqlite"


def scale_database(size: int) -> Path:
    """The cached database of SIZE incidents at this schema: reused, upgraded or built."""
    from imdesk.storage.schema import HEAD_REVISION, KNOWN_REVISIONS

    path = _path(size, HEAD_REVISION)
    if path.exists():
        return path
    for older in reversed(KNOWN_REVISIONS[:-1]):
        if _path(size, older).exists():
            return _upgrade(_path(size, older), path)
    return _build(size, path)


def _upgrade(old: Path, path: Path) -> Path:
    started = time.perf_counter()
    print(f"  upgrading a copy of {old.name} …", flush=True)
    tmp = path.with_suffix(".building")
    copy_and_upgrade(old, tmp)  # the statistics of the tables carry over: no ANALYZE
    tmp.rename(path)
    print(f"  upgraded in {time.perf_counter() - started:.0f} s", flush=True)
    return path


def _build(size: int, path: Path) -> Path:
    """Seed SIZE incidents into PATH's ".building" twin, resuming a build that was cut short."""
    from sqlalchemy import func, select

    from imdesk.app import build_context
    from imdesk.services.demo.bulk_seed import bulk_seed
    from imdesk.services.demo.story import ensure_demo_data
    from imdesk.storage.models import IncidentRow

    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".building")
    state_file = path.with_suffix(".building.json")
    state = json.loads(state_file.read_text()) if tmp.exists() and state_file.exists() else None
    ctx = build_context(f"sqlite:///{tmp}")
    _no_sync(ctx.db.engine)
    if state is None:
        ensure_demo_data(ctx)  # services, people and a realistic open set on top
        with ctx.db.read() as s:
            base = int(s.execute(select(func.max(IncidentRow.id))).scalar_one())
        state = {"base": base, "now": datetime.now(UTC).isoformat(), "seconds": 0.0}
        state_file.write_text(json.dumps(state))
    now = datetime.fromisoformat(state["now"])
    span = PACE * size
    while True:
        with ctx.db.read() as s:
            done = int(s.execute(select(func.max(IncidentRow.id))).scalar_one()) - state["base"]
        if done >= size:
            break
        if done:
            print(f"  … {done:,} of {size:,} incidents in", flush=True)
        end = min(size, done + CHUNK)
        n = end - done
        chunk_now = now - span * (size - end) / size
        open_here = max(0, end - max(done, size - OPEN))
        started = time.perf_counter()
        bulk_seed(ctx.db, incidents=n, entries=n * PER_INCIDENT, seed=done + 1, now=chunk_now,
                  open_share=open_here / n, span=span * n / size)
        state["seconds"] += time.perf_counter() - started
        state_file.write_text(json.dumps(state))
    started = time.perf_counter()
    finish_build(ctx, tmp, path)  # checkpoint, ANALYZE, rename
    state["seconds"] += time.perf_counter() - started
    seconds = state["seconds"]
    print(f"  built {size:,} incidents / {size * PER_INCIDENT:,} entries in {seconds:.0f} s "
          f"({size * PER_INCIDENT / seconds:,.0f} entries/s)", flush=True)
    path.with_suffix(".json").write_text(json.dumps({"build_seconds": seconds}))
    state_file.unlink()
    return path


def _no_sync(engine: object) -> None:
    """A fixture, not user data: the build does not wait for the disk (a crash is resumed)."""
    from sqlalchemy import event

    engine.dispose()  # type: ignore[attr-defined]
    event.listen(engine, "connect",
                 lambda conn, _record: conn.execute("PRAGMA synchronous = OFF"))


def build_seconds(size: int) -> float | None:
    """How long the cached database of SIZE took to build (None if unknown)."""
    from imdesk.storage.schema import KNOWN_REVISIONS

    for revision in reversed(KNOWN_REVISIONS):
        info = _path(size, revision).with_suffix(".json")
        if info.exists():
            return float(json.loads(info.read_text())["build_seconds"])
    return None


if __name__ == "__main__":
    from common import isolate

    isolate()
    for arg in sys.argv[1:] or [str(s) for s in SIZES]:
        print(scale_database(int(arg)), flush=True)
