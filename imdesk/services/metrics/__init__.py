"""Desk metrics: figures per date range and filter, read from the incident milestones."""

from __future__ import annotations

import time
from datetime import tzinfo

from imdesk.domain.metrics import Report
from imdesk.domain.metrics_cells import report_from_cells, report_periods
from imdesk.services.metrics.query import MetricsFilter, callers, cells, majors, raw_count
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
        spans = report_periods(f.start, f.end, unit, tz)
        with self._db.read() as s:
            found = cells(s, f, spans)
            declared = majors(s, f)
            linked = callers(s, f, sum(c.count for c in found))
        return report_from_cells(found, declared, linked, f.start, f.end, unit, tz)

    def timed_count(self, f: MetricsFilter) -> tuple[int, float]:
        """(incidents in range, seconds): the plain SQL count, for the benchmark's baseline."""
        started = time.perf_counter()
        with self._db.read() as s:
            n = raw_count(s, f)
        return n, time.perf_counter() - started
