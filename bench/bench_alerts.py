"""Alert intake under a storm: 10,000 Alertmanager posts over loopback from a second process
(16 keep-alive connections) to the listener process the console starts (`imdesk alerts serve
--report-json`), replies only once each payload is committed (SQLite WAL,
synchronous=FULL), with dedup into 200 incidents. Baseline in the same run: a bare
ThreadingHTTPServer that reads the body and answers 200 without storing anything.

Processing keeps pace: the lag from the last reply until the inbox is empty (baseline: how long
the storm itself took), and for each of the 200 groups the time from its first post until its
incident shows in the console's list query, polled every 10 ms from this process (baseline:
that query's own time)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from common import ROOT, isolate, percentile, report, save

POSTS = int(os.environ.get("IMDESK_BENCH_ALERT_POSTS", "10000"))  # fewer for a quick probe
CONNECTIONS = 16
GROUPS = 200
TOKEN = "bench-token"


def post_storm(port: int) -> dict[str, object]:
    out = subprocess.run([sys.executable, str(ROOT / "bench" / "alert_poster.py"), str(port), TOKEN,
                          str(POSTS), str(CONNECTIONS), str(GROUPS)],
                         capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(out.stdout)
    return result


class _Bare(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *_args: object) -> None:
        pass

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        body = b'{"status": "success"}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def bare_baseline() -> dict[str, object]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Bare)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        return post_storm(int(server.server_address[1]))
    finally:
        server.shutdown()
        server.server_close()


def raw_commit_ms(folder: Path) -> tuple[float, float]:
    """The disk's floor: p50 and p99 of a raw sqlite3 INSERT+COMMIT (WAL, synchronous=FULL)."""
    import sqlite3

    con = sqlite3.connect(folder / "raw.sqlite", isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("CREATE TABLE t (body TEXT)")
    times = []
    for i in range(300):
        start = time.perf_counter()
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO t VALUES (?)", ("x" * 1500 + str(i),))
        con.execute("COMMIT")
        times.append((time.perf_counter() - start) * 1000)
    con.close()
    return percentile(times, 50), percentile(times, 99)


def start_listener(db_path: Path) -> tuple[subprocess.Popen[str], int]:
    """The listener as the console runs it: `imdesk alerts serve --report-json`, a process of
    its own, the token handed over on stdin."""
    env = {**os.environ, "IMDESK_DB": str(db_path)}
    proc = subprocess.Popen([sys.executable, "-m", "imdesk", "alerts", "serve", "--report-json",
                             "--port", "0"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            text=True, env=env)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(f"token {TOKEN}\n")
    proc.stdin.flush()
    while True:
        line = proc.stdout.readline()
        assert line, "the listener process ended before it listened"
        report = json.loads(line)
        assert "error" not in report, report
        if "listening" in report:
            return proc, int(report["port"])


class ListWatcher(threading.Thread):
    """Runs the console's list query (the default view: open and resolved, by SLA, the first
    pages) every POLL_S from the start of the storm and notes when each incident first shows."""

    POLL_S = 0.01

    def __init__(self, ctx: object) -> None:
        super().__init__(daemon=True)
        self._ctx = ctx
        self.seen: dict[str, float] = {}
        self.query_ms: list[float] = []
        self.done = threading.Event()

    def run(self) -> None:
        from imdesk.domain.incident_query import IncidentQuery
        from imdesk.qt.incidents.pane import STATUS_FILTERS

        query = IncidentQuery(statuses=STATUS_FILTERS[0][1])
        while not self.done.is_set() and len(self.seen) < GROUPS:
            start = time.perf_counter()
            rows = self._ctx.incidents.page(query, 0, 3 * 100)  # type: ignore[attr-defined]
            now = time.monotonic()
            self.query_ms.append((time.perf_counter() - start) * 1000)
            for state in rows:
                self.seen.setdefault(state.ref, now)
            self.done.wait(self.POLL_S)


def group_numbers(ctx: object) -> dict[str, int]:
    """incident ref -> the storm's group number (from its Alertmanager group key)."""
    import re

    from sqlalchemy import select

    from imdesk.storage.alert_models import AlertGroupRow
    from imdesk.storage.models import IncidentRow

    with ctx.db.read() as s:  # type: ignore[attr-defined]
        rows = s.execute(select(IncidentRow.ref, AlertGroupRow.group_key)
                         .join(AlertGroupRow, AlertGroupRow.incident_id == IncidentRow.id)).all()
    found = {ref: re.search(r'group="(\d+)"', key) for ref, key in rows}
    return {ref: int(m.group(1)) for ref, m in found.items() if m}


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a live process (Linux /proc; 0 elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def children(pid: int) -> list[int]:
    """The live child processes of PID (Linux /proc; none elsewhere)."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*/children"):
        found += [int(c) for c in task.read_text().split()]
    return found


def run() -> list[dict[str, object]]:
    isolate()
    from imdesk.app import build_context
    from imdesk.storage.incident_repo import IncidentQuery

    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-alerts-"))
    ctx = build_context(f"sqlite:///{folder / 'alerts.sqlite'}")
    floor50, floor99 = raw_commit_ms(folder)
    listener, port = start_listener(folder / "alerts.sqlite")
    drain = threading.Thread(target=lambda: listener.stdout.read() if listener.stdout else None,
                             daemon=True)  # its outcome reports: a full pipe would stall it
    drain.start()
    base = bare_baseline()
    watcher = ListWatcher(ctx)
    watcher.start()
    procs = [listener.pid, *children(listener.pid)]  # serve and its processor process
    cpu0 = [cpu_seconds(p) for p in procs]
    storm = post_storm(port)
    t0 = time.perf_counter()
    while ctx.alerts.intake.pending() and time.perf_counter() - t0 < 600:
        time.sleep(0.02)  # the processor catching up after the storm
    lag_s = max(0.0, time.monotonic() - float(storm["last_reply"]))  # type: ignore[arg-type]
    drain_s = time.perf_counter() - t0
    cpu_ms = [(cpu_seconds(p) - c) * 1000 / POSTS for p, c in zip(procs, cpu0, strict=True)]
    watcher.done.set()
    watcher.join(10)
    first_sent = {int(k): float(v) for k, v in storm["first_sent"].items()}  # type: ignore[union-attr]
    shown = [(watcher.seen[ref] - first_sent[g]) * 1000 for ref, g in group_numbers(ctx).items()
             if ref in watcher.seen and g in first_sent]
    unseen = GROUPS - len(shown)
    assert listener.stdin is not None
    listener.stdin.write("stop\n")
    listener.stdin.close()
    listener.wait(60)
    incidents = ctx.incidents.count(IncidentQuery())
    alerts = ctx.alerts.intake.alerts(limit=100_000)
    stored = len(ctx.alerts.intake.inbox(100_000))
    ctx.close()
    assert not storm["failures"], storm["failures"][:5]
    lat = [x * 1000 for x in storm["latencies"]]  # type: ignore[union-attr]
    base_lat = [x * 1000 for x in base["latencies"]]  # type: ignore[union-attr]
    rate = POSTS / float(storm["wall"])  # type: ignore[arg-type]
    base_rate = POSTS / float(base["wall"])  # type: ignore[arg-type]
    worst = float(storm["worst_second"])  # type: ignore[arg-type]
    p99, base_p99 = percentile(lat, 99), percentile(base_lat, 99)
    worst_shown = max(shown) if shown and not unseen else float("inf")
    print(f"  stored {stored:,} payloads; {len(alerts)} alerts in {incidents} incidents "
          f"(dedup of {POSTS:,} posts); processing lagged {lag_s:.2f} s after the last reply "
          f"({drain_s:.2f} s after the poster ended); a new group's incident in the list after its "
          f"first post: p50 {percentile(shown, 50) if shown else -1:.0f} ms, worst "
          f"{max(shown, default=-1):.0f} ms ({unseen} never seen by the watcher); "
          f"p50 reply {percentile(lat, 50):.1f} ms (bare {percentile(base_lat, 50):.1f} ms); "
          f"the disk's floor, a raw sqlite3 INSERT+COMMIT: p50 {floor50:.1f} ms, p99 {floor99:.1f} ms; "
          f"CPU per post: serve (intake) {cpu_ms[0]:.2f} ms"
          + "".join(f", processor process {c:.2f} ms" for c in cpu_ms[1:])
          + f"; load average {os.getloadavg()[0]:.2f}")
    return [
        report(f"{POSTS:,} alert posts from a second process ({CONNECTIONS} connections), rate",
               rate, "posts/s", base_rate, "bare ThreadingHTTPServer answering without storing",
               "≥ 1000/s", rate >= 1000),
        report("slowest full second of that storm (sustained rate)", worst, "posts/s", base_rate,
               "bare server's mean rate", "≥ 1000/s", worst >= 1000),
        report("p99 reply time (stored and committed before the reply)", p99, "ms", base_p99,
               "bare server p99", "≤ 20 ms", p99 <= 20),
        report("alert processing lag after the last post", lag_s, "s", float(storm["wall"]),  # type: ignore[arg-type]
               "the storm itself: posting and storing the payloads", "≤ 2 s", lag_s <= 2),
        report("new group's incident in the list after its first post", worst_shown, "ms",
               percentile(watcher.query_ms, 50), "the console's list query (p50, during the storm)",
               "≤ 1000 ms (worst of the 200 groups)", worst_shown <= 1000),
    ]


if __name__ == "__main__":
    save(run())
