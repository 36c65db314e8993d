"""`imdesk credentials …` and `imdesk provider …`: the email and SMS providers messages go out
through, and their secrets.

Secrets are read from stdin only (never argv, never a file); provider settings hold none.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext


def register(sub: Subparsers) -> None:
    """Add ``credentials`` and ``provider`` to the top-level sub-parsers."""
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
    pload.add_argument("--allow-empty", action="store_true",
                       help="accept a file with no providers (removes every provider)")
    pload.set_defaults(handler=in_context(provider_load), inputs=("file",))
    porder = prov.add_parser("order", help="the SMS providers to try, in order")
    porder.add_argument("names", nargs="+")
    porder.set_defaults(handler=in_context(provider_order))
    ptest = prov.add_parser("test", help="connect (and log in) to provider NAME; sends nothing")
    ptest.add_argument("name")
    ptest.add_argument("--json", action="store_true")
    ptest.set_defaults(handler=in_context(provider_test))


# -- credentials -------------------------------------------------------------------------------

SECRET_MAX = 8192


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
        try:
            stream = getattr(sys.stdin, "buffer", None)  # bytes: invalid UTF-8 is seen, not escaped
            line = stream.readline(SECRET_MAX + 2).decode("utf-8") if stream else sys.stdin.readline()
            secret = line.rstrip("\r\n")
        except UnicodeDecodeError:
            raise ValidationError("secret", "the secret on stdin is not valid UTF-8") from None
        if len(secret) > SECRET_MAX:
            raise ValidationError("secret", f"the secret is longer than {SECRET_MAX:,} characters")
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
    settings = ctx.comms.settings.load_file(args.file, allow_empty=args.allow_empty)
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
