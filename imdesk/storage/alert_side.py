"""The alert listener's side inbox on SQLite: a small SQLite file of its own beside the database
(`NAME.inbox.sqlite`), where `alerts serve` commits each payload before the sender's 2xx. The
intake then never waits for SQLite's one write lock on the database, which the processor holds
while it turns payloads into alerts and incidents.

The processor (any caller of AlertService.process_pending, and `alerts ingest` before it stores)
MOVES the side file's new rows into `alert_inbox` inside its own write transaction on the
database, and records there, in the same transaction, how far it moved: the setting MARK_KEY,
{"file": the side file's id, "through": its last side id}. A crash before that commit moves
nothing (the rows are still in the side file); after it, the rows are in the inbox and the mark
says so: nothing is lost or moved twice. Only the side file's writer (serve) deletes moved rows,
those at or below the mark it reads from the database. The side file's id (made when it is
created) keeps a new side file — its ids start again at 1 — from being read against the mark of
an older one."""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.alert_accept import Accepted

MARK_KEY = "alerts.side_inbox_moved"
PRUNE_S = 0.25  # the writer reads how far the processor moved at most this often
PRUNE_CHUNK = 100  # and deletes at most this many moved rows after a commit: one delete of a
# second's storm (1,300 rows) held every reply waiting behind it ~20 ms, once a second
CHECKPOINT_S = 1.0  # the side file's WAL is checkpointed at most this often
BUSY_MS = 10000

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS side_inbox (id INTEGER PRIMARY KEY AUTOINCREMENT, "
    "received_at TEXT NOT NULL, endpoint TEXT NOT NULL, body TEXT NOT NULL, assigned_key TEXT)",
    "CREATE TABLE IF NOT EXISTS side_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
)

Mark = tuple[str, int]  # (side file id, moved through side id)
_MOVE = ("INSERT INTO alert_inbox (received_at, endpoint, body, assigned_key) "
         "VALUES (?, ?, ?, ?)")


def _stamp(at: datetime) -> str:
    """A time as the database stores it (naive UTC, as SQLAlchemy writes a DateTime on SQLite):
    rows are moved as they are, with no conversion."""
    return at.astimezone(UTC).replace(tzinfo=None).strftime("%Y-%m-%d %H:%M:%S.%f")


def _time(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp).replace(tzinfo=UTC)


def side_path(db_path: Path) -> Path:
    """The side inbox beside the database file."""
    return db_path.with_name(db_path.name + ".inbox.sqlite")


def _file_id(conn: sqlite3.Connection) -> str | None:
    try:
        row = conn.execute("SELECT value FROM side_meta WHERE key = 'id'").fetchone()
    except sqlite3.OperationalError:  # made but not set up yet
        return None
    return str(row[0]) if row else None


class SideWriter:
    """Serve's connection to the side file (made, with its id, on first use): commits payloads
    with synchronous=FULL in WAL mode, and deletes moved rows a few at a time (`tidy`). It does no
    WAL auto-checkpoint (one would run inside a commit, before a reply): tidy checkpoints on a
    thread of its own, which never takes the write lock."""

    def __init__(self, path: Path, now: Callable[[], datetime],
                 moved: Callable[[], Mark | None]) -> None:
        self._now = now
        self._moved = moved  # the mark as the database has it
        self._pruned = self._checkpointed = 0.0
        self._prune_to = self._pruned_to = 0  # the moved mark read last; deleted up to it
        self._conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False,
                                     timeout=BUSY_MS / 1000)
        self._path = path
        self._checkpointing: threading.Thread | None = None
        self._conn.execute("PRAGMA journal_mode = WAL")
        self._conn.execute("PRAGMA synchronous = FULL")
        self._conn.execute("PRAGMA wal_autocheckpoint = 0")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            for statement in _SCHEMA:
                self._conn.execute(statement)
            self._conn.execute("INSERT OR IGNORE INTO side_meta (key, value) VALUES ('id', ?)",
                               (uuid.uuid4().hex,))
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._id = _file_id(self._conn) or ""

    def store(self, items: Sequence[Accepted]) -> None:
        """Commit payloads to the side file in one transaction (durable when this returns)."""
        at = _stamp(self._now())
        rows = [(at, a.endpoint, a.body, a.assigned_key) for a in items]
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            self._conn.executemany("INSERT INTO side_inbox (received_at, endpoint, body, "
                                   "assigned_key) VALUES (?, ?, ?, ?)", rows)
            self._conn.execute("COMMIT")
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise

    def tidy(self) -> None:
        """Delete rows the processor moved, a few at a time (PRUNE_CHUNK after each commit: a
        short transaction, never a stall of the replies waiting for the next commit)."""
        now = time.monotonic()
        if now - self._pruned >= PRUNE_S:
            self._pruned = now
            mark = self._moved()
            if mark is not None and mark[0] == self._id:
                self._prune_to = mark[1]
        if self._prune_to <= self._pruned_to:
            return
        cur = self._conn.execute("DELETE FROM side_inbox WHERE id IN (SELECT id FROM side_inbox "
                                 "WHERE id <= ? ORDER BY id LIMIT ?)",
                                 (self._prune_to, PRUNE_CHUNK))
        if cur.rowcount < PRUNE_CHUNK:
            self._pruned_to = self._prune_to  # all deleted up to the mark
        if now - self._checkpointed >= CHECKPOINT_S and (
                self._checkpointing is None or not self._checkpointing.is_alive()):
            self._checkpointed = now
            self._checkpointing = threading.Thread(target=self._checkpoint, daemon=True,
                                                   name="imdesk-side-inbox-checkpoint")
            self._checkpointing.start()

    def _checkpoint(self) -> None:
        """A passive checkpoint: the WAL's pages into the file while the writer goes on."""
        conn = sqlite3.connect(str(self._path), isolation_level=None, timeout=BUSY_MS / 1000)
        try:
            conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # the next tidy tries again
        finally:
            conn.close()

    def close(self) -> None:
        if self._checkpointing is not None:
            self._checkpointing.join(10)
        self._conn.execute("PRAGMA wal_checkpoint(PASSIVE)")
        self._conn.close()


