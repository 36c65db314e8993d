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


def emit(data: Any, as_json: bool, text: str) -> None:
    """DATA as indented JSON with --json, else TEXT."""
    if as_json:
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
    return parsed.astimezone(UTC)


def db_url(args: argparse.Namespace) -> DbUrl:
    """The database --db or --demo names (default: the one in the user's data dir)."""
    from imdesk.paths import demo_db_path, resolve_db_url

    if args.demo and not args.db:
        return demo_db_path()
    return resolve_db_url(args.db)


def open_context(url: DbUrl, *, demo: bool) -> AppContext:
    """The app context on URL; with --demo, the demo story is in it."""
    from imdesk.app import build_context

    ctx = build_context(url)
    if demo:
        from imdesk.services.demo.story import ensure_demo_data

        ensure_demo_data(ctx)
    return ctx


def in_context(work: Work) -> Handler:
    """The handler of a command that works on the database the options name: opens the app
    context, runs WORK with it and the parsed arguments, and closes the context."""

    def handler(args: argparse.Namespace) -> int:
        ctx = open_context(db_url(args), demo=args.demo)
        try:
            return work(ctx, args)
        finally:
            ctx.close()

    return handler
