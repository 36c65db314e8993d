"""`imdesk org`: the organisation (teams, ladders, rosters, lists, services) as a text file —
export, import (all or nothing, --dry-run) — and one service's contact setup."""

from __future__ import annotations

import argparse
import os
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.cli.common import UsageError, command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.services.contacts.org_transfer import OrgTransfer


def register(sub: Subparsers) -> None:
    """Add ``org`` and its actions to the top-level sub-parsers."""
    org = command_group(sub, "org", "the organisation as a text file: teams, lists, services")
    exp = org.add_parser("export", help="write the organisation to FILE (- for standard output)")
    exp.add_argument("-o", "--output", required=True, metavar="FILE")
    exp.set_defaults(handler=in_context(org_export), outputs=("output",))
    imp = org.add_parser("import", help="apply FILE: all or nothing, refused lines by number")
    imp.add_argument("file", type=Path, metavar="FILE")
    imp.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=in_context(org_import), inputs=("file",))
    show = org.add_parser("show", help="a service's owner team, business owner, stakeholders, ladder")
    show.add_argument("service", metavar="SERVICE")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=in_context(org_show))


def _transfer(ctx: AppContext) -> OrgTransfer:
    from imdesk.services.contacts.org_transfer import OrgTransfer

    return OrgTransfer(ctx.db)


def org_export(ctx: AppContext, args: argparse.Namespace) -> int:
    text = _transfer(ctx).export_text()
    if args.output == "-":
        print(text, end="")
        return 0
    target = Path(args.output)
    temp = target.with_name(f".{target.name}.tmp")
    try:
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UsageError(f"{target}: {exc.strerror or exc}") from None
    print(f"organisation written to {target} ({text.count(chr(10))} lines)")
    return 0


def org_import(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.errors import ValidationError
    from imdesk.files import read_capped

    try:
        text = read_capped(args.file, what="organisation file").decode("utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) else "not UTF-8 text"
        raise UsageError(f"{args.file}: {reason}") from None
    try:
        report = _transfer(ctx).import_text(text, dry_run=args.dry_run)
    except ValidationError as exc:
        raise UsageError(f"{args.file}: {exc}") from None
    counts = ", ".join(f"{v} {k}" for k, v in report.counts.items()) or "nothing"
    lines = [f"created: {', '.join(report.created)}" if report.created else "created: none",
             f"replaced: {', '.join(report.replaced)}" if report.replaced else "replaced: none",
             f"with {counts}",
             "written" if report.written else "dry run: nothing written"]
    emit(report.to_json(), args.json, "\n".join(lines))
    return 0


def org_show(ctx: AppContext, args: argparse.Namespace) -> int:
    data = _transfer(ctx).show_service(args.service)
    emit(data, args.json, data["text"])
    return 0
