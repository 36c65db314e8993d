"""Incident rows: writing the projection, loading it, and the list query (filter/sort in SQL)."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, and_, func, literal_column, select, text
from sqlalchemy.orm import Session
from sqlalchemy.sql.expression import ColumnClause

from imdesk.domain.errors import NotFoundError, ValidationError
from imdesk.domain.incident import IncidentState
from imdesk.domain.incident_query import COUNT_CAP as COUNT_CAP  # (incident_page counts to it)
from imdesk.domain.incident_query import IncidentQuery as IncidentQuery
from imdesk.domain.lifecycle import OPEN_STATUSES
from imdesk.domain.sla import ClockInputs
from imdesk.storage.first_page import FirstPagePlan, plan_key
from imdesk.storage.incident_rows import state_from_mapping as state_from_mapping
from imdesk.storage.models import PG_INCIDENT_TSVECTOR, IncidentRow, ServiceRow, UTCDateTime
from imdesk.storage.search_terms import (
    fts5_query,
    fts5_scaled_terms,
    search_tokens,
    tsquery_prefix,
)

SORT_KEYS = ("ref", "priority", "title", "service", "status", "major", "age", "sla", "updated")

_STATE_FIELDS = (
    "ref", "title", "description", "impact", "urgency", "priority", "status", "major", "origin",
    "exercise", "opened_at", "acknowledged_at", "resolved_at", "closed_at", "hold_started_at",
    "on_hold_seconds", "respond_minutes", "resolve_minutes", "last_seq", "head_hash", "updated_at",
)


def write_state(row: IncidentRow, state: IncidentState, service_id: int | None) -> None:
    """Set the projection's columns (only those that change: an instrumented set costs more
    than a read, and most entries change two or three columns)."""
    set_changed(row, state_values(state, service_id))


def state_values(state: IncidentState, service_id: int | None) -> dict[str, Any]:
    """The projection's columns as stored (the ORM path and the plain one write these)."""
    values: dict[str, Any] = {name: getattr(state, name) for name in _STATE_FIELDS}
    values = {k: (v.value if hasattr(v, "value") else v) for k, v in values.items()}
    values.update(service_id=service_id, service_name=state.service,
                  respond_due=state.respond_due, resolve_due=state.resolve_due,
                  sla_due=sort_due(state))
    return values


def set_changed(row: Any, values: dict[str, Any]) -> None:
    """Set these attributes of an ORM row, skipping the ones that already hold the value."""
    loaded = row.__dict__
    for name, value in values.items():
        if name not in loaded or loaded[name] != value:
            setattr(row, name, value)


def service_name(session: Session, service_id: int | None) -> str | None:
    if service_id is None:
        return None
    return session.get(ServiceRow, service_id).name  # type: ignore[union-attr]


def row_state(session: Session, row: IncidentRow) -> IncidentState:
    return state_from_mapping(row, row.service_name)


def get_row(session: Session, ref: str, *, for_update: bool = False) -> IncidentRow:
    query = select(IncidentRow).where(IncidentRow.ref == ref.strip().upper())
    if for_update:
        query = query.with_for_update()
    row = session.scalars(query).first()
    if row is None and ref.strip().upper().startswith("INC-OFF-"):  # written offline, merged
        from imdesk.storage.spool_models import SpoolRefRow

        mapped = session.get(SpoolRefRow, ref.strip().upper())
        if mapped is not None:
            return get_row(session, mapped.server_ref, for_update=for_update)
    if row is None:
        raise NotFoundError(f"no incident {ref!r}")
    return row


def locked_by_id(session: Session, incident_id: int, *, fresh: bool = False) -> IncidentRow | None:
    """The incident row, locked for this transaction (None when it is gone); FRESH: its
    values read again even if the session holds it (plain statements wrote it since)."""
    query = select(IncidentRow).where(IncidentRow.id == incident_id).with_for_update()
    if fresh:
        query = query.execution_options(populate_existing=True)
    return session.scalars(query).first()


def service_id_for(session: Session, name: str | None) -> int | None:
    if name is None or not name.strip():
        return None
    found = session.scalars(
        select(ServiceRow.id).where(func.lower(ServiceRow.name) == name.strip().lower())
    ).first()
    if found is None:
        raise ValidationError("service", f"no service named {name!r}")
    return found


