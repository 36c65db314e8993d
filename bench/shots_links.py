"""Screenshots of linked incidents: the new-incident dialog with similar hints, the master's
callers in the detail and in the war room, the organisation editor's dependencies.
Called by screenshots.py; `xvfb-run -a python bench/shots_links.py` takes only these."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def shoot(window: Any, ctx: Any, out: Path, scheme: str, settle: Callable[..., None]) -> None:
    from imdesk.qt.contacts.org_editor import OrgEditor
    from imdesk.qt.incidents.dialog import IncidentDialog

    rooms = ctx.war_rooms.open_rooms()
    master = rooms[0].ref if rooms else None
    dialog = IncidentDialog(window, services=[s.name for s in ctx.catalog.services()],
                            matrix=ctx.settings.matrix(), runner=window.runner,
                            save=ctx.incidents.create,
                            similar=lambda t, s: ctx.links.similar(t, s),
                            link_call=lambda *a: None)
    dialog.show()
    dialog.ui.titleEdit.setText("our mails to customers bounce")
    dialog.caller_edit.setText("Kim Larsen")
    dialog.contact_edit.setText("kim.larsen@example.com")
    settle(0.8)
    dialog.grab().save(str(out / f"links-new-incident-hints-{scheme}.png"))
    dialog.done(0)
    if master is not None:
        window.show_pane(window.incidents)
        window.incidents.show_incident(master)
        settle(1.0)
        window.grab().save(str(out / f"links-detail-callers-{scheme}.png"))
        window.war_rooms.reload_rooms(select=master)
        window.show_pane(window.war_rooms)
        settle(1.0)
        window.grab().save(str(out / f"links-war-room-{scheme}.png"))
    editor = OrgEditor(window, ctx.contacts)
    editor.tabs.setCurrentIndex(1)
    editor.service_combo.setCurrentIndex(editor.service_combo.findData("Network"))
    editor.show()
    settle(0.5)
    editor.grab().save(str(out / f"links-org-dependencies-{scheme}.png"))
    editor.done(0)


def main() -> int:
    from shot_harness import run_alone  # run as a script: bench/ is on the path

    return run_alone(shoot)


if __name__ == "__main__":
    sys.exit(main())
