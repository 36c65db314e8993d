"""Guarded migrations: empty database to head, the Alembic chain equals the known revisions, the
schema equals the models, a newer database is refused untouched, a backup comes before an
upgrade."""

from __future__ import annotations

import hashlib
import itertools
import os
import sqlite3
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.exc import SAWarning

import imdesk.storage.contact_models  # its tables are part of the schema
import imdesk.storage.doc_models  # and the documents
import imdesk.storage.drill_models
import imdesk.storage.lease_models  # and the leases
import imdesk.storage.link_models  # so are the links
import imdesk.storage.metrics_models  # the milestones table joins Base.metadata
import imdesk.storage.outbox_models  # so is the outbox
import imdesk.storage.spool_models
import imdesk.storage.team_models  # noqa: F401  (and the change feed)
from imdesk.app import build_context
from imdesk.errors import DatabaseCorrupt, DatabaseTooNew
from imdesk.services.incidents import NewIncident
from imdesk.storage import migrate
from imdesk.storage.backup import verify_sqlite_file
from imdesk.storage.database import Database
from imdesk.storage.models import Base
from imdesk.storage.schema import HEAD_REVISION, KNOWN_REVISIONS
from tests.conftest import PG_URL

# The SQLite FTS5 tables with their shadow tables, and the PostgreSQL GIN indexes: search
# objects the models do not describe.
FTS_OBJECTS = ("incident_fts", "timeline_fts", "open_incident_fts", "document_fts")
PG_FTS_INDEXES = ("ix_incident_fts", "ix_timeline_fts", "ix_document_fts")


def _pg_admin() -> Any:
    return create_engine(PG_URL.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it: a new SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'new.sqlite'}"
        return
    request.getfixturevalue("pg_template")  # skips when no server was started
    name = f"imdesk_empty_{os.getpid()}_{tmp_path.name[-12:].replace('-', '_').lower()}"
    admin = _pg_admin()
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name}"))
        conn.execute(text(f"CREATE DATABASE {name}"))
    yield PG_URL.rsplit("/", 1)[0] + "/" + name
    with admin.connect() as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def _version(url: str) -> str | None:
    db = Database(url)
    try:
        return migrate.current_revision(db)
    finally:
        db.dispose()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _files(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir() if not p.name.endswith(("-wal", "-shm"))}


def test_known_revisions_equal_the_alembic_chain() -> None:
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    cfg = Config()
    cfg.set_main_option("script_location", str(migrate.MIGRATIONS_DIR))
    script = ScriptDirectory.from_config(cfg)
    assert script.get_heads() == [HEAD_REVISION] == [KNOWN_REVISIONS[-1]]
    chain = list(reversed(list(script.walk_revisions("base", "heads"))))
    assert tuple(r.revision for r in chain) == KNOWN_REVISIONS
    assert chain[0].down_revision is None
    for before, after in itertools.pairwise(chain):
        assert after.down_revision == before.revision  # linear: one parent, no merges
    assert all(not r.branch_labels for r in chain)
    assert len(set(KNOWN_REVISIONS)) == len(KNOWN_REVISIONS)


def test_an_empty_database_is_brought_to_head(empty_url: str) -> None:
    assert _version(empty_url) is None
    ctx = build_context(empty_url)
    try:
        assert ctx.migration_backup is None  # nothing to back up
        assert ctx.notices == []
        ref = ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low")).ref
        assert ctx.incidents.get(ref).title == "t"
    finally:
        ctx.close()
    assert _version(empty_url) == HEAD_REVISION
    ctx = build_context(empty_url)  # a second start finds it at head and changes nothing
    try:
        assert ctx.migration_backup is None
        assert ctx.incidents.get(ref).title == "t"
    finally:
        ctx.close()


