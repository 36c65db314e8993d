"""`imdesk contacts …`: list the book (or its review queue), who to call for a service, and the
emergency pack as a PDF.

Each sub-command sets ``handler`` (a function of the context and the parsed arguments returning
the exit code); cli.py calls it. The import/export commands register their actions in
the marked place in ``register`` (set ``handler`` the same way).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, emit, in_context

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.context import AppContext
    from imdesk.domain.contact_book import Callee, WhoToCall


def register(sub: Subparsers) -> None:
    """Add the ``contacts`` command and its actions to the top-level sub-parsers."""
    contacts = command_group(sub, "contacts", "the contact book")
    lst = contacts.add_parser("list", help="every contact (or the review queue with --stale)")
    lst.add_argument("--stale", action="store_true",
                     help="only contacts not verified within the stale period or marked for review")
    lst.add_argument("--json", action="store_true")
    lst.set_defaults(handler=in_context(contacts_list))
    who = contacts.add_parser("who", help="who to call for SERVICE: owner team, on duty now, ladder")
    who.add_argument("service")
    who.add_argument("--json", action="store_true")
    who.set_defaults(handler=in_context(contacts_who))
    pack = contacts.add_parser("pack", help="write the emergency pack (PDF)")
    pack.add_argument("-o", "--output", type=Path, required=True, metavar="FILE.pdf")
    pack.set_defaults(handler=in_context(contacts_pack))
    # ---- `contacts import` / `contacts export` (vCard, CSV) register their actions on
    # `contacts` here, with one line calling their module's registration function.
    __import__("imdesk.cli_contacts_io").cli_contacts_io.register(contacts)


def _callee_json(c: Callee) -> dict[str, Any]:
    return {"id": c.contact_id, "name": c.name, "stale": c.stale, "review": c.review,
            "phones": [{"kind": p.kind.value, "raw": p.raw, "e164": p.e164} for p in c.record.phones],
            "emails": [e.address for e in c.record.emails],
            "preferred_channel": c.record.preferred_channel.value}


def who_json(who: WhoToCall) -> dict[str, Any]:
    from imdesk.domain.timeline import iso

    nxt = who.next_shift
    return {
        "service": who.service, "owner_team": who.owner_team or None,
        "business_owner": _callee_json(who.business_owner) if who.business_owner else None,
        "on_duty": [_callee_json(c) for c in who.on_duty],
        "next_shift": None if nxt is None else {"name": nxt.name, "starts_at": iso(nxt.starts_at),
                                                "ends_at": iso(nxt.ends_at)},
        "ladder": [{"step": r.position, "who": r.label, "wait_minutes": r.wait_minutes,
                    "starts_after_minutes": r.starts_after_minutes,
                    "callees": [_callee_json(c) for c in r.callees]} for r in who.ladder],
        "runbook": who.runbook,
    }


def _dial(c: Callee) -> str:
    return c.phone.dial if c.phone else "(no number)"


def who_text(who: WhoToCall) -> str:
    from imdesk.domain.timeline import iso

    if not who.owner_team:
        return f"{who.service}: no owner team recorded"
    lines = [f"{who.service} · owner team {who.owner_team}"]
    if who.on_duty:
        lines += [f"on duty now: {c.name}  {_dial(c)}" + (" (stale)" if c.stale else "")
                  for c in who.on_duty]
    else:
        lines.append("on duty now: nobody on the roster")
    if who.next_shift:
        lines.append(f"next: {who.next_shift.name} from {iso(who.next_shift.starts_at)}")
    for r in who.ladder:
        people = ", ".join(_dial(c) if c.name == r.label else f"{c.name} {_dial(c)}"
                           for c in r.callees) or "nobody in this role"
        lines.append(f"{r.position}. +{r.starts_after_minutes} min  {r.label}: {people}"
                     f"  (wait {r.wait_minutes} min)")
    if who.business_owner:
        lines.append(f"business owner: {who.business_owner.name}  {_dial(who.business_owner)}")
    if who.runbook:
        lines.append(f"runbook: {who.runbook.splitlines()[0]}")
    return "\n".join(lines)


def contacts_list(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.domain.contact_book import is_stale
    from imdesk.domain.timeline import iso

    now, days = ctx.contacts.now(), ctx.contacts.stale_days()
    rows = ctx.contacts.summaries(stale_only=args.stale)
    data = [{"id": c.id, "name": c.name, "kind": c.kind, "subtitle": c.subtitle, "phone": c.dial,
             "last_verified_at": iso(c.last_verified_at) if c.last_verified_at else None,
             "stale": is_stale(c.last_verified_at, now, days), "review": c.review,
             "on_duty": c.on_duty} for c in rows]
    lines = []
    for c, d in zip(rows, data, strict=True):
        marks = " ".join(m for m in ("ON DUTY" if c.on_duty else "", "STALE" if d["stale"] else "",
                                     f"REVIEW: {c.review}" if c.review else "") if m)
        lines.append(f"{c.id:>5} {c.name:<30} {c.dial:<16} {c.subtitle}" + (f"  [{marks}]" if marks else ""))
    empty = "no stale contacts" if args.stale else "no contacts"
    emit(data, args.json, "\n".join(lines) if lines else empty)
    return 0


def contacts_who(ctx: AppContext, args: argparse.Namespace) -> int:
    who = ctx.contacts.who_to_call(args.service)
    emit(who_json(who), args.json, who_text(who))
    return 0


def contacts_pack(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.contacts.pack_data import collect_pack

    if args.output.suffix.lower() != ".pdf":
        raise UsageError(f"{args.output}: the emergency pack is a PDF (end the name with .pdf)")
    data = collect_pack(ctx)
    from imdesk.qt.contacts.pack_writer import write_pack_headless

    write_pack_headless(data, args.output)
    print(f"{args.output} · {len(data.services)} services · data hash {data.digest[:16]}")
    return 0
