"""Damaged values in a SQLite file: text that is no longer UTF-8 (a flipped byte). SQLite's own
integrity check does not see them, and reading such a row raises in the driver; this scan reads
every text value as bytes and names each damaged one (the incident and entry for timelines)."""

from __future__ import annotations

import sqlite3
from typing import Any

from imdesk.storage.database import Database

TEXT_TYPES = ("CHAR", "TEXT", "CLOB", "JSON", "VARCHAR")


def _text_columns(conn: sqlite3.Connection, table: str) -> list[str]:
    rows = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    return [_str(r[1]) for r in rows if any(t in _str(r[2]).upper() for t in TEXT_TYPES)]


def _str(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _bad(value: Any) -> bool:
    if not isinstance(value, bytes):
        return False
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return True
    return False


def damaged_values(db: Database, *, limit: int = 1000) -> list[str]:
    """Every damaged text value (up to LIMIT), as 'INC-1001 entry 3: text' or 'table row: column'.
    Empty for PostgreSQL (it refuses invalid UTF-8 on the way in)."""
    if not db.is_sqlite:
        return []
    raw = db.engine.raw_connection()
    try:
        conn: sqlite3.Connection = raw.driver_connection  # type: ignore[assignment]
        old = conn.text_factory
        conn.text_factory = bytes
        try:
            return _scan(conn, limit)
        except sqlite3.Error as exc:  # the schema itself is damaged
            return [f"the schema cannot be read ({exc})"]
        finally:
            conn.text_factory = old
    finally:
        raw.close()


# Tables made from other tables' text (their damage is found where it comes from); without rowid
DERIVED = frozenset({"timeline_fts_words"})


def _scan(conn: sqlite3.Connection, limit: int) -> list[str]:
    found: list[str] = []
    tables = [r[0].decode("utf-8", "replace") for r in conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
    refs = ({r[0]: _str(r[1]) for r in conn.execute("SELECT id, ref FROM incident")}
            if "incident" in tables else {})
    for table in tables:
        if table in DERIVED:
            continue
        columns = _text_columns(conn, table)
        if not columns:
            continue
        extra = ", incident_id, seq" if table == "timeline_entry" else ""
        names = ", ".join(f'"{c}"' for c in columns)
        for row in conn.execute(f'SELECT rowid{extra}, {names} FROM "{table}"'):
            values = row[3:] if extra else row[1:]
            for column, value in zip(columns, values, strict=True):
                if not _bad(value):
                    continue
                if extra:
                    where = f"{refs.get(row[1], f'incident {row[1]}')} entry {row[2]}"
                else:
                    where = f"{table} row {row[0]}"
                found.append(f"{where}: {column} is damaged (not UTF-8)")
                if len(found) >= limit:
                    return found
    return found
