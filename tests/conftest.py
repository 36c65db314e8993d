"""Shared fixtures: temp data dirs, migrated databases (SQLite and PostgreSQL), a manual clock."""

from __future__ import annotations

import itertools
import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.pop("DISPLAY", None) if os.environ.get("QT_QPA_PLATFORM") == "offscreen" else None

from hypothesis import settings as hypothesis_settings  # noqa: E402

from imdesk.app import AppContext, build_context  # noqa: E402
from imdesk.services.clock import ManualClock  # noqa: E402
from tests.helpers.listener_run import Running  # noqa: E402

# CI explores the same examples every run (a red build is then reproducible); by hand, every run
# explores new ones.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
if os.environ.get("CI"):
    hypothesis_settings.load_profile("ci")

PG_URL = os.environ.get("IMDESK_TEST_PG_URL", "")
START = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_counter = itertools.count()


@pytest.fixture(autouse=True)
def _isolated_dirs(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Never touch the user's real data dir, settings or keyring."""
    home = tmp_path_factory.mktemp("home")
    for var in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(var, str(home / var.lower()))
    monkeypatch.setenv("IMDESK_DATA_DIR", str(home / "imdesk"))
    monkeypatch.setenv("IMDESK_USER", "tester")
    monkeypatch.delenv("IMDESK_DB", raising=False)
    monkeypatch.setenv("IMDESK_ALERT_PORT", "0")  # a console under test listens on any free port


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.sqlite"
    ctx = build_context(f"sqlite:///{path}")
    ctx.close()
    return path


def _pg_admin_url() -> str:
    return PG_URL.rsplit("/", 1)[0] + "/postgres"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    if not PG_URL:
        pytest.skip("PostgreSQL not started (run the suite with ./dev test)")
    from sqlalchemy import create_engine, text

    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text("DROP DATABASE IF EXISTS imdesk_tpl"))
        conn.execute(text("CREATE DATABASE imdesk_tpl"))
    tpl_url = PG_URL.rsplit("/", 1)[0] + "/imdesk_tpl"
    build_context(tpl_url).close()
    yield tpl_url
    admin.dispose()


def fresh_pg_url(pg_template: str) -> str:
    from sqlalchemy import create_engine, text

    name = f"imdesk_t{os.getpid()}_{next(_counter)}"
    admin = create_engine(_pg_admin_url(), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f"CREATE DATABASE {name} TEMPLATE imdesk_tpl"))
    admin.dispose()
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def twin_url(db_url: str, request: pytest.FixtureRequest, tmp_path: Path,
             sqlite_template: Path) -> str:
    """A second empty database of DB_URL's kind (a reference to compare with)."""
    if db_url.startswith("sqlite"):
        path = tmp_path / "twin.sqlite"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    return fresh_pg_url(request.getfixturevalue("pg_template"))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database: a SQLite file, and the same tests on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "imdesk.sqlite"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    return fresh_pg_url(request.getfixturevalue("pg_template"))


@pytest.fixture
def sqlite_url(tmp_path: Path, sqlite_template: Path) -> str:
    path = tmp_path / "imdesk.sqlite"
    shutil.copyfile(sqlite_template, path)
    return f"sqlite:///{path}"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(START)


@pytest.fixture
def ctx(db_url: str, clock: ManualClock) -> Iterator[AppContext]:
    context = build_context(db_url, clock=clock, author="tester")
    yield context
    context.close()


@pytest.fixture
def sqlite_ctx(sqlite_url: str, clock: ManualClock) -> Iterator[AppContext]:
    context = build_context(sqlite_url, clock=clock, author="tester")
    yield context
    context.close()


from tests.helpers.first_page_data import first_page_file  # noqa: E402,F401  (shared fixture)


@pytest.fixture
def running(ctx: AppContext) -> Iterator[Running]:
    """The webhook listener on a free loopback port, stopped after the test."""
    r = Running(ctx)
    r.listener.start()
    yield r
    r.listener.stop()
