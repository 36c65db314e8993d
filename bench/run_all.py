"""Run every benchmark, each in a process of its own (so one's heap and caches cannot slow the
next); each prints its figure, a baseline measured in the same run, the ratio and its gate.
Exit 0 even when a gate is exceeded: these are measurements, not tests."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SUITES = (
    "startup",
    "filter",
    "search",
    "room",
    "room_gui",
    "seed",
    "contacts_search",
    "pack",
    "contacts_import",
    "outbox",
    "alerts",
    "alerts_gui",
    "handover",
    "metrics",
    "links",
    "docs",
    "drills",
    "team",
    "spool",
    "scale",
)
# Long runs, only by name (`./dev bench soak`): not in the default run.
ON_REQUEST = ("soak",)


def main(names: list[str]) -> int:
    chosen = names or list(SUITES)
    unknown = [n for n in chosen if n not in SUITES + ON_REQUEST]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from "
              f"{', '.join(SUITES + ON_REQUEST)}")
        return 2
    results: list[object] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"== {name}", flush=True)
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as out:
            target = Path(out.name)
        env = dict(os.environ, IMDESK_BENCH_JSON=str(target))
        subprocess.run([sys.executable, str(HERE / f"bench_{name}.py")], env=env, check=True)
        results.extend(json.loads(target.read_text()))
        target.unlink()
    out_file = HERE.parent / "bench-results.json"
    # A partial run replaces its own figures and keeps the others of the last run.
    names = {r["name"] for r in results if isinstance(r, dict)}
    try:
        kept = [r for r in json.loads(out_file.read_text()) if r.get("name") not in names]
    except (OSError, ValueError):
        kept = []
    out_file.write_text(json.dumps(kept + results, indent=2))
    print(f"== done in {time.perf_counter() - started:.0f} s; results in {out_file.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
