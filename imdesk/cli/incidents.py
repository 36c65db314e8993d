"""`imdesk incident …`, `timeline …`, `major declare`, `action …` and `role assign`: incidents,
their timelines and the war room of a major incident, headless."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, count, emit, in_context, iso, parse_time
from imdesk.cli.links import links_json, register_incident

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.services.war_room import Room


STALE_HELP = ("the last seq you saw (incident show): refused, exit 3, if the incident was changed "
              "after it")


def register(sub: Subparsers) -> None:
    """Add ``incident``, ``timeline``, ``major``, ``action`` and ``role`` to the top-level
    sub-parsers."""
    inc = command_group(sub, "incident", "incidents")
    add = inc.add_parser("add", help="open an incident")
    add.add_argument("--title", required=True)
    add.add_argument("--impact", required=True)
    add.add_argument("--urgency", required=True)
    add.add_argument("--service")
    add.add_argument("--major", action="store_true")
    add.add_argument("--exercise", action="store_true", help="a drill, kept out of metrics")
    add.add_argument("--origin", default="phone")
    add.add_argument("--description", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=in_context(incident_add))
    lst = inc.add_parser("list", help="list incidents (open ones by default)")
    lst.add_argument("--status", action="append", default=[])
    lst.add_argument("--all", action="store_true")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(incident_list))
    show = inc.add_parser("show", help="an incident with its timeline")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=in_context(incident_show))
    register_incident(inc)  # link, unlink, promote, similar
    st = inc.add_parser("status", help="move an incident through its lifecycle")
    st.add_argument("ref")
    st.add_argument("status")
    st.add_argument("--note", default="")
    st.add_argument("--expected-seq", type=count, metavar="N", help=STALE_HELP)
    st.add_argument("--json", action="store_true")
    st.set_defaults(handler=in_context(incident_status))
    ex = inc.add_parser("exercise", help="turn an incident into an exercise or back (with why)")
    ex.add_argument("ref")
    which = ex.add_mutually_exclusive_group(required=True)
    which.add_argument("--real", dest="exercise", action="store_false",
                       help="it is a real incident (the drill found a real fault)")
    which.add_argument("--exercise", dest="exercise", action="store_true", help="it is a drill")
    ex.add_argument("--why", required=True, help="the reason, written to the timeline")
    ex.add_argument("--expected-seq", type=count, metavar="N", help=STALE_HELP)
    ex.add_argument("--json", action="store_true")
    ex.set_defaults(handler=in_context(incident_exercise))
    note = inc.add_parser("note", help="add a note to the timeline")
    note.add_argument("ref")
    note.add_argument("text")
    note.add_argument("--json", action="store_true")
    note.set_defaults(handler=in_context(incident_note))

    tl = command_group(sub, "timeline", "timelines: add, show, search, verify")
    tadd = tl.add_parser("add", help="write a line into an incident's timeline")
    tadd.add_argument("ref")
    tadd.add_argument("text")
    tadd.add_argument("--kind", default="note", help="note, action, decision or communication")
    tadd.add_argument("--at", metavar="ISO8601", help="when it happened, if earlier than now")
    tadd.add_argument("--corrects", type=count, metavar="SEQ",
                      help="this entry corrects (supersedes) entry SEQ")
    tadd.add_argument("--json", action="store_true")
    tadd.set_defaults(handler=in_context(timeline_add))
    tshow = tl.add_parser("show", help="an incident's timeline")
    tshow.add_argument("ref")
    tshow.add_argument("--json", action="store_true")
    tshow.set_defaults(handler=in_context(timeline_show))
    tsearch = tl.add_parser("search", help="search every timeline (newest first for common words)")
    tsearch.add_argument("query")
    tsearch.add_argument("--limit", type=count, default=50)
    tsearch.add_argument("--json", action="store_true")
    tsearch.set_defaults(handler=in_context(timeline_search))
    tverify = tl.add_parser("verify", help="recompute the hash chains (exit 1 at the first break)")
    tverify.add_argument("ref", nargs="?")
    tverify.add_argument("--json", action="store_true")
    tverify.set_defaults(handler=in_context(timeline_verify))

    major = command_group(sub, "major", "major incidents")
    declare = major.add_parser("declare", help="declare a major incident (opens its war room)")
    declare.add_argument("ref")
    declare.add_argument("--bridge", default="", help="dial-in number or meeting link")
    declare.add_argument("--im", default="", metavar="NAME", help="the incident manager")
    declare.add_argument("--first-update", type=count, metavar="MINUTES",
                         help="first stakeholder update due in MINUTES")
    declare.add_argument("--expected-seq", type=count, metavar="N", help=STALE_HELP)
    declare.add_argument("--json", action="store_true")
    declare.set_defaults(handler=in_context(major_declare))
    act = command_group(sub, "action", "war-room action items")
    aadd = act.add_parser("add", help="add an action item")
    aadd.add_argument("ref")
    aadd.add_argument("text")
    aadd.add_argument("--owner", default="")
    aadd.add_argument("--due", metavar="ISO8601")
    aadd.add_argument("--json", action="store_true")
    aadd.set_defaults(handler=in_context(action_add))
    adone = act.add_parser("done", help="mark action item N done")
    adone.add_argument("ref")
    adone.add_argument("number", type=count)
    adone.set_defaults(handler=in_context(action_done))
    role = command_group(sub, "role", "war-room roles")
    rassign = role.add_parser("assign", help="give ROLE to NAME (a hand-over if someone has it)")
    rassign.add_argument("ref")
    rassign.add_argument("role", help="incident_manager (im), tech_lead, communications, scribe")
    rassign.add_argument("name")
    rassign.add_argument("--expected-seq", type=count, metavar="N", help=STALE_HELP)
    rassign.set_defaults(handler=in_context(role_assign))


def incident_add(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident_json import incident_json
    from imdesk.services.incidents import NewIncident

    state = ctx.incidents.create(NewIncident(
        title=args.title, impact=args.impact, urgency=args.urgency, service=args.service,
        origin=args.origin, description=args.description, major=args.major,
        exercise=args.exercise,
    ))
    emit(incident_json(state), args.json, state.ref)
    return 0


def incident_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident_json import incident_json
    from imdesk.domain.lifecycle import OPEN_STATUSES, Status
    from imdesk.domain.sla import format_duration
    from imdesk.storage.incident_repo import IncidentQuery

    if args.all and args.status:
        raise UsageError("use either --all or --status, not both")
    statuses: tuple[Status, ...] = ()
    if args.status:
        statuses = tuple(Status.parse(s) for s in args.status)
    elif not args.all:
        statuses = tuple(s for s in Status if s in OPEN_STATUSES)
    query = IncidentQuery(statuses=statuses, sort="age", descending=False)
    rows = []
    offset = 0
    while True:
        page = ctx.incidents.page(query, offset, 1000)
        rows += page
        offset += len(page)
        if len(page) < 1000:
            break
    now = ctx.incidents.now()
    lines = []
    for st in rows:
        reading = st.sla(now)
        sla = format_duration(reading.remaining) if reading.remaining is not None else ""
        lines.append(f"{st.ref:<10} {st.priority.value} {'MAJOR ' if st.major else ''}"
                     f"{st.status.value:<11} {sla:>8}  {st.title}"
                     + (f"  [{st.service}]" if st.service else ""))
    emit([incident_json(st) for st in rows], args.json,
         "\n".join(lines) if lines else "no incidents")
    return 0


def incident_show(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident_json import incident_json

    detail = ctx.incidents.detail(args.ref)
    st = detail.incident
    text = [f"{st.ref} · {st.priority.value} · {st.status.value}{' · MAJOR' if st.major else ''}",
            st.title, f"service: {st.service or '—'}  impact: {st.impact}  urgency: {st.urgency}",
            f"opened {iso(st.opened_at)}  respond by {iso(st.respond_due)}  "
            f"resolve by {iso(st.resolve_due)}", ""]
    for e in detail.timeline:
        text.append(f"{e.seq:>4} {iso(e.effective_at)} {e.kind:<8} {e.author}: {e.text}")
    related = links_json(ctx, st.ref)
    text[4:4] = [f"caller {c['ref']}: {c['name'] or '—'} {c['contact']} ({c['reached_via']})"
                 for c in related["callers"]]  # type: ignore[attr-defined]
    emit({**incident_json(st, detail.timeline), **related}, args.json, "\n".join(text))
    return 0


def incident_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident_json import incident_json

    state = ctx.incidents.change_status(args.ref, args.status, args.note,
                                        expected_seq=args.expected_seq)
    emit(incident_json(state), args.json, f"{state.ref} is now {state.status.value}")
    return 0


def incident_exercise(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.incident_json import incident_json

    state = ctx.incidents.set_exercise(args.ref, args.exercise, args.why,
                                       expected_seq=args.expected_seq)
    emit(incident_json(state), args.json,
         f"{state.ref} is now {'an exercise' if state.exercise else 'a real incident'}")
    return 0


def incident_note(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = ctx.incidents.add_note(args.ref, args.text)
    emit(entry.to_json(), args.json, f"{args.ref.upper()} entry {entry.seq} added")
    return 0


def timeline_add(ctx: AppContext, args: argparse.Namespace) -> int:
    at = parse_time(args.at, "--at") if args.at else None
    entry = ctx.incidents.add_entry(args.ref, args.text, args.kind, occurred_at=at,
                                    supersedes=args.corrects)
    emit(entry.to_json(), args.json, f"{entry.incident_ref} entry {entry.seq} ({entry.kind}) added"
         + (f"; {entry.data['cleaned']}" if entry.data.get("cleaned") else ""))
    return 0


def timeline_show(ctx: AppContext, args: argparse.Namespace) -> int:
    detail = ctx.incidents.detail(args.ref)
    superseded = {int(e.data["supersedes"]) for e in detail.timeline if "supersedes" in e.data}
    lines = []
    for e in detail.timeline:
        marks = ("  [superseded]" if e.seq in superseded else "") + (
            f"  [corrects {e.data['supersedes']}]" if "supersedes" in e.data else "")
        when = (iso(e.effective_at) or "") + (" (backdated)" if e.occurred_at else "")
        lines.append(f"{e.seq:>5} {when} {e.kind:<13} {e.author}: {e.text}{marks}")
    lines.append(f"head {detail.incident.head_hash}")
    emit({"ref": detail.incident.ref, "head_hash": detail.incident.head_hash,
          "timeline": [dict(e.to_json(), superseded=e.seq in superseded) for e in detail.timeline]},
         args.json, "\n".join(lines))
    return 0


def timeline_search(ctx: AppContext, args: argparse.Namespace) -> int:
    if args.limit < 1 or args.limit > 1000:
        raise UsageError("--limit must be between 1 and 1000")
    result = ctx.timeline.search(args.query, args.limit)
    hits = [{"ref": h.ref, "seq": h.seq, "kind": h.kind, "text": h.text, "snippet": h.snippet,
             "author": h.author, "recorded_at": iso(h.recorded_at),
             "occurred_at": iso(h.occurred_at)} for h in result.hits]
    lines = [f"{h.ref:<10} #{h.seq:<5} {iso(h.recorded_at)}  {h.snippet}" for h in result.hits]
    lines.append(f"{len(result.hits)} of {result.total_text} hit{'s' if result.total != 1 else ''}")
    emit({"total": result.total, "more": result.more, "hits": hits}, args.json, "\n".join(lines))
    return 0


def timeline_verify(ctx: AppContext, args: argparse.Namespace) -> int:
    report = ctx.timeline.verify(args.ref)
    problem = report.problem
    data = {"ok": report.ok, "incidents": report.incidents, "entries": report.entries,
            "ref": problem.incident_ref if problem else None,
            "seq": problem.seq if problem else None,
            "reason": problem.reason if problem else None}
    emit(data, args.json, f"intact: {report.incidents} incidents, {report.entries} entries"
         if report.ok else f"BROKEN: {problem}")
    if problem is not None and not args.json:
        print(f"imdesk: hash chain broken at {problem}", file=sys.stderr)
    return 0 if report.ok else 1


def room_json(room: Room) -> dict[str, Any]:
    st = room.state
    return {
        "ref": room.incident.ref, "title": room.incident.title,
        "priority": room.incident.priority.value, "status": room.incident.status.value,
        "declared_at": iso(st.declared_at), "bridge": st.bridge,
        "roles": {r.value: {"name": h.name, "since": iso(h.since)} for r, h in st.roles.items()},
        "present": st.present,
        "situation": {"conditions": st.situation.conditions, "actions": st.situation.actions,
                      "needs": st.situation.needs, "impact": st.situation.impact},
        "actions": [{"number": a.number, "text": a.text, "owner": a.owner, "due": iso(a.due),
                     "status": a.status.value} for a in st.actions.values()],
        "next_update_due": iso(room.update.due), "next_update_state": room.update.state.value,
        "handover_state": room.handover.state.value, "head_hash": room.incident.head_hash,
    }


def major_declare(ctx: AppContext, args: argparse.Namespace) -> int:
    roles = {"incident_manager": args.im} if args.im else None
    room = ctx.war_rooms.declare(args.ref, bridge=args.bridge, roles=roles,
                                 first_update_minutes=args.first_update,
                                 expected_seq=args.expected_seq)
    due = iso(room.update.due) or "—"
    emit(room_json(room), args.json, f"{room.incident.ref} is a major incident; "
         f"first stakeholder update due {due}")
    return 0


def action_add(ctx: AppContext, args: argparse.Namespace) -> int:
    due = parse_time(args.due, "--due") if args.due else None
    number = ctx.war_rooms.add_action(args.ref, args.text, owner=args.owner, due=due)
    emit({"ref": args.ref.upper(), "number": number}, args.json,
         f"{args.ref.upper()} action {number} added")
    return 0


def action_done(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = ctx.war_rooms.update_action(args.ref, args.number, status="done")
    print(f"{entry.incident_ref} {entry.text}")
    return 0


def role_assign(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = ctx.war_rooms.assign_role(args.ref, args.role, args.name,
                                      expected_seq=args.expected_seq)
    print(f"{entry.incident_ref}: {entry.text}")
    return 0