# Above this many hits, walking the sort index and probing the hit set beats fetching each hit.
_MANY_HITS = 500
INCIDENT_PREFIX_INDEX = frozenset(range(1, 9))  # incident_fts: prefix='1 2 3 4 5 6 7 8'
# Hits are sampled among this many newest incidents when there are more than COUNT_CAP.
_SAMPLE = 20_000
# Checking a row's own text costs about 15 times as much as fetching one hit from the index;
# a page of 100 walked in the sort order checks about 100 * rows / hits rows. (The list reads
# pages of 50 now: the walk would pay from a little fewer hits, but a sort that clusters the
# hits — titles — walks far longer than the average; measured, 100 stays the better guess.)
_CHECK_COST = 15
_WALK_COST = 1500
_ASCII_WORD = re.compile(r"[a-z0-9]+")
_ALL_TEXT = ("(incident.ref || ' ' || incident.title || ' ' || incident.description || ' ' || "
             "coalesce(incident.service_name, ''))")
_PROBE = ("EXISTS (SELECT 1 FROM incident_fts WHERE incident_fts MATCH :q "
          "AND incident_fts.rowid = incident.id)")


def _text_clause(session: Session, query: IncidentQuery, others: list[Any]) -> Any:
    """Word-prefix search over ref, title, description and service (FTS5 / tsvector), beside
    the list's `others` conditions (those of `query`)."""
    tokens = search_tokens(query.text)
    if not tokens:
        return None
    if session.get_bind().dialect.name == "sqlite":
        sql, match = sqlite_text_sql(session, query, others)
        return text(sql).bindparams(q=match)
    tsquery = tsquery_prefix(tokens)
    doc: ColumnClause[Any] = literal_column(PG_INCIDENT_TSVECTOR)
    return doc.op("@@")(func.to_tsquery("simple", tsquery))


def sqlite_text_sql(session: Session, query: IncidentQuery, others: list[Any]) -> tuple[str, str]:
    """SQLite: the condition of `query`'s search text as SQL with one parameter :q, and the
    FTS5 query to bind to it, beside `others` (the query's other conditions). Decided once per
    read (session) and query: the page and its count ask the same."""
    key = ("imdesk_text_sql", query.text, query.statuses, query.priorities, query.major_only,
           query.include_exercise)
    known: tuple[str, str] | None = session.info.get(key)
    if known is None:
        known = session.info[key] = _sqlite_text_sql(session, search_tokens(query.text), others)
    return known


