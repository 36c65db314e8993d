"""The metrics query: the incidents opened in the range (milestones joined with the incident's
priority, service, origin and SLA targets), aggregated in the database into cells of one
priority and one period — counts, SLA met, and each duration as a list of whole milliseconds —
so that a year of 100k incidents reaches Python as a few hundred rows (bench/bench_metrics.py).
Linked incidents count once: `outages()` is the one place that says how."""

from __future__ import annotations

import json
from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, select, text
from sqlalchemy.orm import Session

from imdesk.domain.metrics import Callers, Period
from imdesk.domain.metrics_cells import Cell, Major
from imdesk.domain.priority import Priority
from imdesk.storage.link_repo import CALLER
from imdesk.storage.metrics_models import MilestoneRow
from imdesk.storage.models import IncidentRow


@dataclass(frozen=True)
class MetricsFilter:
    start: datetime  # inclusive, UTC-aware
    end: datetime  # exclusive
    priorities: tuple[str, ...] = ()
    service: str | None = None
    origin: str | None = None
    exercises: bool = False  # True: only drills; False (default): drills left out


@dataclass(frozen=True)
class _Dialect:
    epoch: str  # epoch seconds of {0}
    concat: str  # the values of {0}, comma-separated
    pair: str  # "gross:net" of the duration {0}


_SQLITE = _Dialect("(julianday({0}) - 2440587.5) * 86400.0", "group_concat({0})",
                   "m.{0}_ms || ':' || m.{0}_net_ms")
_PG = _Dialect("extract(epoch FROM {0})", "string_agg(CAST({0} AS text), ',')",
               "CAST(m.{0}_ms AS text) || ':' || CAST(m.{0}_net_ms AS text)")


def _dialect(session: Session) -> _Dialect:
    return _SQLITE if session.get_bind().dialect.name == "sqlite" else _PG


def _bound(session: Session, value: datetime) -> Any:
    """A UTC time as the column compares: SQLite keeps text (compared as text)."""
    if session.get_bind().dialect.name == "sqlite":
        return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
    return value.astimezone(UTC)


def outages() -> str:
    """THE one place that decides which incidents count as one outage: a master and its callers
    (incidents linked to it as callers) are one outage, counted once with the master's
    milestones, priority and service; a caller is never counted on its own. A condition on
    `m` (the incident's milestones, whose `caller` follows the links: milestone_repo)."""
    return "m.caller = :caller"


def _where(session: Session, f: MetricsFilter) -> tuple[str, dict[str, Any]]:
    """FROM and WHERE of every metrics query, with its parameters: one table (the milestone
    row carries priority and SLA targets); the incident joined only to filter by its service
    or origin."""
    join = " JOIN incident i ON i.id = m.incident_id" if f.service or f.origin else ""
    sql = (f"FROM incident_milestone m{join} WHERE m.exercise = :exercise AND {outages()} "
           "AND m.opened_at >= :start AND m.opened_at < :end")
    params: dict[str, Any] = {"start": _bound(session, f.start), "end": _bound(session, f.end),
                              "exercise": f.exercises, "caller": False}
    if f.priorities:
        names = [f"p{n}" for n in range(len(f.priorities))]
        sql += f" AND m.priority IN ({', '.join(':' + n for n in names)})"
        params.update(zip(names, f.priorities, strict=True))
    if f.service:
        sql += " AND lower(i.service_name) = :service"
        params["service"] = f.service.strip().lower()
    if f.origin:
        sql += " AND i.origin = :origin"
        params["origin"] = f.origin
    return sql, params


def _bucket(lo: int, hi: int) -> str:
    """The period index of m.opened_at by binary search over :b1 … (period starts)."""
    if lo == hi:
        return str(lo)
    mid = (lo + hi + 1) // 2
    return f"CASE WHEN m.opened_at < :b{mid} THEN {_bucket(lo, mid - 1)} ELSE {_bucket(mid, hi)} END"


def _ints(values: str | None) -> list[int]:
    """The comma-separated integers, sorted (json's C parser: the fastest way in)."""
    return sorted(json.loads(f"[{values}]")) if values else []


def _net(gross: list[int], changed: str | None) -> list[int]:
    """The durations without hold: the gross ones with each "gross:net" pair swapped (only
    incidents held before the milestone differ, so only they travel twice)."""
    if not changed:
        return gross
    net, swapped = list(gross), []
    for pair in changed.split(","):
        was, now = pair.split(":")
        del net[bisect_left(net, int(was))]
        swapped.append(int(now))
    net += swapped
    net.sort()
    return net


def _aggregates(d: _Dialect) -> str:
    """Count, cancelled, the durations (gross; "gross:net" where hold made them differ), SLA met."""
    pair = "CASE WHEN m.{0}_net_ms <> m.{0}_ms THEN " + d.pair + " END"
    values = ", ".join(d.concat.format(v) for v in (
        "m.tta_ms", pair.format("tta"), "m.ttr_ms", pair.format("ttr")))
    return (f"count(*), sum(CASE WHEN m.cancelled THEN 1 ELSE 0 END), {values}, "
            "sum(CASE WHEN m.tta_net_ms <= m.respond_minutes * 60000 THEN 1 ELSE 0 END), "
            "sum(CASE WHEN m.ttr_net_ms <= m.resolve_minutes * 60000 THEN 1 ELSE 0 END)")


