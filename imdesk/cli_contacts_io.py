"""`imdesk contacts import FILE` and `imdesk contacts export`: vCard and CSV in and out of the book.

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

from imdesk.cli.common import emit, in_context

if TYPE_CHECKING:
    from imdesk.contacts_io.plan import ImportPlan
    from imdesk.context import AppContext
    from imdesk.domain.contact_book import ImportOutcome


def register(contacts: Any) -> None:
    """Add ``import`` and ``export`` to the ``contacts`` sub-parsers."""
    imp = contacts.add_parser(
        "import", help="import contacts from a vCard or CSV file (Outlook, Google, Thunderbird, imdesk)")
    imp.add_argument("file", type=Path)
    imp.add_argument("--duplicates", choices=("skip", "merge"), default="skip",
                     help="what to do with records that match a contact by email or phone "
                          "(default: skip; merge adds their numbers, addresses and notes)")
    imp.add_argument("--dry-run", action="store_true", help="show what would be imported; write nothing")
    imp.add_argument("--json", action="store_true")
    imp.set_defaults(handler=in_context(contacts_import))
    exp = contacts.add_parser("export", help="write every contact to a vCard 3.0 or imdesk CSV file")
    exp.add_argument("--format", choices=("vcard", "csv"), required=True)
    exp.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    exp.add_argument("--json", action="store_true")
    exp.set_defaults(handler=in_context(contacts_export))


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
