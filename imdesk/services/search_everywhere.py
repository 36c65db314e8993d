"""Ctrl+K's search: every timeline and every document at once. The two full-text searches run
side by side — the documents' on one helper thread, the timelines' on the caller's (SQLite lets
go of Python's lock while it searches) — so the answer takes as long as the slower of the two,
not their sum (bench/bench_docs.py)."""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from imdesk.services.timeline import SearchResult, TimelineService

_pool: ThreadPoolExecutor | None = None
_pool_lock = threading.Lock()


def _helper() -> ThreadPoolExecutor:
    global _pool
    with _pool_lock:
        if _pool is None:
            _pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="imdesk-search")
        return _pool


def search_everywhere(timeline: TimelineService, documents: Callable[[str], list[Any]] | None,
                      text: str, limit: int = 50) -> tuple[SearchResult, list[Any]]:
    """The timelines' top LIMIT hits and the documents' hits for TEXT (documents may be None)."""
    if documents is None or not text.strip():
        return timeline.search(text, limit), []
    pending = _helper().submit(documents, text)
    try:
        found = timeline.search(text, limit)
    finally:
        docs = pending.result()  # raises the documents' error, if any, after ours
    return found, docs
