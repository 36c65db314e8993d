"""`imdesk report …`: desk metrics for a date range (`metrics`) and the post-incident review pack
of one incident (`review`, Markdown or PDF)."""

from __future__ import annotations

import argparse
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import (
    YEAR_MAX,
    YEAR_MIN,
    UsageError,
    command_group,
    emit,
    in_context,
    iso,
    parse_time,
)

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.metrics import Figure, Report, Summary

PRIORITY_CHOICES = ("P1", "P2", "P3", "P4", "P5")


def register(sub: Subparsers) -> None:
    report = command_group(sub, "report", "desk metrics and post-incident review packs")
    met = report.add_parser("metrics", help="time to acknowledge and resolve, SLA compliance, "
                                            "majors, trend (default: the last 30 days)")
    met.add_argument("--from", dest="start", metavar="ISO8601",
                     help="start (inclusive): a time with its offset, or a local date YYYY-MM-DD")
    met.add_argument("--to", dest="end", metavar="ISO8601",
                     help="end (exclusive): a time with its offset, or a local date; default now")
    met.add_argument("--priority", action="append", default=[], type=str.upper,
                     choices=PRIORITY_CHOICES, help="only this priority (repeat for more)")
    met.add_argument("--service", help="only incidents of this service")
    met.add_argument("--origin", help="only this origin (phone, mail, walk_in, chat, monitoring)")
    met.add_argument("--exercises", action="store_true",
                     help="only exercises (drills); without it they are left out")
    met.add_argument("--by", choices=("week", "month"), default="week", help="trend periods")
    met.add_argument("--json", action="store_true")
    met.set_defaults(handler=in_context(report_metrics))
    rev = report.add_parser("review", help="the post-incident review pack of REF")
    rev.add_argument("ref")
    rev.add_argument("--format", choices=("md", "pdf"), required=True)
    rev.add_argument("--page", choices=("A4", "Letter"), default="A4", help="PDF page size")
    rev.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    rev.set_defaults(handler=in_context(report_review), outputs=("output",))


def _when(value: str, field: str) -> datetime:
    text = value.strip()
    if len(text) == 10 and text[4] == "-" and text[7] == "-":
        try:
            day = datetime.strptime(text, "%Y-%m-%d")
        except ValueError:
            raise UsageError(f"--{field} {value!r} is not a date like 2026-11-01") from None
        if not YEAR_MIN <= day.year <= YEAR_MAX:
            raise UsageError(f"--{field} must be between the years {YEAR_MIN} and {YEAR_MAX}")
        return day.astimezone().astimezone(UTC)  # local midnight
    return parse_time(text, f"--{field}")


def _figure(prefix: str, f: Figure) -> dict[str, Any]:
    return {f"{prefix}_median_s": f.median, f"{prefix}_p90_s": f.p90, f"{prefix}_mean_s": f.mean,
            f"{prefix}_n": f.n}


def summary_json(s: Summary) -> dict[str, Any]:
    return {"count": s.count, "cancelled": s.cancelled, **_figure("tta", s.tta),
            **_figure("tta_excl_hold", s.tta_excl_hold), **_figure("ttr", s.ttr),
            **_figure("ttr_excl_hold", s.ttr_excl_hold),
            "not_acknowledged": s.not_acknowledged, "not_resolved": s.not_resolved,
            "sla_respond_met_pct": s.sla.respond_pct, "sla_respond_met": s.sla.respond_met,
            "sla_respond_total": s.sla.respond_total,
            "sla_resolve_met_pct": s.sla.resolve_pct, "sla_resolve_met": s.sla.resolve_met,
            "sla_resolve_total": s.sla.resolve_total}


def report_json(r: Report, filters: dict[str, Any]) -> dict[str, Any]:
    return {
        "from": iso(r.start), "to": iso(r.end), "filters": filters,
        **summary_json(r.summary),
        "priorities": {p: summary_json(s) for p, s in r.priorities.items()},
        "majors": r.majors,
        "majors_per_month": [{"month": m, "majors": n} for m, n in r.majors_per_month],
        **_figure("declare_to_update", r.declare_to_update),
        "declare_to_update_missing": r.declare_to_update.missing,
        "callers_per_outage_mean": r.callers.mean if r.callers else None,
        "callers_per_outage_max": r.callers.max if r.callers else 0,
        "outages_with_callers": r.callers.with_callers if r.callers else 0,
        "trend_unit": r.unit,
        "trend": [{"period": t.label, "count": t.count, "tta_median_s": t.tta_median,
                   "ttr_median_s": t.ttr_median, "sla_respond_met_pct": t.respond_pct,
                   "sla_resolve_met_pct": t.resolve_pct} for t in r.trend],
    }


def report_metrics(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident import Origin
    from imdesk.services.metrics import MetricsFilter
    from imdesk.services.metrics.tables import all_tables

    end = _when(args.end, "to") if args.end else ctx.now()
    start = _when(args.start, "from") if args.start else end - timedelta(days=30)
    if end <= start:
        raise UsageError("--to must be after --from")
    origin = None
    if args.origin:
        origin = args.origin.strip().lower().replace("-", "_")
        if origin not in {o.value for o in Origin}:
            raise UsageError(f"--origin must be one of {', '.join(o.value for o in Origin)}, "
                             f"not {args.origin!r}")
    if args.service:
        names = {s.name.lower() for s in ctx.catalog.services()}
        if args.service.strip().lower() not in names:
            raise UsageError(f"no service named {args.service!r}")
    f = MetricsFilter(start, end, tuple(dict.fromkeys(args.priority)), args.service, origin,
                      args.exercises)
    report = ctx.metrics.report(f, args.by)
    filters = {"priority": list(f.priorities), "service": f.service, "origin": f.origin,
               "exercises": f.exercises}
    lines = [f"Incidents opened {iso(start)} to {iso(end)}"
             f"{' (exercises only)' if f.exercises else ''}: {report.summary.count} "
             f"(a master and its callers count once)"]
    for table in all_tables(report):
        widths = [max(len(h), *(len(r[i]) for r in table.rows)) if table.rows else len(h)
                  for i, h in enumerate(table.headers)]
        lines += ["", table.title,
                  "  ".join(h.ljust(w) for h, w in zip(table.headers, widths, strict=True))]
        lines += ["  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True))
                  for row in table.rows]
    emit(report_json(report, filters), args.json, "\n".join(lines))
    return 0


def report_review(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.report_doc import to_markdown
    from imdesk.services.review.document import build_review

    suffix = args.output.suffix.lower()
    if args.format == "pdf" and suffix != ".pdf":
        raise UsageError(f"{args.output}: a PDF review pack needs a name ending in .pdf")
    doc = build_review(ctx.reviews.data(args.ref))
    if args.format == "md":
        from imdesk.services.metrics.export import write_text

        write_text(args.output, to_markdown(doc))
    else:
        # PDF writing is the documented way a command loads Qt (inside the handler only)
        from imdesk.qt.widgets.report_pdf import write_report_pdf_headless

        write_report_pdf_headless(doc, args.output, args.page)
    print(f"{doc.title}: {args.output}")
    return 0
