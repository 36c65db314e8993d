"""The incident list's pages on SQLite, read with sqlite3 itself inside the read's transaction.

The list asks for a page on every keystroke in its filter and every sort. The SQL of a page
takes well under a millisecond; through SQLAlchemy's ORM result and its type processing, each
page of 100 rows cost about five. Here the same query — the conditions and order of
incident_repo (the search text's condition is the very SQL it decides on), written as
storage/first_page.py writes the start-up plan — is run on the session's own sqlite3
connection, and each row becomes an IncidentState without an intermediate object.
Its count (read_count) is incident_repo.count's SQL, run the same way. tests/test_incident_page.py
compares every filter, search and sort, and the counts, with incident_repo's list_page and count,
which PostgreSQL keeps using.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from imdesk.domain.incident import IncidentState
from imdesk.domain.incident_query import IncidentQuery
from imdesk.storage import incident_repo
from imdesk.storage.first_page import order_sql, where_sql
from imdesk.storage.incident_rows import STATE_COLUMNS, state_from_tuple
from imdesk.storage.search_terms import search_tokens

_SELECT = "SELECT " + ", ".join(f"incident.{c}" for c in STATE_COLUMNS) + " FROM incident"


def read_page(session: Session, query: IncidentQuery, offset: int, limit: int) -> list[IncidentState]:
    """Rows offset.. offset + limit of the list for `query` (SQLite only), as list_page."""
    if query.sort not in incident_repo.SORT_KEYS:
        return incident_repo.list_page(session, query, offset, limit)  # its error
    condition, params = _condition(session, query)
    cursor = _driver(session).execute(f"{_SELECT}{condition} ORDER BY {order_sql(query)} "
                                      f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return [state_from_tuple(r) for r in cursor.fetchall()]


def read_count(session: Session, query: IncidentQuery) -> int:
    """How many incidents match `query`, counted up to COUNT_CAP + 1 (SQLite only), as
    incident_repo.count — the same condition, without SQLAlchemy's round of compiling and
    result handling (a sort change or a filter beside a status asks for it each time)."""
    if search_tokens(query.text) and not incident_repo.conditions_of(query):
        return incident_repo.count(session, query)  # the full-text index alone knows
    condition, params = _condition(session, query)
    return int(_driver(session).execute(
        f"SELECT count(*) FROM (SELECT incident.id FROM incident{condition} "
        f"LIMIT {incident_repo.COUNT_CAP + 1})", params).fetchone()[0])  # (its cap too)


def _condition(session: Session, query: IncidentQuery) -> tuple[str, dict[str, Any]]:
    """The WHERE clause of `query` (empty when nothing filters) and its one parameter."""
    where = where_sql(query)
    params: dict[str, Any] = {}
    if search_tokens(query.text):
        sql, params["q"] = incident_repo.sqlite_text_sql(
            session, query, incident_repo.conditions_of(query))
        where.append(sql)
    return (f" WHERE {' AND '.join(where)}" if where else ""), params


def _driver(session: Session) -> Any:
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return raw


def page_and_total(session: Session, query: IncidentQuery, limit: int
                   ) -> tuple[list[IncidentState], int]:
    """The first page and the count, in one read: the search's analysis (its word scaling and
    hit count) is done once for both."""
    if session.get_bind().dialect.name == "sqlite" and query.sort in incident_repo.SORT_KEYS:
        return read_page(session, query, 0, limit), read_count(session, query)
    rows = incident_repo.list_page(session, query, 0, limit)
    return rows, incident_repo.count(session, query)
