"""The incident list's first page, read with the standard library's sqlite3 before SQLAlchemy loads.

Importing SQLAlchemy and the services takes longer than Qt needs to show its window. For a local
file, the console therefore shows the first page from SQL that SQLAlchemy compiled for the very
same query on an earlier run (a *plan*, kept in the cache folder), and loads the rest behind it.

A plan is used only by the imdesk version and on the schema revision it was made for, and only
for a query without search text (full-text plans depend on the data). Anything unexpected — no
plan, another revision, a damaged plan file, an error from sqlite3 — gives None, and the console
takes the ordinary path. No SQLAlchemy is imported here.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from imdesk import __version__
from imdesk.domain.incident import IncidentState
from imdesk.domain.incident_query import COUNT_CAP, IncidentQuery
from imdesk.storage.db_info import sqlite_file_uri
from imdesk.storage.incident_rows import STATE_COLUMNS, state_from_tuple
from imdesk.storage.schema import HEAD_REVISION

PLANS_KEPT = 8  # one per recent filter/sort combination is plenty


@dataclass(frozen=True)
class FirstPagePlan:
    key: str                     # the query and page size it answers, for this version and schema
    page_sql: str                # SELECT of the page, parameters inlined
    count_sql: str               # SELECT count(*) with the same filter, up to COUNT_CAP + 1
    marker_sql: str              # the change marker: (max(id), max(updated_at)) of all incidents
    utc_columns: tuple[str, ...]  # columns stored as naive UTC text, returned as aware datetimes


@dataclass(frozen=True)
class FirstPage:
    rows: list[IncidentState]
    total: int
    marker: tuple[int, datetime | None]


def plan_key(query: IncidentQuery, limit: int) -> str | None:
    """The plan's key, or None for a query no plan can answer (one with search text)."""
    if query.text.strip():
        return None
    fields = [
        sorted(s.value for s in query.statuses), sorted(p.value for p in query.priorities),
        query.major_only, query.sort, query.descending, query.include_exercise,
        sorted(query.services), limit,
    ]
    return json.dumps([__version__, HEAD_REVISION, fields], separators=(",", ":"))


# For a start without a saved plan (the first after installing or upgrading, or after the cache
# was cleared): the list's SQL written out here for the current schema — what incident_repo's
# SQLAlchemy query compiles to for a query without search text. tests/test_first_page_built_in.py
# compares its rows and totals with SQLAlchemy's for every sort, direction and filter; like any
# plan it is used only at HEAD_REVISION, and an error from sqlite3 falls back to the usual path.
UTC_COLUMNS = ("opened_at", "acknowledged_at", "resolved_at", "closed_at", "hold_started_at",
               "respond_due", "resolve_due", "sla_due", "updated_at")
# The columns a row becomes an IncidentState from that are not times (state_from_tuple reads
# the times as UTC text; a plan must say the same of them).
_PLAIN_COLUMNS = frozenset(STATE_COLUMNS) - frozenset(UTC_COLUMNS)
_SORT_SQL = {"ref": "incident.id", "priority": "incident.priority",
             "title": "lower(incident.title)", "service": "lower(incident.service_name)",
             "status": "incident.status", "major": "incident.major", "age": "incident.opened_at",
             "sla": "incident.sla_due", "updated": "incident.updated_at"}
# The change marker as incident_repo reads it: two index ends, whatever the table's size (a
# count, or both aggregates in one SELECT, walks a whole index: 65 ms at 100k incidents).
_MARKER_SQL = ("SELECT (SELECT coalesce(max(incident.id), 0) FROM incident), "
               "(SELECT max(incident.updated_at) FROM incident)")


