"""Screenshots of the contact book (called from bench/screenshots.py for each scheme): the pane
with a person's card (her name parts under the name), "who do I call" from an incident, a team,
the drill, the editor with the name parts and a refused number, the organisation editor, and
page 1 of the emergency pack (pdftoppm)."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from imdesk.qt.contacts.drill_dialog import DrillDialog
    from imdesk.qt.contacts.editor import ContactEditor
    from imdesk.qt.contacts.org_editor import OrgEditor

    pane = window.contacts
    window.show_pane(pane)
    pane.search.setText("luc")
    settle(0.8)
    window.grab().save(str(out / f"contacts-{scheme}.png"))
    from imdesk.services.incidents import NewIncident

    inc = next((i for i in ctx.incidents.page(_open_query(), 0, 50) if i.service == "VPN"), None)
    if inc is None:
        inc = ctx.incidents.create(NewIncident("VPN concentrator not accepting logins", "high", "high",
                                               service="VPN"))
    pane.who_for_incident(inc.ref, "VPN", f"{inc.ref} · {inc.priority.value} · {inc.title}")
    settle(0.8)
    window.grab().save(str(out / f"who-to-call-{scheme}.png"))
    pane.search.setText("network")
    settle(0.6)
    pane.show_team("Network")
    settle(0.6)
    window.grab().save(str(out / f"team-{scheme}.png"))
    ids = ctx.contacts.drill_ids(stale=True)
    drill = DrillDialog(window, ctx.contacts, window.runner, "Stale and flagged contacts", ids)
    drill.show()
    settle(0.6)
    drill.grab().save(str(out / f"drill-{scheme}.png"))
    drill.done(0)
    record = ctx.contacts.get(ctx.contacts.find("Lucía Fernández")).record   # name parts, nickname
    editor = ContactEditor(window, record, "DE")
    editor.phones[1].setText("+49 30 12")
    editor.phones[1].editingFinished.emit()
    editor.emails[1].setText("lucia@@northwind")
    editor.emails[1].editingFinished.emit()
    editor.show()
    settle(0.4)
    editor.grab().save(str(out / f"contact-editor-{scheme}.png"))
    editor.done(0)
    org = OrgEditor(window, ctx.contacts)
    org.team_combo.setCurrentIndex(org.team_combo.findData("Network"))
    org.show()
    settle(0.4)
    org.grab().save(str(out / f"organisation-{scheme}.png"))
    org.done(0)
    if scheme == "light" and shutil.which("pdftoppm"):
        from imdesk.qt.contacts.pack_writer import write_pdf
        from imdesk.services.contacts.pack_data import collect_pack

        pdf = write_pdf(collect_pack(ctx), out / "emergency-pack.pdf")
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-f", "1", "-l", "2", str(pdf),
                        str(out / "emergency-pack")], check=True)


def _open_query() -> Any:
    from imdesk.storage.incident_repo import IncidentQuery

    return IncidentQuery()
