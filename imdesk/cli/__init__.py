"""Command-line front door: no sub-command opens the console; sub-commands run headless.

Bad input exits 2 with one line on stderr and changes nothing; an environment problem
(database locked, damaged, too new) exits 1 with one line.

Each command module (incidents, db, alerts, …) has ``register(subparsers)``, which adds its
commands and sets ``handler`` on each (``set_defaults``); ``main`` calls ``args.handler(args)``.
What the modules share is in ``common``. At the top they import only the standard library
and ``common``: the parser is built on every start (the console's too); the imports of a
handler's work wait till it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from imdesk import __version__
from imdesk.cli.common import Handler, Parser, UsageError, check_arguments, db_url


def build_parser() -> argparse.ArgumentParser:
    # The command modules are imported here: the console's start needs none of them.
    from imdesk.cli import (
        alerts,
        board,
        comms,
        contacts,
        db,
        demo,
        desk,
        docs,
        drill,
        handover,
        incidents,
        links,
        org,
        providers,
        report,
        watch,
    )

    p = _options(Parser(prog="imdesk", description="The incident manager's console."))
    sub = p.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)

    # The help lists the commands in this order.
    incidents.register(sub)  # incident, timeline, major, action, role
    db.register(sub)
    alerts.register(sub)
    watch.register(sub)  # maintenance, heartbeat
    demo.register(sub)
    contacts.register(sub)
    org.register(sub)  # export, import, show
    links.register(sub)  # service depends, service impact
    comms.register(sub)  # notify, outbox
    providers.register(sub)  # credentials, provider
    handover.register(sub)
    report.register(sub)  # metrics, review
    docs.register(sub)  # runbooks and documents
    board.register(sub)  # the awareness board
    drill.register(sub)  # drill list, validate, run, replay, score, review, report
    desk.register(sub)  # team mode: desk name, status, sync, conflicts, settle
    return p


def _options(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """The options before any command (those of the console)."""
    p.add_argument("--version", action="version", version=f"imdesk {__version__}")
    p.add_argument("--db", metavar="URL", help="database URL or SQLite file (default: your data dir)")
    p.add_argument("--demo", action="store_true", help="use the separate demo database")
    p.add_argument("--create", action="store_true",
                   help="make a new, empty database where a missing one was before")
    p.add_argument("--self-test", action="store_true",
                   help="open the main window offscreen on a temp database and exit 0 if all works")
    p.add_argument("--take-over", action="store_true",
                   help="take over a stale lock left by a console that crashed")
    p.add_argument("--exit-after-paint", action="store_true", help=argparse.SUPPRESS)  # benchmarks
    p.set_defaults(command=None)
    return p


def starts_the_console(args: Sequence[str]) -> bool:
    """Only the console's own options (no command, no help): its start skips building the
    parser of the hundred commands (a sixth of the time to the first paint)."""
    words = iter(args)
    for word in words:
        if word == "--db":
            next(words, None)
        elif word in ("-h", "--help") or not word.startswith("-") or word == "--":
            return False
    return True


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    try:
        check_arguments(args_list)
        parser = (_options(Parser(prog="imdesk", description="The incident manager's console."))
                  if starts_the_console(args_list) else build_parser())
        args = parser.parse_args(args_list)
    except UsageError as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return 2
    if args.self_test:
        from imdesk.app import run_self_test

        return run_self_test()
    if args.command is None:
        from imdesk.app import run_console

        try:
            url = db_url(args)
        except UsageError as exc:
            print(f"imdesk: {exc}", file=sys.stderr)
            return 2
        return run_console(db_url=url, demo=args.demo, take_over=args.take_over,
                           exit_after_paint=args.exit_after_paint)
    return run_command(args)


def run_command(args: argparse.Namespace) -> int:
    from imdesk.cli.common import check_files
    from imdesk.domain.errors import NotFoundError, ValidationError
    from imdesk.errors import KnownError
    from imdesk.files import PathRefused

    handler: Handler = args.handler  # every sub-command sets one (set_defaults)
    try:
        check_files(args)
        return handler(args)
    except (ValidationError, NotFoundError, UsageError, PathRefused) as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return 3 if type(exc).__name__ == "StaleStateError" else 2  # changed meanwhile: reread
    except KnownError as exc:
        print(f"imdesk: {exc}", file=sys.stderr)
        return exc.exit_code
    except UnicodeDecodeError:
        # The driver met bytes that are not UTF-8 where text was stored: damage (db check names it).
        print("imdesk: the database holds damaged text (not UTF-8); imdesk db check lists it, "
              "or restore the newest backup", file=sys.stderr)
        return 1
    except (OverflowError, RecursionError) as exc:
        # The net under the front door's checks: a number, date or nesting out of range that
        # a check missed is still bad input (the transaction it was in rolled back).
        what = "nested too deeply" if isinstance(exc, RecursionError) else "out of range"
        print(f"imdesk: a value on the command line or in the file is {what}", file=sys.stderr)
        return 2
