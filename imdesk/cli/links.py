"""`imdesk incident link | unlink | similar | promote` and `imdesk service depends`: linked
incidents (callers of a master, related ones), similar open incidents, service dependencies."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from imdesk.cli.common import command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register_incident(inc: Subparsers) -> None:
    """The link commands of the ``incident`` group."""
    link = inc.add_parser("link", help="link an incident to a master (caller) or a related one")
    link.add_argument("ref")
    link.add_argument("--to", required=True, metavar="MASTER")
    link.add_argument("--as", dest="kind", default="caller", help="caller (default) or related")
    link.add_argument("--caller", default="", metavar="NAME", help="who called")
    link.add_argument("--contact", default="", help="their email or phone number")
    link.add_argument("--json", action="store_true")
    link.set_defaults(handler=in_context(incident_link))
    unlink = inc.add_parser("unlink", help="remove an incident's link (to OTHER when several)")
    unlink.add_argument("ref")
    unlink.add_argument("--from", dest="other", metavar="OTHER")
    unlink.add_argument("--json", action="store_true")
    unlink.set_defaults(handler=in_context(incident_unlink))
    promote = inc.add_parser("promote", help="make a caller the master of its outage")
    promote.add_argument("ref")
    promote.add_argument("--json", action="store_true")
    promote.set_defaults(handler=in_context(incident_promote))
    similar = inc.add_parser("similar", help="open incidents that look like TEXT, best first")
    similar.add_argument("text")
    similar.add_argument("--service")
    similar.add_argument("--json", action="store_true")
    similar.set_defaults(handler=in_context(incident_similar))


def register(sub: Subparsers) -> None:
    """``service depends`` and ``service impact``."""
    svc = command_group(sub, "service", "service dependencies and their impact")
    dep = svc.add_parser("depends", help="show, or with --on set, what SERVICE depends on")
    dep.add_argument("service")
    dep.add_argument("--on", action="append", default=None, metavar="SERVICE",
                     help="a service it depends on (repeat; --on '' for none)")
    dep.add_argument("--json", action="store_true")
    dep.set_defaults(handler=in_context(service_depends))
    imp = svc.add_parser("impact", help="every service that depends on SERVICE, all levels")
    imp.add_argument("service")
    imp.add_argument("--priority", help="stakeholders for this priority (P1…P5)")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=in_context(service_impact))


def incident_link(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.links.service import link_json

    view = ctx.links.link(args.ref, args.to, args.kind, caller_name=args.caller,
                          caller_contact=args.contact)
    what = "a caller of" if view.kind == "caller" else "related to"
    emit(link_json(view), args.json, f"{args.ref.strip().upper()} is now {what} {view.ref}")
    return 0


def incident_unlink(ctx: AppContext, args: argparse.Namespace) -> int:
    refs = ctx.links.unlink(args.ref, args.other)
    emit({"ref": args.ref.strip().upper(), "unlinked": refs}, args.json,
         f"{args.ref.strip().upper()} unlinked from {', '.join(refs)}")
    return 0


def incident_promote(ctx: AppContext, args: argparse.Namespace) -> int:
    old = ctx.links.promote(args.ref)
    ref = args.ref.strip().upper()
    emit({"master": ref, "was": old}, args.json, f"{ref} is the master now ({old} is its caller)")
    return 0


def incident_similar(ctx: AppContext, args: argparse.Namespace) -> int:
    hints = ctx.links.similar(args.text, args.service)
    emit([h.to_json() for h in hints], args.json,
         "\n".join(h.label for h in hints) if hints else "no open incident looks similar")
    return 0


def service_depends(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.on is not None:
        ctx.dependencies.set_depends_on(args.service, [s for s in args.on if s.strip()])
    deps = ctx.dependencies.depends_on(args.service)
    emit({"service": args.service, "depends_on": deps}, args.json,
         f"{args.service} depends on: {', '.join(deps) if deps else 'nothing'}")
    return 0


def service_impact(ctx: AppContext, args: argparse.Namespace) -> int:
    rows = ctx.dependencies.impact(args.service, args.priority)
    lines = [f"{'  ' * (r.level - 1)}{r.name} (level {r.level}, via {r.via}, {r.criticality})"
             + (f" — {', '.join(r.stakeholders)}" if r.stakeholders else "") for r in rows]
    emit({"service": args.service, "dependants": [r.to_json() for r in rows]}, args.json,
         "\n".join(lines) if lines else f"no service depends on {args.service}")
    return 0


def links_json(ctx: AppContext, ref: str) -> dict[str, object]:
    """What `incident show --json` adds: the links and the callers."""
    from imdesk.services.links.service import link_json

    return {"links": [link_json(v) for v in ctx.links.links(ref)],
            "callers": [c.to_json() for c in ctx.links.callers(ref)]}



