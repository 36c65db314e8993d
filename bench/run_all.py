"""Run every benchmark; each prints its figure, a baseline measured in the same run, the ratio
and its gate. Exit 0 even when a gate is exceeded: these are measurements, not tests."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_filter
import bench_seed
import bench_startup

SUITES = {"seed": bench_seed.run, "startup": bench_startup.run, "filter": bench_filter.run}


def main(names: list[str]) -> int:
    chosen = names or list(SUITES)
    unknown = [n for n in chosen if n not in SUITES]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; choose from {', '.join(SUITES)}")
        return 2
    results: list[object] = []
    started = time.perf_counter()
    for name in chosen:
        print(f"== {name}", flush=True)
        out = SUITES[name]()
        results.extend(out if isinstance(out, list) else [out])
    out_file = Path(__file__).resolve().parent.parent / "bench-results.json"
    out_file.write_text(json.dumps(results, indent=2))
    print(f"== done in {time.perf_counter() - started:.0f} s; results in {out_file.name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
