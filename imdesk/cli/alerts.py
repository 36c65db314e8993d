"""Alert intake on the command line: alerts list|serve|ingest|token|rule|auto-resolve. The
listener and `ingest` share one code path."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, count, emit, in_context, iso, matchers_text

if TYPE_CHECKING:
    from collections.abc import Callable

    from imdesk.channels.processor_child import ProcessorChild
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.lease import LeaseInfo
    from imdesk.services.alerts.apply import Outcome

HEARTBEAT_CHECK_S = 30.0
GIL_SWITCH_S = 0.0005


def register(sub: Subparsers) -> None:
    """Add ``alerts`` and its actions to the top-level sub-parsers."""
    al = command_group(sub, "alerts", "alert intake: list, serve, ingest, token, rules")
    lst = al.add_parser("list", help="alerts, newest first")
    lst.add_argument("--incident", metavar="REF", help="only the alerts attached to REF")
    lst.add_argument("--status", choices=("firing", "acknowledged", "resolved"))
    lst.add_argument("--limit", type=count, default=1000)
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(alerts_list))
    serve = al.add_parser("serve", help="run the webhook listener headless while this desk holds "
                                        "the team's listener lease (Ctrl+C stops it)")
    serve.add_argument("--host", help="address to listen on (default 127.0.0.1, or the setting)")
    serve.add_argument("--port", type=count, help="port (default: the setting, 9464)")
    serve.add_argument("--report-json", action="store_true",
                       help="for the console: the token on stdin ('token VALUE'), JSON reports on "
                            "stdout, 'stop' or the end of stdin stops")
    serve.set_defaults(handler=in_context(alerts_serve))
    al.add_parser("process-inbox").set_defaults(handler=in_context(alerts_process_inbox))  # serve's
    ingest = al.add_parser("ingest", help="process a saved payload exactly as the listener would")
    ingest.add_argument("file", type=Path)
    ingest.add_argument("--format", default="auto",
                        choices=("auto", "alertmanager", "grafana", "pagerduty"))
    ingest.add_argument("--json", action="store_true")
    ingest.set_defaults(handler=in_context(alerts_ingest), inputs=("file",))
    token = al.add_parser("token", help="print the webhook bearer token (from the keyring)")
    token.add_argument("--rotate", action="store_true", help="replace it with a new one")
    token.set_defaults(handler=in_context(alerts_token))
    rule = command_group(al, "rule", "mapping rules: label matchers → service", dest="rule_action")
    radd = rule.add_parser("add", help="append a rule (first match wins)")
    radd.add_argument("matchers", help='e.g. \'job=~"vpn.*", env=prod\'')
    radd.add_argument("service")
    radd.set_defaults(handler=in_context(rule_add))
    rlist = rule.add_parser("list", help="the rules in order")
    rlist.add_argument("--json", action="store_true")
    rlist.set_defaults(handler=in_context(rule_list))
    rrm = rule.add_parser("remove", help="remove rule N")
    rrm.add_argument("number", type=count)
    rrm.set_defaults(handler=in_context(rule_remove))
    auto = al.add_parser("auto-resolve", help="resolve incidents when all their alerts clear")
    auto.add_argument("state", choices=("on", "off"))
    auto.set_defaults(handler=in_context(alerts_auto_resolve))


def _outcome_json(outcome: Outcome) -> dict[str, Any]:
    return {"opened": [{"ref": o.ref, "title": o.title, "priority": o.priority.value}
                       for o in outcome.opened],
            "changed": sorted(outcome.changed), "cleared": outcome.cleared,
            "resolved": outcome.resolved, "notes": outcome.notes}


def _outcome_text(outcome: Outcome) -> str:
    lines = [f"opened {o.ref} {o.priority.value} {o.title}" for o in outcome.opened]
    lines += [f"{ref}: every alert has cleared" for ref in outcome.cleared]
    lines += [f"{ref}: resolved automatically" for ref in outcome.resolved]
    lines += [f"updated {ref}" for ref in sorted(outcome.changed)
              if ref not in {o.ref for o in outcome.opened}]
    lines += outcome.notes
    return "\n".join(lines) or "stored and processed: no incident changed"


def alerts_list(ctx: AppContext, args: argparse.Namespace) -> int:
    if not 1 <= args.limit <= 100_000:
        raise UsageError("--limit must be between 1 and 100000")
    rows = ctx.alerts.intake.alerts(ref=args.incident, status=args.status, limit=args.limit)
    lines = [f"{a.status:<12} {a.count:>5}× {a.ref or '—':<10} {'[maintenance] ' if a.suppressed else ''}"
             f"{a.source}: {a.summary}  (last {iso(a.last_seen)})" for a in rows]
    emit([a.to_json() for a in rows], args.json, "\n".join(lines) if lines else "no alerts")
    return 0


def alerts_ingest(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.alert_payload import PayloadError
    from imdesk.domain.errors import ValidationError
    from imdesk.files import read_capped
    from imdesk.services.alerts.intake import MAX_BODY

    body = read_capped(args.file, cap=MAX_BODY, what="payload")
    try:
        accepted, outcome = ctx.alerts.intake.ingest(body, args.format)
    except PayloadError as exc:
        raise ValidationError("payload", f"{args.file.name} refused: {exc}") from None
    data = {"format": accepted.endpoint, **_outcome_json(outcome)}
    if accepted.assigned_key:
        data["dedup_key"] = accepted.assigned_key
    emit(data, args.json, _outcome_text(outcome))
    if outcome.failed:
        import sys

        print("imdesk: the payload was stored but could not be processed; it is kept in the inbox, "
              "marked failed", file=sys.stderr)
        return 1
    return 0


def alerts_token(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.credentials.webhook_token import SecretUnavailable, load_or_create_token, rotate_token

    if args.rotate:
        token = rotate_token()  # raises when there is no keyring: nothing to rotate
    else:
        token = load_or_create_token()
        if token.problem:
            from imdesk.messages import clause

            raise SecretUnavailable(f"no token is kept, so there is none to print: {clause(token.problem)}")
    print(token.value)
    return 0


def alerts_auto_resolve(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.alerts.settings.set_auto_resolve(args.state == "on")
    print(f"automatic resolve is {args.state}")
    return 0


def rule_add(ctx: AppContext, args: argparse.Namespace) -> int:
    rules = [(matchers_text(r.matchers), r.service) for r in ctx.alerts.settings.mapping().rules]
    mapping = ctx.alerts.settings.set_rules([*rules, (args.matchers, args.service)])
    print(f"rule {len(mapping.rules)}: {matchers_text(mapping.rules[-1].matchers)} → "
          f"{mapping.rules[-1].service}")
    return 0


def rule_list(ctx: AppContext, args: argparse.Namespace) -> int:
    rules = ctx.alerts.settings.mapping().rules
    emit([r.to_json() for r in rules], args.json, "\n".join(
        f"{i:>3}. {matchers_text(r.matchers)} → {r.service}" for i, r in enumerate(rules, 1))
        or "no rules: alerts open incidents without a service")
    return 0


def rule_remove(ctx: AppContext, args: argparse.Namespace) -> int:
    rules = [(matchers_text(r.matchers), r.service) for r in ctx.alerts.settings.mapping().rules]
    if not 1 <= args.number <= len(rules):
        raise UsageError(f"there is no rule {args.number} (there are {len(rules)})")
    del rules[args.number - 1]
    ctx.alerts.settings.set_rules(rules)
    print(f"rule {args.number} removed")
    return 0


def alerts_serve(ctx: AppContext, args: argparse.Namespace) -> int:
    settings = ctx.alerts.settings.listener()
    host = args.host or settings.host
    port = settings.port if args.port is None else args.port
    if not 0 <= port <= 65535:
        raise UsageError("--port must be between 0 and 65535")
    if args.report_json:
        return _serve_for_console(ctx, host, port)
    return _serve_headless(ctx, host, port)


def alerts_process_inbox(ctx: AppContext, args: argparse.Namespace) -> int:
    """The processor process `alerts serve` starts (channels/processor_child)."""
    from imdesk.channels.processor_child import run_processor

    return run_processor(ctx.alerts.intake, sys.stdin.buffer, sys.stdout)


def _processor(ctx: AppContext, on_line: Callable[[str], None],
               on_exit: Callable[[int, bool], None]) -> ProcessorChild:
    from imdesk.channels.processor_child import start_processor

    return start_processor(ctx.db.engine.url.render_as_string(hide_password=False), on_line, on_exit)


def _tune_interpreter() -> None:
    """This process only serves: request threads, the writer and the processor hand the
    interpreter lock over every 0.5 ms instead of 5 ms, so that the writer gets it back at once
    after its fsync and no reply waits long behind another thread."""
    sys.setswitchinterval(GIL_SWITCH_S)


class _Standby:
    """The listener runs while this desk holds the team's "alert-listener" lease (always on a
    SQLite file): `wake` is set when the holder changes, `stop` when the process should end."""

    def __init__(self, ctx: AppContext, on_change: Callable[[bool, LeaseInfo], None]) -> None:
        import threading

        from imdesk.domain.lease import LISTENER
        from imdesk.services.desk.leases import LeaseKeeper, LeaseWatch

        self.stop = threading.Event()
        self.wake = threading.Event()
        self.keeper = LeaseKeeper(ctx.db, LISTENER, ctx.desk)

        def changed(held: bool, info: LeaseInfo) -> None:
            if not ctx.db.is_sqlite:  # one desk on a file: nothing to tell
                on_change(held, info)
            self.wake.set()

        self.watch = LeaseWatch(self.keeper, changed)
        self.watch.check()
        self.watch.start()

    @property
    def held(self) -> bool:
        return self.keeper.held

    def end(self) -> None:
        self.stop.set()
        self.wake.set()

    def wait(self, timeout: float | None = None) -> None:
        self.wake.wait(timeout)
        self.wake.clear()

    def close(self) -> None:
        self.watch.stop()  # let go at once: another desk need not wait for the expiry


def _serve_headless(ctx: AppContext, host: str, port: int) -> int:
    import signal
    import time

    from imdesk.channels.alert_listener import AlertListener
    from imdesk.channels.processor_child import report_line
    from imdesk.credentials.webhook_token import load_or_create_token
    from imdesk.domain.alert_report import outcome_from_json

    token = load_or_create_token()

    def report(outcome: Outcome) -> None:
        text = _outcome_text(outcome)
        if outcome.opened or outcome.cleared or outcome.resolved:
            print(text, flush=True)

    def lease_changed(held: bool, info: LeaseInfo) -> None:
        print(f"listening for the team ({info.desk})" if held else
              f"standing by: {info.line(ctx.now())}", flush=True)

    standby = _Standby(ctx, lease_changed)
    gave_up: list[int] = []

    def child_line(line: str) -> None:
        if "outcome" in (data := report_line(line) or {}):
            report(outcome_from_json(data["outcome"]))
        elif "failed" in data:
            print(f"imdesk: alert processing failed: {data['failed']}", file=sys.stderr, flush=True)

    def child_exit(code: int, again: bool) -> None:
        print(f"imdesk: the alert processor stopped (exit {code}); " + ("started again" if again
              else "it keeps stopping, so the listener stops too"), file=sys.stderr, flush=True)
        if not again:
            gave_up.append(code)
            standby.end()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_a: standby.end())
    listener: AlertListener | None = None
    child: ProcessorChild | None = None
    told = False
    heartbeat_due = 0.0
    try:
        while not standby.stop.is_set():
            if standby.held and listener is None:
                left = ctx.alerts.intake.pending()
                if left:  # stored before a crash or kill, never processed: first things first
                    outcome = ctx.alerts.intake.process_pending()
                    print(f"processed {left} payload{'s' if left != 1 else ''} left from before",
                          flush=True)
                    if outcome.opened:
                        print(_outcome_text(outcome), flush=True)
                child = _processor(ctx, child_line, child_exit)
                listener = AlertListener(ctx.alerts.intake, token.value, host=host, port=port,
                                         on_stored=child.stored)
                listener.start()
                _tune_interpreter()
                print(f"listening on {listener.url} (/alertmanager, /grafana, /v2/enqueue, "
                      "/heartbeat/NAME)", flush=True)
                if not told:
                    told = True
                    if token.problem:
                        print(f"imdesk: {token.problem} — the token below works only while this "
                              "listener runs", file=sys.stderr, flush=True)
                    if token.new:
                        print("bearer token (shown once; `imdesk alerts token` prints it again): "
                              f"{token.value}", flush=True)
            elif not standby.held and listener is not None:
                listener.stop()  # another desk holds the lease now
                listener = None
                if child is not None:
                    child.stop()
            if listener is not None and time.monotonic() >= heartbeat_due:
                if heartbeat_due:
                    report(ctx.alerts.watch.check_heartbeats())
                heartbeat_due = time.monotonic() + HEARTBEAT_CHECK_S
            standby.wait(HEARTBEAT_CHECK_S)
    finally:
        if listener is not None:
            listener.stop()
        if child is not None:
            child.stop()
        standby.close()
    print("stopped", flush=True)
    return 1 if gave_up else 0


def _serve_for_console(ctx: AppContext, host: str, port: int) -> int:
    """The console's listener in a process of its own: the console owns the token (keyring or
    session) and the heartbeat checks; this process stores, processes and reports while its
    desk holds the team's listener lease ({"lease": ..., "held": ...} when the holder changes).
    It stops on 'stop' or when its stdin closes (the console went away)."""
    import json
    import threading

    from imdesk.channels.alert_listener import AlertListener, ListenerUnavailable

    out_lock = threading.Lock()

    def say(line: str) -> None:
        with out_lock:
            sys.stdout.write(line + "\n")
            sys.stdout.flush()

    first = sys.stdin.readline().rstrip("\n")
    if not first.startswith("token "):
        say(json.dumps({"error": "the listener process needs its token first"}))
        return 2
    token = [first[len("token "):]]
    running: list[AlertListener] = []
    children: list[ProcessorChild] = []
    gave_up: list[int] = []
    standby = _Standby(ctx, lambda held, info: say(json.dumps({"lease": info.as_json(),
                                                                "held": held})))

    def child_exit(code: int, again: bool) -> None:
        if again:
            say(json.dumps({"failed": f"the alert processor stopped (exit {code}); started again"}))
        else:
            gave_up.append(code)
            say(json.dumps({"error": f"the alert processor keeps stopping (exit {code})"}))
            standby.end()

    def commands() -> None:
        for line in sys.stdin:
            command, _, value = line.rstrip("\n").partition(" ")
            if command == "stop":
                break
            if command == "token":
                token[0] = value
                for listener in list(running):
                    listener.set_token(value)
        standby.end()

    threading.Thread(target=commands, name="imdesk-serve-stdin", daemon=True).start()
    try:
        while not standby.stop.is_set():
            if standby.held and not running:
                # the processor (its report lines are the console's) first takes what a kill
                # left in the inbox
                children.append(_processor(ctx, say, child_exit))
                listener = AlertListener(ctx.alerts.intake, token[0], host=host, port=port,
                                         on_stored=children[-1].stored)
                try:
                    listener.start()
                except ListenerUnavailable as exc:
                    say(json.dumps({"error": exc.message}))
                    return 1
                running.append(listener)
                _tune_interpreter()
                say(json.dumps({"listening": listener.url, "port": listener.port}))
            elif not standby.held and running:
                running.pop().stop()  # another desk holds the lease now
                children.pop().stop()
            standby.wait()
    finally:
        for listener in running:
            listener.stop()
        for child in children:
            child.stop()
        standby.close()
    return 1 if gave_up else 0
