"""S8 (subset) and S7: a damaged database file gives one clear line and the way back (restore the
backup); a read-only file opens read-only, lists, and refuses every write clearly."""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from imdesk.app import build_context
from imdesk.cli import main
from imdesk.errors import DatabaseCorrupt, DatabaseReadOnly
from imdesk.services.backups import newest_backup, restore
from imdesk.services.incidents import IncidentEdit, NewIncident
from imdesk.storage.backup import backup_sqlite
from imdesk.storage.incident_repo import IncidentQuery


def _cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def db_file(sqlite_url: str) -> Path:
    """A database with a few incidents, cleanly closed (no -wal left beside it)."""
    path = Path(sqlite_url.removeprefix("sqlite:///"))
    ctx = build_context(sqlite_url, author="tester")
    ctx.catalog.add("Mail")
    for n in range(5):
        ref = ctx.incidents.create(NewIncident(title=f"incident {n}", impact="high",
                                               urgency="medium", service="Mail")).ref
        ctx.incidents.add_note(ref, f"note for {n}")
    ctx.incidents.change_status("INC-1002", "in_progress")
    ctx.close()
    assert not path.with_name(path.name + "-wal").exists()
    return path


def _listing(capsys: pytest.CaptureFixture[str], path: Path) -> str:
    code, out, err = _cli(capsys, "--db", str(path), "incident", "list", "--all", "--json")
    assert (code, err) == (0, "")
    return out


def _garbage_header(path: Path) -> None:
    with path.open("r+b") as f:
        f.write(random.Random(1).randbytes(100))


