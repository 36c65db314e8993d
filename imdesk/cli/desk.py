"""`imdesk desk …`: this console's desk in team mode.

`desk name NAME` names the desk (kept in the user's data folder, not in the shared database);
`desk status [--json]` says which desk this is, which database it works on, whether the server
answers, the change counter of the team's change feed and the offline spool; `desk sync` merges
what this desk wrote offline and refreshes its replica; `desk conflicts` / `desk settle` are the
changes the merge refused, for a person.

Every command against an unreachable team server works on this desk's replica: writes are
spooled ("spooled offline (N waiting)"), reads say that they come from the replica (a line on
stderr, "stale_since" in --json); `offline_before`/`offline_after` are what `in_context` runs
around each command for that.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, count, db_url, emit, in_context, iso

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.desk import Desk
    from imdesk.services.desk.spool import Conflict, SpoolService
    from imdesk.storage.database import DbUrl


def register(sub: Subparsers) -> None:
    """Add the ``desk`` command and its actions to the top-level sub-parsers."""
    desk = command_group(sub, "desk", "this console's desk in team mode (name, status, offline "
                                      "spool and merge)")
    name = desk.add_parser("name", help="name this desk (shown on every entry it writes)")
    name.add_argument("name", help='e.g. "SPOC desk", "MIM laptop"')
    name.add_argument("--json", action="store_true")
    name.set_defaults(handler=desk_name)
    status = desk.add_parser("status", help="this desk, the database, online or not, the change "
                                            "counter, the offline spool")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=desk_status)
    sync = desk.add_parser("sync", help="merge what this desk wrote offline, then refresh its "
                                        "replica of the server")
    sync.add_argument("--json", action="store_true")
    sync.set_defaults(handler=in_context(sync_cmd))
    con = desk.add_parser("conflicts", help="offline changes the merge refused, for a person")
    con.add_argument("--all", action="store_true", help="settled ones too")
    con.add_argument("--json", action="store_true")
    con.set_defaults(handler=in_context(conflicts))
    settle = desk.add_parser("settle", help="settle conflict ID: apply it anyway as a note, "
                                            "or dismiss it")
    settle.add_argument("id", type=count)
    settle.add_argument("how", choices=("apply", "dismiss"))
    settle.add_argument("--json", action="store_true")
    settle.set_defaults(handler=in_context(settle_cmd))



def desk_name(args: argparse.Namespace) -> int:
    from imdesk.services.desk.identity import save_desk_name

    try:
        desk = save_desk_name(args.name)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    emit({**desk.as_data(), "label": desk.label}, args.json, f"this desk is now {desk.label}")
    return 0


def desk_status(args: argparse.Namespace) -> int:
    from imdesk.services.clock import default_author
    from imdesk.services.desk.identity import current_desk

    report, ctx = read_status(db_url(args), current_desk(default_author()))
    try:
        add_team_figures(report, ctx)
    finally:
        if ctx is not None:
            ctx.close()
    emit(report, args.json, status_text(report))
    return 0


def read_status(url: DbUrl, desk: Desk) -> tuple[dict[str, Any], AppContext | None]:
    """The report, and the open context (None when the database could not be opened; the
    caller closes it)."""
    from imdesk.app import build_context
    from imdesk.errors import KnownError
    from imdesk.storage.db_info import sqlite_path

    kind = "sqlite" if sqlite_path(url) is not None else "postgresql"
    report: dict[str, Any] = {
        "desk": {**desk.as_data(), "label": desk.label},
        "database": {"kind": kind, "url": None},
        "online": False, "error": None, "change_counter": None,
    }
    try:
        ctx = build_context(url)
    except KnownError as exc:
        report["error"] = str(exc)
        return report, None
    report["database"]["url"] = ctx.info.label
    try:
        with ctx.db.read() as s:
            from imdesk.storage import change_feed_repo

            report["change_counter"] = None if ctx.db.is_sqlite else change_feed_repo.latest(s)
        report["online"] = True
    except KnownError as exc:
        report["error"] = str(exc)
    return report, ctx


def add_team_figures(report: dict[str, Any], ctx: AppContext | None) -> None:
    """The other team-mode figures on a team server: who holds the team's leases (the alert
    listener, the outbox sender) and the offline spool (offline since, entries waiting, last
    synced, conflicts). `ctx` is None when the database could not be opened."""
    spool = None if ctx is None else ctx.spool
    if ctx is None or spool is None:
        return
    status = spool.status()
    offline = status.offline_since is not None
    report["online"] = report["online"] and not offline
    if offline and not report.get("error"):
        report["error"] = "the team server does not answer: working on this desk's replica"
    report["spool"] = {"offline_since": iso(status.offline_since), "waiting": status.waiting,
                       "synced_at": iso(status.synced_at), "conflicts": status.conflicts}
    if offline:
        return  # the leases are on the server
    from imdesk.services.desk.leases import lease_holders

    now = ctx.now()
    report["leases"] = [{"name": lease.name, "desk": lease.desk, "host": lease.host,
                         "pid": lease.pid, "since": iso(lease.since),
                         "expires_at": iso(lease.expires_at), "live": lease.live(now),
                         "line": lease.line(now)} for lease in lease_holders(ctx.db, now)]


def status_text(report: dict[str, Any]) -> str:
    db = report["database"]
    lines = [f"desk      {report['desk']['label']}",
             f"database  {db['url'] or db['kind']}",
             f"online    {'yes' if report['online'] else 'no'}"
             + (f" ({report['error']})" if report.get("error") else "")]
    if report.get("change_counter") is not None:
        lines.append(f"changes   {report['change_counter']:,} (the team's change counter)")
    elif db["kind"] == "sqlite":
        lines.append("changes   a local file: one desk, no change feed")
    for lease in report.get("leases", []):
        lines.append(f"lease     {lease['line']}")
    spool = report.get("spool")
    if spool is not None:
        lines.append(f"spool     {spool['waiting']} waiting"
                     + (f", offline since {spool['offline_since']}" if spool["offline_since"] else "")
                     + f"; replica synced {spool['synced_at'] or 'never'}"
                     + (f"; {spool['conflicts']} conflicts to settle" if spool["conflicts"] else ""))
    return "\n".join(lines)


def _spool(ctx: AppContext) -> SpoolService:
    from imdesk.errors import KnownError

    spool = ctx.spool
    if spool is None:
        raise KnownError("this desk works on its own database file: there is no team server to "
                         "sync with (team mode is a postgresql+psycopg://… --db)")
    return spool


def sync_cmd(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.desk.merge import MergeReport

    spool = _spool(ctx)
    result = spool.sync()
    if isinstance(result, MergeReport):
        lines = [f"merged {result.entries} entr{'y' if result.entries == 1 else 'ies'} "
                 f"and {result.messages} message{'' if result.messages == 1 else 's'} written "
                 "offline" + (f" ({result.already} were in already)" if result.already else "")]
        lines += [f"{old} is now {new}" for old, new in result.refs]
        lines += [f"conflict: {c}" for c in result.conflicts]
        if result.conflicts:
            lines.append("settle them: imdesk desk conflicts")
        data: dict[str, Any] = {
            "merged": {"entries": result.entries, "messages": result.messages,
                       "already": result.already},
            "refs": [{"provisional": old, "server": new} for old, new in result.refs],
            "conflicts": result.conflicts}
    else:
        lines = [f"replica up to date: {result.incidents} incident"
                 f"{'' if result.incidents == 1 else 's'} and {result.entries} entr"
                 f"{'y' if result.entries == 1 else 'ies'} copied"
                 + ("; contact book, services and settings copied" if result.reference else "")]
        data = {"refreshed": {"incidents": result.incidents, "entries": result.entries,
                              "reference": result.reference}}
    status = spool.status()
    data["waiting"] = status.waiting
    data["synced_at"] = iso(status.synced_at)
    emit(data, args.json, "\n".join(lines))
    return 0


def conflict_json(c: Conflict) -> dict[str, Any]:
    return {"id": c.id, "incident": c.incident_ref, "kind": c.kind, "text": c.text,
            "to_status": c.to_status, "author": c.author, "desk": c.desk,
            "recorded_at": iso(c.recorded_at), "reason": c.reason, "state": c.state}


def conflict_line(c: Conflict) -> str:
    what = f"status → {c.to_status}" if c.to_status else c.kind
    return (f"{c.id:>4} {c.incident_ref:<10} {what}{': ' + c.text if c.text else ''} — "
            f"{c.author} on {c.desk} at {iso(c.recorded_at)}; refused: {c.reason}"
            + ("" if c.state == "open" else f" [{c.state}]"))


def conflicts(ctx: AppContext, args: argparse.Namespace) -> int:
    items = _spool(ctx).conflicts(include_settled=args.all)
    emit([conflict_json(c) for c in items], args.json,
         "\n".join(conflict_line(c) for c in items) if items else "no conflicts to settle")
    return 0


def settle_cmd(ctx: AppContext, args: argparse.Namespace) -> int:
    c = _spool(ctx).settle(args.id, args.how == "apply", ctx.incidents, ctx.desk.user)
    emit(conflict_json(c), args.json, f"conflict {c.id} {c.state}")
    return 0


# -- every command, offline ----------------------------------------------------------------------

def offline_before(ctx: AppContext) -> tuple[str, int] | None:
    """When the team server cannot be reached: (stale_since, waiting) of the replica the
    command will work on; None online or on a desk's own file."""
    if not ctx.opened or ctx.info.dialect == "sqlite":
        return None  # a desk's own file: nothing of team mode is even imported
    from imdesk.services.desk.team_db import TeamDatabase

    if not isinstance(ctx.db, TeamDatabase) or not ctx.db.offline:
        return None
    spool = _spool(ctx)
    status = spool.status()
    return iso(status.synced_at) or "", status.waiting


def offline_after(ctx: AppContext, args: argparse.Namespace, before: tuple[str, int]) -> None:
    """Say what the command did offline: spooled (with how many wait), or read from the replica."""
    status = _spool(ctx).status()
    if status.waiting > before[1]:
        line = f"spooled offline ({status.waiting} waiting)"
        print(line, file=sys.stderr if getattr(args, "json", False) else sys.stdout)
    else:
        print(f"imdesk: offline: answered from this desk's replica (last synced {before[0]})",
              file=sys.stderr)
