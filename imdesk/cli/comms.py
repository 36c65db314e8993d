"""`imdesk notify` and `imdesk outbox …`: messages to people from the command line, scriptable
end to end (their providers and secrets: providers.py).
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import command_group, count, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.services.comms.notify import NotifyPlan
    from imdesk.services.comms.outbox import OutboxItem

IN_FLIGHT = timedelta(minutes=5)  # a "sending" message younger than this may be another process's


def register(sub: Subparsers) -> None:
    """Add ``notify`` and ``outbox`` (with its actions) to the top-level sub-parsers."""
    notify = sub.add_parser("notify", help="inform people about an incident (preview without --yes)")
    notify.add_argument("ref")
    notify.add_argument("--template", required=True, help="initial, update or resolved")
    notify.add_argument("--audience", default="business",
                        help="business, technical or callers (the master's callers, by email)")
    notify.add_argument("--to", action="append", default=[], metavar="NAME",
                        help="a person, team or distribution list (default: the stakeholders)")
    notify.add_argument("--channel", help="email or sms (default: by audience)")
    notify.add_argument("--yes", action="store_true", help="queue and send (else: preview only)")
    notify.add_argument("--json", action="store_true")
    notify.set_defaults(handler=in_context(notify_cmd))

    outbox = command_group(sub, "outbox", "messages to people and what happened to them")
    lst = outbox.add_parser("list", help="every message, newest first")
    lst.add_argument("--state", action="append", default=[])
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(outbox_list))
    send = outbox.add_parser("send", help="deliver what is due, then exit")
    send.add_argument("--json", action="store_true")
    send.set_defaults(handler=in_context(outbox_send))
    retry = outbox.add_parser("retry", help="send message ID now (again from the first step)")
    retry.add_argument("id", type=count)
    retry.add_argument("--json", action="store_true")
    retry.set_defaults(handler=in_context(outbox_retry))
    serve = outbox.add_parser("serve", help="keep sending while this desk holds the team's "
                                            "sender lease (the console starts this); commands "
                                            "on stdin, reports as JSON lines")
    serve.add_argument("--headless", action="store_true",
                       help="on a server (systemd): no commands on stdin, a line per change, "
                            "SIGTERM or Ctrl+C stops")
    serve.set_defaults(handler=in_context(outbox_serve))
    called = outbox.add_parser("called", help="message ID on the call list: phoned by hand")
    called.add_argument("id", type=count)
    called.add_argument("--note", default="")
    called.set_defaults(handler=in_context(outbox_called))


# -- notify ------------------------------------------------------------------------------------

def _plan_text(plan: NotifyPlan) -> str:
    lines = [f"{plan.ref} · {plan.template} · {plan.audience}", "",
             f"Subject: {plan.rendered.subject}", "", plan.rendered.body.rstrip(), "",
             f"SMS: {plan.rendered.sms}", f"     {plan.sms_size.describe()}", ""]
    for channel, messages in plan.by_channel().items():
        lines.append(f"{channel.value} ({len(messages)}):")
        lines += [f"  {m.recipient.name} <{m.address}>"
                  + (f" — {m.recipient.source}" if m.recipient.source else "") for m in messages]
    if plan.unreachable:
        lines.append("cannot be reached:")
        lines += [f"  {u.name}: {u.reason}" for u in plan.unreachable]
    if plan.unknown:
        lines.append("not found: " + ", ".join(plan.unknown))
    return "\n".join(lines)


def notify_cmd(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.errors import ValidationError

    plan = ctx.comms.notify.plan(args.ref, args.template, audience=args.audience, to=args.to,
                                 channel=args.channel)
    if plan.unknown:
        raise ValidationError("to", f"no contact, team or list named {plan.unknown[0]!r}")
    if not args.yes:
        emit({**plan.to_json(), "queued": []}, args.json,
             _plan_text(plan) + "\n\nNothing sent: add --yes to send.")
        return 0
    ids = ctx.comms.notify.queue(plan)
    _deliver(ctx)
    items = [ctx.comms.outbox.get(i) for i in ids]
    emit({**plan.to_json(), "queued": [i.to_json() for i in items]}, args.json,
         "\n".join(_item_line(i) for i in items))
    return 0


# -- outbox ------------------------------------------------------------------------------------

def _item_line(i: OutboxItem) -> str:
    error = f" — {i.last_error}" if i.last_error else ""
    dup = " (possible duplicate)" if i.possible_duplicate else ""
    return (f"{i.id:>5} {i.ref:<10} {i.channel:<6} {i.recipient} <{i.address}>: "
            f"{i.state.label}{dup}, {i.attempts} attempt{'s' if i.attempts != 1 else ''}{error}")


def outbox_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.errors import ValidationError
    from imdesk.domain.message import MessageState

    try:
        states = [MessageState(s) for s in args.state]
    except ValueError:
        allowed = ", ".join(s.value for s in MessageState)
        raise ValidationError("state", f"state must be one of {allowed}") from None
    items = ctx.comms.outbox.list(states=states)
    emit([i.to_json() for i in items], args.json,
         "\n".join(_item_line(i) for i in items) or "The outbox is empty.")
    return 0


def _deliver(ctx: AppContext) -> Any:
    sender = ctx.comms.sender()
    sender.recover(older_than=IN_FLIGHT)
    total = None
    try:
        for _ in range(1000):  # one message per incident and person per round: in order
            report = sender.run_once()
            if total is None:
                total = report
            else:
                for key in ("picked", "sent", "delivered", "retried", "failed_over", "failed",
                            "expired"):
                    setattr(total, key, getattr(total, key) + getattr(report, key))
                total.waiting.update(report.waiting)
                total.connectivity = report.connectivity
            if report.picked == 0:
                break
    finally:
        sender.close()  # the SMTP connection kept between full runs
    return total


def outbox_send(ctx: AppContext, args: argparse.Namespace) -> int:
    r = _deliver(ctx)
    data = {"sent": r.sent, "delivered": r.delivered, "retried": r.retried,
            "failed_over": r.failed_over, "failed": r.failed, "expired": r.expired,
            "waiting_for_credentials": {k: v.value for k, v in r.waiting.items()},
            "connectivity": r.connectivity.value}
    text = (f"sent {r.sent}, delivered {r.delivered}, to retry {r.retried}, failed over "
            f"{r.failed_over}, failed {r.failed}, expired {r.expired}; {r.connectivity.value}")
    for name, state in r.waiting.items():
        text += f"\n{name}: waiting — {state.label} (imdesk credentials set {name})"
    emit(data, args.json, text)
    return 0


def outbox_serve(ctx: AppContext, args: argparse.Namespace) -> int:
    """The team's sender: runs while this desk holds the "outbox-sender" lease (always on a
    SQLite file), stands by while another desk holds it. For the console: stdin lines wake /
    send-now / secret ["name", "value"] / reset "name" / stop (or end of input); one JSON line
    per run on stdout, and {"lease": ..., "held": ...} when the holder changes. --headless: no
    stdin, a text line per change, SIGTERM or SIGINT stops."""
    import json
    import threading

    from imdesk.domain.lease import SENDER, LeaseInfo
    from imdesk.services.comms.sender_loop import SenderLoop, report_json
    from imdesk.services.comms.status import RunReport
    from imdesk.services.desk.leases import LeaseKeeper, LeaseWatch

    if hasattr(os, "nice"):
        os.nice(10)  # background work: the window of the same user comes first
    lock = threading.Lock()
    headless = bool(getattr(args, "headless", False))

    def out(data: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()

    def say(text: str) -> None:
        with lock:
            print(text, flush=True)

    def reported(r: RunReport) -> None:
        if not headless:
            out(report_json(r))
        elif r.picked or r.expired or r.delivered:
            say(f"sent {r.sent}, delivered {r.delivered}, to retry {r.retried}, failed over "
                f"{r.failed_over}, failed {r.failed}, expired {r.expired}; {r.connectivity.value}")

    keeper = LeaseKeeper(ctx.db, SENDER, ctx.desk, clock=ctx.comms.clock)
    loop = SenderLoop(ctx.comms.sender(holder=keeper.holder), ctx.comms.clock.now, reported,
                      lambda e: say(e) if headless else out({"error": e}),
                      may_run=lambda: keeper.held)

    def lease_changed(held: bool, info: LeaseInfo) -> None:
        if not ctx.db.is_sqlite:  # one desk on a file: nothing to tell
            if headless:
                say(f"sending for the team ({info.desk})" if held else
                    f"standing by: {info.line(ctx.comms.clock.now())}")
            else:
                out({"lease": info.as_json(), "held": held})
        loop.wake()

    watch = LeaseWatch(keeper, lease_changed,
                       failed=lambda e: say(e) if headless else out({"error": f"outbox: {e}"}))
    watch.check()
    watch.start()
    secrets = ctx.comms.secrets

    def commands() -> None:
        for line in sys.stdin:
            word, _, rest = line.strip().partition(" ")
            if word == "wake":
                loop.wake()
            elif word == "send-now":
                threading.Thread(target=loop.send_now, daemon=True).start()
            elif word == "secret":
                name, value = json.loads(rest)
                secrets.set_for_session(str(name), str(value))
                loop.wake()
            elif word == "reset":
                secrets.forget(str(json.loads(rest)))
                loop.wake()
            elif word == "stop":
                break
        loop.stop()

    if headless:
        import signal

        for sig in (signal.SIGINT, signal.SIGTERM):
            signal.signal(sig, lambda *_a: loop.stop())
    else:
        threading.Thread(target=commands, name="imdesk-serve-stdin", daemon=True).start()
    try:
        loop.run()
    finally:
        watch.stop()  # let go at once: another desk need not wait for the expiry
    return 0


def outbox_retry(ctx: AppContext, args: argparse.Namespace) -> int:
    ctx.comms.outbox.retry(args.id)
    _deliver(ctx)
    item = ctx.comms.outbox.get(args.id)
    emit(item.to_json(), args.json, _item_line(item))
    return 0


def outbox_called(ctx: AppContext, args: argparse.Namespace) -> int:
    item = ctx.comms.outbox.called(args.id, args.note)
    print(_item_line(item))
    return 0
