"""Knowing when another desk changed something, off the GUI thread.

PostgreSQL: one psycopg connection in a daemon thread LISTENs on `imdesk_changes`; a
notification (`'<counter>:<desk>'`, never data) that this process did not cause makes it read the
change feed from its last counter, and `on_changes` gets what changed. The same query runs every
few seconds as the safety net (a notification lost with a dropped connection): one indexed range
read of the feed, usually empty. Counters are handed out at INSERT but become visible at COMMIT,
so a lower counter can appear after a higher one: the listener re-reads from the highest counter
below which it has seen every row, and forgets a hole (a rolled-back commit) after a while.

SQLite: `PRAGMA data_version` on a connection of its own once a second: it changes when another
connection (the command line, this console's own writes) committed, and costs no read of the file.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from pathlib import Path

from imdesk.domain.desk import Change, parse_change
from imdesk.storage.change_feed_repo import CHANNEL, SINCE_SQL

OnChanges = Callable[[list[Change]], None]
EVERYTHING = ("*",)
HOLE_FORGET_S = 10.0  # a counter still missing after this long belonged to a rolled-back commit
BATCH = 1000


class FeedCursor:
    """Which feed rows a desk has seen: everything up to `low`, and some above it."""

    def __init__(self, low: int) -> None:
        self.low = low
        self._above: set[int] = set()
        self._hole_since: float | None = None

    def take(self, rows: list[tuple[int, str, str]], now: float) -> list[Change]:
        """The rows not seen before; moves `low` up over the seen ones."""
        fresh = [parse_change(*r) for r in rows if r[0] > self.low and r[0] not in self._above]
        self._above.update(c.counter for c in fresh)
        while self.low + 1 in self._above:
            self.low += 1
            self._above.discard(self.low)
        if self._above:
            if self._hole_since is None:
                self._hole_since = now
            elif now - self._hole_since > HOLE_FORGET_S:  # the hole will not fill: skip it
                self.low = min(self._above)
                self._above.discard(self.low)
                self._hole_since = None
                while self.low + 1 in self._above:
                    self.low += 1
                    self._above.discard(self.low)
        else:
            self._hole_since = None
        return fresh


class _Watch:
    """A daemon thread running `_run` until `stop()`; `connected` is set once it watches."""

    def __init__(self, name: str, on_changes: OnChanges, *, online: bool) -> None:
        self._on_changes = on_changes
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self.connected = threading.Event()
        self.online = online

    def _run(self) -> None:
        raise NotImplementedError

    def start(self) -> None:
        self._thread.start()

    def stop(self, wait_s: float = 2.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(wait_s)


class PgChangeListener(_Watch):
    """LISTEN in a daemon thread; `on_changes` runs in that thread (the Qt side re-emits)."""

    def __init__(self, conninfo: str, on_changes: OnChanges, own: Callable[[int], bool], *,
                 safety_s: float = 3.0, desk: str = "") -> None:
        super().__init__("imdesk-change-listener", on_changes, online=False)
        self._conninfo = conninfo
        self._own = own
        self._safety_s = safety_s
        self._desk = desk
        self.cursor: FeedCursor | None = None

    def _run(self) -> None:
        import psycopg

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if self.cursor is None:
                        row = conn.execute("SELECT coalesce(max(counter), 0) FROM change_feed").fetchone()
                        self.cursor = FeedCursor(int(row[0]) if row else 0)
                    else:  # back after a drop: whatever happened meanwhile
                        self._catch_up(conn)
                    self.online = True
                    self.connected.set()
                    self._listen(conn)
            except psycopg.Error:
                self.online = False
                self._stop.wait(2.0)

    def _listen(self, conn: object) -> None:
        import psycopg

        assert isinstance(conn, psycopg.Connection)
        next_check = time.monotonic() + self._safety_s
        while not self._stop.is_set():
            others = False
            for note in conn.notifies(timeout=0.5, stop_after=1):
                counter = int(note.payload.split(":", 1)[0] or 0)
                others = others or not self._own(counter)
            if others or time.monotonic() >= next_check:
                self._catch_up(conn)
                next_check = time.monotonic() + self._safety_s

    def _catch_up(self, conn: object) -> None:
        import psycopg

        assert isinstance(conn, psycopg.Connection) and self.cursor is not None
        rows = conn.execute(SINCE_SQL, (self.cursor.low, BATCH)).fetchall()
        fresh = self.cursor.take([(int(r[0]), str(r[1]), str(r[2])) for r in rows], time.monotonic())
        changes = [c for c in fresh if not self._own(c.counter)]
        if len(rows) == BATCH:  # far behind: read everything again rather than page the feed
            changes.append(Change(self.cursor.low, "", EVERYTHING))
        if changes:
            self._on_changes(changes)


class SqliteChangeWatcher(_Watch):
    """PRAGMA data_version once a second in a daemon thread (a local file: one desk)."""

    def __init__(self, path: Path, on_changes: OnChanges, *, interval_s: float = 1.0) -> None:
        super().__init__("imdesk-change-watcher", on_changes, online=True)
        self._path = path
        self._interval_s = interval_s

    def _run(self) -> None:
        try:
            conn = sqlite3.connect(f"{self._path.resolve().as_uri()}?mode=ro", uri=True,
                                   check_same_thread=False)
        except sqlite3.Error:
            return
        try:
            last = conn.execute("PRAGMA data_version").fetchone()[0]
            self.connected.set()
            tick = 0
            while not self._stop.wait(self._interval_s):
                version = conn.execute("PRAGMA data_version").fetchone()[0]
                if version != last:
                    last = version
                    tick += 1
                    self._on_changes([Change(tick, "", EVERYTHING)])
        except sqlite3.Error:
            return
        finally:
            conn.close()


def conninfo_of(url: object) -> str:
    """A libpq connection string from the SQLAlchemy URL of a PostgreSQL database."""
    from sqlalchemy.engine import URL

    assert isinstance(url, URL)
    return url.set(drivername="postgresql").render_as_string(hide_password=False)
