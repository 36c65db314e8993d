"""`imdesk desk …`: this console's desk in team mode.

`desk name NAME` names the desk (kept in the user's data folder, not in the shared database);
`desk status [--json]` says which desk this is, which database it works on, whether the server
answers, and the change counter of the team's change feed.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, db_url, emit

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.desk import Desk
    from imdesk.storage.database import DbUrl


def register(sub: Subparsers) -> None:
    """Add the ``desk`` command and its actions to the top-level sub-parsers."""
    desk = command_group(sub, "desk", "this console's desk in team mode (name, status)")
    name = desk.add_parser("name", help="name this desk (shown on every entry it writes)")
    name.add_argument("name", help='e.g. "SPOC desk", "MIM laptop"')
    name.add_argument("--json", action="store_true")
    name.set_defaults(handler=desk_name)
    status = desk.add_parser("status", help="this desk, the database, online or not, the change counter")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=desk_status)


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
    """THE PLACE for the other team-mode figures (the lead adds them here): the leases this desk
    holds (outbox sender, alert listener) and the offline spool's size. `ctx` is None when the
    database could not be opened (offline)."""
    return None


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
    return "\n".join(lines)
