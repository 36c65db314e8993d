"""The headless sub-commands. Each takes the app context and parsed arguments, returns an exit code."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.cli import UsageError, emit
from imdesk.domain.incident_json import incident_json
from imdesk.domain.lifecycle import OPEN_STATUSES, Status
from imdesk.domain.sla import format_duration
from imdesk.domain.timeline import iso
from imdesk.services.incidents import NewIncident
from imdesk.storage.incident_repo import IncidentQuery

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.storage.database import DbUrl


def incident_add(ctx: AppContext, args: argparse.Namespace) -> int:
    state = ctx.incidents.create(NewIncident(
        title=args.title, impact=args.impact, urgency=args.urgency, service=args.service,
        origin=args.origin, description=args.description, major=args.major,
        exercise=args.exercise,
    ))
    emit(incident_json(state), args.json, state.ref)
    return 0


def incident_list(ctx: AppContext, args: argparse.Namespace) -> int:
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
    detail = ctx.incidents.detail(args.ref)
    st = detail.incident
    text = [f"{st.ref} · {st.priority.value} · {st.status.value}{' · MAJOR' if st.major else ''}",
            st.title, f"service: {st.service or '—'}  impact: {st.impact}  urgency: {st.urgency}",
            f"opened {iso(st.opened_at)}  respond by {iso(st.respond_due)}  "
            f"resolve by {iso(st.resolve_due)}", ""]
    for e in detail.timeline:
        text.append(f"{e.seq:>4} {iso(e.effective_at)} {e.kind:<8} {e.author}: {e.text}")
    emit(incident_json(st, detail.timeline), args.json, "\n".join(text))
    return 0


def incident_status(ctx: AppContext, args: argparse.Namespace) -> int:
    state = ctx.incidents.change_status(args.ref, args.status, args.note)
    emit(incident_json(state), args.json, f"{state.ref} is now {state.status.value}")
    return 0


def incident_note(ctx: AppContext, args: argparse.Namespace) -> int:
    entry = ctx.incidents.add_note(args.ref, args.text)
    emit(entry.to_json(), args.json, f"{args.ref.upper()} entry {entry.seq} added")
    return 0


def db_check(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.integrity import check_database

    report = check_database(ctx.db)
    summary = (f"ok: {report.incidents} incidents, {report.entries} timeline entries verified"
               if report.ok else f"problem: {report.problem}")
    emit({"ok": report.ok, "incidents": report.incidents, "entries": report.entries,
          "problem": report.problem}, args.json, summary)
    if not report.ok and not args.json:
        print(f"imdesk: {report.problem}", file=sys.stderr)
    return 0 if report.ok else 1


def db_backup(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.backups import backup_to

    made = backup_to(ctx.db, args.file)
    print(f"backup written to {made}")
    return 0


def db_restore(url: DbUrl, file: Path) -> int:
    from sqlalchemy.engine import make_url

    from imdesk.errors import KnownError
    from imdesk.services.backups import restore
    from imdesk.storage.instance_lock import InstanceLock

    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" or not parsed.database:
        raise KnownError("restore is for the local SQLite file; for PostgreSQL use pg_restore")
    target = Path(parsed.database)
    lock = InstanceLock(target)
    lock.acquire(take_over_stale=True)  # refuses while a console has the file open
    try:
        kept = restore(file, target)
    finally:
        lock.release()
    print(f"restored {file} to {target}" + (f"; the replaced file is kept as {kept}" if kept else ""))
    return 0


def demo_seed(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.bulk_seed import bulk_seed

    if args.incidents < 1 or args.entries < args.incidents:
        raise UsageError("--incidents must be ≥ 1 and --entries ≥ --incidents (one 'opened' each)")
    result = bulk_seed(ctx.db, incidents=args.incidents, entries=args.entries)
    emit({"incidents": result.incidents, "entries": result.entries, "seconds": result.seconds,
          "entries_per_second": result.rate}, args.json,
         f"seeded {result.incidents} incidents and {result.entries} entries in "
         f"{result.seconds:.1f} s ({result.rate:,.0f} entries/s)")
    return 0
