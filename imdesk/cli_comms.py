"""`imdesk notify`, `imdesk outbox …`, `imdesk credentials …` and `imdesk provider …`: the
whole communications path from the command line, scriptable end to end.

Secrets are read from stdin only (never argv, never a file); provider settings hold none.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.services.comms.notify import NotifyPlan
    from imdesk.services.comms.outbox import OutboxItem

IN_FLIGHT = timedelta(minutes=5)  # a "sending" message younger than this may be another process's


def register(sub: Subparsers) -> None:
    notify = sub.add_parser("notify", help="inform people about an incident (preview without --yes)")
    notify.add_argument("ref")
    notify.add_argument("--template", required=True, help="initial, update or resolved")
    notify.add_argument("--audience", default="business", help="business or technical")
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
    retry.add_argument("id", type=int)
    retry.add_argument("--json", action="store_true")
    retry.set_defaults(handler=in_context(outbox_retry))
    serve = outbox.add_parser("serve", help="keep sending (the console starts this); "
                                            "commands on stdin, reports as JSON lines")
    serve.set_defaults(handler=in_context(outbox_serve))
    called = outbox.add_parser("called", help="message ID on the call list: phoned by hand")
    called.add_argument("id", type=int)
    called.add_argument("--note", default="")
    called.set_defaults(handler=in_context(outbox_called))

    cred = command_group(sub, "credentials", "provider secrets in the OS keyring")
    cset = cred.add_parser("set", help="store PROVIDER's secret (read from stdin)")
    cset.add_argument("provider")
    cset.set_defaults(handler=in_context(credentials_set))
    cstatus = cred.add_parser("status", help="each provider's secret: stored where, usable or why not")
    cstatus.add_argument("--json", action="store_true")
    cstatus.set_defaults(handler=in_context(credentials_status))

    prov = command_group(sub, "provider", "email and SMS providers (no secrets)")
    pset = prov.add_parser("set", help="add or change provider NAME: KEY=VALUE … (kind=smtp|twilio|http)")
    pset.add_argument("name")
    pset.add_argument("values", nargs="+", metavar="KEY=VALUE")
    pset.set_defaults(handler=in_context(provider_set))
    pshow = prov.add_parser("show", help="the provider settings")
    pshow.add_argument("--json", action="store_true")
    pshow.set_defaults(handler=in_context(provider_show))
    pload = prov.add_parser("load", help="replace the provider settings with a JSON file")
    pload.add_argument("file", type=Path)
    pload.set_defaults(handler=in_context(provider_load))
    porder = prov.add_parser("order", help="the SMS providers to try, in order")
    porder.add_argument("names", nargs="+")
    porder.set_defaults(handler=in_context(provider_order))
    ptest = prov.add_parser("test", help="connect (and log in) to provider NAME; sends nothing")
    ptest.add_argument("name")
    ptest.add_argument("--json", action="store_true")
    ptest.set_defaults(handler=in_context(provider_test))


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
    for _ in range(1000):  # one message per incident and person per round: in order
        report = sender.run_once()
        if total is None:
            total = report
        else:
            for key in ("picked", "sent", "delivered", "retried", "failed_over", "failed", "expired"):
                setattr(total, key, getattr(total, key) + getattr(report, key))
            total.waiting.update(report.waiting)
            total.connectivity = report.connectivity
        if report.picked == 0:
            break
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
    """The console's sender: stdin lines wake / send-now / secret ["name", "value"] /
    reset "name" / stop (or end of input); one JSON line per run on stdout."""
    import json
    import threading

    from imdesk.services.comms.sender_loop import SenderLoop, report_json

    if hasattr(os, "nice"):
        os.nice(10)  # background work: the window of the same user comes first
    lock = threading.Lock()

    def out(data: dict[str, Any]) -> None:
        with lock:
            sys.stdout.write(json.dumps(data) + "\n")
            sys.stdout.flush()

    loop = SenderLoop(ctx.comms.sender(), ctx.comms.clock.now,
                      lambda r: out(report_json(r)), lambda e: out({"error": e}))
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

    threading.Thread(target=commands, name="imdesk-serve-stdin", daemon=True).start()
    loop.run()
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


# -- credentials -------------------------------------------------------------------------------

def credentials_set(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.credentials.store import CredentialError
    from imdesk.domain.errors import ValidationError
    from imdesk.errors import KnownError

    settings = ctx.comms.load_settings()
    if args.provider not in settings.providers:
        raise ValidationError("provider", f"no provider named {args.provider!r} "
                                          "(imdesk provider set NAME kind=… first)")
    if sys.stdin.isatty():
        import getpass

        secret = getpass.getpass(f"Secret for {args.provider}: ")
    else:
        secret = sys.stdin.readline().rstrip("\r\n")
    if not secret:
        raise ValidationError("secret", "no secret on stdin")
    try:
        where = ctx.comms.secrets.set(args.provider, secret)
    except CredentialError as exc:
        raise KnownError(str(exc), hint="Unlock the keyring, or allow a plain text keyring "
                                        "in the settings (not recommended).") from None
    print(f"{args.provider}: secret stored in {where}")
    return 0


def credentials_status(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.comms.sender import needs_secret

    settings = ctx.comms.load_settings()
    rows: list[dict[str, Any]] = []
    for name, provider in settings.providers.items():
        if not needs_secret(provider):
            rows.append({"provider": name, "state": "not needed", "where": ""})
            continue
        lookup = ctx.comms.secrets.get(name)
        rows.append({"provider": name, "state": lookup.state.value, "where": lookup.where,
                     "usable": lookup.usable})
    backend = ctx.comms.secrets.backend_info()
    text = "\n".join(f"{r['provider']}: {r['state']}" + (f" ({r['where']})" if r["where"] else "")
                     for r in rows) or "No providers configured."
    emit({"keyring": {"kind": backend.kind.value, "label": backend.label}, "providers": rows},
         args.json, f"keyring: {backend.label}\n{text}")
    return 0


# -- providers ---------------------------------------------------------------------------------

def _value(raw: str) -> Any:
    import json

    try:
        return json.loads(raw)
    except ValueError:
        return raw


def provider_set(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.errors import ValidationError

    values: dict[str, Any] = {}
    for pair in args.values:
        key, sep, raw = pair.partition("=")
        if not sep or not key:
            raise ValidationError("values", f"expected KEY=VALUE, not {pair!r}")
        if key in ("password", "token", "auth_token", "secret"):
            raise ValidationError(key, "secrets go into the keyring: imdesk credentials set "
                                       f"{args.name} (reads stdin)")
        values[key] = raw if key in ("host", "account_sid", "from_number", "username") else _value(raw)
    provider = ctx.comms.settings.set_provider(args.name, values)
    print(f"{provider.name}: {provider.describe()}")
    return 0


def provider_show(ctx: AppContext, args: argparse.Namespace) -> int:
    settings = ctx.comms.load_settings()
    text = "\n".join(f"{p.name}: {p.describe()}" for p in settings.providers.values())
    text += f"\nSMS order: {', '.join(settings.sms_order) or '—'}; email: " \
            f"{settings.email_provider or '—'}; call list: {'on' if settings.manual_lane else 'off'}"
    emit(settings.to_json(), args.json, text.strip())
    return 0


def provider_load(ctx: AppContext, args: argparse.Namespace) -> int:
    settings = ctx.comms.settings.load_file(args.file)
    print(f"{len(settings.providers)} provider(s) loaded from {args.file}")
    return 0


def provider_order(ctx: AppContext, args: argparse.Namespace) -> int:
    import dataclasses

    settings = ctx.comms.load_settings()
    ctx.comms.settings.save(dataclasses.replace(settings, sms_order=tuple(args.names)))
    print("SMS order: " + ", ".join(args.names))
    return 0


def provider_test(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.errors import ValidationError
    from imdesk.services.comms.provider_check import check_provider

    provider = ctx.comms.load_settings().providers.get(args.name)
    if provider is None:
        raise ValidationError("provider", f"no provider named {args.name!r}")
    result = check_provider(provider, ctx.comms.secrets)
    where = f"; secret: {result.secret_where}" if result.secret_where else ""
    emit({"ok": result.ok, "text": result.text, "secret_where": result.secret_where}, args.json,
         f"{'OK' if result.ok else 'FAILED'}: {result.text}{where}")
    return 0 if result.ok else 1
