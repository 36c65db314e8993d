"""The start-up reader (storage/first_page.py): the list's first page read with plain sqlite3
from SQL that SQLAlchemy compiled earlier must be exactly what the service gives — or nothing."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from imdesk.app import late_context
from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.domain.lifecycle import Status
from imdesk.storage import first_page
from imdesk.storage.first_page import PLANS_KEPT, load_plans, read_first_page, save_plan
from imdesk.storage.incident_repo import SORT_KEYS
from tests.helpers.first_page_data import LIMIT, queries


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_first_page_read_without_sqlalchemy_equals_the_service(
        first_page_file: tuple[Path, AppContext], tmp_path_factory: pytest.TempPathFactory,
        query: IncidentQuery) -> None:
    path, ctx = first_page_file
    plans = tmp_path_factory.mktemp("plans") / "plans.json"
    plan = ctx.incidents.first_page_plan(query, LIMIT)
    assert plan is not None
    save_plan(plans, plan)

    quick = read_first_page(path, query, LIMIT, plans)

    assert quick is not None
    assert quick.rows == ctx.incidents.page(query, 0, LIMIT)
    assert quick.total == ctx.incidents.count(query)
    assert quick.marker == ctx.incidents.change_marker()


def test_a_search_has_no_plan(first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    path, ctx = first_page_file
    assert ctx.incidents.first_page_plan(IncidentQuery(text="vpn"), LIMIT) is None
    save_plan(tmp_path / "plans.json", ctx.incidents.first_page_plan(IncidentQuery(), LIMIT))  # type: ignore[arg-type]
    assert read_first_page(path, IncidentQuery(text="vpn"), LIMIT, tmp_path / "plans.json") is None


def test_plans_of_another_version_or_schema_are_not_used(
        first_page_file: tuple[Path, AppContext], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path, ctx = first_page_file
    plans = tmp_path / "plans.json"
    save_plan(plans, ctx.incidents.first_page_plan(IncidentQuery(), LIMIT))  # type: ignore[arg-type]
    assert read_first_page(path, IncidentQuery(), LIMIT, plans) is not None

    monkeypatch.setattr(first_page, "__version__", "99.0")  # an upgraded imdesk
    assert read_first_page(path, IncidentQuery(), LIMIT, plans) is None
    monkeypatch.undo()

    older = tmp_path / "older.sqlite"
    with sqlite3.connect(path) as src, sqlite3.connect(older) as dst:
        src.backup(dst)
    with sqlite3.connect(older) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert not first_page.ready(older, plans)
    assert read_first_page(older, IncidentQuery(), LIMIT, plans) is None


@pytest.mark.parametrize("content", [b"", b"{not json", b'[{"key": 1}]', b"\xff\xfe\x00"])
def test_a_damaged_plans_file_means_no_plan(first_page_file: tuple[Path, AppContext], tmp_path: Path,
                                            content: bytes) -> None:
    path, _ctx = first_page_file
    plans = tmp_path / "plans.json"
    plans.write_bytes(content)
    assert load_plans(plans) == {}
    assert read_first_page(path, IncidentQuery(), LIMIT, plans) is None


def test_a_file_that_is_not_sqlite_is_never_ready(tmp_path: Path) -> None:
    plans = tmp_path / "plans.json"
    plans.write_text("[]")
    bogus = tmp_path / "desk.sqlite"
    bogus.write_bytes(b"this is not a database" * 100)
    assert not first_page.ready(bogus, plans)
    assert not first_page.ready(tmp_path / "missing.sqlite", plans)


def test_the_newest_plans_are_kept(first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    _path, ctx = first_page_file
    plans = tmp_path / "plans.json"
    sorts = list(SORT_KEYS)
    for sort in sorts:
        save_plan(plans, ctx.incidents.first_page_plan(IncidentQuery(sort=sort), LIMIT))  # type: ignore[arg-type]
    kept = [json.loads(p["key"])[2][3] for p in json.loads(plans.read_text())]
    assert kept == list(reversed(sorts))[:PLANS_KEPT]


def test_a_late_context_shows_the_first_page_then_opens_on_first_use(
        first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    path, ctx = first_page_file
    plans = tmp_path / "plans.json"
    query = IncidentQuery(statuses=(Status.NEW, Status.IN_PROGRESS))
    save_plan(plans, ctx.incidents.first_page_plan(query, LIMIT))  # type: ignore[arg-type]

    late = late_context(path, plans)
    assert late is not None
    try:
        page = late.take_quick_page(query, LIMIT)
        assert page is not None and not late.opened
        assert late.take_quick_page(query, LIMIT) is None  # once only
        assert late.incidents.page(query, 0, LIMIT) == page.rows  # opened now, same rows
        assert late.opened and late.info.label == ctx.db.info.label
    finally:
        late.close()


def test_without_a_saved_plan_the_late_context_reads_with_the_built_in_one(
        first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    path, ctx = first_page_file
    query = IncidentQuery(statuses=(Status.NEW, Status.IN_PROGRESS))
    late = late_context(path, tmp_path / "none.json")
    assert late is not None
    try:
        page = late.take_quick_page(query, LIMIT)
        assert page is not None and not late.opened
        assert page.rows == ctx.incidents.page(query, 0, LIMIT)
        assert late.take_quick_page(IncidentQuery(text="vpn"), LIMIT) is None  # a search: none
    finally:
        late.close()


def test_no_late_context_for_a_database_of_another_schema(
        first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    path, _ctx = first_page_file
    older = tmp_path / "older.sqlite"
    with sqlite3.connect(path) as src, sqlite3.connect(older) as dst:
        src.backup(dst)
    with sqlite3.connect(older) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0001'")
    assert late_context(older, tmp_path / "none.json") is None
