"""Team mode on PostgreSQL: eight desks (processes) append 20 entries/s each to one incident (its
timeline serialised by the incident's row lock) for DURATION seconds — the p95 of an append,
beside a raw psycopg INSERT+COMMIT baseline run the same way in the same run; and how long until
another desk's listener (LISTEN imdesk_changes + the change-feed read) has the change, p95.

PostgreSQL: IMDESK_BENCH_PG_URL or IMDESK_TEST_PG_URL when set (a database `imdesk_bench_team`
is made beside the one named), else a private server started the way `./dev test` starts it
(initdb in a temp folder as the postgres user); without server binaries it skips with a line."""

from __future__ import annotations

import multiprocessing as mp
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import isolate, percentile, report, save

DESKS = 8
RATE = 20  # entries per second per desk
DURATION = float(os.environ.get("IMDESK_BENCH_TEAM_SECONDS", "10"))
DB = "imdesk_bench_team"


# -- the server ------------------------------------------------------------------------------------
def start_private_server() -> tuple[str, Path] | None:
    bins = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [
        int(x) if x.isdigit() else 0 for x in p.parent.name.split(".")])
    if not bins or shutil.which("runuser") is None:
        return None
    pgbin = bins[-1]
    folder = Path(tempfile.mkdtemp(prefix="imdesk-pg-bench."))
    shutil.chown(folder, "postgres")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    run = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*run, str(pgbin / "initdb"), "-D", str(folder / "data"), "-U", "imdesk", "-A",
                    "trust", "-E", "UTF8", "--no-sync"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*run, str(pgbin / "pg_ctl"), "-D", str(folder / "data"), "-l",
                    str(folder / "log"), "-w", "-o", f"-h 127.0.0.1 -p {port} -k {folder}",
                    "start"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*run, str(pgbin / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U",
                    "imdesk", "postgres_admin"], check=True)
    return f"postgresql+psycopg://imdesk@127.0.0.1:{port}/postgres_admin", folder


