"""The database the services hold in team mode: the server while it answers, the desk's replica
while it does not.

A unit of work checks out its server connection before it begins; when the server cannot be
reached (connection refused, timeout, DNS: the driver's OperationalError) the desk goes offline
and the unit runs on the replica instead, where what it writes is spooled. A server lost in the
middle of a unit fails that one unit (nothing half-written) and the next runs offline. Back
online only through a merge (services/desk/merge.py), so nothing written offline is skipped.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from imdesk.errors import DatabaseUnavailable
from imdesk.services.desk.replica import ReplicaDatabase
from imdesk.storage.database import Database
from imdesk.storage.db_info import DbInfo

UNREACHABLE = (DatabaseUnavailable, OperationalError)
FORWARDED = frozenset({"desk", "desk_source", "own_counters"})


class TeamDatabase(Database):
    """A Database that is the server online and the replica offline (see the module)."""

    def __init__(self, server: Database, replica: ReplicaDatabase | None,
                 replica_file: Path | None = None) -> None:
        # no super().__init__: every attribute is the current target's
        self.server = server
        self.replica = replica
        self.replica_file = replica_file or (replica.path if replica is not None else None)
        self.offline_since: datetime | None = None
        self.listeners: list[Callable[[], None]] = []  # told when online/offline changes
        self._lock = threading.Lock()
        self._forwarded: dict[str, Any] = {}

    # What the composition root sets on "the database" for team mode online (the desk written
    # on every entry, the change feed's own counters) goes to the server and the replica alike.
    def __getattr__(self, name: str) -> Any:
        if name in FORWARDED:
            return getattr(self.__dict__["server"], name)
        raise AttributeError(name)

    def __setattr__(self, name: str, value: Any) -> None:
        if name in FORWARDED:
            self._forwarded[name] = value
            setattr(self.server, name, value)
            if self.replica is not None:
                setattr(self.replica, name, value)
            return
        super().__setattr__(name, value)

    def adopt(self, replica: ReplicaDatabase) -> None:
        """Use REPLICA from now on (made later, or made afresh after a merge)."""
        for name, value in self._forwarded.items():
            setattr(replica, name, value)
        self.replica = replica

    # -- which one -----------------------------------------------------------------------------
    @property
    def offline(self) -> bool:
        return self.offline_since is not None

    @property
    def current(self) -> Database:
        if self.offline_since is not None and self.replica is not None:
            return self.replica
        return self.server

    def go_offline(self, at: datetime | None = None) -> bool:
        """Switch to the replica (when there is one); True when this changed anything."""
        with self._lock:
            if self.offline_since is not None or self.replica is None:
                return False
            self.offline_since = at or datetime.now(UTC)
        self._tell()
        return True

    def go_online(self) -> None:
        with self._lock:
            changed = self.offline_since is not None
            self.offline_since = None
        if changed:
            self._tell()

    def _tell(self) -> None:
        for listener in list(self.listeners):
            listener()

    # -- Database ------------------------------------------------------------------------------
    @property  # type: ignore[override]
    def engine(self) -> Engine:
        """The server's, always: what connects by URL or engine (the sender, the listener, the
        checks) works on the server; units of work (read/write) follow the desk offline."""
        return self.server.engine

    @engine.setter
    def engine(self, value: Engine) -> None:
        raise AttributeError("a team database's engine is its server's or its replica's")

    @property  # type: ignore[override]
    def dialect(self) -> str:
        return self.current.dialect

    @dialect.setter
    def dialect(self, value: str) -> None:
        raise AttributeError("read-only")

    @property  # type: ignore[override]
    def info(self) -> DbInfo:
        return self.server.info

    @info.setter
    def info(self, value: DbInfo) -> None:
        raise AttributeError("read-only")

    @property  # type: ignore[override]
    def read_only(self) -> bool:
        return False

    @read_only.setter
    def read_only(self, value: bool) -> None:
        raise AttributeError("read-only")

    @contextmanager
    def write(self) -> Iterator[Session]:
        with self._unit("write") as s:
            yield s

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self._unit("read") as s:
            yield s

    @contextmanager
    def _unit(self, how: str) -> Iterator[Session]:
        if self.offline_since is None:
            unit: AbstractContextManager[Session] = getattr(self.server, how)()
            s = unit.__enter__()
            try:
                s.connection()  # the server is asked here, before the work begins
            except BaseException as exc:
                if not self._lost(unit, exc):
                    raise
            else:
                try:
                    yield s
                except BaseException as exc:
                    if isinstance(exc, UNREACHABLE):
                        self.go_offline()
                    if not unit.__exit__(type(exc), exc, exc.__traceback__):
                        raise
                    return
                else:
                    unit.__exit__(None, None, None)
                    return
        assert self.replica is not None
        with getattr(self.replica, how)() as r:
            yield r

    def _lost(self, unit: AbstractContextManager[Session], exc: BaseException) -> bool:
        """Close the server unit after its connection failed; True when the desk went offline
        and the work can run on the replica instead."""
        try:
            unit.__exit__(type(exc), exc, exc.__traceback__)
        except UNREACHABLE:
            if self.go_offline() or (self.offline_since is not None and self.replica is not None):
                return True
            raise  # no replica: the server's error, as the user would see it without one
        return False

    def dispose(self) -> None:
        self.server.dispose()
        if self.replica is not None:
            self.replica.dispose()


def connect_quickly(url: str, seconds: int = 3) -> str:
    """The server URL with a connect timeout (psycopg's default waits for the OS: minutes)."""
    from sqlalchemy.engine import make_url

    parsed = make_url(url)
    if "connect_timeout" in parsed.query:
        return url
    return parsed.update_query_dict({"connect_timeout": str(seconds)}).render_as_string(
        hide_password=False)
