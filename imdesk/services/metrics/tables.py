"""The report as tables (title, headers, rows of text): what the pane shows beside each chart,
what CSV export writes and what `report metrics` prints. One source for all three."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import timedelta

from imdesk.domain.metrics import Figure, Report, Summary
from imdesk.domain.sla import format_duration


@dataclass(frozen=True)
class Table:
    title: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]


def duration(seconds: float | None) -> str:
    return "—" if seconds is None else format_duration(timedelta(seconds=round(seconds)))


def percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f} %"


def _figure_row(name: str, f: Figure, missing_label: str) -> tuple[str, ...]:
    return (name, duration(f.median), duration(f.p90), duration(f.mean), str(f.n),
            f"{f.missing} {missing_label}")


def figures(report: Report) -> Table:
    s = report.summary
    return Table("Figures", ("Figure", "Median", "p90", "Mean", "Incidents", "Left out"), (
        _figure_row("Time to acknowledge", s.tta, "not acknowledged"),
        _figure_row("Time to acknowledge without hold", s.tta_excl_hold, "not acknowledged"),
        _figure_row("Time to resolve", s.ttr, "not resolved"),
        _figure_row("Time to resolve without hold", s.ttr_excl_hold, "not resolved"),
        _figure_row("Declared major → first update", report.declare_to_update, "without update"),
        callers_row(report),
    ))


def callers_row(report: Report) -> tuple[str, ...]:
    """Callers per outage: the mean in the Mean column, over the outages that had callers
    (their number in the Incidents column), and the most callers on one outage."""
    c = report.callers
    if c is None:
        return ("Callers per outage", "—", "—", "—", "0", "—")
    mean = "—" if c.mean is None else f"{c.mean:g} (max {c.max})"
    return ("Callers per outage", "—", "—", mean, str(c.with_callers),
            f"{c.outages - c.with_callers} without callers")


def by_priority(report: Report) -> Table:
    rows = [*report.priorities.items(), ("All", report.summary)]
    return Table("By priority", (
        "Priority", "Incidents", "TTA median", "TTR median", "TTR median without hold",
        "Not acknowledged", "Not resolved", "Cancelled"), tuple(
        (p, str(s.count), duration(s.tta.median), duration(s.ttr.median),
         duration(s.ttr_excl_hold.median), str(s.not_acknowledged), str(s.not_resolved),
         str(s.cancelled)) for p, s in rows))


def _sla_row(label: str, s: Summary) -> tuple[str, ...]:
    return (label, percent(s.sla.respond_pct), f"{s.sla.respond_met}/{s.sla.respond_total}",
            percent(s.sla.resolve_pct), f"{s.sla.resolve_met}/{s.sla.resolve_total}")


def sla(report: Report) -> Table:
    rows = [_sla_row(p, s) for p, s in report.priorities.items()]
    rows.append(_sla_row("All", report.summary))
    return Table("SLA compliance", ("Priority", "Respond met", "Met of acknowledged",
                                    "Resolve met", "Met of resolved"), tuple(rows))


def trend(report: Report) -> Table:
    return Table(f"Trend per {report.unit}", (
        report.unit.capitalize(), "Opened", "TTA median", "TTR median", "Respond met",
        "Resolve met"), tuple(
        (t.label, str(t.count), duration(t.tta_median), duration(t.ttr_median),
         percent(t.respond_pct), percent(t.resolve_pct)) for t in report.trend))


def majors(report: Report) -> Table:
    return Table("Majors per month", ("Month", "Majors declared"),
                 tuple((m, str(n)) for m, n in report.majors_per_month))


def all_tables(report: Report) -> list[Table]:
    """In the order of the Reports pane's tabs."""
    return [figures(report), trend(report), by_priority(report), sla(report), majors(report)]


def to_csv(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(table.headers)
    writer.writerows(table.rows)
    return out.getvalue()
