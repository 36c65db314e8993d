"""Documents in SQL: summaries (with their service or team), versions, appending a version, and
full-text search over each document's newest version (SQLite FTS5 / PostgreSQL tsvector)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, func, select, text
from sqlalchemy.orm import Session

from imdesk.domain.docs import DocHit, DocSummary, DocVersion
from imdesk.domain.errors import NotFoundError
from imdesk.storage.contact_models import TeamRow
from imdesk.storage.doc_models import DocumentRow, DocumentVersionRow
from imdesk.storage.models import ServiceRow
from imdesk.storage.search_terms import fts5_prefix_query, search_tokens, tsquery_prefix
from imdesk.storage.timeline_search import HIT_END, HIT_START

RANK_LIMIT = 300  # up to this many matching versions, the best come first


def _summary_select() -> Any:
    return (select(DocumentRow, ServiceRow.name, TeamRow.name)
            .outerjoin(ServiceRow, ServiceRow.id == DocumentRow.service_id)
            .outerjoin(TeamRow, TeamRow.id == DocumentRow.team_id))


def _summary(row: DocumentRow, service: str | None, team: str | None) -> DocSummary:
    return DocSummary(id=row.id, title=row.title, service=service or "", team=team or "",
                      owner=row.owner, review_days=row.review_days,
                      last_reviewed_at=row.last_reviewed_at, reviewed_by=row.reviewed_by,
                      version=row.current_version, updated_at=row.updated_at,
                      created_at=row.created_at, retired=row.retired_at is not None)


def summaries(s: Session, *, service_id: int | None = None, team_id: int | None = None,
              include_retired: bool = False, due_before: datetime | None = None) -> list[DocSummary]:
    """Documents ordered by service/team and title; DUE_BEFORE keeps those whose review falls due
    by then (the stale ones, when it is now)."""
    q = _summary_select()
    if service_id is not None:
        q = q.where(DocumentRow.service_id == service_id)
    if team_id is not None:
        q = q.where(DocumentRow.team_id == team_id)
    if not include_retired:
        q = q.where(DocumentRow.retired_at.is_(None))
    q = q.order_by(func.coalesce(ServiceRow.name, TeamRow.name), DocumentRow.title, DocumentRow.id)
    rows = [_summary(r, sv, tm) for r, sv, tm in s.execute(q)]
    if due_before is not None:
        rows = [r for r in rows if r.stale(due_before)]
    return rows


def summary(s: Session, doc_id: int) -> DocSummary:
    found = s.execute(_summary_select().where(DocumentRow.id == doc_id)).first()
    if found is None:
        raise NotFoundError(f"no document {doc_id}")
    return _summary(*found)


def get_row(s: Session, doc_id: int) -> DocumentRow:
    row = s.get(DocumentRow, doc_id)
    if row is None:
        raise NotFoundError(f"no document {doc_id}")
    return row


def find_row(s: Session, title: str, service_id: int | None, team_id: int | None) -> DocumentRow | None:
    """A live document with this title (any case) for this service or team."""
    q = select(DocumentRow).where(func.lower(DocumentRow.title) == title.lower(),
                                  DocumentRow.retired_at.is_(None))
    q = q.where(DocumentRow.service_id == service_id if service_id is not None
                else DocumentRow.service_id.is_(None))
    q = q.where(DocumentRow.team_id == team_id if team_id is not None else DocumentRow.team_id.is_(None))
    return s.scalars(q).first()


def _version(v: DocumentVersionRow) -> DocVersion:
    return DocVersion(document_id=v.document_id, number=v.number, title=v.title, text=v.text,
                      author=v.author, saved_at=v.saved_at)


def version(s: Session, doc_id: int, number: int) -> DocVersion:
    row = s.scalars(select(DocumentVersionRow).where(DocumentVersionRow.document_id == doc_id,
                                                     DocumentVersionRow.number == number)).first()
    if row is None:
        raise NotFoundError(f"document {doc_id} has no version {number}")
    return _version(row)


def version_list(s: Session, doc_id: int) -> list[tuple[int, str, datetime]]:
    """(number, author, saved_at) of every version, newest first."""
    q = (select(DocumentVersionRow.number, DocumentVersionRow.author, DocumentVersionRow.saved_at)
         .where(DocumentVersionRow.document_id == doc_id).order_by(DocumentVersionRow.number.desc()))
    return [(n, a, t) for n, a, t in s.execute(q)]


def append_version(s: Session, row: DocumentRow, title: str, body: str, author: str,
                   now: datetime) -> int:
    """A new version (the old ones stay as they are); the document points at it."""
    number = row.current_version + 1
    s.add(DocumentVersionRow(document_id=row.id, number=number, title=title, text=body,
                             author=author, saved_at=now))
    row.current_version = number
    row.title = title
    row.updated_at = now
    return number


def current_texts(s: Session, doc_ids: Sequence[int]) -> dict[int, str]:
    """The newest text of each document."""
    if not doc_ids:
        return {}
    q = (select(DocumentVersionRow.document_id, DocumentVersionRow.text)
         .join(DocumentRow, (DocumentRow.id == DocumentVersionRow.document_id)
               & (DocumentRow.current_version == DocumentVersionRow.number))
         .where(DocumentRow.id.in_(doc_ids)))
    return {d: t for d, t in s.execute(q)}


def search(s: Session, query: str, limit: int = 20) -> list[DocHit]:
    """Live documents whose newest version holds every word (as a prefix), best first."""
    tokens = search_tokens(query)
    if not tokens:
        return []
    cols = {"id": Integer, "title": String, "service": String, "snippet": String}
    if s.get_bind().dialect.name == "sqlite":
        match = fts5_prefix_query(tokens)
        # Ranking costs time in proportion to the hits: a word in most documents ("the",
        # "restart") lists the newest versions first instead.
        hits = int(s.execute(text("SELECT count(*) FROM (SELECT 1 FROM document_fts WHERE "
                                  "document_fts MATCH :q LIMIT :cap)"),
                             {"q": match, "cap": RANK_LIMIT + 1}).scalar_one())
        order = "document_fts.rank" if hits <= RANK_LIMIT else "document_fts.rowid DESC"
        sql = ("SELECT d.id, d.title, coalesce(sv.name, t.name, '') AS service, "
               f"snippet(document_fts, 1, '{HIT_START}', '{HIT_END}', '…', 14) AS snippet "
               "FROM document_fts JOIN document_version v ON v.id = document_fts.rowid "
               "JOIN document d ON d.id = v.document_id AND d.current_version = v.number "
               "LEFT JOIN service sv ON sv.id = d.service_id LEFT JOIN team t ON t.id = d.team_id "
               "WHERE document_fts MATCH :q AND d.retired_at IS NULL "
               f"ORDER BY {order} LIMIT :n")
        params: dict[str, object] = {"q": match, "n": limit}
    else:
        vec = "to_tsvector('simple', v.title || ' ' || v.text)"
        sql = ("SELECT d.id, d.title, coalesce(sv.name, t.name, '') AS service, "
               "ts_headline('simple', v.text, to_tsquery('simple', :q), "
               f"'StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=18, MinWords=6') AS snippet "
               "FROM document_version v "
               "JOIN document d ON d.id = v.document_id AND d.current_version = v.number "
               "LEFT JOIN service sv ON sv.id = d.service_id LEFT JOIN team t ON t.id = d.team_id "
               f"WHERE {vec} @@ to_tsquery('simple', :q) AND d.retired_at IS NULL "
               f"ORDER BY ts_rank({vec}, to_tsquery('simple', :q)) DESC, d.id LIMIT :n")
        params = {"q": tsquery_prefix(tokens), "n": limit}
    typed = text(sql).columns(**cols)
    return [DocHit(document_id=r.id, title=r.title, service=r.service, snippet=r.snippet)
            for r in s.execute(typed, params)]