def _ignore_fts(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    return not (name or "").startswith(FTS_OBJECTS) and name not in PG_FTS_INDEXES


def test_the_migrated_schema_matches_the_models(empty_url: str) -> None:
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    build_context(empty_url).close()
    db = Database(empty_url)
    try:
        with db.engine.connect() as conn, warnings.catch_warnings():
            # SQLite cannot reflect expression indexes (lower(title)); the next test sees them.
            warnings.filterwarnings("ignore", ".*expression-based index", SAWarning)
            warnings.filterwarnings("ignore", ".*expression-based index", UserWarning)
            mc = MigrationContext.configure(conn, opts={"compare_type": True,
                                                        "include_object": _ignore_fts})
            diffs = compare_metadata(mc, Base.metadata)
            tables = set(inspect(conn).get_table_names())
    finally:
        db.dispose()
    assert diffs == []
    assert set(Base.metadata.tables) <= tables


def test_every_index_of_the_models_exists(empty_url: str) -> None:
    build_context(empty_url).close()
    db = Database(empty_url)
    sql = ("SELECT name FROM sqlite_master WHERE type = 'index'" if db.is_sqlite
           else "SELECT indexname FROM pg_indexes WHERE schemaname = current_schema()")
    try:
        with db.engine.connect() as conn:
            present = set(conn.execute(text(sql)).scalars())
    finally:
        db.dispose()
    wanted = {ix.name for table in Base.metadata.tables.values() for ix in table.indexes}
    assert wanted and wanted <= present


def test_append_only_and_search_objects_exist(empty_url: str) -> None:
    build_context(empty_url).close()
    db = Database(empty_url)
    try:
        with db.engine.connect() as conn:
            if db.is_sqlite:
                triggers = set(conn.execute(text(
                    "SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars())
                assert {"timeline_entry_no_update", "timeline_entry_no_delete"} <= triggers
                assert conn.execute(text("PRAGMA application_id")).scalar_one() == 1229800523
                assert "incident_fts" in inspect(conn).get_table_names()
            else:
                triggers = set(conn.execute(text(
                    "SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")).scalars())
                assert "timeline_entry_append_only" in triggers
                indexes = set(conn.execute(text(
                    "SELECT indexname FROM pg_indexes WHERE tablename = 'incident'")).scalars())
                assert "ix_incident_fts" in indexes
    finally:
        db.dispose()


def test_a_newer_sqlite_database_is_refused_and_left_untouched(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE alembic_version SET version_num = 'f00d_from_the_future'")
    conn.close()
    before, files = _sha(path), _files(path.parent)
    with pytest.raises(DatabaseTooNew) as err:
        build_context(sqlite_url)
    assert "f00d_from_the_future" in str(err.value) and HEAD_REVISION in str(err.value)
    assert "newer imdesk" in str(err.value)
    assert _sha(path) == before
    assert _files(path.parent) == files  # no backup, no lock, nothing
    assert _version(sqlite_url) == "f00d_from_the_future"


def test_a_newer_database_is_refused_on_both(db_url: str) -> None:
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
        tables = set(inspect(conn).get_table_names())
    with pytest.raises(DatabaseTooNew):
        build_context(db_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "9999"
        assert set(inspect(conn).get_table_names()) == tables
    engine.dispose()


def test_imdesk_tables_without_a_version_are_refused(sqlite_url: str) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DROP TABLE alembic_version")
    conn.close()
    with pytest.raises(DatabaseCorrupt) as err:
        build_context(sqlite_url)
    assert "schema version" in str(err.value)


class UpgradeRecorder:
    """Stands in for Alembic: records the call and what was on disk at that moment."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = folder
        self.calls: list[str] = []
        self.backups_at_call: list[Path] = []

    def __call__(self, db: Database, target: str = "head") -> None:
        self.calls.append(target)
        if self.folder is not None:
            self.backups_at_call = sorted(self.folder.glob("*.bak"))
        if migrate.current_revision(db) is not None:
            with db.engine.begin() as conn:
                conn.execute(text("UPDATE alembic_version SET version_num = :v"),
                             {"v": migrate.HEAD_REVISION})


@pytest.fixture
def newer_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pretend this build knows a revision 0002 that the existing databases do not have yet."""
    monkeypatch.setattr(migrate, "KNOWN_REVISIONS", (*KNOWN_REVISIONS, "0002_test"))
    monkeypatch.setattr(migrate, "HEAD_REVISION", "0002_test")


def test_a_verified_backup_is_written_before_an_upgrade(
        sqlite_url: str, newer_build: None, monkeypatch: pytest.MonkeyPatch) -> None:
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    from imdesk.services.incidents import IncidentService

    db = Database(sqlite_url)  # written by "the older build": no migration check
    ref = IncidentService(db).create(NewIncident(title="keep me", impact="low", urgency="low")).ref
    db.dispose()
    recorder = UpgradeRecorder(path.parent)
    monkeypatch.setattr(migrate, "run_alembic_upgrade", recorder)

    ctx = build_context(sqlite_url)
    try:
        assert recorder.calls == ["head"]
        backup = ctx.migration_backup
        assert backup is not None and recorder.backups_at_call == [backup]  # before, not after
        assert backup.parent == path.parent
        assert "0002_test" in backup.name
        assert verify_sqlite_file(backup) == "ok"
        assert any(str(backup) in n for n in ctx.notices)
    finally:
        ctx.close()
    with sqlite3.connect(backup) as copy:
        assert copy.execute("SELECT title FROM incident WHERE ref = ?", (ref,)).fetchone() == (
            "keep me",)
        assert copy.execute("SELECT version_num FROM alembic_version").fetchone() == (
            KNOWN_REVISIONS[-1],)
    copy.close()
    # the next start is at the new head: no second backup, no second upgrade
    build_context(sqlite_url).close()
    assert recorder.calls == ["head"]
    assert sorted(path.parent.glob("*.bak")) == [backup]


def test_no_upgrade_runs_when_the_backup_fails(sqlite_url: str, newer_build: None,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = UpgradeRecorder(None)
    monkeypatch.setattr(migrate, "run_alembic_upgrade", recorder)

    def failing_backup(db: Database, target: Path) -> Path:
        raise DatabaseCorrupt("the backup did not pass its integrity check: test")

    monkeypatch.setattr(migrate, "backup_sqlite", failing_backup)
    with pytest.raises(DatabaseCorrupt):
        build_context(sqlite_url)
    assert recorder.calls == []
    assert _version(sqlite_url) == KNOWN_REVISIONS[-1]


def test_a_new_file_is_created_without_a_backup(tmp_path: Path, newer_build: None,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    recorder = UpgradeRecorder(tmp_path)
    monkeypatch.setattr(migrate, "run_alembic_upgrade", recorder)
    build_context(f"sqlite:///{tmp_path / 'fresh.sqlite'}").close()
    assert recorder.calls == ["head"] and recorder.backups_at_call == []
