"""`imdesk contacts …`: list the book (or its review queue), who to call for a service, the
emergency pack as a PDF, and vCard and CSV in and out of the book.

Import shows what it does (new contacts, duplicates and what happens to them, flagged values,
notices), then writes it in one transaction — or nothing with ``--dry-run``. Duplicates (the same
email address or phone number as a contact in the book, or as an earlier record of the file) are
skipped unless ``--duplicates merge``. A file that cannot be read whole exits 2 with the record,
line and reason, and nothing is written.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from imdesk.cli.common import UsageError, command_group, emit, in_context, iso

if TYPE_CHECKING:
    from imdesk.cli.common import Subparsers
    from imdesk.contacts_io.plan import ImportPlan
    from imdesk.context import AppContext
    from imdesk.domain.contact_book import Callee, ImportOutcome, WhoToCall


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
    pack.set_defaults(handler=in_context(contacts_pack), outputs=("output",))
    imp = contacts.add_parser(
        "import", help="import contacts from a vCard or CSV file (Outlook, Google, Thunderbird, imdesk)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--duplicates", choices=("skip", "merge"), default="skip",
                     help="what to do with records that match a contact by email or phone "
                          "(default: skip; merge adds their numbers, addresses and notes)")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=in_context(contacts_import), inputs=("file",))
    exp = contacts.add_parser("export", help="write every contact to a vCard 3.0 or imdesk CSV file")
    exp.add_argument("--format", choices=("vcard", "csv"), required=True)
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(handler=in_context(contacts_export), outputs=("output",))


def _callee_json(c: Callee) -> dict[str, Any]:
    return {"id": c.contact_id, "name": c.name, "stale": c.stale, "review": c.review,
            "phones": [{"kind": p.kind.value, "raw": p.raw, "e164": p.e164} for p in c.record.phones],
            "emails": [e.address for e in c.record.emails],
            "preferred_channel": c.record.preferred_channel.value}


def who_json(who: WhoToCall) -> dict[str, Any]:
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
    # The PDF is drawn by Qt's PDF writer (QPdfWriter): PDF writing is the documented exception
    # that loads Qt (offscreen when there is no screen), inside the handler only.
    from imdesk.qt.contacts.pack_writer import write_pack_headless

    write_pack_headless(data, args.output)
    print(f"{args.output} · {len(data.services)} services · data hash {data.digest[:16]}")
    return 0


def contacts_import(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.contacts_io.errors import ImportRefused
    from imdesk.services.contacts.transfer import apply_import, preview_import

    try:
        plan = preview_import(ctx.contacts, args.file)
    except ImportRefused as exc:
        raise ImportRefused(f"{args.file.name}: {exc}", field=exc.field) from None
    merge = {d.position for d in plan.duplicates} if args.duplicates == "merge" else set()
    outcome = None if args.dry_run else apply_import(ctx.contacts, plan, merge)
    emit(plan_json(plan, args.file, args.duplicates, outcome), args.json,
         plan_text(plan, args.file, args.duplicates, outcome))
    return 0


def contacts_export(ctx: AppContext, args: argparse.Namespace) -> int:
    from imdesk.services.contacts.transfer import ExportFormat, export_contacts

    fmt = ExportFormat(args.format)
    count = export_contacts(ctx.contacts, args.output, fmt)
    emit({"file": str(args.output), "format": fmt.value, "contacts": count}, args.json,
         f"{args.output} · {count} contacts · {fmt.label}")
    return 0


def plan_json(plan: ImportPlan, path: Path, duplicates: str,
              outcome: ImportOutcome | None) -> dict[str, Any]:
    return {
        "file": str(path), "layout": plan.layout, "encoding": plan.encoding,
        "new": [{"record": plan.records[i].record, "line": plan.records[i].line,
                 "name": plan.records[i].contact.name} for i in plan.new],
        "duplicates": [{"record": d.record.record, "line": d.record.line, "name": d.record.contact.name,
                        "matched_on": d.matched_on, "existing_id": d.existing_id,
                        "existing_name": d.existing_name,
                        "earlier_record": None if d.earlier is None else plan.records[d.earlier].record,
                        "action": duplicates} for d in plan.duplicates],
        "flags": [{"record": f.record, "line": f.line, "field": f.field, "value": f.value,
                   "reason": f.reason} for f in plan.flags],
        "notices": [{"record": n.record, "line": n.line, "text": n.text} for n in plan.notices],
        "written": None if outcome is None else {"added": list(outcome.added),
                                                  "merged": list(outcome.merged)},
    }


def plan_text(plan: ImportPlan, path: Path, duplicates: str, outcome: ImportOutcome | None) -> str:
    action = "merged" if duplicates == "merge" else "skipped"
    lines = [f"{path.name} · {plan.layout} · {plan.encoding}",
             f"{len(plan.new)} new · {_n(len(plan.duplicates), 'duplicate')} ({action}) · "
             f"{_n(len(plan.flags), 'flagged value')} in {_n(plan.flagged_records, 'record')}"]
    lines += [f"  new        {plan.records[i].contact.name}" for i in plan.new]
    for d in plan.duplicates:
        target = (f"{d.existing_name} (#{d.existing_id})" if d.existing_id is not None
                  else f"{d.existing_name} (record {plan.records[d.earlier or 0].record} of this file)")
        lines.append(f"  duplicate  {d.record.contact.name} = {target}, same {d.matched_on}: {action}")
    lines += [f"  flagged    {f}" for f in plan.flags]
    lines += [f"  note       {n}" for n in plan.notices]
    if outcome is None:
        lines.append("dry run: nothing written")
    else:
        lines.append(f"imported: {len(outcome.added)} added, {len(outcome.merged)} merged")
    return "\n".join(lines)


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"
