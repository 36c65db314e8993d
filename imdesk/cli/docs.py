"""`imdesk docs …`: runbooks and documents per service or team — list (or the stale ones), add a
Markdown file, show any version, mark one reviewed, and a folder of Markdown files with front
matter in and out (so documents can be kept in Git too). Bad input (an unknown service, an empty
title, a file that is not UTF-8 text or is over 1 MB) exits 2 with one line and writes nothing."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, count, emit, in_context, iso

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.docs import DocSummary


def register(sub: Subparsers) -> None:
    """Add the ``docs`` command and its actions to the top-level sub-parsers."""
    docs = command_group(sub, "docs", "runbooks and documents per service or team")
    lst = docs.add_parser("list", help="every document (or the stale ones)")
    lst.add_argument("--service", default="", help="only this service's documents")
    lst.add_argument("--stale", action="store_true", help="only documents due for review")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(docs_list))
    add = docs.add_parser("add", help="a new document for SERVICE from a Markdown file")
    add.add_argument("service")
    add.add_argument("title")
    add.add_argument("--file", type=Path, required=True, metavar="FILE.md")
    add.add_argument("--owner", default="")
    add.add_argument("--json", action="store_true")
    add.set_defaults(handler=in_context(docs_add), inputs=("file",))
    show = docs.add_parser("show", help="a document's text (the newest version, or --version N)")
    show.add_argument("id", type=count)
    show.add_argument("--version", type=count, default=None)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=in_context(docs_show))
    rev = docs.add_parser("reviewed", help="the document is still right: reviewed now, by you")
    rev.add_argument("id", type=count)
    rev.add_argument("--json", action="store_true")
    rev.set_defaults(handler=in_context(docs_reviewed))
    imp = docs.add_parser("import", help="a folder of Markdown files with front matter")
    imp.add_argument("folder", type=Path)
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=in_context(docs_import))
    exp = docs.add_parser("export", help="every document into a folder as Markdown with front matter")
    exp.add_argument("folder", type=Path)
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(handler=in_context(docs_export))


def summary_json(d: DocSummary, now: Any) -> dict[str, Any]:
    return {"id": d.id, "title": d.title, "service": d.service or None, "team": d.team or None,
            "owner": d.owner, "version": d.version, "review_days": d.review_days,
            "last_reviewed_at": iso(d.last_reviewed_at), "reviewed_by": d.reviewed_by,
            "review_due_at": iso(d.due_at), "stale": d.stale(now), "retired": d.retired,
            "updated_at": iso(d.updated_at)}


def _line(d: DocSummary, now: Any) -> str:
    mark = "  [STALE]" if d.stale(now) else ""
    return f"{d.id:>5} {d.scope:<18} {d.title:<44} v{d.version:<3} {d.owner}{mark}"


def docs_list(ctx: AppContext, args: argparse.Namespace) -> int:
    now = ctx.docs.now()
    rows = ctx.docs.stale() if args.stale and not args.service else ctx.docs.documents(
        service=args.service, stale=args.stale)
    empty = "no stale documents" if args.stale else "no documents"
    emit([summary_json(d, now) for d in rows], args.json,
         "\n".join(_line(d, now) for d in rows) or empty)
    return 0


def _read_markdown(path: Path) -> str:
    from imdesk.domain.docs import MAX_TEXT_BYTES, decode_text
    from imdesk.domain.errors import ValidationError
    from imdesk.files import PathRefused, read_capped

    try:
        data = read_capped(path, cap=MAX_TEXT_BYTES, what="Markdown file")
    except PathRefused as exc:
        if "at most" in str(exc):
            raise ValidationError("file", f"{path}: a Markdown file may be at most 1 MB") from None
        raise
    return decode_text(data, str(path))


def docs_add(ctx: AppContext, args: argparse.Namespace) -> int:
    text = _read_markdown(args.file)
    d = ctx.docs.add(args.service, args.title, text, owner=args.owner)
    emit(summary_json(d, ctx.docs.now()), args.json, f"document {d.id} · {d.service} · {d.title} · v1")
    return 0


def docs_show(ctx: AppContext, args: argparse.Namespace) -> int:
    doc = ctx.docs.get(args.id, args.version)
    v, d = doc.current, doc.summary
    data = {**summary_json(d, ctx.docs.now()), "shown_version": v.number, "text": v.text,
            "saved_by": v.author, "saved_at": iso(v.saved_at),
            "versions": [{"number": n, "author": a, "saved_at": iso(t)} for n, a, t in doc.versions]}
    head = (f"# {v.title}\n{d.scope} · version {v.number} of {d.version} · "
            f"saved by {v.author} {iso(v.saved_at)}")
    emit(data, args.json, f"{head}\n\n{v.text.rstrip()}")
    return 0


def docs_reviewed(ctx: AppContext, args: argparse.Namespace) -> int:
    d = ctx.docs.reviewed(args.id)
    emit(summary_json(d, ctx.docs.now()), args.json,
         f"document {d.id} reviewed by {d.reviewed_by}; next review due {iso(d.due_at)}")
    return 0


def _folder_arg(path: Path) -> Path:
    text = str(path)
    if not text.strip():
        raise UsageError("an empty folder name was given")
    return path


def docs_import(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.docs.transfer import import_folder

    folder = _folder_arg(args.folder)
    if not folder.is_dir():
        raise UsageError(f"{folder}: not a folder")
    result = import_folder(ctx.docs, folder)
    emit({"added": list(result.added), "updated": list(result.updated),
          "unchanged": list(result.unchanged)}, args.json,
         f"{folder}: {len(result.added)} added, {len(result.updated)} updated, "
         f"{len(result.unchanged)} unchanged")
    return 0


def docs_export(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.docs.transfer import export_folder

    names = export_folder(ctx.docs, _folder_arg(args.folder))
    emit({"folder": str(args.folder), "files": names}, args.json,
         f"{args.folder}: {len(names)} documents written")
    return 0
