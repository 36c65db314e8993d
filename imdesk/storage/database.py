"""Engine and session set-up: SQLite pragmas, BEGIN IMMEDIATE for writes, error translation."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from imdesk.errors import (
    DatabaseBusy,
    DatabaseCorrupt,
    DatabaseReadOnly,
    DatabaseUnavailable,
    DiskFull,
    KnownError,
)
from imdesk.storage.db_info import DbInfo, writable

BUSY_TIMEOUT_MS = 5000


def sqlite_url(path: Path) -> URL:
    """A SQLite URL for a file path, whatever characters the path holds ('?', '#', '%')."""
    return URL.create("sqlite", database=str(path))


DbUrl = str | URL | Path  # a Path is a SQLite file


def _sqlite_path(url: URL) -> Path | None:
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def translate(exc: BaseException) -> KnownError | None:
    """Map a driver error to a KnownError the user can act on, or None for a bug."""
    orig = exc.orig if isinstance(exc, DBAPIError) else exc
    text = str(orig).lower()
    if isinstance(orig, sqlite3.Error):
        if "locked" in text or "busy" in text:
            return DatabaseBusy("the database stayed busy for more than 5 s; try again")
        if "readonly" in text or "read-only" in text:
            return DatabaseReadOnly("the database is read-only; nothing can be saved")
        if "full" in text:
            return DiskFull("the disk is full: nothing could be saved; free some space and retry")
        if "not a database" in text or "malformed" in text or "corrupt" in text:
            return DatabaseCorrupt(
                "the database file is damaged", hint="Restore the newest backup (imdesk db restore)."
            )
        if "no such column" in text or "no such table" in text or "no such function" in text:
            # imdesk's own statements on a file at its schema: the schema itself is damaged
            return DatabaseCorrupt(f"the database's schema is damaged ({orig})",
                                   hint="Restore the newest backup (imdesk db restore).")
        if "could not decode to utf-8" in text:
            column = str(orig).split("column ", 1)[-1].split(" with text", 1)[0].strip("'")
            return DatabaseCorrupt(f"a stored value is damaged (column {column} is not UTF-8)",
                                   hint="imdesk db check lists every damaged row.")
        if "disk i/o" in text or "unable to open" in text:
            return DatabaseUnavailable(f"the database file cannot be used: {orig}")
    elif isinstance(exc, OperationalError):
        return DatabaseUnavailable(f"the database server cannot be used: {str(orig).splitlines()[0]}")
    return None


class Database:
    """One database: an engine plus read and write units of work."""

    def __init__(self, url: DbUrl, *, read_only: bool | None = None, echo: bool = False) -> None:
        parsed = sqlite_url(url) if isinstance(url, Path) else make_url(url)
        self._path = _sqlite_path(parsed)
        if read_only is None:
            read_only = self._path is not None and self._path.exists() and not writable(self._path)
        self.read_only = read_only
        kwargs: dict[str, Any] = {"echo": echo, "future": True}
        if self._path is not None:
            if read_only:
                query = {"mode": "ro", "uri": "true"}
                if self._path.exists() and not os.access(self._path.parent, os.W_OK):
                    # A read-only folder or mount: SQLite cannot make the -shm a WAL file needs
                    # even to read; nothing can change the file there, so it is immutable.
                    query["immutable"] = "1"
                parsed = URL.create("sqlite", database=self._path.resolve().as_uri(), query=query)
            kwargs["connect_args"] = {"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False}
        else:
            kwargs["pool_pre_ping"] = True
        self.engine: Engine = create_engine(parsed, **kwargs)
        self.dialect = self.engine.dialect.name
        if self.dialect == "sqlite":
            _install_sqlite_hooks(self.engine, read_only=read_only)
        self._reader = sessionmaker(bind=self.engine, expire_on_commit=False)
        self._writer = sessionmaker(
            bind=self.engine.execution_options(imdesk_begin="IMMEDIATE"), expire_on_commit=False
        )
        # Team mode: the desk that writes (set by the AppContext; its entries carry it) and, on
        # a server database, the change feed written with every commit that changed something.
        self.desk: dict[str, Any] | None = None
        self.desk_source: Callable[[], dict[str, Any]] | None = None  # gives `desk` when first needed
        self.own_counters: OwnCounters = OwnCounters()
        if self.dialect != "sqlite":
            event.listen(self._writer, "after_flush", _note_changed_tables)
        self.info = DbInfo(
            url=parsed.render_as_string(hide_password=True),
            dialect=self.dialect,
            path=self._path,
            read_only=read_only,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction (BEGIN IMMEDIATE on SQLite); commits or rolls back whole."""
        if self.read_only:
            raise DatabaseReadOnly("the database is open read-only; nothing can be saved")
        if self.desk is None and self.desk_source is not None:
            self.desk = self.desk_source()
        session = self._writer()
        session.info["imdesk_desk"] = self.desk
        try:
            with session.begin():
                yield session
                if self.dialect != "sqlite":
                    self._announce(session)
        except DBAPIError as exc:
            known = translate(exc)
            if known is not None:
                raise known from exc
            raise
        finally:
            session.close()

    def _announce(self, session: Session) -> None:
        """One change-feed row (and NOTIFY) for a commit that changed something shared."""
        changed: set[str] | None = session.info.get(CHANGED)
        if not changed:
            return
        from datetime import UTC, datetime

        from imdesk.storage import change_feed_repo

        session.flush()
        counter = change_feed_repo.record(session, desk=str((self.desk or {}).get("name", "")),
                                          what=changed, at=datetime.now(UTC))
        self.own_counters.add(counter)

    @contextmanager
    def read(self) -> Iterator[Session]:
        session = self._reader()
        try:
            with session.begin():
                yield session
        except DBAPIError as exc:
            known = translate(exc)
            if known is not None:
                raise known from exc
            raise
        finally:
            session.close()

    def dispose(self) -> None:
        self.engine.dispose()


