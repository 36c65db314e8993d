"""Guarded migrations: refuse a newer schema, back the file up, upgrade to head."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

from imdesk import __version__
from imdesk.errors import DatabaseCorrupt, DatabaseTooNew
from imdesk.storage.backup import backup_sqlite
from imdesk.storage.database import Database, translate
from imdesk.storage.schema import HEAD_REVISION, KNOWN_REVISIONS

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def _has_table(conn: Connection, name: str) -> bool:
    """Plain SQL instead of reflection: this runs on every start."""
    if conn.dialect.name == "sqlite":
        sql = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = :n"
    else:
        sql = ("SELECT 1 FROM information_schema.tables WHERE table_name = :n "
               "AND table_schema = current_schema()")
    return conn.execute(text(sql), {"n": name}).first() is not None


def current_revision(db: Database) -> str | None:
    """The schema revision, or None for an empty database. The first thing start-up reads, so a
    damaged file, a missing server or a read-only folder is told here as a KnownError."""
    try:
        with db.engine.connect() as conn:
            if not _has_table(conn, "alembic_version"):
                if _has_table(conn, "incident"):
                    raise DatabaseCorrupt("the database has imdesk tables but no schema version")
                return None
            row = conn.execute(text("SELECT version_num FROM alembic_version")).first()
            return row[0] if row else None
    except DBAPIError as exc:
        known = translate(exc)
        if known is not None:
            raise known from exc
        raise


def needs_upgrade(db: Database) -> bool:
    rev = current_revision(db)
    _refuse_unknown(rev)
    return rev != HEAD_REVISION


def _refuse_unknown(rev: str | None) -> None:
    if rev is not None and rev not in KNOWN_REVISIONS:
        raise DatabaseTooNew(
            f"the database has schema {rev}, which this imdesk {__version__} does not know "
            f"(newest known: {HEAD_REVISION})",
            hint="It was written by a newer imdesk: update imdesk, or open another database.",
        )


def upgrade(db: Database) -> Path | None:
    """Bring the database to head. Returns the backup made before upgrading, if any."""
    rev = current_revision(db)
    _refuse_unknown(rev)
    if rev == HEAD_REVISION:
        return None
    backup: Path | None = None
    if rev is not None and db.info.path is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        backup = db.info.path.with_name(f"{db.info.path.name}.pre-{HEAD_REVISION}-{stamp}.bak")
        n = 1
        while backup.exists():  # two upgrades in one second must not overwrite a backup
            n += 1
            backup = db.info.path.with_name(
                f"{db.info.path.name}.pre-{HEAD_REVISION}-{stamp}-{n}.bak")
        backup_sqlite(db, backup)
    run_alembic_upgrade(db)
    return backup


def run_alembic_upgrade(db: Database, target: str = "head") -> None:
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    with db.engine.connect() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, target)
        if conn.in_transaction():
            conn.commit()
