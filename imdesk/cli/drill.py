"""`imdesk drill …`: list the scenarios and drills, validate a scenario file, run a drill
headless (alerts to the running listener with its token, else into the intake directly; each
inject printed as it plays), replay a closed incident as a scenario, the scorecard, the
after-action report (write it, sign it off, Markdown or PDF) and the contact drill's report.
Also `imdesk incident exercise` lives in cli/incidents.py."""

from __future__ import annotations

import argparse
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, count, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.report_doc import ReportDoc


def _speed(value: str) -> float:
    try:
        speed = float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a number") from None
    if not 1 <= speed <= 60:
        raise argparse.ArgumentTypeError("speed must be between 1 and 60")
    return speed


def register(sub: Subparsers) -> None:
    dr = command_group(sub, "drill", "drills: scenarios, playing, scorecard, after-action report")
    lst = dr.add_parser("list", help="the built-in scenarios and the drills run so far")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(drill_list))
    val = dr.add_parser("validate", help="check a scenario file (exit 2 with one line per problem)")
    val.add_argument("file", type=Path)
    val.add_argument("--json", action="store_true")
    val.set_defaults(handler=in_context(drill_validate), inputs=("file",))
    run = dr.add_parser("run", help="play a scenario headless (a built-in name or a file)")
    run.add_argument("scenario")
    run.add_argument("--speed", type=_speed, default=1.0, help="1 to 60 (default 1)")
    run.add_argument("--participant", action="append", default=[], metavar="NAME")
    run.add_argument("--allow", action="append", default=[], metavar="ADDRESS",
                     help="an address or number the drill's messages may go to (repeatable)")
    run.add_argument("--json", action="store_true", help="one JSON line per inject played")
    run.set_defaults(handler=in_context(drill_run))
    rep = dr.add_parser("replay", help="a scenario from a resolved or closed real incident")
    rep.add_argument("ref")
    rep.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.yaml")
    rep.set_defaults(handler=in_context(drill_replay), outputs=("output",))
    sc = dr.add_parser("score", help="the scorecard of a drill")
    sc.add_argument("id", type=count)
    sc.add_argument("--json", action="store_true")
    sc.set_defaults(handler=in_context(drill_score))
    rv = dr.add_parser("review", help="write the after-action report; --sign freezes it")
    rv.add_argument("id", type=count)
    rv.add_argument("--strengths")
    rv.add_argument("--improve", help="areas for improvement")
    rv.add_argument("--action", action="append", default=[], metavar="WHAT|OWNER|YYYY-MM-DD")
    rv.add_argument("--sign", action="store_true", help="sign it off (then it cannot change)")
    rv.add_argument("--json", action="store_true")
    rv.set_defaults(handler=in_context(drill_review))
    rp = dr.add_parser("report", help="the after-action report as Markdown or PDF")
    rp.add_argument("id", type=count)
    rp.add_argument("--format", choices=("md", "pdf"), required=True)
    rp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    rp.set_defaults(handler=in_context(drill_report), outputs=("output",))
    al = dr.add_parser("allow", help="the desk's allow-list for exercise messages (show or set)")
    al.add_argument("address", nargs="*", help="email addresses and numbers (replace the list)")
    al.add_argument("--clear", action="store_true", help="empty the list")
    cap = al.add_mutually_exclusive_group()
    cap.add_argument("--capture", dest="capture", action="store_true", default=None,
                     help="others' messages are kept in the outbox as captured (default)")
    cap.add_argument("--no-capture", dest="capture", action="store_false",
                     help="a message to anyone else is refused before it is queued")
    al.add_argument("--json", action="store_true")
    al.set_defaults(handler=in_context(drill_allow))
    cr = dr.add_parser("contacts-report", help="the contact drill's results (Markdown or PDF)")
    cr.add_argument("--days", type=count, default=30, help="the period: the last N days (30)")
    cr.add_argument("--format", choices=("md", "pdf"), required=True)
    cr.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    cr.add_argument("--json", action="store_true", help="also print the figures as JSON")
    cr.set_defaults(handler=in_context(drill_contacts_report), outputs=("output",))


