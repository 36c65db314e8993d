"""Team mode offline: the merge of 1,000 entries written offline across 50 incidents (gate ≤ 3 s),
beside the same 1,000 appends made online in the same run (one unit of work each, as a desk
writes them). On PostgreSQL when IMDESK_BENCH_PG_URL (or IMDESK_TEST_PG_URL) names a server — a
database of its own is made there and dropped after — else on a SQLite file as the server."""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import isolate, report, save

INCIDENTS = 50
ENTRIES = 1000
GATE_S = 3.0


def server_url(folder: Path) -> tuple[str, str | None]:
    base = os.environ.get("IMDESK_BENCH_PG_URL") or os.environ.get("IMDESK_TEST_PG_URL")
    if not base:
        return f"sqlite:///{folder / 'server.sqlite'}", None
    from sqlalchemy import create_engine, text

    name = f"imdesk_bench_spool_{os.getpid()}"
    admin = create_engine(base.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name, name


def drop(url: str, name: str | None) -> None:
    if name is None:
        return
    from sqlalchemy import create_engine, text

    admin = create_engine(url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def main() -> None:
    isolate()
    from imdesk.app import open_database
    from imdesk.domain.desk import Desk
    from imdesk.services.desk.merge import merge
    from imdesk.services.desk.replica import open_replica, refresh
    from imdesk.services.incidents import IncidentService, NewIncident
    from imdesk.services.timeline import TimelineService

    folder = Path(tempfile.mkdtemp(prefix="imdesk-bench-spool-"))
    url, name = server_url(folder)
    try:
        server, _ = open_database(url, create=True)
        online = IncidentService(server, author="kim")
        refs = [online.create(NewIncident(f"outage {n}", "high", "medium")).ref
                for n in range(INCIDENTS)]
        for ref in refs[:5]:  # warm up
            online.add_note(ref, "warm-up")

        start = time.perf_counter()
        for n in range(ENTRIES):
            online.add_note(refs[n % INCIDENTS], f"online line {n}: failover to DC1 in progress")
        baseline = time.perf_counter() - start

        replica = open_replica(folder / "replica.sqlite", Desk("SPOC", "bench", "ana"))
        refresh(server, replica, datetime.now(UTC), full=True)
        offline = IncidentService(replica, author="ana")
        for n in range(ENTRIES):
            offline.add_note(refs[n % INCIDENTS], f"offline line {n}: the bridge is quiet")

        start = time.perf_counter()
        merged = merge(server, replica, datetime.now(UTC))
        figure = time.perf_counter() - start
        assert merged.entries == ENTRIES, merged
        assert TimelineService(server).verify().ok
        engine = "PostgreSQL" if name else "SQLite"
        results = [report(f"merge {ENTRIES:,} offline entries / {INCIDENTS} incidents ({engine})",
                          figure, "s", baseline, f"{ENTRIES:,} online appends", f"<= {GATE_S} s",
                          figure <= GATE_S)]
        replica.dispose()
        server.dispose()
    finally:
        drop(url, name)
        shutil.rmtree(folder, ignore_errors=True)
    save(results)


if __name__ == "__main__":
    main()
