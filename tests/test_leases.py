"""The team's leases: one desk holds the listener and the sender lease, another takes over
after expiry (or at once when the holder's process is gone from this host, or it let go); any
desk sees who holds each; on a SQLite file they are trivially held and nothing is written.
And the listener itself: `alerts serve` on two desks, the holder frozen (SIGSTOP) until its
lease expires, the other takes over; the first, thawed, stands by."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from datetime import timedelta
from pathlib import Path

import pytest

from imdesk.domain.desk import Desk
from imdesk.domain.lease import LISTENER, SENDER, Holder, lease_line
from imdesk.services.clock import ManualClock
from imdesk.services.desk.leases import LeaseKeeper, lease_holders
from imdesk.storage.database import Database
from imdesk.storage.lease_models import LeaseRow
from tests.conftest import START, fresh_pg_url

ROOT = Path(__file__).resolve().parents[1]
A = Desk("SPOC desk", "ops-1", "ana")
B = Desk("MIM laptop", "ops-2", "ben")


def _far(desk: Desk, pid: int) -> Holder:
    """A holding on another host (its process cannot be seen from here)."""
    return Holder(desk.name, desk.host, pid, f"{pid:036d}")


@pytest.mark.postgres
def test_one_desk_holds_a_lease_and_another_takes_it_after_expiry(pg_template: str) -> None:
    db = Database(fresh_pg_url(pg_template))
    clock = ManualClock(START)
    try:
        ttl = timedelta(seconds=15)
        a = LeaseKeeper(db, SENDER, A, clock=clock, ttl=ttl, holder=_far(A, 1))
        b = LeaseKeeper(db, SENDER, B, clock=clock, ttl=ttl, holder=_far(B, 2))
        assert a.take().desk == "SPOC desk" and a.held
        assert b.take().desk == "SPOC desk" and not b.held  # live: left alone
        clock.advance(timedelta(seconds=10))
        a.take()  # renewed
        clock.advance(timedelta(seconds=10))
        assert b.take().desk == "SPOC desk" and not b.held
        since = lease_holders(db)[0].since
        assert since == START  # renewing keeps "since"
        clock.advance(timedelta(seconds=16))  # the holder stopped renewing
        info = b.take()
        assert b.held and info.desk == "MIM laptop" and info.since == clock.now()
        assert a.take().desk == "MIM laptop" and not a.held  # the old holder learns it lost it
        b.release()  # a clean stop: no need to wait for the expiry
        assert a.take().desk == "SPOC desk" and a.held
        leases = lease_holders(db)
        assert [x.name for x in leases] == [SENDER]
        assert lease_line(leases, SENDER, clock.now()) == \
            f"sender: on SPOC desk since {leases[0].since.astimezone():%H:%M}"
        assert lease_line(leases, LISTENER, clock.now()) == ""
    finally:
        db.dispose()


@pytest.mark.postgres
def test_a_holder_whose_process_is_gone_from_this_host_is_replaced_at_once(pg_template: str) -> None:
    db = Database(fresh_pg_url(pg_template))
    try:
        gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                              capture_output=True, text=True, check=True)
        from imdesk.services.desk.leases import this_host

        here = this_host()
        dead = Holder("SPOC desk", here, int(gone.stdout), "d" * 36)
        LeaseKeeper(db, LISTENER, A, holder=dead).take()
        b = LeaseKeeper(db, LISTENER, B)
        assert b.take().desk == B.name and b.held  # no 15 s wait for a crashed holder
    finally:
        db.dispose()


def test_on_a_sqlite_file_the_leases_are_trivially_held(sqlite_url: str) -> None:
    db = Database(sqlite_url)
    try:
        a = LeaseKeeper(db, LISTENER, A)
        b = LeaseKeeper(db, LISTENER, B)
        assert a.take() and a.held and b.take() and b.held  # one desk: nothing to share
        assert lease_holders(db) == []
        with db.read() as s:
            assert s.query(LeaseRow).count() == 0  # and nothing written
    finally:
        db.dispose()


# -- the listener: takeover after expiry ----------------------------------------------------------

def _serve(url: str, desk: str) -> tuple[subprocess.Popen[str], queue.Queue[str]]:
    env = dict(os.environ, IMDESK_DB=url, IMDESK_DESK=desk, IMDESK_LEASE_TTL="3")
    proc = subprocess.Popen([sys.executable, "-m", "imdesk", "alerts", "serve", "--port", "0"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, cwd=ROOT, env=env)
    lines: queue.Queue[str] = queue.Queue()

    def read() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line.rstrip("\n"))
        lines.put("<ended>")

    threading.Thread(target=read, daemon=True).start()
    return proc, lines


def _expect(lines: queue.Queue[str], start: str, seconds: float = 60.0) -> str:
    seen = []
    while True:
        try:
            line = lines.get(timeout=seconds)
        except queue.Empty:
            pytest.fail(f"no line starting {start!r}; saw {seen}")
        if line.startswith(start):
            return line
        if line == "<ended>":
            pytest.fail(f"ended before {start!r}; saw {seen}")
        seen.append(line)


@pytest.mark.postgres
@pytest.mark.skipif(sys.platform == "win32", reason="SIGSTOP is POSIX")
def test_the_listener_moves_to_another_desk_when_its_lease_expires(pg_template: str) -> None:
    url = fresh_pg_url(pg_template)
    a, a_lines = _serve(url, "desk-a")
    b: subprocess.Popen[str] | None = None
    try:
        _expect(a_lines, "listening on http://")
        b, b_lines = _serve(url, "desk-b")
        _expect(b_lines, "standing by: listener: on desk-a since")
        a.send_signal(signal.SIGSTOP)  # frozen (a hung desk, a cut cable): alive, not renewing
        _expect(b_lines, "listening for the team (desk-b)")
        _expect(b_lines, "listening on http://")
        db = Database(url)
        try:
            assert [x.desk for x in lease_holders(db)] == ["desk-b"]
        finally:
            db.dispose()
        a.send_signal(signal.SIGCONT)  # back: it finds the lease taken and stands down
        _expect(a_lines, "standing by: listener: on desk-b since")
    finally:
        for proc in (a, b):
            if proc is not None:
                proc.send_signal(signal.SIGCONT)
                proc.terminate()
                proc.wait(30)
                if proc.stdout is not None:
                    proc.stdout.close()


@pytest.mark.postgres
def test_desk_status_names_who_holds_each_lease(pg_template: str, tmp_path: Path) -> None:
    """`imdesk desk status` on a team server: the leases' holders, and the offline spool."""
    import json

    url = fresh_pg_url(pg_template)
    db = Database(url)
    try:
        LeaseKeeper(db, LISTENER, A, holder=_far(A, 7)).take()
    finally:
        db.dispose()
    env = {**os.environ, "PYTHONPATH": str(ROOT), "IMDESK_DATA_DIR": str(tmp_path / "data")}
    done = subprocess.run([sys.executable, "-m", "imdesk", "--db", url, "desk", "status", "--json"],
                          capture_output=True, text=True, env=env, timeout=120)
    report = json.loads(done.stdout)
    assert done.returncode == 0 and report["online"] is True
    [lease] = report["leases"]
    assert (lease["name"], lease["desk"], lease["live"]) == (LISTENER, "SPOC desk", True)
    assert lease["line"].startswith("listener: on SPOC desk since ")
    assert report["spool"]["waiting"] == 0 and report["spool"]["offline_since"] is None
    text = subprocess.run([sys.executable, "-m", "imdesk", "--db", url, "desk", "status"],
                          capture_output=True, text=True, env=env, timeout=120).stdout
    assert "lease     listener: on SPOC desk since" in text and "spool     0 waiting" in text
