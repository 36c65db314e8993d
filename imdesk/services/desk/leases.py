"""The team's shared jobs run once per team, not once per desk: a desk holds the lease of the
alert listener or the outbox sender in the database, renews it every few seconds, and another
desk takes it over once it has expired (or at once, on the same host, when its process is gone).

On a SQLite file (one desk) the leases are trivially held: nothing is written or read for them.

    keeper = LeaseKeeper(db, SENDER, desk)      # one holding per process run
    info = keeper.take()                          # take or renew; who holds it now
    keeper.held                                   # is it this holding?
    lease_holders(db)                             # any desk: who holds each lease
"""

from __future__ import annotations

import logging
import os
import socket
import sys
import threading
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta

from imdesk.domain.desk import Desk
from imdesk.domain.lease import RENEW_S, TTL, Holder, LeaseInfo, may_take
from imdesk.services.clock import Clock, SystemClock
from imdesk.storage import lease_repo
from imdesk.storage.database import Database
from imdesk.storage.lease_models import LeaseRow

log = logging.getLogger(__name__)


def process_alive(pid: int) -> bool:
    """Whether a process with this id runs on this host (True when it cannot be told)."""
    if pid <= 0 or sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True  # another user's process (EPERM): alive
    return True


def this_host() -> str:
    try:
        return socket.gethostname() or "localhost"
    except OSError:
        return "localhost"


def new_holder(desk: Desk) -> Holder:
    """A holding for this process run: the desk, this host and process, a fresh token."""
    return Holder(desk.name, this_host(), os.getpid(), str(uuid.uuid4()))


TTL_ENV = "IMDESK_LEASE_TTL"  # seconds a team lease holds without renewal (3 to 600)


def lease_ttl() -> timedelta:
    """The team leases' expiry: IMDESK_LEASE_TTL seconds (for a slow network, or a test), else
    15 s; the holder renews every third of it."""
    raw = os.environ.get(TTL_ENV, "").strip()
    try:
        seconds = float(raw) if raw else TTL.total_seconds()
    except ValueError:
        seconds = TTL.total_seconds()
    return timedelta(seconds=min(600.0, max(3.0, seconds)))


def lease_holders(db: Database, now: datetime | None = None) -> list[LeaseInfo]:
    """Who holds each of the team's leases (an expired one is listed too: `live(now)` tells).
    Empty on SQLite: one desk does everything there."""
    if db.is_sqlite:
        return []
    with db.read() as s:
        return lease_repo.all_leases(s)


class LeaseKeeper:
    """One holding of one lease: `take()` takes or renews it when it may, and says who holds it."""

    def __init__(self, db: Database, name: str, desk: Desk, *, clock: Clock | None = None,
                 ttl: timedelta | None = None, holder: Holder | None = None) -> None:
        self._db = db
        self.name = name
        self.holder = holder or new_holder(desk)
        self._clock = clock or SystemClock()
        self.ttl = ttl or lease_ttl()
        self.held = False
        self.current: LeaseInfo | None = None
        self._since: datetime | None = None

    def take(self) -> LeaseInfo:
        """Take the lease, or renew it; when another live desk holds it, leave it. Returns who
        holds it now. A database that cannot be reached keeps a held lease until its expiry."""
        now = self._clock.now()
        if self._db.is_sqlite:
            return self._trivially_held(now)
        try:
            info = self._take(now)
        except Exception as exc:  # the database is unavailable: held until it expires
            if self.held and self.current is not None and self.current.expires_at <= now:
                self.held = False
            log.warning("lease %s: %s", self.name, exc)
            if self.current is None:
                raise
            return self.current
        self.current = info
        return info

    def _trivially_held(self, now: datetime) -> LeaseInfo:
        h = self.holder
        self._since = self._since or now
        self.held = True
        self.current = LeaseInfo(self.name, h.desk, h.host, h.pid, self._since, now, now + self.ttl)
        return self.current

    def _take(self, now: datetime) -> LeaseInfo:
        h = self.holder
        blank = LeaseRow(name=self.name, desk=h.desk, host=h.host, pid=h.pid, token=h.token,
                         since=now, renewed_at=now, expires_at=now + self.ttl)
        with self._db.write() as s:
            row = lease_repo.locked(s, self.name, blank)
            current = lease_repo.info(row)
            if not may_take(current, h.token, row.token, h.host, now, process_alive):
                self.held = False
                return current
            if row.token != h.token:
                row.desk, row.host, row.pid, row.token, row.since = \
                    h.desk, h.host, h.pid, h.token, now
            row.renewed_at = now
            row.expires_at = now + self.ttl
            self.held = True
            return lease_repo.info(row)

    def release(self) -> None:
        """Let go at once (a clean stop): another desk need not wait for the expiry."""
        if self._db.is_sqlite or not self.held:
            self.held = False
            return
        self.held = False
        now = self._clock.now()
        try:
            with self._db.write() as s:
                row = s.get(LeaseRow, self.name, with_for_update=True)
                if row is not None and row.token == self.holder.token:
                    row.expires_at = now
        except Exception as exc:  # it expires by itself
            log.warning("lease %s: not released: %s", self.name, exc)


class LeaseWatch:
    """Keeps a lease in a thread of its own: takes or renews it every RENEW_S seconds (a third of
    a shorter expiry) and calls
    `changed(held, info)` whenever the holder changes (and once at the start)."""

    def __init__(self, keeper: LeaseKeeper, changed: Callable[[bool, LeaseInfo], None], *,
                 every_s: float | None = None,
                 failed: Callable[[str], None] | None = None) -> None:
        self.keeper = keeper
        self._changed = changed
        self._failed = failed  # told once per streak of failures (the database is away)
        self._failing = False
        self._every = every_s or min(RENEW_S, keeper.ttl.total_seconds() / 3)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._last: tuple[bool, str] | None = None

    def check(self) -> bool:
        """One round (also called before the thread starts): is the lease held now?"""
        try:
            info = self.keeper.take()
        except Exception as exc:
            log.warning("lease %s: %s", self.keeper.name, exc)
            if self._failed is not None and not self._failing:
                self._failed(f"the {self.keeper.name} lease cannot be taken: {exc}")
            self._failing = True
            return self.keeper.held
        self._failing = False
        state = (self.keeper.held, f"{info.desk}|{info.host}|{info.pid}|{info.since}")
        if state != self._last:
            self._last = state
            self._changed(self.keeper.held, info)
        return self.keeper.held

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name=f"imdesk-lease-{self.keeper.name}",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.check()

    def stop(self, *, release: bool = True) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self._every + 5)
        if release:
            self.keeper.release()
