"""`imdesk maintenance add|list|end` and `imdesk heartbeat add|list|remove`: what the alert
intake watches besides the alerts (maintenance windows that silence them, senders expected to
check in)."""

from __future__ import annotations

import argparse
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import (
    UsageError,
    command_group,
    count,
    emit,
    in_context,
    iso,
    matchers_text,
    parse_time,
)

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register(sub: Subparsers) -> None:
    """Add ``maintenance`` and ``heartbeat`` to the top-level sub-parsers."""
    mw = command_group(sub, "maintenance", "maintenance windows and silences")
    madd = mw.add_parser("add", help="alerts matching it are recorded but open nothing")
    madd.add_argument("name")
    madd.add_argument("--start", metavar="ISO8601", help="default: now")
    madd.add_argument("--end", metavar="ISO8601")
    madd.add_argument("--minutes", type=count, help="instead of --end: this long from the start")
    madd.add_argument("--matchers", default="", help='label matchers, e.g. \'instance=~"db-.*"\'')
    madd.add_argument("--service", help="every alert mapped to this service")
    madd.add_argument("--json", action="store_true")
    madd.set_defaults(handler=in_context(maintenance_add))
    mlist = mw.add_parser("list", help="upcoming, active and recently ended windows")
    mlist.add_argument("--json", action="store_true")
    mlist.set_defaults(handler=in_context(maintenance_list))
    mend = mw.add_parser("end", help="end window ID now")
    mend.add_argument("id", type=count)
    mend.set_defaults(handler=in_context(maintenance_end))

    hb = command_group(sub, "heartbeat", "senders expected to check in")
    hadd = hb.add_parser("add", help="expect NAME every MINUTES (POST /heartbeat/NAME)")
    hadd.add_argument("name")
    hadd.add_argument("--every", type=count, required=True, metavar="MINUTES")
    hadd.set_defaults(handler=in_context(heartbeat_add))
    hlist = hb.add_parser("list", help="heartbeats and their state")
    hlist.add_argument("--json", action="store_true")
    hlist.set_defaults(handler=in_context(heartbeat_list))
    hrm = hb.add_parser("remove", help="stop expecting NAME")
    hrm.add_argument("name")
    hrm.set_defaults(handler=in_context(heartbeat_remove))


def _when(value: str | None, field: str, default: datetime) -> datetime:
    return parse_time(value, field) if value else default


def maintenance_add(ctx: AppContext, args: argparse.Namespace) -> int:
    now = ctx.incidents.now()
    start = _when(args.start, "--start", now)
    if (args.end is None) == (args.minutes is None):
        raise UsageError("give either --end or --minutes")
    end = _when(args.end, "--end", now) if args.end else start + timedelta(minutes=args.minutes)
    window = ctx.alerts.watch.add_window(args.name, start, end, matchers=args.matchers,
                                         service=args.service)
    emit(_window_json(window, now), args.json,
         f"maintenance window {window.id} '{window.name}' from {iso(window.starts_at)} "
         f"to {iso(window.ends_at)}")
    return 0


def _window_json(w: Any, now: datetime) -> dict[str, Any]:
    return {"id": w.id, "name": w.name, "matchers": matchers_text(w.matchers), "service": w.service,
            "starts_at": iso(w.starts_at), "ends_at": iso(w.ends_at), "ended_at": iso(w.ended_at),
            "state": w.state(now)}


def maintenance_list(ctx: AppContext, args: argparse.Namespace) -> int:
    now = ctx.incidents.now()
    windows = ctx.alerts.watch.windows()
    lines = [f"{w.id:>4} {w.state(now):<9} {iso(w.starts_at)} → {iso(w.until)}  {w.name}  "
             f"[{w.service or ''}{' ' if w.service and w.matchers else ''}{matchers_text(w.matchers)}]"
             for w in windows]
    emit([_window_json(w, now) for w in windows], args.json,
         "\n".join(lines) if lines else "no maintenance windows")
    return 0


def maintenance_end(ctx: AppContext, args: argparse.Namespace) -> int:
    window = ctx.alerts.watch.end_window(args.id)
    print(f"maintenance window {window.id} ended at {iso(window.ended_at)}")
    return 0


def heartbeat_add(ctx: AppContext, args: argparse.Namespace) -> int:
    hb = ctx.alerts.watch.add_heartbeat(args.name, args.every)
    print(f"heartbeat {hb.name}: expected every {hb.interval_minutes} min at POST /heartbeat/{hb.name}")
    return 0


def heartbeat_list(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = ctx.alerts.watch.heartbeats()
    lines = [f"{h.name:<24} every {h.interval_minutes:>4} min  {h.state:<8} last {iso(h.last_seen) or '—'}"
             + (f"  {h.ref}" if h.ref else "") for h in rows]
    emit([h.to_json() for h in rows], args.json, "\n".join(lines) if lines else "no heartbeats")
    return 0


def heartbeat_remove(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.alerts.watch.remove_heartbeat(args.name)
    print(f"heartbeat {args.name} removed")
    return 0
