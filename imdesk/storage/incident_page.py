"""The incident list's pages on SQLite, read with sqlite3 itself inside the read's transaction.

The list asks for a page on every keystroke in its filter and every sort. The SQL of a page
takes well under a millisecond; through SQLAlchemy's ORM result and its type processing, each
page of 100 rows cost about five. Here the same query — the conditions and order of
incident_repo (the search text's condition is the very SQL it decides on), written as
storage/first_page.py writes the start-up plan — is run on the session's own sqlite3
connection, and each row becomes an IncidentState without an intermediate object.
tests/test_incident_page.py compares every filter, search and sort with incident_repo.list_page,
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
    where = where_sql(query)
    params: dict[str, Any] = {}
    if search_tokens(query.text):
        sql, params["q"] = incident_repo.sqlite_text_sql(
            session, query, incident_repo.conditions_of(query))
        where.append(sql)
    condition = f" WHERE {' AND '.join(where)}" if where else ""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    cursor = raw.execute(f"{_SELECT}{condition} ORDER BY {order_sql(query)} "
                         f"LIMIT {int(limit)} OFFSET {int(offset)}", params)
    return [state_from_tuple(r) for r in cursor.fetchall()]


def page_and_total(session: Session, query: IncidentQuery, limit: int
                   ) -> tuple[list[IncidentState], int]:
    """The first page and the count, in one read: the search's analysis (its word scaling and
    hit count) is done once for both."""
    if session.get_bind().dialect.name == "sqlite":
        rows = read_page(session, query, 0, limit)
    else:
        rows = incident_repo.list_page(session, query, 0, limit)
    return rows, incident_repo.count(session, query)
