"""The report from pre-aggregated cells: the database groups a year of incidents by priority and
period (count, cancelled, SLA met, and each duration as a list of whole milliseconds), so that
only a few hundred rows reach Python; medians and p90 are then exact over the merged lists.

A year of 100k incidents as 100k Python rows costs more than the whole gate (200 ms); as cells
it is one aggregate query and a few sorts of integer lists in C.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo

from imdesk.domain.metrics import (
    PRIORITIES,
    Callers,
    Figure,
    Period,
    Report,
    Sample,
    Sla,
    Summary,
    TrendRow,
    majors_per_month,
    periods,
)
from imdesk.domain.metrics import declare_to_update as _declare_to_update


@dataclass(frozen=True)
class Cell:
    """The incidents (outages) of one priority opened in one period. Durations in ms."""

    priority: str
    period: int  # index into the periods of the report
    count: int
    cancelled: int
    tta: list[int]
    tta_net: list[int]
    ttr: list[int]
    ttr_net: list[int]
    respond_met: int
    resolve_met: int


@dataclass(frozen=True)
class Major:
    """A declared major (epoch seconds) and its first stakeholder update, if any."""

    major: float
    update: float | None


def figure_ms(values: list[int], missing: int) -> Figure:
    """Median, p90 (nearest rank) and mean of SORTED millisecond values, in seconds."""
    n = len(values)
    if not n:
        return Figure(0, missing, None, None, None)
    mid = n // 2
    med = values[mid] / 1000 if n % 2 else (values[mid - 1] + values[mid]) / 2000
    return Figure(n, missing, med, values[max(0, math.ceil(0.9 * n) - 1)] / 1000,
                  sum(values) / n / 1000)


def _merged(lists: Iterable[list[int]]) -> list[int]:
    out: list[int] = []
    for values in lists:
        out += values
    out.sort()
    return out


def _merged_net(cells: Sequence[Cell], gross: list[int], net: str) -> list[int]:
    """The merged durations without hold: the gross ones when no cell was held (its net list is
    then its gross list, the same object), else merged on their own."""
    if all(getattr(c, net) is getattr(c, net[:3]) for c in cells):
        return gross
    return _merged(getattr(c, net) for c in cells)


def _as_cell(cells: Sequence[Cell]) -> Cell:
    """Cells added up into one (their lists merged, sorted)."""
    tta, ttr = _merged(c.tta for c in cells), _merged(c.ttr for c in cells)
    return Cell("", 0, sum(c.count for c in cells), sum(c.cancelled for c in cells), tta,
                _merged_net(cells, tta, "tta_net"), ttr, _merged_net(cells, ttr, "ttr_net"),
                sum(c.respond_met for c in cells), sum(c.resolve_met for c in cells))


def summary_of(cells: Sequence[Cell]) -> Summary:
    return _summary(_as_cell(cells))


def _summary(c: Cell) -> Summary:
    live = c.count - c.cancelled
    not_acked, not_resolved = live - len(c.tta), live - len(c.ttr)
    sla = Sla(c.respond_met, len(c.tta), c.resolve_met, len(c.ttr))
    return Summary(c.count, c.cancelled, not_acked, not_resolved, figure_ms(c.tta, not_acked),
                   figure_ms(c.tta_net, not_acked), figure_ms(c.ttr, not_resolved),
                   figure_ms(c.ttr_net, not_resolved), sla)


def _median_ms(values: list[int]) -> float | None:
    return figure_ms(values, 0).median


def report_from_cells(cells: Sequence[Cell], majors: Sequence[Major], callers: Callers,
                      start: datetime, end: datetime, unit: str = "week",
                      tz: tzinfo | None = None) -> Report:
    """The Report of `build_report`, from cells whose `period` indexes `report_periods(...)`."""
    months = periods(start, end, "month", tz)
    spans = report_periods(start, end, unit, tz)
    by_prio: dict[str, list[Cell]] = {p: [] for p in PRIORITIES}
    by_period: list[list[Cell]] = [[] for _ in spans]
    for c in cells:
        by_prio.setdefault(c.priority, []).append(c)
        by_period[c.period].append(c)
    trend = []
    for span, group in zip(spans, by_period, strict=True):
        acked = sum(len(c.tta) for c in group)
        resolved = sum(len(c.ttr) for c in group)
        sla = Sla(sum(c.respond_met for c in group), acked,
                  sum(c.resolve_met for c in group), resolved)
        trend.append(TrendRow(span.label, sum(c.count for c in group),
                              _median_ms(_merged(c.tta for c in group)),
                              _median_ms(_merged(c.ttr for c in group)),
                              sla.respond_pct, sla.resolve_pct))
    # the major figures reuse the per-sample functions (majors are few)
    major_samples = [Sample("", m.major, None, None, 0.0, 0.0, 0.0, 0.0, False, m.major,
                            m.update) for m in majors]
    # each priority's lists merged once; the whole from those five (few long sorted runs)
    per_prio = {p: _as_cell(g) for p, g in by_prio.items()}
    return Report(start, end, _summary(_as_cell(list(per_prio.values()))),
                  {p: _summary(c) for p, c in per_prio.items()},
                  len(majors), majors_per_month(major_samples, months),
                  _declare_to_update(major_samples), unit, trend, callers)


def report_periods(start: datetime, end: datetime, unit: str,
                   tz: tzinfo | None = None) -> list[Period]:
    return periods(start, end, "month" if unit == "month" else "week", tz)