def stop_private_server(folder: Path) -> None:
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    subprocess.run(["runuser", "-u", "postgres", "--", str(pgbin / "pg_ctl"), "-D",
                    str(folder / "data"), "-m", "fast", "-w", "stop"], check=False,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(folder, ignore_errors=True)


def fresh_database(any_url: str) -> str:
    from sqlalchemy import create_engine, text

    admin = create_engine(any_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)"))
        conn.execute(text(f"CREATE DATABASE {DB}"))
    admin.dispose()
    return any_url.rsplit("/", 1)[0] + "/" + DB


# -- the desks -----------------------------------------------------------------------------------
def paced(count: int, start_at: float, step: int) -> list[float]:
    """The moments (time.time) the n-th append of a desk is due: RATE per second, staggered."""
    return [start_at + n / RATE + step / (RATE * DESKS) for n in range(count)]


def desk(url: str, refs: list[str], number: int, start_at: float, out: mp.Queue) -> None:
    from imdesk.app import build_context

    ctx = build_context(url, author=f"user{number}")
    ctx.set_desk_name(f"desk {number}")
    ref = refs[number % len(refs)]
    ctx.incidents.add_note(ref, f"desk {number} warming up")
    took: list[float] = []
    committed: list[tuple[int, float]] = []
    for n, due in enumerate(paced(int(DURATION * RATE), start_at, number)):
        time.sleep(max(0.0, due - time.time()))
        start = time.perf_counter()
        ctx.incidents.add_note(ref, f"desk {number} line {n}: still failing over")
        took.append((time.perf_counter() - start) * 1000)
        committed.append((max(ctx.db.own_counters.counters()), time.time()))
    ctx.close()
    out.put(("desk", took, committed))


def raw_desk(conninfo: str, number: int, start_at: float, out: mp.Queue) -> None:
    import psycopg

    took: list[float] = []
    with psycopg.connect(conninfo) as conn:
        for n, due in enumerate(paced(int(DURATION * RATE), start_at, number)):
            time.sleep(max(0.0, due - time.time()))
            start = time.perf_counter()
            conn.execute("INSERT INTO raw_line (desk, n, body) VALUES (%s, %s, %s)",
                         (number, n, "still failing over"))
            conn.commit()
            took.append((time.perf_counter() - start) * 1000)
    out.put(("raw", took, []))


def observe(conninfo: str, seen: dict[int, float], ready: threading.Event,
            stop: threading.Event) -> None:
    from imdesk.services.desk.listener import PgChangeListener

    def got(changes: list) -> None:  # type: ignore[type-arg]
        now = time.time()
        for change in changes:
            seen.setdefault(change.counter, now)

    listener = PgChangeListener(conninfo, got, own=lambda _c: False, safety_s=3.0)
    listener.start()
    listener.connected.wait(30)
    ready.set()
    stop.wait()
    listener.stop()


def run_phase(target: object, args_of: object) -> list[tuple[str, list[float], list[tuple[int, float]]]]:
    ctx = mp.get_context("spawn")
    out: mp.Queue = ctx.Queue()
    start_at = time.time() + 6.0  # every process has imported and connected by then
    procs = [ctx.Process(target=target, args=(*args_of(n), start_at, out))  # type: ignore[operator]
             for n in range(DESKS)]
    for p in procs:
        p.start()
    results = [out.get(timeout=DURATION + 300) for _ in procs]
    for p in procs:
        p.join(30)
    return results


def main() -> None:
    isolate()
    given = os.environ.get("IMDESK_BENCH_PG_URL") or os.environ.get("IMDESK_TEST_PG_URL")
    server: Path | None = None
    if not given:
        started = start_private_server()
        if started is None:
            print("team: skipped — no PostgreSQL (set IMDESK_BENCH_PG_URL, or install the server "
                  "binaries: ./dev test starts one the same way)", flush=True)
            save([])
            return
        given, server = started
    try:
        results = measure(fresh_database(given))
    finally:
        if server is not None:
            stop_private_server(server)
    save(results)


def measure(url: str) -> list[dict[str, object]]:
    import psycopg

    from imdesk.app import build_context
    from imdesk.services.desk.listener import conninfo_of
    from imdesk.services.incidents import NewIncident

    setup = build_context(url, author="setup")
    refs = [setup.incidents.create(NewIncident(title=f"Core switch {n} down in DC2", impact="high",
                                               urgency="high", major=True)).ref
            for n in range(DESKS)]
    ref = refs[0]
    conninfo = conninfo_of(setup.db.engine.url)
    setup.close()
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute("CREATE TABLE raw_line (id bigserial PRIMARY KEY, desk int, n int, body text)")
    load = os.getloadavg()[0]
    raw = run_phase(raw_desk, lambda n: (conninfo, n))
    seen: dict[int, float] = {}
    ready, stop = threading.Event(), threading.Event()
    watcher = threading.Thread(target=observe, args=(conninfo, seen, ready, stop), daemon=True)
    watcher.start()
    ready.wait(30)
    ours = run_phase(desk, lambda n: (url, [ref], n))  # all on one incident: the worst case
    spread = run_phase(desk, lambda n: (url, refs, n))  # each desk on an incident of its own
    deadline = time.time() + 5
    committed = [c for r in ours + spread for c in r[2]]
    while time.time() < deadline and any(counter not in seen for counter, _ in committed):
        time.sleep(0.05)
    stop.set()
    watcher.join(10)
    appends = [t for r in ours for t in r[1]]
    apart = [t for r in spread for t in r[1]]
    baseline = [t for r in raw for t in r[1]]
    delays = [(seen[c] - at) * 1000 for c, at in committed if c in seen]
    missed = sum(1 for c, _ in committed if c not in seen)
    check = build_context(url)
    verified = check.timeline.verify()
    check.close()
    print(f"  {len(appends) + len(apart):,} appends by {DESKS} desks at {RATE}/s each; chains "
          f"{'verifies' if verified.ok else 'BROKEN'} ({verified.entries:,} entries); "
          f"{missed} changes not seen; load average {load:.1f} → {os.getloadavg()[0]:.1f}",
          flush=True)
    p95_append, p95_raw = percentile(appends, 95), percentile(baseline, 95)
    p95_seen = percentile(delays, 95) if delays else float("inf")
    return [
        report("team: append p95, 8 desks × 20/s, one incident", p95_append, "ms", p95_raw,
               "raw psycopg INSERT+COMMIT p95", "≤ 30 ms", p95_append <= 30),
        report("team: append p95, 8 desks × 20/s, an incident each", percentile(apart, 95), "ms",
               p95_raw, "raw psycopg INSERT+COMMIT p95", "≤ 30 ms", percentile(apart, 95) <= 30),
        report("team: change seen on another desk p95", p95_seen, "ms",
               percentile(appends, 50), "append p50", "≤ 500 ms",
               p95_seen <= 500 and missed == 0 and verified.ok),
    ]


if __name__ == "__main__":
    sys.exit(main())
