"""A probe of the alert processor alone (not a gated benchmark): the storm of bench_alerts.py
(alert_poster.payloads) stored by the listener's inbox writer first (the side inbox on SQLite),
then moved and processed in this process a transaction of LEAST payloads at a time, as the
processor process does while payloads arrive (parsed ahead outside the write lock). Prints the
processor's CPU per payload (which load changes little) and how long each transaction held
the write lock; with PROFILE=1 a cProfile of the processing.

usage: PYTHONPATH=$PWD .venv/bin/python bench/alert_processor_probe.py   (N=10000 LEAST=16
GROUPS=200; PROFILE=1 SORT=tottime TOP=40)
"""

from __future__ import annotations

import cProfile
import os
import pstats
import tempfile
import time
from pathlib import Path

from alert_poster import payloads
from common import isolate, percentile


def main() -> None:
    isolate()
    from imdesk.app import build_context
    from imdesk.domain.alert_accept import accept

    posts, least = int(os.environ.get("N", "10000")), int(os.environ.get("LEAST", "16"))
    folder = Path(tempfile.mkdtemp(prefix="imdesk-probe-"))
    ctx = build_context(f"sqlite:///{folder / 'alerts.sqlite'}")
    intake = ctx.alerts.intake
    groups = int(os.environ.get("GROUPS", "200"))
    items = [accept(body, "alertmanager") for body in payloads(posts, groups)]
    writer = intake.open_inbox_writer()
    for i in range(0, posts, 500):
        writer.store(items[i:i + 500])
    writer.close()
    intake.checkpoint_apart()
    profile = cProfile.Profile() if os.environ.get("PROFILE") else None
    holds: list[float] = []
    done = 0
    cpu = time.process_time()
    if profile is not None:
        profile.enable()
    while True:
        intake.parse_ahead()
        start = time.perf_counter()
        outcome = intake.process_pending(batch=500, budget_s=0.0, transactions=1, least=least)
        holds.append((time.perf_counter() - start) * 1000)
        done += outcome.processed
        if not outcome.processed:
            break
    if profile is not None:
        profile.disable()
    cpu = time.process_time() - cpu
    alerts = intake.alerts(limit=100_000)
    ctx.close()
    print(f"{done:,} payloads in {len(holds) - 1} transactions of {least}: processor CPU "
          f"{cpu * 1000 / max(done, 1):.3f} ms per payload; write lock held per transaction "
          f"p50 {percentile(holds, 50):.1f} ms, p99 {percentile(holds, 99):.1f} ms, max "
          f"{max(holds):.1f} ms; {len(alerts)} alerts, counts summed {sum(a.count for a in alerts):,}; "
          f"load average {os.getloadavg()[0]:.2f}")
    if profile is not None:
        order, top = os.environ.get("SORT", "cumulative"), int(os.environ.get("TOP", "40"))
        pstats.Stats(profile).sort_stats(order).print_stats(top)


if __name__ == "__main__":
    main()
