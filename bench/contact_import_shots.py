"""Screenshots of the contact import preview (called from bench/screenshots.py for each scheme): a
file with new people, duplicates of demo contacts (one ticked to merge) and flagged values; and a
refused file."""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "data" / "contacts"


def _preview_file(ctx: Any) -> Path:
    known = [rec for _, rec in ctx.contacts.all_records() if rec.emails][:3]
    rows = [["Name", "Organisation", "Job title", "Phones", "Emails", "Notes"]]
    for rec in known:
        rows.append([rec.name.split()[0] + " " + rec.name.split()[-1][:1] + ".", rec.organisation,
                     rec.job_title, "mobile: +49 151 23456789", f"work: {rec.emails[0].address.upper()}", ""])
    people = [
        ("Lena Brandt", "Contoso GmbH", "Storage engineer", "mobile: 0151 98765432",
         "work: lena.brandt@contoso.example", ""),
        ("Tomás Ruiz", "Fabrikam SA", "Network on call", "mobile: +34 612 345 678",
         "work: tomas.ruiz@fabrikam.example", "Speaks Spanish and English"),
        ("Aiko Tanaka", "Tailspin", "DBA", "office: +81 3-1234-5678",
         "work: aiko.tanaka@tailspin.example", ""),
        ("Night porter", "Facilities", "", "office: 12", "", "Building B, ground floor"),
        ("Ravi Iyer", "Northwind", "Vendor support", "mobile: +91 98765 43210",
         "work: ravi at northwind", ""),
        ("Olga Petrova", "Northwind", "Service manager", "office: +49 30 5550123",
         "work: olga.petrova@northwind.example", ""),
    ]
    rows += [list(p) for p in people]
    path = Path(tempfile.mkdtemp(prefix="imdesk-shot-")) / "new-starters.csv"
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        csv.writer(out).writerows(rows)
    return path


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from imdesk.qt.contacts.import_dialog import ContactImportDialog

    dialog = ContactImportDialog(window, ctx, window.runner, _preview_file(ctx))
    dialog.resize(1180, 620)
    dialog.show()
    dialog.start()
    settle(1.2)
    if dialog.model.rowCount():
        dialog.model.toggle(0)
        dialog.table.setCurrentIndex(dialog.model.index(1, 0))
    settle(0.3)
    dialog.grab().save(str(out / f"contact-import-{scheme}.png"))
    dialog.done(0)
    for name, shot in (("undeclared_shift_jis.csv", "encoding"), ("damaged_line_utf8.vcf", "damaged")):
        other = ContactImportDialog(window, ctx, window.runner, CORPUS / name)
        other.resize(1180, 520)
        other.show()
        other.start()
        settle(0.8)
        other.grab().save(str(out / f"contact-import-{shot}-{scheme}.png"))
        other.done(0)
    refused = ContactImportDialog(window, ctx, window.runner, CORPUS / "broken_no_end.vcf")
    refused.resize(900, 360)
    refused.show()
    refused.start()
    settle(0.8)
    refused.grab().save(str(out / f"contact-import-refused-{scheme}.png"))
    refused.done(0)