def _cell(priority: str, period: int, r: Any) -> Cell:
    tta, ttr = _ints(r[2]), _ints(r[4])
    return Cell(priority, period, int(r[0]), int(r[1]), tta, _net(tta, r[3]), ttr, _net(ttr, r[5]),
                int(r[6]), int(r[7]))


def cells(session: Session, f: MetricsFilter, spans: list[Period]) -> list[Cell]:
    """The cells (priority x period) of the outages in the filter, aggregated in the database
    over the stored durations (milliseconds on the milestone row)."""
    if session.get_bind().dialect.name == "sqlite" and not (f.service or f.origin):
        return _walked(session, f, spans)
    d = _dialect(session)
    where, params = _where(session, f)
    for n, span in enumerate(spans[1:], 1):
        params[f"b{n}"] = _bound(session, datetime.fromtimestamp(span.start, UTC))
    sql = (f"SELECT m.priority, {_bucket(0, len(spans) - 1)} AS k, {_aggregates(d)} "
           f"{where} GROUP BY m.priority, k")
    return [_cell(str(r[0]), int(r[1]), r[2:]) for r in session.execute(text(sql), params)]


def _walked(session: Session, f: MetricsFilter, spans: list[Period]) -> list[Cell]:
    """SQLite: one small aggregate per priority and period, each a range of the covering index
    (exercise, caller, priority, opened_at, …) — no join, no sort of a year's rows (a GROUP BY
    over them sorts them all: three times slower, bench/bench_metrics.py)."""
    # as the grouped query's buckets: the first from the range's start, the last to its end
    bounds = [_bound(session, f.start)]
    bounds += [_bound(session, datetime.fromtimestamp(span.start, UTC)) for span in spans[1:]]
    bounds.append(_bound(session, f.end))
    # INDEXED BY: the plan must not depend on statistics (an upgraded file has none for it yet)
    sql = (f"SELECT {_aggregates(_SQLITE)} FROM incident_milestone m INDEXED BY "
           "ix_incident_milestone_report WHERE m.exercise = ? AND m.caller = 0 AND "
           "m.priority = ? AND m.opened_at >= ? AND m.opened_at < ?")
    raw = session.connection().connection.driver_connection
    assert raw is not None
    out = []
    for priority in f.priorities or tuple(p.value for p in Priority):
        for n in range(len(spans)):
            r = raw.execute(sql, (int(f.exercises), priority, bounds[n], bounds[n + 1])).fetchone()
            if r[0]:
                out.append(_cell(priority, n, r))
    return out


def majors(session: Session, f: MetricsFilter) -> list[Major]:
    """The outages declared major (few): the declaration and the first stakeholder update."""
    d = _dialect(session)
    where, params = _where(session, f)
    if d is _SQLITE and not (f.service or f.origin):  # the partial index, whatever the statistics
        where = where.replace("FROM incident_milestone m ",
                              "FROM incident_milestone m INDEXED BY ix_incident_milestone_major ", 1)
    sql = (f"SELECT {d.epoch.format('m.major_at')}, {d.epoch.format('m.first_communication_at')} "
           f"{where} AND m.major_at IS NOT NULL")
    return [Major(float(r[0]), None if r[1] is None else float(r[1]))
            for r in session.execute(text(sql), params)]


def callers(session: Session, f: MetricsFilter, outage_count: int) -> Callers:
    """Callers per outage: the masters with callers (few, by the link index), then which of
    them are outages in the filter (by their primary keys)."""
    counts = {int(r[0]): int(r[1]) for r in session.execute(text(
        f"SELECT other_id, count(*) FROM incident_link WHERE kind = '{CALLER}' "
        f"GROUP BY other_id"))}
    found: list[int] = []
    where, params = _where(session, f)
    ids = sorted(counts)
    for start in range(0, len(ids), 500):
        chunk = ", ".join(str(i) for i in ids[start:start + 500])  # ints from the database
        found += [counts[int(r[0])] for r in session.execute(
            text(f"SELECT m.incident_id {where} AND m.incident_id IN ({chunk})"), params)]
    return Callers(outage_count, len(found), sum(found), max(found, default=0))


def conditions(f: MetricsFilter) -> list[Any]:
    m, i = MilestoneRow, IncidentRow
    out: list[Any] = [m.opened_at >= f.start, m.opened_at < f.end, m.exercise.is_(f.exercises)]
    if f.priorities:
        out.append(i.priority.in_(f.priorities))
    if f.service:
        out.append(func.lower(i.service_name) == f.service.strip().lower())
    if f.origin:
        out.append(i.origin == f.origin)
    return out


def raw_count(session: Session, f: MetricsFilter) -> int:
    """A plain count over the same join (the benchmark's baseline)."""
    stmt = (select(func.count()).select_from(MilestoneRow)
            .join(IncidentRow, IncidentRow.id == MilestoneRow.incident_id)
            .where(and_(*conditions(f))))
    return int(session.execute(stmt).scalar_one())
