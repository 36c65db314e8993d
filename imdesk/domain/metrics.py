"""Desk metrics from incident milestones: pure statistics (median, p90, mean, SLA met), the
figures per priority, majors per month and the trend per week or month.

Times are seconds (float epoch or durations) so that a year of incidents is summed fast. Each
incident is one Sample; what counts as one outage is decided before (services/metrics).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from typing import NamedTuple

PRIORITIES = ("P1", "P2", "P3", "P4", "P5")


class Sample(NamedTuple):
    """One incident as the metrics see it (seconds; None where the milestone is not reached).
    A named tuple: a year of incidents is 100k of them, made and read fast."""

    priority: str
    opened: float  # epoch seconds of the opening (earliest effective time)
    tta: float | None  # first acknowledged - opened
    ttr: float | None  # the standing resolution - opened
    hold_ack: float  # seconds on hold before the acknowledgement
    hold_resolve: float  # seconds on hold before the standing resolution
    respond_s: float  # SLA respond target
    resolve_s: float  # SLA resolve target
    cancelled: bool = False
    major: float | None = None  # epoch seconds of the declaration
    update: float | None = None  # epoch seconds of the first stakeholder update


@dataclass(frozen=True)
class Figure:
    """A duration figure: over `n` incidents; `missing` had not reached the milestone."""

    n: int
    missing: int
    median: float | None
    p90: float | None
    mean: float | None


def median(values: Sequence[float]) -> float | None:
    """The middle value of the sorted values (the mean of the two middle ones for an even count)."""
    if not values:
        return None
    s = sorted(values)
    mid = len(s) // 2
    return s[mid] if len(s) % 2 else (s[mid - 1] + s[mid]) / 2


def p90(values: Sequence[float]) -> float | None:
    """Nearest rank: the smallest value with at least 90 % of the values at or below it."""
    if not values:
        return None
    s = sorted(values)
    return s[max(0, math.ceil(0.9 * len(s)) - 1)]


def mean(values: Sequence[float]) -> float | None:
    return sum(values) / len(values) if values else None


def figure(values: Sequence[float], missing: int) -> Figure:
    """Median, p90 and mean of the values (sorted once)."""
    if not values:
        return Figure(0, missing, None, None, None)
    s = sorted(values)
    n, mid = len(s), len(s) // 2
    med = s[mid] if n % 2 else (s[mid - 1] + s[mid]) / 2
    return Figure(n, missing, med, s[max(0, math.ceil(0.9 * n) - 1)], math.fsum(s) / n)


def pct(met: int, total: int) -> float | None:
    return round(100.0 * met / total, 1) if total else None


@dataclass(frozen=True)
class Sla:
    respond_met: int
    respond_total: int
    resolve_met: int
    resolve_total: int

    @property
    def respond_pct(self) -> float | None:
        return pct(self.respond_met, self.respond_total)

    @property
    def resolve_pct(self) -> float | None:
        return pct(self.resolve_met, self.resolve_total)


@dataclass(frozen=True)
class Summary:
    count: int
    cancelled: int
    not_acknowledged: int
    not_resolved: int
    tta: Figure
    tta_excl_hold: Figure
    ttr: Figure
    ttr_excl_hold: Figure
    sla: Sla


def summarise(samples: Sequence[Sample]) -> Summary:
    tta: list[float] = []
    tta_net: list[float] = []
    ttr: list[float] = []
    ttr_net: list[float] = []
    respond_met = resolve_met = cancelled = 0
    for s in samples:
        if s.cancelled:
            cancelled += 1
            continue
        if s.tta is not None:
            tta.append(s.tta)
            net = s.tta - s.hold_ack
            tta_net.append(net if net > 0 else 0.0)
            respond_met += net <= s.respond_s
        if s.ttr is not None:
            ttr.append(s.ttr)
            net = s.ttr - s.hold_resolve
            ttr_net.append(net if net > 0 else 0.0)
            resolve_met += net <= s.resolve_s
    live = len(samples) - cancelled
    sla = Sla(respond_met, len(tta), resolve_met, len(ttr))
    not_acked, not_resolved = live - len(tta), live - len(ttr)
    return Summary(len(samples), cancelled, not_acked, not_resolved,
                   figure(tta, not_acked), figure(tta_net, not_acked), figure(ttr, not_resolved),
                   figure(ttr_net, not_resolved), sla)


def by_priority(samples: Iterable[Sample]) -> dict[str, Summary]:
    groups: dict[str, list[Sample]] = {p: [] for p in PRIORITIES}
    for s in samples:
        groups.setdefault(s.priority, []).append(s)
    return {p: summarise(g) for p, g in groups.items()}


def declare_to_update(samples: Iterable[Sample]) -> Figure:
    """Seconds from declaring a major to its first stakeholder update (an update sent before
    the declaration counts as 0); majors without an update are `missing`."""
    majors = [s for s in samples if s.major is not None]
    values = [round(max(0.0, s.update - s.major), 3) for s in majors if s.update is not None
              and s.major is not None]
    return figure(values, len(majors) - len(values))


# -- periods (local wall time, so that a week across a DST change is still Monday to Monday) --

@dataclass(frozen=True)
class Period:
    label: str
    start: float  # epoch seconds
    end: float


def _epoch(day: date, tz: tzinfo | None) -> float:
    wall = datetime(day.year, day.month, day.day)
    return (wall.replace(tzinfo=tz) if tz is not None else wall).timestamp()


def periods(start: datetime, end: datetime, unit: str, tz: tzinfo | None = None) -> list[Period]:
    """Calendar weeks (Monday 00:00) or months (the 1st, 00:00) in local time covering
    [start, end); tz None is the machine's zone."""
    if unit not in ("week", "month"):
        raise ValueError(f"unit must be week or month, not {unit!r}")
    local = start.astimezone(tz) if tz is not None else start.astimezone()
    day = local.date()
    day = day - timedelta(days=day.weekday()) if unit == "week" else day.replace(day=1)
    out: list[Period] = []
    stop = end.timestamp()
    while True:
        nxt = day + timedelta(days=7) if unit == "week" else (
            date(day.year + day.month // 12, day.month % 12 + 1, 1))
        t0 = _epoch(day, tz)
        if t0 >= stop:
            break
        iso = day.isocalendar()
        label = f"{iso.year}-W{iso.week:02d}" if unit == "week" else f"{day:%Y-%m}"
        out.append(Period(label, t0, _epoch(nxt, tz)))
        day = nxt
    return out


def split(samples: Iterable[Sample], spans: Sequence[Period],
          at: str = "opened") -> list[list[Sample]]:
    """The samples of each period by their opening (or by `at`, e.g. "major")."""
    starts = [p.start for p in spans]
    out: list[list[Sample]] = [[] for _ in spans]
    for s in samples:
        t = getattr(s, at)
        if t is None:
            continue
        i = bisect_right(starts, t) - 1
        if 0 <= i < len(spans) and t < spans[i].end:
            out[i].append(s)
    return out


@dataclass(frozen=True)
class TrendRow:
    label: str
    count: int
    tta_median: float | None
    ttr_median: float | None
    respond_pct: float | None
    resolve_pct: float | None


def trend(samples: Sequence[Sample], spans: Sequence[Period]) -> list[TrendRow]:
    rows = []
    for span, group in zip(spans, split(samples, spans), strict=True):
        s = summarise(group)
        rows.append(TrendRow(span.label, s.count, s.tta.median, s.ttr.median,
                             s.sla.respond_pct, s.sla.resolve_pct))
    return rows


def majors_per_month(samples: Sequence[Sample], months: Sequence[Period]) -> list[tuple[str, int]]:
    return [(m.label, len(g)) for m, g in zip(months, split(samples, months, "major"), strict=True)]


@dataclass(frozen=True)
class Callers:
    """Callers linked to the outages counted (a master and its callers are one outage)."""

    outages: int  # outages counted
    with_callers: int  # of them, how many had at least one caller
    callers: int  # callers linked to those
    max: int  # the most callers on one outage

    @property
    def mean(self) -> float | None:
        """Mean callers per outage that had callers (None when none had)."""
        return round(self.callers / self.with_callers, 2) if self.with_callers else None


@dataclass(frozen=True)
class Report:
    """Everything the Reports pane and `report metrics` show for one range and filter."""

    start: datetime
    end: datetime
    summary: Summary
    priorities: dict[str, Summary]
    majors: int
    majors_per_month: list[tuple[str, int]]
    declare_to_update: Figure
    unit: str
    trend: list[TrendRow] = field(default_factory=list)
    callers: Callers | None = None  # callers per outage (None: not computed)


def build_report(samples: Sequence[Sample], start: datetime, end: datetime, unit: str = "week",
                 tz: tzinfo | None = None) -> Report:
    months = periods(start, end, "month", tz)
    spans = months if unit == "month" else periods(start, end, "week", tz)
    return Report(start, end, summarise(samples), by_priority(samples),
                  sum(1 for s in samples if s.major is not None),
                  majors_per_month(samples, months), declare_to_update(samples), unit,
                  trend(samples, spans))
