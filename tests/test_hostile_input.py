"""Hostile input at the command line (issue 17): every command family, run as a real process on a
real database file, with invalid UTF-8, out-of-range dates and numbers, deep JSON, and a folder,
FIFO, device or the live database as input or output path. Each case: the exit code (2 for bad
input, 1 for the environment), one line on stderr, no traceback, and the database unchanged
(a dump before and after, and `db check` at the end)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BAD = b"\xff\xfe bad"  # not UTF-8
DEEP = "[" * 50_000 + "]" * 50_000


@dataclass(frozen=True)
class Place:
    data: Path
    db: Path
    folder: Path
    fifo: Path
    deep: Path
    payload: Path
    foreign: Path
    empty: Path

    def fill(self, arg: str | bytes) -> str | bytes:
        if isinstance(arg, bytes):
            return arg
        return arg.format(db=self.db, folder=self.folder, fifo=self.fifo, deep=self.deep,
                          payload=self.payload, backups=self.db.parent / "backups",
                          foreign=self.foreign, empty=self.empty)


def run(place: Place, *args: str | bytes,
        db: str | bytes | None = None) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "IMDESK_DATA_DIR": str(place.data), "PYTHONPATH": str(ROOT)}
    argv: list[str | bytes] = [sys.executable, "-m", "imdesk", "--db",
                               str(place.db) if db is None else place.fill(db)]
    argv += [place.fill(a) for a in args]
    return subprocess.run(argv, capture_output=True, env=env, cwd=place.folder, timeout=60,
                          stdin=subprocess.DEVNULL, check=False)


def dump(db: Path) -> list[str]:
    conn = sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return list(conn.iterdump())
    finally:
        conn.close()


@pytest.fixture(scope="module")
def place(tmp_path_factory: pytest.TempPathFactory) -> Place:
    root = tmp_path_factory.mktemp("hostile")
    folder = root / "work"
    folder.mkdir()
    fifo = root / "fifo"
    os.mkfifo(fifo)
    deep = root / "deep.json"
    deep.write_text('{"providers": {"a": ' + DEEP + "}}", encoding="utf-8")
    payload = root / "deep-alert.json"
    payload.write_text('{"version": "4", "alerts": ' + DEEP + "}", encoding="utf-8")
    foreign = root / "places.sqlite"
    conn = sqlite3.connect(foreign)
    conn.execute("CREATE TABLE moz_places (id INTEGER PRIMARY KEY, url TEXT)")
    conn.commit()
    conn.close()
    empty = root / "empty.sqlite"
    empty.touch()
    p = Place(root / "data", root / "desk.sqlite", folder, fifo, deep, payload, foreign, empty)
    for args in (["incident", "add", "--title", "VPN drops", "--impact", "high", "--urgency", "high"],
                 ["major", "declare", "INC-1001", "--bridge", "+49 30 1234"],
                 ["action", "add", "INC-1001", "check the uplinks", "--owner", "Sam"]):
        done = run(p, *args)
        assert done.returncode == 0, done.stderr
    (p.db.parent / "backups").mkdir()
    assert run(p, "db", "backup", str(p.db.parent / "backups" / "auto-1.sqlite")).returncode == 0
    return p


# (family, argv, exit code). {db} is the live database; {folder} a folder; {fifo} a FIFO.
CASES: list[tuple[str, tuple[str | bytes, ...], int]] = [
    # invalid UTF-8, every family
    ("incident", ("incident", "note", "INC-1001", BAD), 2),
    ("incident", ("incident", "add", "--title", BAD, "--impact", "low", "--urgency", "low"), 2),
    ("incident", ("incident", "status", "INC-1001", BAD), 2),
    ("incident", ("incident", "show", BAD), 2),
    ("incident", ("incident", "status", "INC-1001", "in_progress", "--expected-seq", "-1"), 2),
    ("incident", ("incident", "status", "INC-1001", "in_progress", "--expected-seq", BAD), 2),
    ("desk", ("desk", "name", BAD), 2),
    ("desk", ("desk", "name", "   "), 2),
    ("desk", ("desk", "name", "x" * 61), 2),
    ("incident", ("incident", "link", "INC-1001", "--to", BAD), 2),
    ("incident", ("incident", "link", "INC-1001", "--to", "INC-1001"), 2),
    ("incident", ("incident", "link", "INC-1001", "--to", "INC-9999", "--as", "cousin"), 2),
    ("incident", ("incident", "unlink", "INC-1001"), 2),
    ("incident", ("incident", "promote", BAD), 2),
    ("incident", ("incident", "similar", BAD), 2),
    ("service", ("service", "depends", BAD), 2),
    ("service", ("service", "depends", "VPN", "--on", BAD), 2),
    ("service", ("service", "impact", "Nope"), 2),
    ("timeline", ("timeline", "add", "INC-1001", BAD), 2),
    ("timeline", ("timeline", "search", BAD), 2),
    ("major", ("major", "declare", BAD), 2),
    ("action", ("action", "add", "INC-1001", BAD), 2),
    ("role", ("role", "assign", "INC-1001", "im", BAD), 2),
    ("contacts", ("contacts", "who", BAD), 2),
    ("notify", ("notify", "INC-1001", BAD), 2),
    ("maintenance", ("maintenance", "add", BAD), 2),
    ("heartbeat", ("heartbeat", "add", BAD), 2),
    ("alerts", ("alerts", "list", "--incident", BAD), 2),
    ("alerts", ("alerts", "serve", "--host", BAD), 2),
    ("provider", ("provider", "set", BAD, "host=x"), 2),
    ("db", ("db", "backup", BAD), 2),
    # out-of-range dates and whole numbers
    ("timeline", ("timeline", "add", "INC-1001", "x", "--at", "9999-12-31T23:59:59-01:00"), 2),
    ("timeline", ("timeline", "add", "INC-1001", "x", "--corrects", str(2**70)), 2),
    ("action", ("action", "add", "INC-1001", "x", "--due", "0001-01-01T00:00:00+01:00"), 2),
    ("action", ("action", "done", "INC-1001", str(2**70)), 2),
    ("action", ("action", "done", "INC-1001", "9" * 5000), 2),
    ("maintenance", ("maintenance", "add", "--minutes", "100000000000", "job=x"), 2),
    ("maintenance", ("maintenance", "add", "--start", "9999-12-31T23:59:59-01:00",
                     "--minutes", "5", "job=x"), 2),
    ("heartbeat", ("heartbeat", "add", "nightly", "--every", str(2**70)), 2),
    ("major", ("major", "declare", "INC-1001", "--first-update", str(2**70)), 2),
    ("alerts", ("alerts", "list", "--limit", "-1"), 2),
    ("alerts", ("alerts", "rule", "remove", str(2**70)), 2),
    ("outbox", ("outbox", "retry", str(2**70)), 2),
    ("demo", ("demo", "seed", "--incidents", str(2**70), "--entries", "1"), 2),
    ("provider", ("provider", "set", "mail", "kind=smtp", "port=" + "9" * 5000), 2),
    # deep JSON
    ("provider", ("provider", "load", "{deep}"), 2),
    ("alerts", ("alerts", "ingest", "{payload}", "--format", "auto"), 2),
    # a folder, FIFO, device or the live database as input
    ("alerts", ("alerts", "ingest", "{folder}", "--format", "auto"), 2),
    ("alerts", ("alerts", "ingest", "{fifo}", "--format", "auto"), 2),
    ("alerts", ("alerts", "ingest", "/dev/zero", "--format", "auto"), 2),
    ("provider", ("provider", "load", "{fifo}"), 2),
    ("provider", ("provider", "load", "/dev/zero"), 2),
    ("provider", ("provider", "load", "{folder}"), 2),
    ("contacts", ("contacts", "import", "{fifo}"), 2),
    ("contacts", ("contacts", "import", "/dev/zero"), 2),
    ("contacts", ("contacts", "import", str(ROOT / "tests/data/contacts/thunderbird.csv"),
                  "--encoding", "no-such-codec"), 2),
    ("contacts", ("contacts", "import", str(ROOT / "tests/data/contacts/thunderbird.csv"),
                  "--encoding", BAD), 2),
    ("db", ("db", "restore", "{fifo}"), 2),
    ("db", ("db", "restore", "{db}"), 2),
    ("db", ("db", "restore", "{folder}/missing.sqlite"), 2),
    # …and as output
    ("contacts", ("contacts", "export", "-o", "{db}"), 2),
    ("contacts", ("contacts", "export", "-o", "{db}-wal"), 2),
    ("contacts", ("contacts", "export", "-o", "{db}-shm"), 2),
    ("contacts", ("contacts", "export", "-o", "{backups}/auto-1.sqlite"), 2),
    ("contacts", ("contacts", "export", "-o", "{folder}"), 2),
    ("contacts", ("contacts", "export", "-o", ""), 2),
    ("contacts", ("contacts", "export", "-o", "{fifo}"), 2),
    ("contacts", ("contacts", "export", "-o", "/dev/full"), 2),
    ("contacts", ("contacts", "export", "-o", "/proc/self/x.csv"), 2),
    ("contacts", ("contacts", "export", "-o", "{db}/x.csv"), 2),
    ("contacts", ("contacts", "pack", "-o", "{db}"), 2),
    ("contacts", ("contacts", "pack", "-o", "/sys/x.pdf"), 2),
    ("report", ("report", "metrics", "--from", BAD), 2),
    ("report", ("report", "metrics", "--from", "99999-01-01T00:00:00Z"), 2),
    ("report", ("report", "metrics", "--to", "1900-01-01"), 2),
    ("report", ("report", "review", "INC-1000", "--format", "md", "-o", "{db}"), 2),
    ("report", ("report", "review", "INC-1000", "--format", "pdf", "-o", "/sys/x.pdf"), 2),
    ("report", ("report", "review", BAD, "--format", "md", "-o", "x.md"), 2),
    ("db", ("db", "backup", "{db}"), 2),
    ("db", ("db", "backup", "{db}-wal"), 2),
    ("db", ("db", "backup", "{folder}"), 2),
    ("db", ("db", "backup", "{backups}"), 2),
    ("db", ("db", "backup", "{backups}/auto-1.sqlite"), 2),
    ("db", ("db", "backup", "/dev/full"), 2),
    ("db", ("db", "backup", ""), 2),
    # provider settings with the providers dialog's rules
    *[("provider", ("provider", "set", "mail", "kind=smtp", "host=smtp.example.com",
                    "from_address=desk@example.com", bad), 2)
      for bad in ("port=25.5", "port=true", "port=1e999", "from_address=nope", "host=a\nb",
                  "from_address=a@b.com\r\nBcc: x@y.com", "ca_file=/no/such/ca.pem",
                  "host=" + "a" * 131_000)],
    # the wrong file for provider load does not wipe the providers
    ("provider", ("provider", "load", "{foreign}"), 2),
    ("alerts", ("alerts", "serve", "--port", "1e999"), 2),
    ("alerts", ("alerts", "serve", "--port", str(2**70)), 2),
    # the organisation file, in and out
    ("org", ("org", "show", BAD), 2),
    ("org", ("org", "import", "{fifo}"), 2),
    ("org", ("org", "import", "/dev/zero"), 2),
    ("org", ("org", "import", "{folder}"), 2),
    ("org", ("org", "import", "{deep}"), 2),
    ("org", ("org", "export", "-o", "{db}"), 2),
    ("org", ("org", "export", "-o", "{db}-wal"), 2),
    ("org", ("org", "export", "-o", "/dev/full"), 2),
    ("org", ("org", "export", "-o", "{folder}"), 2),
    ("handover", ("handover", "show", "--at", BAD), 2),
    ("handover", ("handover", "show", "--at", "99999-01-01T00:00:00Z"), 2),
    ("handover", ("handover", "show", "--shift-start", "2026-10-25T01:00:00"), 2),
    ("handover", ("handover", "sign", "--outgoing", BAD), 2),
    ("handover", ("handover", "sign", "--outgoing", "Kim", "--rate", "INC-1001=fine"), 2),
    ("handover", ("handover", "sign", "--outgoing", "Kim", "--rate", "INC-4242=watch"), 2),
    ("handover", ("handover", "take", "--incoming", "Sam", "--synthesis", ""), 2),
    ("handover", ("handover", "take", "--incoming", "Sam", "--synthesis", "I take it all."), 2),
    ("handover", ("handover", "verify", "99999999999"), 2),
    ("handover", ("handover", "export", "1", "--format", "pdf", "-o", "{db}"), 2),
    ("handover", ("handover", "export", "1", "--format", "md", "-o", "{folder}"), 2),
    ("handover", ("handover", "export", "1", "--format", "html", "-o", "/dev/full"), 2),
    ("handover", ("handover", "export", "2147483647", "--format", "md", "-o", "h.md"), 2),
    # documents and the awareness board
    ("docs", ("docs", "add", "VPN", "Restart", "--file", "{deep}"), 2),  # no such service
    ("docs", ("docs", "add", "VPN", BAD, "--file", "{deep}"), 2),
    ("docs", ("docs", "add", "VPN", "x", "--file", "{fifo}"), 2),
    ("docs", ("docs", "add", "VPN", "x", "--file", "/dev/zero"), 2),
    ("docs", ("docs", "add", "VPN", "x", "--file", "{folder}"), 2),
    ("docs", ("docs", "show", str(2**70)), 2),
    ("docs", ("docs", "show", "999"), 2),
    ("docs", ("docs", "reviewed", "999"), 2),
    ("docs", ("docs", "list", "--service", BAD), 2),
    ("docs", ("docs", "import", "{fifo}"), 2),
    ("docs", ("docs", "import", "{db}"), 2),
    ("docs", ("docs", "export", "{db}"), 2),
    ("board", ("board", "write", "-o", "{db}"), 2),
    ("board", ("board", "write", "-o", "{fifo}"), 2),
    ("board", ("board", "write", "-o", "/proc/self"), 2),
    ("board", ("board", "settings", "--review-days", "0"), 2),
    ("board", ("board", "settings", "--review-days", str(2**70)), 2),
    ("board", ("board", "settings", "--phone", BAD), 2),
    # drills: scenario files in, reports out, exercise marks
    ("drill", ("drill", "validate", "{fifo}"), 2),
    ("drill", ("drill", "validate", "/dev/zero"), 2),
    ("drill", ("drill", "validate", "{folder}"), 2),
    ("drill", ("drill", "validate", "{deep}"), 2),
    ("drill", ("drill", "run", BAD), 2),
    ("drill", ("drill", "run", "{fifo}"), 2),
    ("drill", ("drill", "run", "mail-relay-down", "--speed", "1e999"), 2),
    ("drill", ("drill", "run", "mail-relay-down", "--allow", "not an address"), 2),
    ("drill", ("drill", "score", str(2**70)), 2),
    ("drill", ("drill", "score", "7"), 2),
    ("drill", ("drill", "replay", "INC-1001", "-o", "{db}"), 2),
    ("drill", ("drill", "replay", "INC-1001", "-o", "{folder}/x.yaml"), 2),
    ("drill", ("drill", "report", "1", "--format", "md", "-o", "{db}-wal"), 2),
    ("drill", ("drill", "report", "1", "--format", "pdf", "-o", "/sys/x.pdf"), 2),
    ("drill", ("drill", "review", "1", "--action", BAD), 2),
    ("drill", ("drill", "contacts-report", "--format", "md", "-o", "{folder}"), 2),
    ("drill", ("drill", "allow", BAD), 2),
    ("drill", ("drill", "allow", "not-an-address"), 2),
    ("incident", ("incident", "exercise", "INC-1001", "--exercise", "--why", BAD), 2),
    ("incident", ("incident", "exercise", "INC-1001", "--real", "--why", "it is real"), 2),
    ("incident", ("incident", "exercise", "INC-1001", "--exercise", "--why", ""), 2),
    # team mode offline: a desk's own file has no server to sync with (exit 1, nothing changed)
    ("desk", ("desk", "settle", str(2**70), "apply"), 2),
    ("desk", ("desk", "settle", "1", "maybe"), 2),
    ("desk", ("desk", "settle", "1", BAD), 2),
    ("desk", ("desk", "sync"), 1),
    ("desk", ("desk", "conflicts", "--json"), 1),
]


@pytest.mark.parametrize(("family", "argv", "code"), CASES,
                         ids=[f"{c[0]}-{n}" for n, c in enumerate(CASES)])
def test_hostile_argument_is_one_line_and_changes_nothing(
        place: Place, family: str, argv: tuple[str | bytes, ...], code: int) -> None:
    before = dump(place.db)
    done = run(place, *argv)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode == code, (family, err)
    assert b"Traceback" not in done.stderr, err
    assert err.startswith("imdesk: ") and err.count("\n") == 1, err
    assert dump(place.db) == before
    assert place.db.is_file() and place.db.stat().st_size > 0


ENVIRONMENT: list[tuple[str, str | bytes, str]] = [
    ("foreign SQLite file", "{foreign}", "another program"),
    ("zero-length file", "{empty}", "empty file"),
    ("folder", "{folder}", "folder"),
    ("mysql URL", "mysql://u@h/db", "not supported"),
    ("unknown scheme", "foo://bar", "not supported"),
    ("malformed IPv6 host", "postgresql+psycopg://u@[::1/db", "not a database URL"),
    ("empty --db", "", "empty"),
    ("invalid UTF-8 --db", BAD, "UTF-8"),
]


@pytest.mark.parametrize(("what", "db", "says"), ENVIRONMENT, ids=[e[0] for e in ENVIRONMENT])
def test_database_that_is_not_ours_is_refused_untouched(place: Place, what: str, db: str | bytes,
                                                       says: str) -> None:
    foreign_before = place.foreign.read_bytes()
    done = run(place, "incident", "list", db=db)
    err = done.stderr.decode("utf-8", "replace")
    assert done.returncode in (1, 2), err
    assert b"Traceback" not in done.stderr and err.count("\n") == 1 and says in err, err
    assert place.foreign.read_bytes() == foreign_before
    assert place.empty.stat().st_size == 0


def test_the_table_left_a_sound_database_and_a_missing_one_is_not_remade(place: Place,
                                                                         tmp_path: Path) -> None:
    done = run(place, "db", "check")
    assert done.returncode == 0, done.stderr
    moved = tmp_path / "moved.sqlite"
    os.replace(place.db, moved)
    try:
        done = run(place, "incident", "list")
        assert done.returncode == 1 and b"missing" in done.stderr and not place.db.exists()
        done = run(place, "db", "restore", str(moved))
        assert done.returncode == 0, done.stderr
        assert b"INC-1001" in run(place, "incident", "list").stdout
    finally:
        if not place.db.exists():
            os.replace(moved, place.db)


def test_wrong_provider_files_keep_the_providers(place: Place, tmp_path: Path) -> None:
    done = run(place, "provider", "set", "mail", "kind=smtp", "host=smtp.example.com", "port=587",
               "from_address=desk@example.com")
    assert done.returncode == 0, done.stderr
    before = run(place, "provider", "show").stdout
    for name, text in (("alert.json", '{"version": "4", "receiver": "x", "alerts": []}'),
                       ("empty.json", '{"providers": []}'), ("none.json", '{"providers": {}}')):
        (tmp_path / name).write_text(text, encoding="utf-8")
        done = run(place, "provider", "load", str(tmp_path / name))
        assert done.returncode == 2 and done.stderr.count(b"\n") == 1, done.stderr
    assert run(place, "provider", "show").stdout == before
    done = run(place, "provider", "load", "--allow-empty", str(tmp_path / "none.json"))
    assert done.returncode == 0, done.stderr


def test_credentials_with_invalid_utf8_on_stdin_or_a_missing_keyring_backend(place: Place) -> None:
    env = {**os.environ, "IMDESK_DATA_DIR": str(place.data), "PYTHONPATH": str(ROOT)}
    base = [sys.executable, "-m", "imdesk", "--db", str(place.db)]
    assert run(place, "provider", "set", "mail", "kind=smtp", "host=smtp.example.com",
               "from_address=desk@example.com").returncode == 0
    done = subprocess.run([*base, "credentials", "set", "mail"], input=b"\xff\xfe secret\n",
                          capture_output=True, env=env, timeout=60, check=False)
    assert done.returncode == 2 and b"not valid UTF-8" in done.stderr, done.stderr
    assert done.stderr.count(b"\n") == 1
    broken = {**env, "PYTHON_KEYRING_BACKEND": "no_such_module.Keyring"}
    for args in (["credentials", "status"], ["alerts", "token"]):
        done = subprocess.run([*base, *args], capture_output=True, env=broken, timeout=60,
                              stdin=subprocess.DEVNULL, check=False)
        assert b"Traceback" not in done.stderr and done.returncode in (0, 1), done.stderr
        assert done.stderr.count(b"\n") <= 1 and b".:" not in done.stderr, done.stderr
