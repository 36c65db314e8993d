"""`imdesk handover show|sign|take|list|verify|export`: the shift handover headless.

`show` compiles the current shift (or the one --at falls in, or the one starting at
--shift-start); `sign` freezes it with the outgoing manager's name, notes and ratings; `take`
countersigns the waiting handover with the incoming manager's synthesis; `verify` recomputes
the chain of signed steps and the timeline heads they cover (exit 1 naming the record).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from imdesk.cli.common import UsageError, command_group, count, emit, in_context, parse_time

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.shift import ShiftWindow


def register(sub: Subparsers) -> None:
    """Add ``handover`` and its actions to the top-level sub-parsers."""
    grp = command_group(sub, "handover", "the shift handover")
    show = grp.add_parser("show", help="the compiled handover of the current (or a past) shift")
    _window_args(show)
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=in_context(handover_show))
    sign = grp.add_parser("sign", help="sign the shift's handover as the outgoing manager")
    sign.add_argument("--outgoing", required=True, metavar="NAME")
    sign.add_argument("--notes", metavar="TEXT")
    sign.add_argument("--rate", action="append", default=[], metavar="REF=RATING",
                      help="stable, watch or unstable (repeat for each incident)")
    sign.add_argument("--if-then", action="append", default=None, metavar="LINE",
                      help='"if this, then that" (repeat for each line)')
    _window_args(sign)
    sign.add_argument("--json", action="store_true")
    sign.set_defaults(handler=in_context(handover_sign))
    take = grp.add_parser("take", help="take over the signed handover as the incoming manager")
    take.add_argument("--incoming", required=True, metavar="NAME")
    take.add_argument("--synthesis", required=True, metavar="TEXT",
                      help="in your own words, what you take over (at least a sentence)")
    take.add_argument("--id", type=count, help="the handover (default: the one waiting)")
    take.add_argument("--json", action="store_true")
    take.set_defaults(handler=in_context(handover_take))
    lst = grp.add_parser("list", help="past handovers: window, who handed to whom, open count")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(handover_list))
    ver = grp.add_parser("verify", help="check the signed handovers against their hashes")
    ver.add_argument("id", type=count, nargs="?")
    ver.add_argument("--json", action="store_true")
    ver.set_defaults(handler=in_context(handover_verify))
    exp = grp.add_parser("export", help="write a handover as PDF, Markdown or HTML")
    exp.add_argument("id", type=count)
    exp.add_argument("--format", choices=("pdf", "md", "html"), required=True)
    exp.add_argument("--page", choices=("A4", "Letter"), default="A4")
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    exp.set_defaults(handler=in_context(handover_export), outputs=("output",))


def _window_args(p: argparse.ArgumentParser) -> None:
    when = p.add_mutually_exclusive_group()
    when.add_argument("--at", metavar="ISO8601", help="the shift this moment falls in")
    when.add_argument("--shift-start", metavar="ISO8601", help="the shift starting at this moment")


def _window(ctx: AppContext, args: argparse.Namespace) -> ShiftWindow:
    at = parse_time(args.at, "--at") if args.at else None
    start = parse_time(args.shift_start, "--shift-start") if args.shift_start else None
    return ctx.handover.window(at=at, shift_start=start)


def handover_show(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.report_doc import to_markdown
    from imdesk.services.handover.document import handover_doc

    view = ctx.handover.show(_window(ctx, args))
    text = to_markdown(handover_doc(view, ctx.settings.desk_name()))
    # for the terminal: Markdown's escapes dropped (the export keeps them)
    emit(view.to_json(), args.json, re.sub(r"\\([\\`*_{}\[\]<>()#+!|~.-])", r"\1", text))
    return 0


def _parse_rates(values: list[str]) -> dict[str, str]:
    rates: dict[str, str] = {}
    for value in values:
        ref, sep, rating = value.partition("=")
        if not sep or not ref.strip() or not rating.strip():
            raise UsageError(f"--rate {value!r}: write REF=stable, REF=watch or REF=unstable")
        rates[ref.strip().upper()] = rating.strip()
    return rates


def handover_sign(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.handover import Rating

    rates = _parse_rates(args.rate)
    for rating in rates.values():
        Rating.parse(rating)
    view = ctx.handover.sign(_window(ctx, args), args.outgoing, notes=args.notes, ratings=rates,
                             if_then=args.if_then)
    assert view.signed is not None
    emit(view.to_json(), args.json,
         f"handover {view.id} signed by {view.signed.name} · {len(view.heads)} timelines covered"
         f" · content {view.content_hash}")
    return 0


def handover_take(ctx: AppContext, args: argparse.Namespace) -> int:
    view = ctx.handover.take(args.incoming, args.synthesis, handover_id=args.id)
    assert view.taken is not None and view.signed is not None
    emit(view.to_json(), args.json,
         f"handover {view.id} taken over by {view.taken.name} from {view.signed.name}")
    return 0


def handover_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.timefmt import readable

    items = ctx.handover.history()
    lines = [f"{h.id:>4}  {readable(h.window.start)} → {readable(h.window.end)}  {h.state.value:<6}  "
             f"{h.outgoing or '—'} → {h.incoming or '—'}  "
             f"{'—' if h.open_count is None else h.open_count} open" for h in items]
    emit([h.to_json() for h in items], args.json, "\n".join(lines) or "no handovers yet")
    return 0


def handover_verify(ctx: AppContext, args: argparse.Namespace) -> int:
    result = ctx.handover.verify(args.id)
    summary = (f"ok: {result.handovers} handovers, {result.steps} signed steps, "
               f"{result.timelines} timeline heads verified" if result.ok
               else f"problem: {result.problem}")
    emit({"ok": result.ok, "handovers": result.handovers, "steps": result.steps,
          "timelines": result.timelines, "problem": result.problem}, args.json, summary)
    if not result.ok and not args.json:
        print(f"imdesk: {result.problem}", file=sys.stderr)
    return 0 if result.ok else 1


def handover_export(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.handover.document import handover_doc

    suffix = {"pdf": ".pdf", "md": ".md", "html": ".html"}[args.format]
    if args.output.suffix.lower() not in (suffix, ".htm" if args.format == "html" else suffix,
                                          ".markdown" if args.format == "md" else suffix):
        raise UsageError(f"{args.output}: a {args.format} export ends with {suffix}")
    doc = handover_doc(ctx.handover.get(args.id), ctx.settings.desk_name())
    if args.format == "pdf":
        # Qt's PDF writer: the documented exception where a command loads Qt (lazily).
        from imdesk.qt.widgets.report_pdf import write_report_pdf_headless

        write_report_pdf_headless(doc, args.output, page=args.page)
    else:
        from imdesk.domain.report_doc import to_html, to_markdown

        _write_atomic(args.output, to_markdown(doc) if args.format == "md" else to_html(doc))
    print(f"{args.output} · handover {args.id}")
    return 0


def _write_atomic(path: Path, text: str) -> None:
    """Write beside the target and rename over it when complete."""
    import os

    tmp = path.with_name(f".{path.name}.part")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
