"""The outage drill (issue 13): a real PostgreSQL server of the test's own is stopped while three
desks write; they keep working on their replicas; the server comes back; after the merge every
entry is on the server exactly once, all chains verify, provisional refs are mapped, the planted
conflict is listed and each queued message is in the outbox once. Then again with a desk's merge
killed (kill -9) half-way."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text

from imdesk.app import build_context
from imdesk.context import AppContext
from imdesk.services.comms.recipients import Recipient
from imdesk.services.desk.merge import MergeReport
from imdesk.services.incidents import NewIncident
from imdesk.storage.database import Database
from imdesk.storage.models import TimelineEntryRow
from imdesk.storage.outbox_models import OutboxMessageRow
from tests.comms.conftest import configure, use_people

pytestmark = pytest.mark.postgres
PGBINS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), key=lambda p: [
    int(x) for x in p.parent.name.split(".") if x.isdigit()])


@dataclass
class Cluster:
    bin: Path
    data: Path
    port: int
    url: str

    def ctl(self, *args: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", str(self.bin / "pg_ctl"), "-D",
                        str(self.data / "data"), "-w", *args], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def start(self) -> None:
        self.ctl("-l", str(self.data / "log"), "-o",
                 f"-h 127.0.0.1 -p {self.port} -k {self.data} -F", "start")

    def stop(self) -> None:
        self.ctl("stop", "-m", "fast")


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL server of this test's own (the test stops and starts it)."""
    if not PGBINS or os.geteuid() != 0 or shutil.which("runuser") is None:
        pytest.skip("needs PostgreSQL's server binaries and root (to run them as postgres)")
    if not os.environ.get("IMDESK_TEST_PG_URL"):
        pytest.skip("PostgreSQL tests not enabled")
    folder = Path(tempfile.mkdtemp(prefix="imdesk-pgdrill-"))  # postgres must reach it
    shutil.chown(folder, "postgres")
    subprocess.run(["runuser", "-u", "postgres", "--", str(PGBINS[-1] / "initdb"), "-D",
                    str(folder / "data"), "-U", "imdesk", "-A", "trust", "-E", "UTF8",
                    "--no-sync"], check=True, stdout=subprocess.DEVNULL)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    c = Cluster(PGBINS[-1], folder, port, f"postgresql+psycopg://imdesk@127.0.0.1:{port}/drill")
    c.start()
    admin = create_engine(c.url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("CREATE DATABASE drill"))
    admin.dispose()
    yield c
    with contextlib.suppress(subprocess.CalledProcessError):
        c.stop()
    shutil.rmtree(folder, ignore_errors=True)


def desk_env(name: str, home: Path) -> dict[str, str]:
    return {"IMDESK_DESK": name, "IMDESK_DATA_DIR": str(home / name),
            "IMDESK_USER": f"{name.lower()}-user"}


def desk(url: str, name: str, home: Path, monkeypatch: pytest.MonkeyPatch) -> AppContext:
    for key, value in desk_env(name, home).items():
        monkeypatch.setenv(key, value)
    ctx = build_context(url)
    assert ctx.spool is not None
    return ctx


def server_facts(url: str) -> tuple[list[str], int]:
    db = Database(url)
    with db.read() as s:
        uuids = list(s.scalars(select(TimelineEntryRow.uuid)))
        messages = s.scalar(select(func.count()).select_from(OutboxMessageRow)) or 0
    db.dispose()
    return uuids, messages