def _sqlite_text_sql(session: Session, tokens: list[str], others: list[Any]) -> tuple[str, str]:
    alone = not others
    terms = _fts_terms(session, tokens)
    match = fts5_query(terms)
    hits = _fts_hits(session, match)
    raw = _driver(session)
    rows = int(raw.execute("SELECT coalesce(max(id), 0) FROM incident").fetchone()[0])
    if hits > COUNT_CAP:  # only counted up to the cap: estimate from the newest incidents
        sampled = int(raw.execute(
            "SELECT count(*) FROM incident_fts WHERE incident_fts MATCH ? AND rowid > ?",
            (match, rows - _SAMPLE)).fetchone()[0])
        hits = max(hits, sampled * rows // min(rows, _SAMPLE))
        if all(_ASCII_WORD.fullmatch(t) for t, _prefix in terms) and (
                hits * hits > _WALK_COST * rows if alone
                else hits > _CHECK_COST * _capped_rows(session, others)):
            return _walk_sql(terms), match
    if alone and hits * 2 > rows:
        # Most rows match (a short common prefix) and nothing else filters: walk the
        # ORDER BY index and ask the full-text index about each row; a page needs only a
        # few such probes. (With other filters the probes would be many: not this way.)
        return _PROBE, match
    # Many hits: "+id" keeps SQLite from fetching every hit, so that it walks the ORDER BY
    # index and checks each row against the hit list. Few hits: fetch exactly those.
    column = "+incident.id" if hits > _MANY_HITS else "incident.id"
    return f"{column} IN (SELECT rowid FROM incident_fts WHERE incident_fts MATCH :q)", match


def _capped_rows(session: Session, conditions: list[Any]) -> int:
    """Rows that meet `conditions`, counted up to COUNT_CAP + 1."""
    return int(session.execute(_capped_count(select(IncidentRow.id).where(and_(*conditions))))
               .scalar_one())


def _walk_sql(terms: list[tuple[str, bool]]) -> str:
    """Many hits: walk the ORDER BY index (or the rows the other filters leave, when they are
    far fewer than the hits) and check each row's own text, which for plain ASCII text is
    exactly FTS5's word-prefix match (a word starts after a character that is not a letter or
    digit); rows with other characters (accents, other scripts) ask the full-text index. A
    page checks about 100 / (share of rows that match) rows, however many incidents there
    are; fetching every hit would grow with the table."""
    words = " AND ".join(
        f"(' ' || lower({_ALL_TEXT}) || ' ') GLOB '*[^a-z0-9]{t}{'*' if prefix else '[^a-z0-9]*'}'"
        for t, prefix in terms)  # t is [a-z0-9]+: nothing in it means anything to GLOB
    return f"CASE WHEN {_ALL_TEXT} GLOB '*[^ -~]*' THEN {_PROBE} ELSE {words} END"


def _fts_terms(session: Session, tokens: list[str]) -> list[tuple[str, bool]]:
    return fts5_scaled_terms(tokens, indexed=INCIDENT_PREFIX_INDEX, cap=COUNT_CAP,
                             exact_hits=lambda match: _fts_hits(session, match))


def _fts_match(session: Session, tokens: list[str]) -> str:
    return fts5_query(_fts_terms(session, tokens))


def conditions_of(query: IncidentQuery) -> list[Any]:
    """The list's conditions other than the search text."""
    conditions: list[Any] = []
    if query.statuses:
        conditions.append(IncidentRow.status.in_([s.value for s in query.statuses]))
    if query.priorities:
        conditions.append(IncidentRow.priority.in_([p.value for p in query.priorities]))
    if query.major_only:
        conditions.append(IncidentRow.major.is_(True))
    if not query.include_exercise:
        conditions.append(IncidentRow.exercise.is_(False))
    return conditions


def _filtered(session: Session, query: IncidentQuery, base: Select[Any]) -> Select[Any]:
    conditions = conditions_of(query)
    if query.text.strip():
        clause = _text_clause(session, query, conditions)
        if clause is not None:
            conditions.append(clause)
    return base.where(and_(*conditions)) if conditions else base


SLA_NEVER = datetime(9999, 12, 31, tzinfo=UTC)  # sla_due of a clock that no longer runs
SLA_PAUSED = datetime(9999, 1, 1, tzinfo=UTC)  # on hold: after every running clock


def sort_due(state: IncidentState) -> datetime:
    """What the SLA column sorts by: the running clock's due time; paused, then ended, last."""
    if state.sla_due is None:
        return SLA_NEVER
    return SLA_PAUSED if state.hold_started_at is not None else state.sla_due

_SORT_COLUMNS: dict[str, Any] = {
    "ref": IncidentRow.id,
    "priority": IncidentRow.priority,
    "title": func.lower(IncidentRow.title),
    "service": func.lower(IncidentRow.service_name),
    "status": IncidentRow.status,
    "major": IncidentRow.major,
    "age": IncidentRow.opened_at,
    "sla": IncidentRow.sla_due,
    "updated": IncidentRow.updated_at,
}


def _order(query: IncidentQuery) -> list[Any]:
    """ORDER BY key, id — both the same way, so that the key's index serves the sort."""
    if query.sort not in _SORT_COLUMNS:
        raise ValidationError("sort", f"cannot sort by {query.sort!r}")
    col = _SORT_COLUMNS[query.sort]
    desc = query.descending != (query.sort == "age")  # oldest first reads as "age descending"
    if query.sort == "ref":
        return [col.desc() if desc else col.asc()]
    if query.sort == "service":  # no service sorts first, as SQLite does it, on every database
        return [col.desc().nulls_last(), IncidentRow.id.desc()] if desc else [
            col.asc().nulls_first(), IncidentRow.id.asc()]
    return [col.desc(), IncidentRow.id.desc()] if desc else [col.asc(), IncidentRow.id.asc()]


def list_page(session: Session, query: IncidentQuery, offset: int, limit: int) -> list[IncidentState]:
    stmt = _filtered(session, query, select(IncidentRow.__table__))
    stmt = stmt.order_by(*_order(query)).offset(offset).limit(limit)
    return [state_from_mapping(r, r.service_name) for r in session.execute(stmt)]


def count(session: Session, query: IncidentQuery) -> int:
    """How many incidents match, counted up to COUNT_CAP + 1 only: an exact count of a million
    rows costs more than the page itself, and "more than 10,000" says all a reader needs."""
    tokens = search_tokens(query.text)
    only_text = tokens and not (query.statuses or query.priorities or query.major_only
                                or not query.include_exercise)
    if only_text and session.get_bind().dialect.name == "sqlite":
        return _fts_hits(session, _fts_match(session, tokens))  # the index knows: no table scan
    return int(session.execute(_capped_count(_filtered(session, query, select(IncidentRow.id))))
               .scalar_one())


def _capped_count(matching: Select[Any]) -> Select[Any]:
    return select(func.count()).select_from(matching.limit(COUNT_CAP + 1).subquery())


def _fts_hits(session: Session, match: str) -> int:
    """Hits of an FTS5 query, counted up to COUNT_CAP + 1 (once per read: the page's plan, its
    word scaling and its count all ask)."""
    key = ("imdesk_fts_hits", match)
    hits: int | None = session.info.get(key)
    if hits is None:
        hits = session.info[key] = int(_driver(session).execute(
            "SELECT count(*) FROM (SELECT 1 FROM incident_fts WHERE incident_fts MATCH ? "
            "LIMIT ?)", (match, COUNT_CAP + 1)).fetchone()[0])
    return hits


def _driver(session: Session) -> Any:
    """The session's own sqlite3 connection, inside its transaction: the list's small SQLite
    reads (hit counts, the newest id) asked through SQLAlchemy cost more than they take."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    return raw


def change_marker(session: Session) -> tuple[int, datetime | None]:
    """Cheap fingerprint of the incident table that changes whenever an incident is added or
    changed: the newest id (incidents are never deleted) and the newest update, both read
    from the end of an index (a count of every row would grow with the table)."""
    row = session.execute(_marker()).one()
    return int(row[0]), row[1]


def _marker() -> Select[Any]:
    """Two scalar subqueries: SQLite reads a lone max() from the end of its index, but scans
    the whole table for two aggregates in one SELECT."""
    newest = select(func.coalesce(func.max(IncidentRow.id), 0)).scalar_subquery()
    updated = select(func.max(IncidentRow.updated_at)).scalar_subquery()
    return select(newest, updated)


def open_clocks(session: Session) -> list[tuple[bool, ClockInputs]]:
    """(major, clock inputs) of every open incident that is not a drill: only the columns
    the SLA clocks need, for the status bar counts."""
    c = IncidentRow
    rows = session.execute(
        select(c.major, c.opened_at, c.acknowledged_at, c.hold_started_at, c.on_hold_seconds,
               c.respond_minutes, c.resolve_minutes)
        .where(c.status.in_([s.value for s in OPEN_STATUSES]), c.exercise.is_(False))
    )
    return [(bool(r.major), ClockInputs(
        opened_at=r.opened_at, acknowledged_at=r.acknowledged_at, ended_at=None,
        hold_started_at=r.hold_started_at, on_hold_seconds=r.on_hold_seconds,
        respond_minutes=r.respond_minutes, resolve_minutes=r.resolve_minutes)) for r in rows]


def first_page_plan(session: Session, query: IncidentQuery, limit: int) -> FirstPagePlan | None:
    """The SQL of the list's first page for `query`, compiled for SQLite with the parameters
    inlined, for the start-up reader (storage/first_page.py). None when no plan can serve."""
    key = plan_key(query, limit)
    if key is None or session.get_bind().dialect.name != "sqlite":
        return None
    dialect = session.get_bind().dialect

    def sql(stmt: Any) -> str:
        return str(stmt.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))

    page = _filtered(session, query, select(IncidentRow.__table__))
    page = page.order_by(*_order(query)).offset(0).limit(limit)
    total = _capped_count(_filtered(session, query, select(IncidentRow.id)))
    marker = _marker()
    utc = tuple(c.name for c in IncidentRow.__table__.columns if isinstance(c.type, UTCDateTime))
    return FirstPagePlan(key, sql(page), sql(total), sql(marker), utc)