class SideReader:
    """The processor's read connection to the side file (opened when the file exists; it never
    writes: a WAL reader neither waits for serve's commits nor holds them up)."""

    def __init__(self, path: Path) -> None:
        self._path = path
        self._conn: sqlite3.Connection | None = None
        self._id: str | None = None

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is None:
            if not self._path.exists():
                return None
            try:
                conn = sqlite3.connect(f"file:{self._path}?mode=rw", uri=True, isolation_level=None,
                                       check_same_thread=False, timeout=BUSY_MS / 1000)
            except sqlite3.OperationalError:
                return None
            self._conn = conn
        if self._id is None:
            self._id = _file_id(self._conn)
        return self._conn if self._id is not None else None

    def _after(self, mark: Mark | None) -> tuple[sqlite3.Connection, int] | None:
        """The connection and the last side id the mark covers (a mark of another side file
        counts as none); None while there is no side file."""
        conn = self._open()
        if conn is None or self._id is None:
            return None
        return conn, mark[1] if mark is not None and mark[0] == self._id else 0

    def rows_after(self, mark: Mark | None, limit: int) -> tuple[str, list[tuple[Any, ...]]]:
        """(the file's id, up to LIMIT rows after the mark, oldest first: id, received_at,
        endpoint, body, assigned_key)."""
        found = self._after(mark)
        if found is None or self._id is None:
            return "", []
        conn, after = found
        rows = conn.execute("SELECT id, received_at, endpoint, body, assigned_key FROM side_inbox "
                            "WHERE id > ? ORDER BY id LIMIT ?", (after, limit)).fetchall()
        return self._id, rows

    def waiting(self, mark: Mark | None) -> int:
        """How many side rows are not moved yet."""
        found = self._after(mark)
        if found is None:
            return 0
        conn, after = found
        return int(conn.execute("SELECT count(*) FROM side_inbox WHERE id > ?",
                                (after,)).fetchone()[0])

    def newest(self, mark: Mark | None, limit: int) -> list[tuple[int, datetime, str, None, int]]:
        """The newest rows not moved yet, as the inbox view shows them (no inbox id yet: 0)."""
        found = self._after(mark)
        if found is None:
            return []
        conn, after = found
        rows = conn.execute("SELECT received_at, endpoint, length(body) FROM side_inbox "
                            "WHERE id > ? ORDER BY id DESC LIMIT ?", (after, limit)).fetchall()
        return [(0, _time(at), endpoint, None, int(size))
                for at, endpoint, size in rows]

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def read_mark(s: Session) -> Mark | None:
    """The mark as the database has it (plain SQL: it is read in every processing transaction;
    only on a SQLite file, where the setting's JSON is text)."""
    text = s.connection().exec_driver_sql("SELECT value FROM setting WHERE key = ?",
                                          (MARK_KEY,)).scalar()
    value = json.loads(text) if isinstance(text, str) else None
    if not isinstance(value, dict):
        return None
    return str(value.get("file", "")), int(value.get("through", 0))


def move(s: Session, reader: SideReader, limit: int) -> tuple[int, bool]:
    """Within the caller's write transaction: move up to LIMIT side rows not moved yet into
    the inbox, oldest first, and the mark with them. (how many, whether more wait)."""
    mark = read_mark(s)
    file_id, rows = reader.rows_after(mark, limit)
    if not rows:
        return 0, False
    conn = s.connection()
    conn.exec_driver_sql(_MOVE, [row[1:] for row in rows])
    value = json.dumps({"file": file_id, "through": int(rows[-1][0])})
    conn.exec_driver_sql("INSERT INTO setting (key, value) VALUES (?, ?) "
                         "ON CONFLICT (key) DO UPDATE SET value = excluded.value", (MARK_KEY, value))
    return len(rows), len(rows) >= limit