def drill_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.drills.scenario_file import built_in, read_file

    scenarios: list[dict[str, Any]] = []
    for p in built_in():
        sc = read_file(p)
        scenarios.append({"name": p.stem, "title": sc.name, "injects": len(sc.injects),
                          "length_s": sc.length_s})
    drills = [d.to_json() for d in ctx.drills.service.drills()]
    lines = ["Scenarios:"] + [f"  {s['name']:<26} {s['title']} · {s['injects']} injects · "
                              f"{int(s['length_s']) // 60} min" for s in scenarios]
    lines += ["Drills:"] + [f"  {d['id']:>4} {d['status']:<9} {d['started_at'][:16]} {d['name']}"
                            for d in drills] if drills else ["Drills: none yet"]
    emit({"scenarios": scenarios, "drills": drills}, args.json, "\n".join(lines))
    return 0


def drill_validate(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.drills.scenario_file import ScenarioRefused, read_file

    try:
        scenario = read_file(args.file)
        problems = ctx.drills.service.check_names(scenario)
    except ScenarioRefused as exc:
        problems = exc.problems
    if problems:
        for p in problems:
            print(f"imdesk: {args.file}:{p.line}: {p.field}: {p.problem}", file=sys.stderr)
        return 2
    emit({"valid": True, "name": scenario.name, "injects": len(scenario.injects),
          "length_s": scenario.length_s}, args.json,
         f"{args.file}: valid · {scenario.name} · {len(scenario.injects)} injects · "
         f"{scenario.length_s // 60} min")
    return 0


def _listener(ctx: AppContext) -> tuple[str, str]:
    """The running listener's address and its token (from the keyring), or nothing."""
    import socket

    settings = ctx.alerts.settings.listener()
    host = "127.0.0.1" if settings.host in ("", "0.0.0.0", "::", "localhost") else settings.host
    try:
        with socket.create_connection((host, settings.port), timeout=0.5):
            pass
    except OSError:
        return "", ""
    from imdesk.credentials.webhook_token import TOKEN_NAME, SecretUnavailable, read_secret

    try:
        token = read_secret(TOKEN_NAME) or ""
    except SecretUnavailable:  # no keyring: the intake directly
        token = ""
    return (f"http://{host}:{settings.port}", token) if token else ("", "")


def drill_run(ctx: AppContext, args: argparse.Namespace) -> int:
    import json
    import time

    from imdesk.services.drills.player import DrillPlayer
    from imdesk.services.drills.scenario_file import ScenarioRefused, find

    try:
        scenario = find(args.scenario)
    except ScenarioRefused as exc:
        raise UsageError(f"{args.scenario}: {exc.problems[0]}") from None
    url, token = _listener(ctx)
    desk = ctx.drills
    drill = desk.service.start(scenario, speed=args.speed, participants=args.participant,
                               allow_list=args.allow)
    player = DrillPlayer(desk.service, drill, desk.deliverer(url, token))
    way = f"the listener at {url}" if url else "the intake directly (no listener running)"
    if not args.json:
        print(f"drill {drill.id}: {scenario.name} at {args.speed:g}×, alerts to {way}", flush=True)
    try:
        while not player.finished:
            wait = player.next_due_in()
            if wait:
                time.sleep(min(wait, 1.0))
            for p in player.tick():
                print(json.dumps({"drill": drill.id, **p.to_json()}) if args.json
                      else f"{p.inject.at_text:>9}  {p.result:<8} {p.text}", flush=True)
    except KeyboardInterrupt:
        player.stop()
        print(f"drill {drill.id} stopped", file=sys.stderr)
        return 130
    if not args.json:
        print(f"drill {drill.id} finished: imdesk drill score {drill.id}")
    return 0


def drill_replay(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.drills.replay import replay, to_yaml

    scenario = replay(ctx.incidents, ctx.alerts.intake, args.ref)
    _write_text(args.output, to_yaml(scenario))
    print(f"{args.output} · {scenario.name} · {len(scenario.injects)} injects · "
          f"{scenario.length_s // 60} min")
    return 0


def drill_score(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.drill_score import duration

    card = ctx.drills.scoring.scorecard(args.id, ctx.now())
    lines = [f"{f.label:<40} {duration(f.actual_s):>12}  expected "
             f"{duration(f.expected_s) if f.expected_s is not None else '—':>12}  "
             f"{'—' if f.met is None else ('met' if f.met else 'MISSED')}" for f in card.figures]
    if card.missed_steps:
        lines += ["Playbook steps missed:"] + [f"  - {s}" for s in card.missed_steps]
    emit({"drill": args.id, **card.to_json()}, args.json, "\n".join(lines))
    return 0


def _action(text: str) -> Any:
    from imdesk.services.drills.reports import CorrectiveAction

    parts = [p.strip() for p in text.split("|")]
    if len(parts) != 3:
        raise UsageError(f"--action {text!r}: use WHAT|OWNER|YYYY-MM-DD")
    try:
        due = date.fromisoformat(parts[2])
    except ValueError:
        raise UsageError(f"--action {text!r}: {parts[2]!r} is not a date (YYYY-MM-DD)") from None
    return CorrectiveAction(parts[0], parts[1], due)


def drill_review(ctx: AppContext, args: argparse.Namespace) -> int:
    reports = ctx.drills.reports
    actions = [_action(a) for a in args.action]
    current = reports.after_action(args.id)
    if args.strengths is not None or args.improve is not None or actions:
        current = reports.edit(
            args.id, strengths=current.strengths if args.strengths is None else args.strengths,
            improvements=current.improvements if args.improve is None else args.improve,
            actions=[*current.actions, *actions])
    if args.sign:
        current = reports.sign(args.id)
    state = (f"signed off by {current.signed_by}, SHA-256 {current.digest}" if current.signed
             else "draft (editable)")
    emit({"drill": args.id, "strengths": current.strengths, "improvements": current.improvements,
          "actions": [a.to_json() for a in current.actions], "signed_by": current.signed_by,
          "digest": current.digest, "intact": current.intact}, args.json,
         f"drill {args.id}: after-action report {state}")
    return 0


def _write_text(target: Path, text: str) -> None:
    """Written whole or not at all (a temporary file beside it, then renamed)."""
    import os

    temp = target.with_name(f".{target.name}.tmp")
    try:
        if target.parent and not target.parent.exists():
            target.parent.mkdir(parents=True)
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, target)
    except OSError as exc:
        temp.unlink(missing_ok=True)
        raise UsageError(f"{target}: {exc.strerror or exc}") from None


def _write(doc: ReportDoc, fmt: str, output: Path) -> None:
    if fmt == "md":
        from imdesk.domain.report_doc import to_markdown

        _write_text(output, to_markdown(doc))
        return
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"{output}: a PDF report needs a name ending in .pdf")
    from imdesk.qt.widgets.report_pdf import write_report_pdf_headless

    write_report_pdf_headless(doc, output)


def drill_report(ctx: AppContext, args: argparse.Namespace) -> int:
    doc = ctx.drills.reports.document(args.id, ctx.now())
    _write(doc, args.format, args.output)
    print(f"{args.output} · {doc.title}")
    return 0


def drill_allow(ctx: AppContext, args: argparse.Namespace) -> int:
    settings = ctx.drills.settings
    if args.address or args.clear or args.capture is not None:
        current = settings.load()
        addresses = [] if args.clear else (args.address or settings.addresses())
        settings.save(addresses, capture=current.capture if args.capture is None
                      else args.capture)
    allow, listed = settings.load(), settings.addresses()
    emit({"allow_list": listed, "capture": allow.capture}, args.json,
         (", ".join(listed) or "(empty)") + " · others' messages "
         + ("captured, never sent" if allow.capture else "refused"))
    return 0


def drill_contacts_report(ctx: AppContext, args: argparse.Namespace) -> int:
    until = ctx.now()
    since = until - timedelta(days=args.days)
    report = ctx.drills.contact_report
    _write(report.document(since, until), args.format, args.output)
    results = report.results(since, until)
    emit(results.to_json(), args.json, f"{args.output} · {results.tried} numbers tried, "
                                       f"{results.reached} reached")
    return 0