def _truncate_half(path: Path) -> None:
    os.truncate(path, path.stat().st_size // 2)


def _not_sqlite(path: Path) -> None:
    path.write_text("This is the minutes of the change board, not a database.\n" * 200)


CORRUPTIONS: dict[str, Callable[[Path], None]] = {
    "header garbage": _garbage_header,
    "truncated to half": _truncate_half,
    "not a SQLite file": _not_sqlite,
}


@pytest.mark.parametrize("how", sorted(CORRUPTIONS))
def test_a_damaged_file_gives_one_line_and_restore_brings_back_the_backup(
        capsys: pytest.CaptureFixture[str], db_file: Path, tmp_path: Path, how: str) -> None:
    saved = _listing(capsys, db_file)
    backup = tmp_path / "backups" / "last.sqlite"
    assert _cli(capsys, "--db", str(db_file), "db", "backup", str(backup))[0] == 0
    CORRUPTIONS[how](db_file)
    damaged = hashlib.sha256(db_file.read_bytes()).hexdigest()

    for args in (["incident", "list"], ["incident", "show", "INC-1001"],
                 ["incident", "note", "INC-1001", "x"], ["db", "check"]):
        code, out, err = _cli(capsys, "--db", str(db_file), *args)
        assert code == 1, (args, out, err)
        assert err.startswith("imdesk: ") and err.count("\n") == 1, (args, err)
        assert "Traceback" not in out + err
        assert "damaged" in err or "malformed" in err or "not a database" in err
    assert hashlib.sha256(db_file.read_bytes()).hexdigest() == damaged  # nothing written to it

    code, out, err = _cli(capsys, "--db", str(db_file), "db", "restore", str(backup))
    assert (code, err) == (0, "")
    assert _listing(capsys, db_file) == saved
    assert _cli(capsys, "--db", str(db_file), "db", "check")[0] == 0
    kept = [p for p in db_file.parent.iterdir() if ".replaced-" in p.name]
    assert [hashlib.sha256(p.read_bytes()).hexdigest() for p in kept] == [damaged]


def test_restore_keeps_the_replaced_file_with_its_write_ahead_log(db_file: Path,
                                                                  tmp_path: Path) -> None:
    """A file left by a crash has committed work in its -wal: the kept copy must keep it."""
    backup = tmp_path / "backup.sqlite"
    crashed = tmp_path / "crashed" / "imdesk.sqlite"
    crashed.parent.mkdir()
    ctx = build_context(f"sqlite:///{db_file}")
    try:
        backup_sqlite(ctx.db, backup)
        ctx.incidents.add_note("INC-1001", "committed after the backup")
        wal = db_file.with_name(db_file.name + "-wal")
        assert wal.stat().st_size > 0  # the note is in the log, not yet in the main file
        shutil.copyfile(db_file, crashed)  # a copy as a crash leaves it: main file + log
        shutil.copyfile(wal, crashed.with_name(crashed.name + "-wal"))
    finally:
        ctx.close()
    kept = restore(backup, crashed)
    assert kept is not None and kept.exists()
    restored = build_context(f"sqlite:///{crashed}")
    try:
        assert restored.incidents.detail("INC-1001").timeline[-1].text == "note for 0"
    finally:
        restored.close()
    old = build_context(f"sqlite:///{kept}")
    try:
        assert old.incidents.detail("INC-1001").timeline[-1].text == "committed after the backup"
    finally:
        old.close()


def test_build_context_raises_database_corrupt_for_a_bad_header(db_file: Path) -> None:
    _garbage_header(db_file)
    with pytest.raises(DatabaseCorrupt) as err:
        build_context(f"sqlite:///{db_file}")
    assert "damaged" in str(err.value) and "restore" in str(err.value)


def test_newest_backup_is_found_beside_the_database(db_file: Path) -> None:
    ctx = build_context(f"sqlite:///{db_file}")
    try:
        folder = db_file.parent / "backups"
        older = backup_sqlite(ctx.db, folder / "a.sqlite")
        newer = backup_sqlite(ctx.db, folder / "b.sqlite")
        os.utime(older, (1_700_000_000, 1_700_000_000))
        assert newest_backup(db_file) == newer
    finally:
        ctx.close()


def test_a_backup_is_a_consistent_verified_copy(db_file: Path, tmp_path: Path) -> None:
    ctx = build_context(f"sqlite:///{db_file}")
    try:
        ctx.incidents.add_note("INC-1001", "written just before the backup")  # still in -wal
        target = backup_sqlite(ctx.db, tmp_path / "copy.sqlite")
    finally:
        ctx.close()
    copy = build_context(f"sqlite:///{target}")
    try:
        assert copy.incidents.detail("INC-1001").timeline[-1].text == (
            "written just before the backup")
    finally:
        copy.close()


def test_paths_with_hash_and_spaces_are_backed_up_correctly(tmp_path: Path) -> None:
    folder = tmp_path / "C# team #1 data"
    folder.mkdir()
    url = f"sqlite:///{folder / 'imdesk.sqlite'}"
    ctx = build_context(url)
    try:
        ctx.incidents.create(NewIncident(title="keep me", impact="low", urgency="low"))
        target = backup_sqlite(ctx.db, folder / "backup.sqlite")
    finally:
        ctx.close()
    assert sorted(p.name for p in folder.parent.iterdir()) == [folder.name]  # no stray files
    copy = build_context(f"sqlite:///{target}")
    try:
        assert copy.incidents.get("INC-1001").title == "keep me"
    finally:
        copy.close()


# -- read-only ---------------------------------------------------------------------------------

@pytest.fixture
def read_only_file(db_file: Path) -> Iterator[Path]:
    db_file.chmod(0o444)  # root can still write, but imdesk treats a file without write bits as ro
    yield db_file
    db_file.chmod(0o644)
    for side in db_file.parent.glob(db_file.name + "-*"):
        side.chmod(0o644)


def test_a_read_only_file_opens_read_only_and_refuses_writes(read_only_file: Path) -> None:
    before = hashlib.sha256(read_only_file.read_bytes()).hexdigest()
    ctx = build_context(f"sqlite:///{read_only_file}")
    try:
        assert ctx.db.read_only and ctx.db.info.read_only
        assert "read-only" in ctx.db.info.label
        assert any("Read-only" in n for n in ctx.notices)
        assert ctx.incidents.count(IncidentQuery()) == 5
        assert [s.ref for s in ctx.incidents.page(IncidentQuery(sort="ref"), 0, 2)] == [
            "INC-1001", "INC-1002"]
        assert ctx.incidents.detail("INC-1001").timeline[-1].text == "note for 0"
        writes: list[Callable[[], object]] = [
            lambda: ctx.incidents.create(NewIncident(title="t", impact="low", urgency="low")),
            lambda: ctx.incidents.add_note("INC-1001", "x"),
            lambda: ctx.incidents.change_status("INC-1001", "in_progress"),
            lambda: ctx.incidents.edit("INC-1001", IncidentEdit(major=True)),
            lambda: ctx.catalog.add("Payroll"),
            lambda: ctx.settings.set_desk_name("Night desk"),
        ]
        for write in writes:
            with pytest.raises(DatabaseReadOnly) as err:
                write()
            assert "read-only" in str(err.value) and "nothing can be saved" in str(err.value)
        assert ctx.incidents.count(IncidentQuery()) == 5
    finally:
        ctx.close()
    assert hashlib.sha256(read_only_file.read_bytes()).hexdigest() == before
    assert stat.S_IMODE(read_only_file.stat().st_mode) == 0o444


def test_the_cli_on_a_read_only_file(capsys: pytest.CaptureFixture[str],
                                     read_only_file: Path) -> None:
    code, out, err = _cli(capsys, "--db", str(read_only_file), "incident", "list")
    assert code == 0 and "INC-1001" in out
    before = _listing(capsys, read_only_file)
    for args in (["incident", "add", "--title", "t", "--impact", "low", "--urgency", "low"],
                 ["incident", "note", "INC-1001", "x"],
                 ["incident", "status", "INC-1001", "in_progress"]):
        code, out, err = _cli(capsys, "--db", str(read_only_file), *args)
        assert (code, out) == (1, "")
        assert err.startswith("imdesk: ") and err.count("\n") == 1 and "read-only" in err
    assert _listing(capsys, read_only_file) == before
    assert _cli(capsys, "--db", str(read_only_file), "db", "check")[0] == 0
