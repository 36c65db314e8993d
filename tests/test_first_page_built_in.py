"""The built-in first-page plan (storage/first_page.py, for a start without a saved plan): its
plain SQL must give exactly the rows, total and marker of the service's SQLAlchemy query, for
every sort, direction and filter — so a change of the list's query or of the incident table that
it does not follow fails here."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.domain.lifecycle import Status
from imdesk.storage import first_page
from imdesk.storage.first_page import built_in_plan, read_first_page
from imdesk.storage.incident_repo import SORT_KEYS
from tests.helpers.first_page_data import LIMIT, queries


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(query=queries)
def test_the_built_in_plan_reads_what_the_service_reads(
        first_page_file: tuple[Path, AppContext], tmp_path_factory: pytest.TempPathFactory,
        query: IncidentQuery) -> None:
    path, ctx = first_page_file
    no_plans = tmp_path_factory.mktemp("none") / "plans.json"
    quick = read_first_page(path, query, LIMIT, no_plans, built_in=True)
    assert quick is not None
    assert quick.rows == ctx.incidents.page(query, 0, LIMIT)
    assert quick.total == ctx.incidents.count(query)
    assert quick.marker == ctx.incidents.change_marker()


@pytest.mark.parametrize("sort", SORT_KEYS)
@pytest.mark.parametrize("descending", [False, True])
def test_every_sort_is_built_in(sort: str, descending: bool) -> None:
    query = IncidentQuery(sort=sort, descending=descending)
    plan = built_in_plan(query, LIMIT)
    assert plan is not None and plan.key == first_page.plan_key(query, LIMIT)


def test_its_utc_columns_are_the_tables(first_page_file: tuple[Path, AppContext]) -> None:
    _path, ctx = first_page_file
    compiled = ctx.incidents.first_page_plan(IncidentQuery(), LIMIT)
    assert compiled is not None
    assert set(first_page.UTC_COLUMNS) == set(compiled.utc_columns)


def test_without_permission_or_for_a_search_there_is_none(first_page_file: tuple[Path, AppContext],
                                                          tmp_path: Path) -> None:
    path, _ctx = first_page_file
    assert read_first_page(path, IncidentQuery(), LIMIT, tmp_path / "none.json") is None
    assert read_first_page(path, IncidentQuery(text="vpn"), LIMIT, tmp_path / "none.json",
                           built_in=True) is None
    assert built_in_plan(IncidentQuery(text="vpn"), LIMIT) is None


def test_a_console_closed_before_its_database_opened_keeps_the_built_in_plan(
        first_page_file: tuple[Path, AppContext], tmp_path: Path) -> None:
    from imdesk.app import late_context, remember_first_page

    path, _ctx = first_page_file
    plans = tmp_path / "plans.json"
    late = late_context(path, plans)
    assert late is not None
    query = IncidentQuery(statuses=(Status.NEW, Status.ON_HOLD), sort="age")
    try:
        remember_first_page(late, plans, query, LIMIT)  # what the console does as it closes
        assert not late.opened  # no database opened (no SQLAlchemy) just to keep the plan
    finally:
        late.close()
    key = first_page.plan_key(query, LIMIT)
    assert key is not None and first_page.load_plans(plans)[key] == built_in_plan(query, LIMIT)


def test_its_marker_and_count_do_not_grow_with_the_table(
        first_page_file: tuple[Path, AppContext]) -> None:
    """The start-up read must not walk the table: the change marker is read from index ends
    (a count of every incident took 65 ms at 100k and grew with the table), and the total is
    counted up to the cap only, as the service counts it."""
    import sqlite3

    from imdesk.domain.incident_query import COUNT_CAP

    path, ctx = first_page_file
    plan = built_in_plan(IncidentQuery(statuses=()), LIMIT)
    assert plan is not None
    conn = sqlite3.connect(path)
    try:
        steps = [row[3] for row in conn.execute(f"EXPLAIN QUERY PLAN {plan.marker_sql}")]
        assert not any(step.startswith("SCAN incident") for step in steps), steps
        assert f"LIMIT {COUNT_CAP + 1}" in plan.count_sql
    finally:
        conn.close()
    compiled = ctx.incidents.first_page_plan(IncidentQuery(statuses=()), LIMIT)
    assert compiled is not None
    with sqlite3.connect(path) as conn:
        assert (conn.execute(plan.marker_sql).fetchone()
                == conn.execute(compiled.marker_sql).fetchone())
