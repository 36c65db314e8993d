"""S1: the SQLite settings are in force on every pooled connection, on a fresh and an existing
file, and write transactions take the write lock at BEGIN (BEGIN IMMEDIATE)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import text

from imdesk.app import AppContext, build_context
from imdesk.storage.database import BUSY_TIMEOUT_MS

APPLICATION_ID = 1229800523  # 'IMDK'
SAMPLE = 20


def _pragmas(conn: object) -> tuple[object, ...]:
    run = conn.exec_driver_sql  # type: ignore[attr-defined]
    return (
        run("PRAGMA journal_mode").scalar_one(),
        run("PRAGMA synchronous").scalar_one(),
        run("PRAGMA foreign_keys").scalar_one(),
        run("PRAGMA busy_timeout").scalar_one(),
        run("PRAGMA application_id").scalar_one(),
    )


def _sample(ctx: AppContext) -> list[tuple[object, ...]]:
    """Read the pragmas on SAMPLE distinct pooled connections: hold as many as the pool gives at
    once, then start a new pool and take more."""
    seen: list[tuple[object, ...]] = []
    dbapi: list[object] = []  # kept alive so that no id() is reused
    while len(seen) < SAMPLE:
        held = []
        for _ in range(min(10, SAMPLE - len(seen))):
            conn = ctx.db.engine.connect()
            held.append(conn)
            dbapi.append(conn.connection.dbapi_connection)
            seen.append(_pragmas(conn))
        for conn in held:
            conn.close()
        ctx.db.engine.dispose()  # the next round gets new connections
    assert len({id(c) for c in dbapi}) == SAMPLE  # SAMPLE distinct connections
    return seen


@pytest.mark.parametrize("which", ["fresh", "existing"])
def test_pragmas_on_every_pooled_connection(which: str, tmp_path: Path,
                                            sqlite_url: str) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.sqlite'}" if which == "fresh" else sqlite_url
    ctx = build_context(url)
    try:
        expected = ("wal", 2, 1, BUSY_TIMEOUT_MS, APPLICATION_ID)
        readings = _sample(ctx)
        assert len(readings) == SAMPLE
        assert all(r == expected for r in readings), readings
        with ctx.db.write() as s:  # the connections the services write on, too
            assert _pragmas(s.connection()) == expected
        with ctx.db.read() as s:
            assert _pragmas(s.connection()) == expected
    finally:
        ctx.close()


def test_a_write_takes_the_lock_at_begin(sqlite_ctx: AppContext) -> None:
    path = sqlite_ctx.db.info.path
    assert path is not None
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        with sqlite_ctx.db.write() as s:
            s.execute(text("SELECT 1"))  # nothing written yet, but the write lock is held
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # free again after the commit
        other.execute("ROLLBACK")
        with sqlite_ctx.db.read() as s:  # a read does not block writers
            s.execute(text("SELECT count(*) FROM incident"))
            other.execute("BEGIN IMMEDIATE")
            other.execute("ROLLBACK")
    finally:
        other.close()
