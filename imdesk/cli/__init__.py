"""Command-line front door: no sub-command opens the console; sub-commands run headless.

Bad input exits 2 with one line on stderr and changes nothing; an environment problem
(database locked, damaged, too new) exits 1 with one line.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from imdesk import __version__
from imdesk.cli.common import Parser, UsageError, db_url, open_context


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="imdesk", description="The incident manager's console.")
    p.add_argument("--version", action="version", version=f"imdesk {__version__}")
    p.add_argument("--db", metavar="URL", help="database URL or SQLite file (default: your data dir)")
    p.add_argument("--demo", action="store_true", help="use the separate demo database")
    p.add_argument("--self-test", action="store_true",
                   help="open the main window offscreen on a temp database and exit 0 if all works")
    p.add_argument("--take-over", action="store_true",
                   help="take over a stale lock left by a console that crashed")
    p.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)  # benchmarks
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    inc = sub.add_parser("incident", help="incidents").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
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
    lst = inc.add_parser("list", help="list incidents (open ones by default)")
    lst.add_argument("--status", action="append", default=[])
    lst.add_argument("--all", action="store_true")
    lst.add_argument("--json", action="store_true")
    show = inc.add_parser("show", help="an incident with its timeline")
    show.add_argument("ref")
    show.add_argument("--json", action="store_true")
    st = inc.add_parser("status", help="move an incident through its lifecycle")
    st.add_argument("ref")
    st.add_argument("status")
    st.add_argument("--note", default="")
    st.add_argument("--json", action="store_true")
    note = inc.add_parser("note", help="add a note to the timeline")
    note.add_argument("ref")
    note.add_argument("text")
    note.add_argument("--json", action="store_true")

    tl = sub.add_parser("timeline", help="timelines: add, show, search, verify").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    tadd = tl.add_parser("add", help="write a line into an incident's timeline")
    tadd.add_argument("ref")
    tadd.add_argument("text")
    tadd.add_argument("--kind", default="note", help="note, action, decision or communication")
    tadd.add_argument("--at", metavar="ISO8601", help="when it happened, if earlier than now")
    tadd.add_argument("--corrects", type=int, metavar="SEQ",
                      help="this entry corrects (supersedes) entry SEQ")
    tadd.add_argument("--json", action="store_true")
    tshow = tl.add_parser("show", help="an incident's timeline")
    tshow.add_argument("ref")
    tshow.add_argument("--json", action="store_true")
    tsearch = tl.add_parser("search", help="search every timeline (newest first for common words)")
    tsearch.add_argument("query")
    tsearch.add_argument("--limit", type=int, default=50)
    tsearch.add_argument("--json", action="store_true")
    tverify = tl.add_parser("verify", help="recompute the hash chains (exit 1 at the first break)")
    tverify.add_argument("ref", nargs="?")
    tverify.add_argument("--json", action="store_true")

    major = sub.add_parser("major", help="major incidents").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    declare = major.add_parser("declare", help="declare a major incident (opens its war room)")
    declare.add_argument("ref")
    declare.add_argument("--bridge", default="", help="dial-in number or meeting link")
    declare.add_argument("--im", default="", metavar="NAME", help="the incident manager")
    declare.add_argument("--first-update", type=int, metavar="MINUTES",
                         help="first stakeholder update due in MINUTES")
    declare.add_argument("--json", action="store_true")
    act = sub.add_parser("action", help="war-room action items").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    aadd = act.add_parser("add", help="add an action item")
    aadd.add_argument("ref")
    aadd.add_argument("text")
    aadd.add_argument("--owner", default="")
    aadd.add_argument("--due", metavar="ISO8601")
    aadd.add_argument("--json", action="store_true")
    adone = act.add_parser("done", help="mark action item N done")
    adone.add_argument("ref")
    adone.add_argument("number", type=int)
    role = sub.add_parser("role", help="war-room roles").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    rassign = role.add_parser("assign", help="give ROLE to NAME (a hand-over if someone has it)")
    rassign.add_argument("ref")
    rassign.add_argument("role", help="incident_manager (im), tech_lead, communications, scribe")
    rassign.add_argument("name")

    dbp = sub.add_parser("db", help="database upkeep").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    chk = dbp.add_parser("check", help="integrity, hash chains and projections")
    chk.add_argument("--json", action="store_true")
    bak = dbp.add_parser("backup", help="copy the database to FILE (online, verified)")
    bak.add_argument("file", type=Path)
    res = dbp.add_parser("restore", help="replace the database with a verified backup FILE")
    res.add_argument("file", type=Path)

    from imdesk import cli_alerts

    cli_alerts.add_parsers(sub, Parser)

    demo = sub.add_parser("demo", help="demo data").add_subparsers(
        dest="action", required=True, metavar="ACTION", parser_class=Parser)
    seed = demo.add_parser("seed", help="bulk-insert synthetic incidents (for benchmarks)")
    seed.add_argument("--incidents", type=int, required=True)
    seed.add_argument("--entries", type=int, required=True, help="timeline entries in all")
    seed.add_argument("--json", action="store_true")
    from imdesk.cli_contacts import register as register_contacts

    register_contacts(sub)
    from imdesk.cli_comms import register as register_comms

    register_comms(sub)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(args_list)
    except UsageError as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return 2
    if args.self_test:
        from imdesk.app import run_self_test

        return run_self_test()
    if args.command is None:
        from imdesk.app import run_console

        return run_console(db_url=db_url(args), demo=args.demo, take_over=args.take_over,
                           exit_after_paint=args.exit_after_paint)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    from imdesk.domain.errors import NotFoundError, ValidationError
    from imdesk.errors import KnownError

    try:
        return _dispatch(args)
    except (ValidationError, NotFoundError, UsageError) as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return 2
    except KnownError as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return exc.exit_code


def _dispatch(args: argparse.Namespace) -> int:
    from imdesk import cli_commands as cmd

    url = db_url(args)
    if args.command == "db" and args.action == "restore":
        return cmd.db_restore(url, args.file)
    ctx = open_context(url, demo=args.demo)
    try:
        if args.command in ("alerts", "maintenance", "heartbeat"):
            from imdesk import cli_alerts

            return cli_alerts.dispatch(ctx, args)
        handler = getattr(args, "handler", None) or getattr(cmd, f"{args.command}_{args.action}")
        result: int = handler(ctx, args)
        return result
    finally:
        ctx.close()

