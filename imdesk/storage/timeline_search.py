"""Full-text search over every incident's timeline, newest first or by relevance."""

from __future__ import annotations

from functools import partial

from sqlalchemy import Boolean, Integer, String, text
from sqlalchemy.orm import Session

from imdesk.domain.timeline import SearchHit
from imdesk.storage import timeline_words
from imdesk.storage.models import UTCDateTime
from imdesk.storage.search_terms import fts5_query, fts5_scaled_terms, search_tokens, tsquery_prefix

HIT_START, HIT_END = "«", "»"  # hit markers in snippets: plain characters, never markup
# Up to this many hits they are ranked by relevance (BM25); above it (common words) ranking
# would cost time in proportion to the hits, so the newest come first.
RANK_LIMIT = 2000
TIMELINE_PREFIX_INDEX = frozenset({2, 3})  # timeline_fts: prefix='2 3'


def _hits(session: Session, sql: str, params: dict[str, object]) -> list[SearchHit]:
    typed = text(sql).columns(ref=String, seq=Integer, kind=String, text=String, author=String,
                              recorded_at=UTCDateTime, occurred_at=UTCDateTime, snippet=String,
                              exercise=Boolean)
    return [SearchHit(ref=r.ref, seq=r.seq, kind=r.kind, text=r.text, snippet=r.snippet,
                      author=r.author, recorded_at=r.recorded_at, occurred_at=r.occurred_at,
                      exercise=bool(r.exercise))
            for r in session.execute(typed, params)]


def needs_words(query: str) -> bool:
    """Whether QUERY has a word that, as a prefix, no prefix index covers (see timeline_words)."""
    return any(_expandable(t) for t in search_tokens(query))


def _expandable(token: str) -> bool:
    return len(token) > max(TIMELINE_PREFIX_INDEX) and token.isascii() and token.isalnum()


def _match(session: Session, tokens: list[str], words: bool) -> str | None:
    """The FTS5 query for TOKENS (None: nothing can match). With WORDS (the word table holds
    every entry's words in this transaction) a prefix no prefix index covers becomes the words
    it begins, ORed."""
    terms = fts5_scaled_terms(tokens, indexed=TIMELINE_PREFIX_INDEX, cap=RANK_LIMIT,
                              exact_hits=partial(_count, session))
    parts: list[str] = []
    for token, prefix in terms:
        found = (timeline_words.words_beginning(session, token)
                 if words and prefix and _expandable(token) else None)
        if found is None:
            parts.append(fts5_query([(token, prefix)]))
        elif not found:
            return None
        else:
            parts.append("(" + " OR ".join(f'"{w}"' for w in found) + ")")
    return " AND ".join(parts)


def _count(session: Session, match: str) -> int:
    return int(session.execute(text(
        "SELECT count(*) FROM (SELECT 1 FROM timeline_fts WHERE timeline_fts MATCH :q "
        "LIMIT :cap)"), {"q": match, "cap": RANK_LIMIT + 1}).scalar_one())


def search(session: Session, query: str, limit: int = 50, *,
           words: bool = False) -> tuple[list[SearchHit], int]:
    """The best `limit` hits and how many there are, counted up to RANK_LIMIT + 1 only:
    counting every hit of a word in most entries would cost more than the search itself.
    WORDS: the word table is complete in this transaction (SQLite; see needs_words)."""
    tokens = search_tokens(query)
    if not tokens:
        return [], 0
    if session.get_bind().dialect.name == "sqlite":
        match = _match(session, tokens, words)
        if match is None:
            return [], 0
        total = _count(session, match)
        order = "timeline_fts.rank" if total <= RANK_LIMIT else "timeline_fts.rowid DESC"
        return _hits(session,
                     "SELECT i.ref, e.seq, e.kind, e.text, e.author, e.recorded_at, e.occurred_at, "
                     "i.exercise, "
                     f"snippet(timeline_fts, 0, '{HIT_START}', '{HIT_END}', '…', 16) AS snippet "
                     "FROM timeline_fts JOIN timeline_entry e ON e.id = timeline_fts.rowid "
                     "JOIN incident i ON i.id = e.incident_id "
                     f"WHERE timeline_fts MATCH :q ORDER BY {order} LIMIT :n",
                     {"q": match, "n": limit}), total
    tsq = tsquery_prefix(tokens)
    total = int(session.execute(text(
        "SELECT count(*) FROM (SELECT 1 FROM timeline_entry WHERE to_tsvector('simple', text) "
        "@@ to_tsquery('simple', :q) LIMIT :cap) AS hits"), {"q": tsq, "cap": RANK_LIMIT + 1}
    ).scalar_one())
    order = ("ts_rank(to_tsvector('simple', e.text), to_tsquery('simple', :q)) DESC, e.id DESC"
             if total <= RANK_LIMIT else "e.id DESC")
    return _hits(session,
                 "SELECT i.ref, e.seq, e.kind, e.text, e.author, e.recorded_at, e.occurred_at, "
                     "i.exercise, "
                 "ts_headline('simple', e.text, to_tsquery('simple', :q), "
                 f"'StartSel={HIT_START}, StopSel={HIT_END}, MaxWords=18, MinWords=6') AS snippet "
                 "FROM timeline_entry e JOIN incident i ON i.id = e.incident_id "
                 "WHERE to_tsvector('simple', e.text) @@ to_tsquery('simple', :q) "
                 f"ORDER BY {order} LIMIT :n", {"q": tsq, "n": limit}), total
