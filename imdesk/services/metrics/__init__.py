"""Desk metrics: figures per date range and filter, read from the incident milestones."""

from __future__ import annotations

import time
from datetime import tzinfo

from imdesk.domain.metrics import Report, build_report
from imdesk.services.metrics.query import MetricsFilter, raw_count, samples
from imdesk.storage.database import Database

__all__ = ["MetricsFilter", "MetricsService"]


class MetricsService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def report(self, f: MetricsFilter, unit: str = "week", tz: tzinfo | None = None) -> Report:
        """One read transaction; safe on a worker thread (its own session)."""
        if f.end <= f.start:
            from imdesk.domain.errors import ValidationError

            raise ValidationError("to", "the end of the range must be after its start")
        with self._db.read() as s:
            found = samples(s, f)
        return build_report(found, f.start, f.end, unit, tz)

    def timed_count(self, f: MetricsFilter) -> tuple[int, float]:
        """(incidents in range, seconds): the plain SQL count, for the benchmark's baseline."""
        started = time.perf_counter()
        with self._db.read() as s:
            n = raw_count(s, f)
        return n, time.perf_counter() - started
