"""What the command modules share: the usage error and the parser that raises it, the output
helper, time parsing, and opening the database the options name.

Only the standard library at import time: the parser is built on every start (the console's
too); the work's imports wait till a handler runs.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    from imdesk.context import AppContext
    from imdesk.storage.database import DbUrl

Handler: TypeAlias = Callable[[argparse.Namespace], int]
Work: TypeAlias = Callable[["AppContext", argparse.Namespace], int]


class UsageError(Exception):
    """Bad input on the command line (exit 2)."""


class Parser(argparse.ArgumentParser):
    """Raises UsageError instead of printing the usage and exiting: main prints one line and
    returns 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(message)


if TYPE_CHECKING:
    Subparsers: TypeAlias = argparse._SubParsersAction[Parser]


def command_group(sub: Subparsers, name: str, help: str, dest: str = "action") -> Subparsers:
    """Add command NAME whose actions (one of them required) are added to what this returns."""
    return sub.add_parser(name, help=help).add_subparsers(
        dest=dest, required=True, metavar="ACTION", parser_class=Parser)


STALE: dict[str, str] = {}  # offline: {"stale_since": …} while a command reads the replica


def emit(data: Any, as_json: bool, text: str) -> None:
    """DATA as indented JSON with --json, else TEXT (offline: with "stale_since")."""
    if as_json:
        if STALE and isinstance(data, dict):
            data = {**data, **STALE}
        elif STALE and isinstance(data, list):
            data = [{**d, **STALE} if isinstance(d, dict) else d for d in data]
        print(json.dumps(data, indent=2, ensure_ascii=False))
    else:
        print(text)


def iso(value: datetime | None) -> str | None:
    """ISO 8601 in UTC with a Z, or None."""
    from imdesk.domain.timeline import iso as to_iso

    return to_iso(value)


def matchers_text(matchers: Any) -> str:
    """Alert label matchers as they are written on the command line."""
    from imdesk.domain.alert_rules import matchers_text as text

    return text(matchers)


def parse_time(value: str, field: str) -> datetime:
    """ISO 8601 with an offset or Z; a time without one is refused rather than guessed."""
    from imdesk.domain.errors import ValidationError

    try:
        parsed = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise ValidationError(field, f"{field} must be ISO 8601 like 2026-11-27T10:42:00+01:00, "
                                     f"not {value!r}") from None
    if parsed.tzinfo is None:
        raise ValidationError(field, f"{field} {value!r} needs its UTC offset (e.g. +01:00) or Z")
    try:
        when = parsed.astimezone(UTC)
    except OverflowError:
        when = None
    if when is None or not YEAR_MIN <= when.year <= YEAR_MAX:
        raise ValidationError(field, f"{field} must be between the years {YEAR_MIN} and {YEAR_MAX}, "
                                     f"not {value!r}")
    return when


YEAR_MIN, YEAR_MAX = 1970, 2999
INT_MAX = 2**31 - 1


def count(value: str) -> int:
    """An argparse type: a whole number from 0 to 2,147,483,647 (ids, minutes, limits)."""
    text = value.strip()
    if not text.isascii() or not text.isdigit() or len(text) > 10 or int(text) > INT_MAX:
        raise argparse.ArgumentTypeError(f"{value[:20]!r} is not a whole number from 0 to {INT_MAX:,}")
    return int(text)


def db_url(args: argparse.Namespace) -> DbUrl:
    """The database --db or --demo names (default: the one in the user's data dir)."""
    from imdesk.paths import demo_db_path, resolve_db_url

    if args.demo and not args.db:
        return demo_db_path()
    url = resolve_db_url(args.db)
    if isinstance(url, str):
        check_db_url(url)
    return url


SUPPORTED_BACKENDS = ("sqlite", "postgresql")


def check_db_url(url: str) -> None:
    """A database URL imdesk can use: SQLite or PostgreSQL, well formed (UsageError if not)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
        backend = parsed.get_backend_name()
        _ = (parsed.host, parsed.port)
    except (ArgumentError, ValueError, TypeError):
        raise UsageError("--db is not a database URL imdesk can read "
                         "(a file path, sqlite:///FILE or postgresql+psycopg://…)") from None
    if backend not in SUPPORTED_BACKENDS:
        raise UsageError(f"--db: {backend} databases are not supported; use a SQLite file "
                         "or PostgreSQL (postgresql+psycopg://…)")
    if backend == "postgresql" and parsed.host and parsed.host.startswith("[") \
            and not parsed.host.endswith("]"):
        raise UsageError("--db: the server's IPv6 address is not closed with ]")


def check_arguments(argv: list[str]) -> None:
    """The front door: every argument is text that can be stored and printed (no invalid UTF-8,
    no NUL), and --db names something (an empty --db is refused rather than read as the
    default)."""
    for n, arg in enumerate(argv, start=1):
        try:
            arg.encode("utf-8")
        except UnicodeEncodeError:
            raise UsageError(f"argument {n} is not valid UTF-8") from None
        if "\x00" in arg:
            raise UsageError(f"argument {n} holds a NUL character")
    for n, arg in enumerate(argv):
        if (arg == "--db" and n + 1 < len(argv) and not argv[n + 1].strip()) or arg in ("--db=", "--db= "):
            raise UsageError("--db is empty: name a database file or URL")


def check_files(args: argparse.Namespace) -> None:
    """The paths a command reads (``set_defaults(inputs=...)``) must be regular files; the paths
    it writes (``outputs=...``) must be none of the live database, its side files, its backups
    folder, a folder, a device or a system path. Raises PathRefused (exit 2)."""
    from imdesk.files import input_regular_file, output_path, protected_paths
    from imdesk.paths import default_db_path
    from imdesk.storage.db_info import sqlite_path

    for name in getattr(args, "inputs", ()):
        if getattr(args, name, None) is not None:
            input_regular_file(getattr(args, name))
    outputs = [name for name in getattr(args, "outputs", ()) if getattr(args, name, None) is not None]
    if not outputs:
        return
    live = sqlite_path(db_url(args))
    protected = protected_paths(live) + protected_paths(default_db_path())
    for name in outputs:
        output_path(getattr(args, name), protected=protected)


def open_context(url: DbUrl, *, demo: bool, create: bool = False) -> AppContext:
    """The app context on URL; with --demo, the demo story is in it."""
    from imdesk.app import build_context

    ctx = build_context(url, create=create or demo)
    if demo:
        from imdesk.services.demo.story import ensure_demo_data

        ensure_demo_data(ctx)
    return ctx


def in_context(work: Work) -> Handler:
    """The handler of a command that works on the database the options name: opens the app
    context, runs WORK with it and the parsed arguments, and closes the context."""

    def handler(args: argparse.Namespace) -> int:
        ctx = open_context(db_url(args), demo=args.demo, create=getattr(args, "create", False))
        try:
            from imdesk.cli.desk import offline_after, offline_before

            offline = offline_before(ctx)  # team server unreachable: the replica answers
            if offline is None:
                return work(ctx, args)
            STALE["stale_since"] = offline[0]
            try:
                code = work(ctx, args)
            finally:
                STALE.clear()
            offline_after(ctx, args, offline)
            return code
        finally:
            ctx.close()

    return handler