CHANGED = "imdesk_changed"  # session.info key: what this transaction changed (a set of names)
NEW_REF = "imdesk.new_ref"  # session.info: how a new incident is named (an offline replica sets it)
# session.info key: a write unit of the offline replica (services/desk/replica.py): it spools
# each entry inserted, by the ORM or a plain statement, and inspects the ORM objects it flushes
# (a claimed message is refused).
SPOOLED = "imdesk_spooled"


def mark_changed(session: Session, what: str) -> None:
    """Say what a write changed, for the change feed (incident refs, "contacts", …)."""
    session.info.setdefault(CHANGED, set()).add(what)


# Tables whose rows several desks show, by the name the change feed gives them (by prefix).
_FEED_NAMES = (("outbox", "outbox"), ("alert", "alerts"), ("maintenance", "alerts"),
               ("heartbeat", "alerts"), ("handover", "handover"), ("document", "docs"),
               ("drill", "drills"), ("incident_link", "links"), ("service_dependency", "links"),
               ("setting", "settings"), ("service", "contacts"), ("contact", "contacts"),
               ("team", "contacts"), ("escalation", "contacts"), ("roster", "contacts"),
               ("distribution", "contacts"), ("list_member", "contacts"))
_NAMED_BY_REF = ("timeline_entry", "change_feed", "incident", "incident_milestone")


def _note_changed_tables(session: Session, _context: object) -> None:
    for obj in (*session.new, *session.dirty, *session.deleted):
        table = getattr(obj, "__tablename__", "")
        if table in _NAMED_BY_REF:
            continue  # an incident's changes are named by its ref (services/journal.py)
        name = next((n for prefix, n in _FEED_NAMES if table.startswith(prefix)), table)
        if name:
            mark_changed(session, name)


class OwnCounters:
    """The change-feed counters this process wrote: its desk ignores their notifications."""

    def __init__(self, keep: int = 4096) -> None:
        self._keep = keep
        self._seen: dict[int, None] = {}

    def add(self, counter: int) -> None:
        self._seen[counter] = None
        if len(self._seen) > self._keep:
            del self._seen[next(iter(self._seen))]

    def __contains__(self, counter: object) -> bool:
        return counter in self._seen

    def counters(self) -> list[int]:
        return list(self._seen)


def _install_sqlite_hooks(engine: Engine, *, read_only: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: sqlite3.Connection, _record: object) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        cur.execute("PRAGMA foreign_keys = ON")
        if read_only:
            cur.execute("PRAGMA query_only = ON")
        else:
            cur.execute("PRAGMA journal_mode = WAL")
            cur.execute("PRAGMA synchronous = FULL")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        mode = conn.get_execution_options().get("imdesk_begin", "DEFERRED")
        conn.exec_driver_sql(f"BEGIN {mode}")
