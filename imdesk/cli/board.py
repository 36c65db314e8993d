"""`imdesk board write [-o DIR]`: write the awareness board (index.html: the business's status
page) once, into DIR or the folder from the settings; the console keeps it current itself."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.cli.common import UsageError, command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register(sub: Subparsers) -> None:
    """Add the ``board`` command to the top-level sub-parsers."""
    board = command_group(sub, "board", "the awareness board: a status page for the business")
    write = board.add_parser("write", help="write the board's index.html once")
    write.add_argument("-o", "--output", type=Path, default=None, metavar="DIR",
                       help="the folder (default: the board folder from the settings)")
    write.add_argument("--json", action="store_true")
    write.set_defaults(handler=in_context(board_write))
    conf = board.add_parser("settings", help="show (or change) the board's folder, the desk's contact "
                                             "block and the documents' review interval")
    conf.add_argument("--folder", help="where index.html is written (\"\" = the data folder's board)")
    conf.add_argument("--phone")
    conf.add_argument("--mail")
    conf.add_argument("--hours", help='e.g. "24/7 for outages; questions Mon–Fri 07:00–19:00"')
    conf.add_argument("--review-days", type=int, help="review interval of new documents (1–3650)")
    conf.add_argument("--json", action="store_true")
    conf.set_defaults(handler=in_context(board_settings))


def board_settings(ctx: AppContext, args: argparse.Namespace) -> int:
    from dataclasses import replace

    from imdesk.services.board.writer import board_folder
    from imdesk.services.docs.settings import DocSettings

    settings = DocSettings(ctx.db)
    if args.review_days is not None:
        settings.set_review_days(args.review_days)
    contact = settings.desk_contact()
    changed = {k: getattr(args, k) for k in ("phone", "mail", "hours") if getattr(args, k) is not None}
    if changed:
        settings.set_desk_contact(replace(contact, **changed))
    if args.folder is not None:
        settings.set_board_folder(args.folder)
    contact = settings.desk_contact()
    data = {"folder": str(board_folder(ctx)), "phone": contact.phone, "mail": contact.mail,
            "hours": contact.hours, "review_days": settings.review_days()}
    emit(data, args.json, "\n".join(f"{k.replace('_', ' ')}: {v or '—'}" for k, v in data.items()))
    return 0


def board_write(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.files import output_path
    from imdesk.services.board.writer import PAGE_NAME, write_board

    folder = args.output
    if folder is not None:
        if not str(folder).strip():
            raise UsageError("an empty folder name was given")
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder}: not a folder")
        output_path(folder / PAGE_NAME)  # never a system path
    done = write_board(ctx, folder)
    emit({"path": str(done.path), "incidents": done.incidents, "resolved": done.resolved,
          "maintenance": done.maintenance}, args.json,
         f"{done.path} · {done.incidents} current · {done.resolved} resolved · "
         f"{done.maintenance} maintenance")
    return 0
