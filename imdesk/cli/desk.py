"""`imdesk desk …`: team mode on the command line — merge what this desk wrote offline and
refresh its replica (`sync`), the conflicts the merge found (`conflicts`, `settle`).

Every command against an unreachable team server works on this desk's replica: writes are
spooled ("spooled offline (N waiting)"), reads say that they come from the replica (a line on
stderr, "stale_since" in --json); `offline_before`/`offline_after` are what `in_context` runs
around each command for that.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import command_group, count, emit, in_context, iso

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.services.desk.spool import Conflict, SpoolService


def register(sub: Subparsers) -> None:
    """Add the ``desk`` command's sync, conflicts and settle actions."""
    desk = command_group(sub, "desk", "team mode: this desk's replica, offline spool and merge")
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
