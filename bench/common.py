"""Shared helpers for the benchmarks: temp dirs, the big database, timing and reporting."""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from imdesk.context import AppContext

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
CACHE = Path(os.environ.get("IMDESK_BENCH_DIR", Path(tempfile.gettempdir()) / "imdesk-bench"))


def isolate() -> Path:
    """Point imdesk's data and config dirs at a temp folder (never the user's own)."""
    home = Path(tempfile.mkdtemp(prefix="imdesk-bench-home-"))
    os.environ["IMDESK_DATA_DIR"] = str(home / "data")
    for var in ("XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME"):
        os.environ[var] = str(home / var.lower())
    return home


def big_database(incidents: int = 100_000, entries: int = 1_000_000) -> Path:
    """The benchmark database (100k incidents, 1M entries), built once and kept in CACHE."""
    from imdesk.app import build_context
    from imdesk.services.demo.bulk_seed import bulk_seed
    from imdesk.services.demo.story import ensure_demo_data
    from imdesk.storage.schema import HEAD_REVISION

    path = CACHE / f"big-{incidents}-{entries}-schema{HEAD_REVISION}.sqlite"
    if path.exists():
        return path
    tmp = start_build(path)
    if tmp is None:
        return path
    if upgrade_older(path, tmp):
        return finish_build(build_context(f"sqlite:///{tmp}"), tmp, path)
    ctx = build_context(f"sqlite:///{tmp}")
    ensure_demo_data(ctx)  # services and a realistic open set on top
    print(f"  building {incidents:,} incidents / {entries:,} entries (once) …", flush=True)
    bulk_seed(ctx.db, incidents=incidents, entries=entries)
    return finish_build(ctx, tmp, path)


_LOCKS: dict[Path, int] = {}


def upgrade_older(path: Path, tmp: Path) -> bool:
    """A cached database of an older schema, copied to TMP and upgraded to this build's schema
    (minutes saved per schema change); False when there is none. PATH's name ends in
    "-schemaNNNN.sqlite"; the newest older revision in CACHE with the same name is taken."""
    from imdesk.storage.schema import HEAD_REVISION, KNOWN_REVISIONS

    stem = path.name.removesuffix(f"schema{HEAD_REVISION}.sqlite")
    older = [CACHE / f"{stem}schema{r}.sqlite" for r in KNOWN_REVISIONS[:-1]]
    found = [p for p in older if p.exists()]
    if not found:
        return False
    source = found[-1]
    for extra in (".end", ".json"):  # what a builder keeps beside its database
        if source.with_suffix(extra).exists():
            path.with_suffix(extra).write_bytes(source.with_suffix(extra).read_bytes())
    print(f"  upgrading the cached {source.name} to schema {HEAD_REVISION} (once) …", flush=True)
    copy_and_upgrade(source, tmp)
    return True


def copy_and_upgrade(source: Path, tmp: Path) -> None:
    """A finished cached database SOURCE (its WAL folded in) copied to TMP and upgraded to
    this build's schema, without the backup copy a user's upgrade makes first."""
    import shutil

    from imdesk.storage.database import Database
    from imdesk.storage.migrate import run_alembic_upgrade

    shutil.copyfile(source, tmp)
    db = Database(f"sqlite:///{tmp}")
    run_alembic_upgrade(db, "head")
    with db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    db.dispose()


def start_build(path: Path) -> Path | None:
    """Where to build the cached database PATH: its ".building" twin, cleared of what an
    interrupted build left (with its WAL and SHM files). Two benchmark runs building the same
    database take turns (a lock file): None when PATH was finished while this one waited."""
    import fcntl

    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path.with_suffix(".lock"), os.O_RDWR | os.O_CREAT, 0o644)
    fcntl.flock(fd, fcntl.LOCK_EX)  # released by finish_build, or when this process ends
    if path.exists():
        os.close(fd)
        return None
    _LOCKS[path] = fd
    tmp = path.with_suffix(".building")
    for side in (tmp, tmp.with_name(tmp.name + "-wal"), tmp.with_name(tmp.name + "-shm")):
        side.unlink(missing_ok=True)
    return tmp


def finish_build(ctx: AppContext, tmp: Path, path: Path) -> Path:
    """Fold the WAL in, ANALYZE, close CTX and move the finished database TMP to PATH."""
    with ctx.db.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.exec_driver_sql("ANALYZE")
    ctx.close()
    tmp.rename(path)
    fd = _LOCKS.pop(path, None)
    if fd is not None:
        os.close(fd)
    return path


def percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1))))
    return ordered[k]


def timed(fn: Callable[[], object]) -> float:
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def report(name: str, figure: float, unit: str, baseline: float, baseline_name: str,
           gate: str, ok: bool) -> dict[str, object]:
    ratio = figure / baseline if baseline else float("inf")
    verdict = "ok" if ok else "OVER GATE"
    print(f"{name}: {figure:.1f} {unit}  | baseline {baseline_name}: {baseline:.1f} {unit}  "
          f"| ratio {ratio:.2f}  | gate {gate}: {verdict}", flush=True)
    return {"name": name, "figure": figure, "unit": unit, "baseline": baseline,
            "baseline_name": baseline_name, "ratio": ratio, "gate": gate, "ok": ok}


def median(values: list[float]) -> float:
    return statistics.median(values)


def save(results: list[dict[str, object]]) -> None:
    """Hand the results to run_all (IMDESK_BENCH_JSON), when it asked for them."""
    import json

    target = os.environ.get("IMDESK_BENCH_JSON")
    if target:
        Path(target).write_text(json.dumps(results))
