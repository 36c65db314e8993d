"""The command line, in process: incident add/list/show/status/note (human and --json), bad input
(exit 2, one line, nothing changed), --version, db check/backup/restore, demo seed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from imdesk import __version__
from imdesk.cli import main
from imdesk.domain.priority import Level, PriorityMatrix
from imdesk.domain.sla import SlaPolicy
from tests.conftest import fresh_pg_url
from tests.helpers.cli_runner import Cli

INCIDENT_KEYS = {"ref", "title", "description", "service", "impact", "urgency", "priority",
                 "status", "major", "origin", "opened_at", "acknowledged_at", "resolved_at",
                 "closed_at", "respond_due", "resolve_due"}
ENTRY_KEYS = {"seq", "uuid", "kind", "text", "author", "recorded_at", "occurred_at", "data",
              "hash"}


@pytest.fixture
def db_file(sqlite_url: str) -> Path:
    return Path(sqlite_url.removeprefix("sqlite:///"))


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], db_file: Path) -> Cli:
    return Cli(capsys, str(db_file))


def _utc(value: str) -> datetime:
    assert value.endswith("Z"), value
    parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    assert parsed.utcoffset() == timedelta(0)
    return parsed


def _one_line(err: str) -> str:
    assert err.endswith("\n") and err.count("\n") == 1, repr(err)
    assert err.startswith("imdesk: ")
    assert "Traceback" not in err
    return err


# -- happy paths (SQLite and PostgreSQL) --------------------------------------------------------

def test_add_list_show_status_note_on_both_databases(capsys: pytest.CaptureFixture[str],
                                                     db_url: str) -> None:
    cli = Cli(capsys, db_url)
    code, out, err = cli("incident", "add", "--title", "Mail down", "--impact", "high",
                         "--urgency", "high")
    assert (code, out, err) == (0, "INC-1001\n", "")
    created = cli.json("incident", "add", "--title", "Printer <b>jam</b>", "--impact", "low",
                       "--urgency", "medium", "--origin", "walk-in", "--description",
                       "floor 3", "--major")
    assert set(created) >= INCIDENT_KEYS
    assert (created["ref"], created["title"], created["priority"], created["status"]) == (
        "INC-1002", "Printer <b>jam</b>", PriorityMatrix().priority(Level.LOW, Level.MEDIUM).value,
        "new")
    assert (created["major"], created["origin"], created["service"]) == (True, "walk_in", None)
    opened = _utc(created["opened_at"])
    targets = SlaPolicy().targets[PriorityMatrix().priority(Level.LOW, Level.MEDIUM)]
    assert _utc(created["respond_due"]) == opened + timedelta(minutes=targets.respond_minutes)
    assert _utc(created["resolve_due"]) == opened + timedelta(minutes=targets.resolve_minutes)
    assert created["acknowledged_at"] is created["resolved_at"] is created["closed_at"] is None

    code, out, _ = cli("incident", "status", "INC-1001", "in_progress")
    assert (code, out) == (0, "INC-1001 is now in_progress\n")
    moved = cli.json("incident", "status", "inc-1001", "on_hold", "--note", "waiting for ISP")
    assert moved["status"] == "on_hold" and moved["acknowledged_at"] is not None
    code, out, _ = cli("incident", "note", "INC-1001", "ISP says 30 min")
    assert (code, out) == (0, "INC-1001 entry 4 added\n")
    note = cli.json("incident", "note", "INC-1001", "second note")
    assert set(note) == ENTRY_KEYS and note["seq"] == 5 and note["kind"] == "note"

    listing = cli.json("incident", "list")
    assert sorted(row["ref"] for row in listing) == ["INC-1001", "INC-1002"]
    assert all(set(row) >= INCIDENT_KEYS for row in listing)
    code, out, _ = cli("incident", "list")
    assert code == 0 and len(out.splitlines()) == 2
    assert "INC-1001" in out and "Mail down" in out and "MAJOR" in out

    shown = cli.json("incident", "show", "INC-1001")
    assert set(shown) >= INCIDENT_KEYS
    assert [e["seq"] for e in shown["timeline"]] == [1, 2, 3, 4, 5]
    assert [e["kind"] for e in shown["timeline"]] == ["opened", "status", "status", "note", "note"]
    assert all(set(e) == ENTRY_KEYS for e in shown["timeline"])
    assert shown["timeline"][2]["text"] == "waiting for ISP"
    data = shown["timeline"][2]["data"]
    assert data["desk"]["user"] == "tester"  # the desk that wrote it
    assert {k: v for k, v in data.items() if k != "desk"} == {"from": "in_progress", "to": "on_hold"}
    assert all(len(e["hash"]) == 64 for e in shown["timeline"])
    assert shown["timeline"][0]["author"] == "tester"
    code, out, _ = cli("incident", "show", "INC-1001")
    assert code == 0 and "Mail down" in out and "ISP says 30 min" in out and "on_hold" in out
    assert cli("db", "check")[0] == 0


def test_list_shows_open_incidents_unless_asked(cli: Cli) -> None:
    for title in ("one", "two", "three"):
        cli("incident", "add", "--title", title, "--impact", "medium", "--urgency", "low")
    cli("incident", "status", "INC-1002", "cancelled", "--note", "duplicate")
    cli("incident", "status", "INC-1003", "resolved", "--note", "fixed")
    assert [r["ref"] for r in cli.json("incident", "list")] == ["INC-1001"]
    assert len(cli.json("incident", "list", "--all")) == 3
    assert sorted(r["ref"] for r in cli.json("incident", "list", "--status", "cancelled",
                                             "--status", "resolved")) == ["INC-1002", "INC-1003"]
    code, out, _ = cli("incident", "list", "--status", "closed")
    assert (code, out) == (0, "no incidents\n")


def test_service_names_in_the_cli(cli: Cli, db_file: Path) -> None:
    from imdesk.app import build_context

    ctx = build_context(f"sqlite:///{db_file}")
    ctx.catalog.add("Mail")
    ctx.close()
    created = cli.json("incident", "add", "--title", "t", "--impact", "high", "--urgency", "low",
                       "--service", "mail")
    assert created["service"] == "Mail"
    _code, out, _ = cli("incident", "list")
    assert "[Mail]" in out


def test_the_database_from_imdesk_db(cli: Cli, db_file: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IMDESK_DB", str(db_file))
    code, out, _ = cli("incident", "add", "--title", "t", "--impact", "low", "--urgency", "low",
                       db=False)
    assert (code, out) == (0, "INC-1001\n")
    assert [r["ref"] for r in cli.json("incident", "list")] == ["INC-1001"]  # same file via --db


def test_the_default_database_is_in_the_data_dir(capsys: pytest.CaptureFixture[str],
                                                 tmp_path: Path) -> None:
    cli = Cli(capsys, "")
    code, out, _ = cli("incident", "add", "--title", "t", "--impact", "low", "--urgency", "low",
                       db=False)
    assert (code, out) == (0, "INC-1001\n")
    from imdesk.paths import default_db_path

    assert default_db_path().exists()


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code in (0, None)
    assert capsys.readouterr().out.strip() == f"imdesk {__version__}"


# -- bad input: exit 2, one line, nothing written ---------------------------------------------

BAD_INPUT = {
    "invalid impact": (["incident", "add", "--title", "t", "--impact", "severe", "--urgency",
                        "low"], "impact"),
    "invalid urgency": (["incident", "add", "--title", "t", "--impact", "low", "--urgency", ""],
                        "urgency"),
    "empty title": (["incident", "add", "--title", "  ", "--impact", "low", "--urgency", "low"],
                    "title"),
    "missing title": (["incident", "add", "--impact", "low", "--urgency", "low"], "--title"),
    "unknown service": (["incident", "add", "--title", "t", "--impact", "low", "--urgency", "low",
                         "--service", "Nope"], "Nope"),
    "invalid origin": (["incident", "add", "--title", "t", "--impact", "low", "--urgency", "low",
                        "--origin", "fax"], "origin"),
    "invalid status": (["incident", "status", "INC-1001", "done"], "status"),
    "forbidden transition": (["incident", "status", "INC-1001", "closed"], "closed"),
    "hold without reason": (["incident", "status", "INC-1001", "on_hold"], "reason"),
    "unknown ref (status)": (["incident", "status", "INC-9999", "in_progress"], "INC-9999"),
    "unknown ref (show)": (["incident", "show", "INC-9999"], "INC-9999"),
    "unknown ref (note)": (["incident", "note", "INC-9999", "hello"], "INC-9999"),
    "empty note": (["incident", "note", "INC-1001", " "], "note"),
    "invalid status filter": (["incident", "list", "--status", "open-ish"], "status"),
    "status and all": (["incident", "list", "--all", "--status", "new"], "--all"),
    "unknown action": (["incident", "frobnicate"], "frobnicate"),
    "seed with no incidents": (["demo", "seed", "--incidents", "0", "--entries", "5"],
                               "--incidents"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_exits_2_with_one_line_and_changes_nothing(cli: Cli, case: str) -> None:
    cli("incident", "add", "--title", "Mail down", "--impact", "high", "--urgency", "high")
    cli("incident", "note", "INC-1001", "a note")
    before = cli.state()
    args, fragment = BAD_INPUT[case]
    code, out, err = cli(*args)
    assert code == 2
    assert fragment in _one_line(err)
    assert out == ""
    assert cli.state() == before


# -- database upkeep -------------------------------------------------------------------------------

def test_db_check(cli: Cli) -> None:
    for n in range(3):
        cli("incident", "add", "--title", f"t{n}", "--impact", "low", "--urgency", "low")
    cli("incident", "note", "INC-1002", "x")
    code, out, err = cli("db", "check")
    assert (code, err) == (0, "")
    assert out == "ok: 3 incidents, 4 timeline entries verified\n"
    assert cli.json("db", "check") == {"ok": True, "incidents": 3, "entries": 4, "problem": None}


def test_backup_then_restore_brings_back_the_state(cli: Cli, db_file: Path,
                                                   tmp_path: Path) -> None:
    cli("incident", "add", "--title", "Mail down", "--impact", "high", "--urgency", "high")
    cli("incident", "status", "INC-1001", "in_progress")
    cli("incident", "note", "INC-1001", "before the backup")
    saved = cli.state()
    backup = tmp_path / "backups" / "manual.sqlite"
    code, out, _ = cli("db", "backup", str(backup))
    assert code == 0 and str(backup) in out and backup.exists()

    cli("incident", "note", "INC-1001", "after the backup")
    cli("incident", "add", "--title", "Printer", "--impact", "low", "--urgency", "low")
    assert cli.state() != saved

    code, out, err = cli("db", "restore", str(backup))
    assert (code, err) == (0, "")
    assert "restored" in out and "kept as" in out
    assert cli.state() == saved
    assert cli("db", "check")[0] == 0
    kept = [p for p in db_file.parent.iterdir() if p.name.startswith(db_file.name + ".replaced-")]
    assert len(kept) == 1  # the replaced file is kept, not destroyed
    assert not db_file.with_name(db_file.name + ".lock").exists()


def test_restore_refuses_a_missing_or_bad_backup(cli: Cli, tmp_path: Path) -> None:
    cli("incident", "add", "--title", "t", "--impact", "low", "--urgency", "low")
    before = cli.state()
    code, _, err = cli("db", "restore", str(tmp_path / "nope.sqlite"))
    assert code == 2 and "nope.sqlite" in _one_line(err)  # bad input, not the environment
    junk = tmp_path / "junk.sqlite"
    junk.write_text("not a database\n" * 50)
    code, _, err = cli("db", "restore", str(junk))
    assert code == 1 and "junk.sqlite" in _one_line(err)
    assert cli.state() == before


@pytest.mark.postgres
def test_backup_of_a_postgres_database_is_refused_clearly(capsys: pytest.CaptureFixture[str],
                                                          pg_template: str, tmp_path: Path) -> None:
    code, _, err = Cli(capsys, fresh_pg_url(pg_template))("db", "backup",
                                                          str(tmp_path / "b.sqlite"))
    assert code == 1 and "SQLite" in _one_line(err)


def test_an_unreachable_server_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    cli = Cli(capsys, "postgresql+psycopg://imdesk@127.0.0.1:1/nothing")
    code, out, err = cli("incident", "list")
    assert (code, out) == (1, "")
    assert "cannot be used" in _one_line(err)


def test_demo_seed_then_check(cli: Cli) -> None:
    code, out, _ = cli("demo", "seed", "--incidents", "50", "--entries", "500")
    assert code == 0 and "50 incidents" in out and "500 entries" in out
    code, out, _ = cli("db", "check")
    assert (code, out) == (0, "ok: 50 incidents, 500 timeline entries verified\n")
    listing = cli.json("incident", "list", "--all")
    assert len(listing) == 50
    assert all(_utc(row["opened_at"]) <= datetime.now(UTC) for row in listing)
