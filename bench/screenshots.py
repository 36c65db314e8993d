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
    from imdesk.qt.incidents.dialog import IncidentDialog
    from imdesk.qt.main_window import MainWindow
    from imdesk.qt.tasks import TaskRunner
    from imdesk.qt.widgets.note_dialog import NoteDialog
    from imdesk.services.demo.story import ensure_demo_data

    app = make_app()
    ctx = build_context(f"sqlite:///{tmp / 'demo.sqlite'}")
    ensure_demo_data(ctx)
    alert_ref = seed_alerts(ctx)

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
        window.incidents.status_combo.setCurrentIndex(window.incidents.status_combo.findText("All"))
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
            # the demo story fills the room itself (roles, bridge, situation, actions)
            window.war_rooms.reload_rooms(select=ref)
            window.show_pane(window.war_rooms)
            settle(1.0)
            window.grab().save(str(out / f"war-room-{scheme}.png"))
            from bench.shots_keyboard import shoot as shoot_keys

            shoot_keys(window, out, scheme, settle)
        alert_shots(window, ctx, alert_ref, out, scheme, settle)
        from bench.shots_handover import shoot as shoot_handover

        shoot_handover(window, ctx, out, scheme, settle)
        from imdesk.qt.war_room.dialogs import DeclareDialog
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
        from bench.shots_reports import shoot as shoot_reports

        shoot_reports(window, out, scheme, settle)

        from bench.shots_links import shoot as shoot_links

        shoot_links(window, ctx, out, scheme, settle)

        from bench.docs_shots import shoot as shoot_docs

        shoot_docs(window, ctx, out, scheme, settle)

        from bench.shots_drills import shoot as shoot_drills

        shoot_drills(window, ctx, out, scheme, settle)

        from bench.shots_team import shoot as shoot_team

        shoot_team(window, ctx, out, scheme, settle)
        from bench.shots_spool import shoot as shoot_spool

        shoot_spool(window, ctx, out, scheme, settle)
        window.close()
        settle(0.2)
    ctx.close()
    QApplication.quit()
    print(f"screenshots in {out}")
    return 0


def seed_alerts(ctx: object) -> str:
    """A few alerts, a maintenance window and heartbeats, so the alert screens show something.
    The listener stays off here: screenshots need no network and no keyring."""
    from datetime import timedelta

    from imdesk.services.alerts.settings import ListenerSettings
    from tests.helpers.alert_payloads import alertmanager, am_alert, encode, pagerduty

    alerts = ctx.alerts  # type: ignore[attr-defined]
    alerts.settings.set_listener(ListenerSettings(enabled=False))
    alerts.settings.set_rules([('job=~"vpn.*"', "VPN")])
    now = ctx.incidents.now()  # type: ignore[attr-defined]
    alerts.watch.add_window("ERP database patching (CHG-4411)", now - timedelta(minutes=20),
                            now + timedelta(hours=2), matchers='instance=~"erp-db.*"')
    alerts.watch.add_heartbeat("prometheus-dc1", 5)
    alerts.watch.add_heartbeat("grafana", 10)
    out = alerts.intake.ingest(encode(alertmanager(
        'job="vpn-gw"', am_alert("TunnelDown", job="vpn-gw", instance="vpn-gw-1"),
        am_alert("TunnelDown", job="vpn-gw", instance="vpn-gw-2"))))[1]
    alerts.intake.ingest(encode(alertmanager(
        "erp", am_alert("DiskFull", severity="warning", instance="erp-db-1"))))
    alerts.intake.ingest(encode(pagerduty("trigger", summary="Payroll batch job failed",
                                          severity="error")))
    return str(out.opened[0].ref)


def alert_shots(window: object, ctx: object, ref: str, out: Path, scheme: str,
                settle: object) -> None:
    from imdesk.qt.alerts.dialogs import AlertSettingsDialog, AlertSettingsValues, MaintenanceDialog

    w = window  # type: ignore[assignment]
    w.show_pane(w.incidents)  # type: ignore[attr-defined]
    w.incidents.status_combo.setCurrentIndex(0)  # type: ignore[attr-defined]
    w.incidents.filter_edit.setText("")  # type: ignore[attr-defined]
    w.incidents.show_incident(ref)  # type: ignore[attr-defined]
    settle(1.0)  # type: ignore[operator]
    w.grab().save(str(out / f"incident-alerts-{scheme}.png"))  # type: ignore[attr-defined]
    w.alerts.show_pane()  # type: ignore[attr-defined]
    settle(0.8)  # type: ignore[operator]
    w.grab().save(str(out / f"alerts-{scheme}.png"))  # type: ignore[attr-defined]
    w.alerts.pane.tabs.setCurrentIndex(1)  # type: ignore[attr-defined]
    settle(0.3)  # type: ignore[operator]
    w.grab().save(str(out / f"alerts-maintenance-{scheme}.png"))  # type: ignore[attr-defined]
    mapping = ctx.alerts.settings.mapping()  # type: ignore[attr-defined]
    values = AlertSettingsValues(True, "127.0.0.1", 9464, True, False,
                                 [('job=~"vpn.*"', "VPN")],
                                 {k: (v[0].value, v[1].value) for k, v in mapping.severity.items()})
    dialog = AlertSettingsDialog(w, w.runner, values, lambda v: v,  # type: ignore[arg-type, attr-defined]
                                 (lambda: None, lambda: None))
    dialog.show()
    settle(0.3)  # type: ignore[operator]
    dialog.grab().save(str(out / f"alert-settings-{scheme}.png"))
    dialog.done(0)
    maint = MaintenanceDialog(w, w.runner, ctx.incidents.now(), ["ERP", "VPN"],  # type: ignore
                              lambda *a, **k: None)
    maint.name.setText("Core switch firmware upgrade")
    maint.matchers.setText('site="dc2"')
    maint.show()
    settle(0.3)  # type: ignore[operator]
    maint.grab().save(str(out / f"maintenance-{scheme}.png"))
    maint.done(0)


if __name__ == "__main__":
    raise SystemExit(main())