def test_three_desks_keep_working_through_an_outage_and_merge_everything_once(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    spoc = desk(cluster.url, "SPOC", tmp_path, monkeypatch)
    configure(spoc)  # the manual lane: a message waits for a call
    x = spoc.incidents.create(NewIncident("Payments down", "high", "high")).ref
    y = spoc.incidents.create(NewIncident("Printer queue stuck", "low", "low")).ref
    spoc.war_rooms.declare(x, roles={"im": "Ana"})
    mim = desk(cluster.url, "MIM", tmp_path, monkeypatch)
    lead = desk(cluster.url, "LEAD", tmp_path, monkeypatch)
    desks = (spoc, mim, lead)
    for d in desks:
        assert d.spool is not None and d.spool.tick() is not None  # replicas made

    cluster.stop()
    written: list[str] = []
    # each desk simply carries on: the first unit of work finds the server gone
    written.append(spoc.incidents.add_note(x, "failover to DC2 started").uuid)
    spoc.incidents.change_status(y, "cancelled", "duplicate of a vendor ticket")
    use_people(spoc, [Recipient("Kim Larsen", phones=("+4915771234567",))])
    spoc.comms.notify.queue(spoc.comms.notify.plan(x, "update", audience="business"))
    written.append(mim.war_rooms.assign_role(x, "im", "Sam").uuid)  # a hand-over
    new = mim.incidents.create(NewIncident("Card terminals offline", "high", "medium"))
    assert new.ref.startswith("INC-OFF-MIM-")
    written.append(mim.incidents.add_note(new.ref, "shops report it").uuid)
    written.append(lead.incidents.add_note(x, "shift lead informed").uuid)
    lead.incidents.change_status(y, "in_progress", "looking at it")  # the planted conflict
    for d in desks:
        assert d.db.offline  # type: ignore[attr-defined]
        assert d.incidents.get(x).major and d.incidents.detail(y).timeline  # reads answer
        assert d.spool is not None and d.spool.tick() is None  # still offline: nothing merged
        assert d.spool.status().waiting > 0

    cluster.start()
    reports = []
    for d in desks:
        assert d.spool is not None
        report = d.spool.tick()
        assert isinstance(report, MergeReport)
        reports.append(report)
        assert not d.db.offline  # type: ignore[attr-defined]
        assert d.spool.status().waiting == 0

    uuids, messages = server_facts(cluster.url)
    assert len(uuids) == len(set(uuids))  # every entry exactly once
    assert set(written) <= set(uuids)
    assert messages == 1  # the queued message, once
    assert reports[1].refs and reports[1].refs[0][0] == new.ref
    server_ref = reports[1].refs[0][1]
    assert any(new.ref in e.text for e in spoc.incidents.detail(server_ref).timeline)
    [conflict] = spoc.spool.conflicts()  # type: ignore[union-attr]
    assert conflict.incident_ref == y and conflict.to_status == "in_progress"
    assert conflict.desk.startswith("LEAD")
    assert spoc.timeline.verify().ok
    room = spoc.war_rooms.room(x)
    assert "Sam" in str(room)
    for d in desks:
        d.close()


def test_a_desk_killed_in_the_middle_of_its_merge_merges_the_rest_once(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = desk(cluster.url, "SPOC", tmp_path, monkeypatch)
    refs = [ctx.incidents.create(NewIncident(f"outage {n}", "high", "low")).ref for n in range(20)]
    assert ctx.spool is not None and ctx.spool.tick() is not None
    cluster.stop()
    for ref in refs:
        for n in range(25):
            ctx.incidents.add_note(ref, f"{ref} line {n}")
    assert ctx.spool.status().waiting == 500
    ctx.close()
    cluster.start()

    env = {**os.environ, **desk_env("SPOC", tmp_path), "PYTHONPATH": str(Path.cwd())}
    proc = subprocess.Popen([sys.executable, "-m", "imdesk", "--db", cluster.url, "desk", "sync"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    engine = create_engine(cluster.url)
    try:
        with engine.connect() as conn:
            merged = 0
            while merged == 0 and proc.poll() is None:  # until the first incident went in
                merged = conn.execute(text(
                    "SELECT count(*) FROM timeline_entry WHERE text LIKE '%merged'")).scalar_one()
                conn.rollback()
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    finally:
        engine.dispose()
    assert proc.returncode == -signal.SIGKILL, "the merge finished before it could be killed"

    again = desk(cluster.url, "SPOC", tmp_path, monkeypatch)
    assert again.spool is not None
    waiting = again.spool.status().waiting
    report = again.spool.sync()
    assert isinstance(report, MergeReport)
    # what the killed merge had put in was found there (or marked), not written again
    assert report.already + (500 - waiting) >= 25
    uuids, _ = server_facts(cluster.url)
    assert len(uuids) == len(set(uuids)) == 20 + 500 + 20  # opened, lines, one merge line each
    assert again.timeline.verify().ok
    again.close()
