"""Screenshots of every pane and dialog on the demo data, light and dark, into ./shots/.

Run with `./dev shot` (it starts a virtual X screen). Not a test: for looking at the app.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    out = ROOT / "shots"
    out.mkdir(exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix="imdesk-shots-"))
    os.environ["IMDESK_DATA_DIR"] = str(tmp)
    os.environ.setdefault("XDG_CONFIG_HOME", str(tmp / "config"))
    from PySide6.QtWidgets import QApplication

    from imdesk.app import build_context
    from imdesk.qt import theme
    from imdesk.qt.console import make_app
    from imdesk.qt.incident_dialog import IncidentDialog
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.note_dialog import NoteDialog
    from imdesk.qt.tasks import TaskRunner
    from imdesk.services.demo_data import ensure_demo_data

    app = make_app()
    ctx = build_context(f"sqlite:///{tmp / 'demo.sqlite'}")
    ensure_demo_data(ctx)

    def settle(seconds: float = 0.6) -> None:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            app.processEvents()
            time.sleep(0.02)

    for scheme in ("light", "dark"):
        os.environ["IMDESK_THEME"] = scheme
        theme.apply_theme(app)
        window = MainWindow(ctx, TaskRunner(app), demo=True)
        window.persist_layout = False
        window.resize(1400, 860)
        window.incidents.splitter.setSizes([820, 560])
        window.show()
        window.start()
        settle(1.0)
        window.grab().save(str(out / f"incidents-{scheme}.png"))
        window.incidents.status_combo.setCurrentIndex(1)
        window.incidents.filter_edit.setText("vpn")
        settle(0.8)
        window.grab().save(str(out / f"incidents-filtered-{scheme}.png"))
        dialog = IncidentDialog(window, services=[s.name for s in ctx.catalog.services()],
                                matrix=ctx.settings.matrix(), runner=window.runner,
                                save=ctx.incidents.create)
        dialog.ui.titleEdit.setText("Core switch down in DC2")
        dialog.ui.impactCombo.setCurrentIndex(0)
        dialog.ui.urgencyCombo.setCurrentIndex(0)
        dialog.show_error("service", "no service named 'Netwrk'")
        dialog.show()
        settle(0.4)
        dialog.grab().save(str(out / f"new-incident-{scheme}.png"))
        dialog.done(0)
        note = NoteDialog(window, "Resolve INC-1042", "Resolution note: what fixed it?",
                          required=True, ok_text="Resolve")
        note.show()
        settle(0.3)
        note.grab().save(str(out / f"resolve-note-{scheme}.png"))
        note.done(0)
        rooms = ctx.war_rooms.open_rooms()
        if rooms:
            ref = rooms[0].ref
            if scheme == "light":
                ctx.war_rooms.assign_role(ref, "im", "Kim Nguyen")
                ctx.war_rooms.assign_role(ref, "tl", "Sam Okafor")
                ctx.war_rooms.participant(ref, "Priya Raman", joined=True)
                ctx.war_rooms.set_bridge(ref, "+49 30 1234 5678")
                ctx.war_rooms.set_situation(
                    ref, conditions="Inbound mail from outside is queued at the relay",
                    actions="Failing over the spam filter cluster", needs="Vendor engineer on site",
                    impact="Customers cannot reach sales and support by e-mail")
                ctx.war_rooms.add_action(ref, "Open vendor case", owner="Sam")
                ctx.incidents.add_entry(ref, "Fail over to the secondary filter", "decision")
            window.war_rooms.reload_rooms(select=ref)
            window.show_pane(window.war_rooms)
            settle(1.0)
            window.grab().save(str(out / f"war-room-{scheme}.png"))
        from imdesk.qt.war_room_dialogs import DeclareDialog
        from imdesk.services.playbook import load_playbook

        name, steps = load_playbook()
        declare = DeclareDialog(window, "INC-1042", "Core switch down in DC2", name, steps, 5)
        declare.show()
        settle(0.3)
        declare.grab().save(str(out / f"declare-{scheme}.png"))
        declare.done(0)
        from bench.contact_shots import shoot as shoot_contacts

        shoot_contacts(window, ctx, out, scheme, settle)
        from bench.contact_import_shots import shoot as shoot_import

        shoot_import(window, ctx, out, scheme, settle)
        from bench.shots_comms import shoot as shoot_comms

        shoot_comms(window, ctx, rooms[0].ref if rooms else None, out, scheme, settle)
        window.close()
        settle(0.2)
    ctx.close()
    QApplication.quit()
    print(f"screenshots in {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
