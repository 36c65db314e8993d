"""Weeks at the desk, compressed (issue 20): two consoles started as `imdesk --demo` starts them
— one idle (listener off: nothing happens but its clocks and refreshes), one under a steady alert
stream through its own listener onto a bounded set of alert keys (40 groups × 13 alerts) — and
the RSS of each console and of its child processes (the alert listener) sampled every 30 s.

The figure is the slope of RSS over the run's second half (the first half is warm-up: caches,
fonts, the first pages), by least squares, in MB per hour. Gate: ≤ 1 MB/h for both consoles.
The idle console is the stream console's baseline.

Not in the default `./dev bench` run (it takes --minutes, 30 by default): `./dev bench soak`.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from common import ROOT, isolate, report, save

GROUPS, PER_GROUP = 40, 13


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def prepare(home: Path, *, listener: bool) -> dict[str, str]:
    """A demo database in its own data dir, the listener on or off; the console's environment."""
    env = dict(os.environ, IMDESK_DATA_DIR=str(home / "data"), XDG_CONFIG_HOME=str(home / "config"),
               XDG_DATA_HOME=str(home / "share"), XDG_CACHE_HOME=str(home / "cache"),
               QT_QPA_PLATFORM="offscreen")
    script = ("import sys; sys.path.insert(0, sys.argv[1]);"
              "from dataclasses import replace;"
              "from imdesk.app import build_context; from imdesk.paths import demo_db_path;"
              "from imdesk.services.demo.story import ensure_demo_data;"
              "ctx = build_context(demo_db_path(), create=True); ensure_demo_data(ctx);"
              "s = ctx.alerts.settings; s.set_listener(replace(s.listener(), enabled=sys.argv[2] == '1'));"
              "ctx.close()")
    subprocess.run([sys.executable, "-c", script, str(ROOT), "1" if listener else "0"], env=env,
                   check=True)
    return env


def body(i: int) -> bytes:
    """One group's post: its 13 alerts, one of them flapping; repeats only bump counts."""
    g, round_ = i % GROUPS, i // GROUPS
    alerts = [{
        "status": "resolved" if (a == PER_GROUP - 1 and round_ % 4 == 3) else "firing",
        "fingerprint": f"g{g}-a{a}",
        "labels": {"alertname": "DiskFilling", "severity": "warning", "instance": f"db{g}-{a}"},
        "annotations": {"summary": f"disk filling on db{g}-{a}", "value": str(round_ % 7)},
        "startsAt": "2026-11-27T02:00:00Z", "endsAt": "0001-01-01T00:00:00Z",
        "generatorURL": "http://prometheus:9090/graph"} for a in range(PER_GROUP)]
    return json.dumps({
        "version": "4", "groupKey": f'{{}}:{{alertname="DiskFilling",group="{g}"}}',
        "status": "firing", "receiver": "imdesk", "groupLabels": {"alertname": "DiskFilling"},
        "commonLabels": {"alertname": "DiskFilling"}, "commonAnnotations": {},
        "externalURL": "http://alertmanager:9093", "truncatedAlerts": 0, "alerts": alerts}).encode()


def stream(port: int, token: str, rate: float, stop: threading.Event, posted: list[int]) -> None:
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    conn: http.client.HTTPConnection | None = None
    i, start = 0, time.monotonic()
    while not stop.is_set():
        try:
            conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("POST", "/alertmanager", body=body(i), headers=headers)
            if conn.getresponse().read() is not None:
                posted[0] += 1
        except OSError:
            conn = None  # not listening yet: try again on the next beat
        i += 1
        stop.wait(max(0.0, start + i / rate - time.monotonic()))


def slope_mb_per_h(points: list[tuple[float, float]]) -> float:
    """Least squares over (seconds, KiB) → MB per hour."""
    n = len(points)
    if n < 2:
        return 0.0
    mx = sum(p[0] for p in points) / n
    my = sum(p[1] for p in points) / n
    den = sum((p[0] - mx) ** 2 for p in points) or 1.0
    kib_per_s = sum((p[0] - mx) * (p[1] - my) for p in points) / den
    return kib_per_s * 3600 / 1024


def main() -> list[dict[str, object]]:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=float(os.environ.get("IMDESK_SOAK_MINUTES", 30)))
    ap.add_argument("--sample", type=float, default=30.0, help="seconds between RSS samples")
    ap.add_argument("--rate", type=float, default=9.0, help="alert posts per second")
    ap.add_argument("--trace", metavar="FILE", help="the stream console traces its allocations "
                    "into FILE every minute (finding a leak; the figures are then not comparable)")
    args = ap.parse_args()
    base = isolate()
    port, token = free_port(), secrets.token_urlsafe(24)
    idle_env = prepare(base / "idle", listener=False)
    busy_env = prepare(base / "busy", listener=True)
    busy_env.update(SOAK_TOKEN=token, IMDESK_ALERT_PORT=str(port))
    idle_env.update(SOAK_TOKEN=token)
    if args.trace:
        busy_env["SOAK_TRACE"] = str(Path(args.trace).resolve())
    launcher = str(Path(__file__).with_name("soak_console.py"))
    idle = subprocess.Popen([sys.executable, launcher], env=idle_env)
    busy = subprocess.Popen([sys.executable, launcher], env=busy_env)
    stop, posted = threading.Event(), [0]
    poster = threading.Thread(target=stream, args=(port, token, args.rate, stop, posted), daemon=True)
    poster.start()
    samples: dict[str, list[tuple[float, float]]] = {"idle console": [], "stream console": [],
                                                     "listener process": []}
    print(f"{'min':>6} {'idle MiB':>9} {'stream MiB':>11} {'listener MiB':>13} {'posts':>7}", flush=True)
    start = time.monotonic()
    try:
        while (elapsed := time.monotonic() - start) <= args.minutes * 60:
            kids = children(busy.pid)
            row = {"idle console": rss_kib(idle.pid), "stream console": rss_kib(busy.pid),
                   "listener process": sum(rss_kib(k) for k in kids)}
            for name, kib in row.items():
                samples[name].append((elapsed, float(kib)))
            print(f"{elapsed / 60:6.1f} {row['idle console'] / 1024:9.1f} "
                  f"{row['stream console'] / 1024:11.1f} {row['listener process'] / 1024:13.1f} "
                  f"{posted[0]:7d}", flush=True)
            if idle.poll() is not None or busy.poll() is not None:
                raise SystemExit("a console ended during the soak")
            time.sleep(args.sample)
    finally:
        stop.set()
        for proc in (idle, busy):
            proc.terminate()
        for proc in (idle, busy):
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    half = {k: [p for p in v if p[0] >= args.minutes * 30] for k, v in samples.items()}
    idle_slope = slope_mb_per_h(half["idle console"])
    results = [report(f"soak: idle console RSS slope, 2nd half of {args.minutes:g} min",
                      idle_slope, "MB/h", 1.0, "gate", "≤ 1 MB/h", idle_slope <= 1.0)]
    for name in ("stream console", "listener process"):
        s = slope_mb_per_h(half[name])
        results.append(report(f"soak: {name} RSS slope under {args.rate:g} alerts/s, 2nd half of "
                              f"{args.minutes:g} min", s, "MB/h", idle_slope, "idle console",
                              "≤ 1 MB/h", s <= 1.0))
    print(f"posted {posted[0]} alerts in {args.minutes:g} min")
    return results


if __name__ == "__main__":
    save(main())
