"""Timeline use cases across incidents: search every timeline, verify the hash chains."""

from __future__ import annotations

from dataclasses import dataclass

from imdesk.domain.timeline import ChainProblem, SearchHit, verify_chain
from imdesk.storage import timeline_repo, timeline_search, timeline_words
from imdesk.storage.database import Database


@dataclass(frozen=True)
class SearchResult:
    hits: list[SearchHit]
    total: int  # exact up to timeline_search.RANK_LIMIT; above it, that + 1 and `more` is set

    @property
    def more(self) -> bool:
        return self.total > timeline_search.RANK_LIMIT

    @property
    def total_text(self) -> str:
        return f"{timeline_search.RANK_LIMIT:,}+" if self.more else f"{self.total:,}"


@dataclass(frozen=True)
class VerifyReport:
    incidents: int
    entries: int
    problem: ChainProblem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


class TimelineService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def search(self, query: str, limit: int = 50) -> SearchResult:
        """The best LIMIT hits. On SQLite a longer prefix is searched as the words it begins
        (storage/timeline_words.py): when entries were written since the word table last took
        theirs in, it does so first, in the same transaction as the search."""
        words = self._db.is_sqlite and timeline_search.needs_words(query)
        with self._db.read() as s:
            complete = words and timeline_words.behind(s) == 0
            if not words or complete or self._db.read_only:
                hits, total = timeline_search.search(s, query, limit, words=complete)
                return SearchResult(hits, total)
        with self._db.write() as s:
            timeline_words.catch_up(s)
            hits, total = timeline_search.search(s, query, limit, words=True)
        return SearchResult(hits, total)

    def verify(self, ref: str | None = None) -> VerifyReport:
        """Recompute the hash chains (one incident or all); the first entry that fails."""
        incidents = entries = 0
        with self._db.read() as s:
            for row, timeline in timeline_repo.timelines(s, ref):
                incidents += 1
                entries += len(timeline)
                problem = verify_chain(timeline, expected_head=row.head_hash, ref=row.ref)
                if problem is not None:
                    return VerifyReport(incidents, entries, problem)
        return VerifyReport(incidents, entries, None)