def _literals(values: list[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


def where_sql(query: IncidentQuery) -> list[str]:
    """The list's conditions other than the search text, as SQLite SQL (literals inlined)."""
    where = []
    if query.statuses:
        where.append(f"incident.status IN ({_literals([s.value for s in query.statuses])})")
    if query.priorities:
        where.append(f"incident.priority IN ({_literals([p.value for p in query.priorities])})")
    if query.major_only:
        where.append("incident.major IS 1")
    if not query.include_exercise:
        where.append("incident.exercise IS 0")
    return where


def order_sql(query: IncidentQuery) -> str:
    """The list's ORDER BY (without the words), as incident_repo orders it."""
    col = _SORT_SQL[query.sort]
    direction = "DESC" if query.descending != (query.sort == "age") else "ASC"
    if query.sort == "ref":
        return f"{col} {direction}"
    if query.sort == "service":
        nulls = "NULLS LAST" if direction == "DESC" else "NULLS FIRST"
        return f"{col} {direction} {nulls}, incident.id {direction}"
    return f"{col} {direction}, incident.id {direction}"


def built_in_plan(query: IncidentQuery, limit: int) -> FirstPagePlan | None:
    """The plan for `query` without SQLAlchemy (None for search text or a service filter)."""
    key = plan_key(query, limit)
    if key is None or query.services or query.sort not in _SORT_SQL:
        return None
    where = where_sql(query)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    return FirstPagePlan(
        key, f"SELECT * FROM incident{condition} ORDER BY {order_sql(query)} LIMIT {int(limit)} OFFSET 0",
        f"SELECT count(*) FROM (SELECT incident.id FROM incident{condition} "
        f"LIMIT {COUNT_CAP + 1})", _MARKER_SQL, UTC_COLUMNS)  # counted up to the cap, as count()


def load_plans(file: Path) -> dict[str, FirstPagePlan]:
    try:
        raw = json.loads(file.read_text(encoding="utf-8"))
        return {p["key"]: FirstPagePlan(p["key"], p["page_sql"], p["count_sql"], p["marker_sql"],
                                        tuple(p["utc_columns"])) for p in raw}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


def save_plan(file: Path, plan: FirstPagePlan) -> None:
    """Keep this plan (newest first) beside the few most recent; written atomically."""
    plans = [p for p in load_plans(file).values() if p.key != plan.key]
    kept = [plan, *plans][:PLANS_KEPT]
    file.parent.mkdir(parents=True, exist_ok=True)
    tmp = file.with_name(f"{file.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps([asdict(p) for p in kept], indent=1), encoding="utf-8")
    os.replace(tmp, file)


def ready(db_path: Path, plans_file: Path, *, built_in: bool = False) -> bool:
    """Is there a plan (in `plans_file`, or the built-in one when allowed), and is the file a
    SQLite database at this build's schema revision?"""
    if not (built_in or plans_file.is_file()) or not db_path.is_file():
        return False
    try:
        conn = sqlite3.connect(sqlite_file_uri(db_path), uri=True, timeout=1.0)
    except sqlite3.Error:
        return False
    try:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        return row is not None and row[0] == HEAD_REVISION
    except sqlite3.Error:
        return False
    finally:
        conn.close()


def _utc(value: Any) -> datetime | None:
    if value is None:
        return None
    return datetime.fromisoformat(str(value)).replace(tzinfo=UTC)


def read_first_page(db_path: Path, query: IncidentQuery, limit: int,
                    plans_file: Path, *, built_in: bool = False) -> FirstPage | None:
    """The first page, its total and the change marker, in one read transaction — or None.
    With `built_in`, a query without a saved plan is read with the built-in one."""
    key = plan_key(query, limit)
    if key is None or not db_path.is_file():
        return None
    plan = load_plans(plans_file).get(key) if plans_file.is_file() else None
    if plan is None and built_in:
        plan = built_in_plan(query, limit)
    if plan is None:
        return None
    try:
        conn = sqlite3.connect(sqlite_file_uri(db_path), uri=True, timeout=1.0,
                               isolation_level=None)
    except sqlite3.Error:
        return None
    try:
        conn.execute("BEGIN")  # one snapshot for the page, the total and the marker
        revision = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        if revision is None or revision[0] != HEAD_REVISION:
            return None
        cursor = conn.execute(plan.page_sql)
        names = [d[0] for d in cursor.description]
        if not set(STATE_COLUMNS) <= set(plan.utc_columns) | _PLAIN_COLUMNS:
            return None  # a plan that stores other columns as UTC: not this table
        pick = itemgetter(*(names.index(c) for c in STATE_COLUMNS))
        rows = [state_from_tuple(pick(raw)) for raw in cursor]
        total = int(conn.execute(plan.count_sql).fetchone()[0])
        marker_row = conn.execute(plan.marker_sql).fetchone()
        marker = (int(marker_row[0]), _utc(marker_row[1]))
        return FirstPage(rows, total, marker)
    except (sqlite3.Error, ValueError, KeyError, IndexError, TypeError):
        return None
    finally:
        conn.close()
