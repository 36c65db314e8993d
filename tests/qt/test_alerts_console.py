"""The alert intake in the console: a posted alert becomes an incident in the list (with its
badge) and its detail (with the alert), a notice, the offer to resolve when all cleared; a taken
port is told in the status bar and the console keeps working; the dialogs keep what was typed."""

from __future__ import annotations

import http.client
import json
import socket
from collections.abc import Iterator
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.lifecycle import Status
from imdesk.qt.alerts.dialogs import AlertSettingsDialog, AlertSettingsValues, MaintenanceDialog
from imdesk.qt.incidents.table_model import COL_TITLE
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from tests.helpers.alert_payloads import alertmanager, am_alert, encode


def post(window: MainWindow, body: dict[str, Any]) -> int:
    listener = window.alerts.console.listener
    conn = http.client.HTTPConnection("127.0.0.1", listener.port, timeout=10)
    try:
        conn.request("POST", "/alertmanager", body=encode(body), headers={
            "Content-Type": "application/json",
            "Authorization": f"Bearer {listener.token}"})
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.fixture
def alerting(window: MainWindow, qtbot: QtBot) -> Iterator[MainWindow]:
    window._start_secondary()  # what the first paint triggers
    # the listener is a process of its own: it starts, binds and reports
    qtbot.waitUntil(lambda: window.alerts.console.listener is not None, timeout=30_000)
    yield window


def test_a_posted_alert_opens_an_incident_with_badge_detail_and_notice(
        alerting: MainWindow, qtbot: QtBot) -> None:
    window = alerting
    with qtbot.waitSignal(window.alerts.console.changed, timeout=10_000):
        assert post(window, alertmanager("g", am_alert("DiskFull", instance="db1"))) == 200
    assert "listening on http://127.0.0.1:" in window.alerts.status_label.text()
    model = window.incidents.model
    qtbot.waitUntil(lambda: model.rowCount() == 1 and "⚠ 1/1" in model.index(0, COL_TITLE).data())
    notice = window.alerts.notice
    assert notice.isVisible() and "New incident from an alert: INC-1001 P1" in notice.text.text()
    notice.action.click()  # Show
    panel = window.alerts.panel
    qtbot.waitUntil(lambda: panel.isVisible() and panel.model.rowCount() == 1)
    assert panel.title.text() == "Alerts: 1 firing of 1"
    assert "runbooks/DiskFull" in panel.details.text() and "instance=db1" in panel.details.text()
    assert window.incidents.detail.state.origin.value == "monitoring"


def test_all_clear_offers_to_resolve(alerting: MainWindow, qtbot: QtBot,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    window = alerting
    alert = am_alert("Latency")
    with qtbot.waitSignal(window.alerts.console.changed, timeout=10_000):
        post(window, alertmanager("g", alert))
    with qtbot.waitSignal(window.alerts.console.all_clear, timeout=10_000):
        post(window, alertmanager("g", {**alert, "status": "resolved"}))
    notice = window.alerts.notice
    assert "INC-1001: every alert has cleared" in notice.text.text()
    monkeypatch.setattr(window.incidents, "ask_note", lambda *_a: "latency back to normal")
    notice.action.click()
    assert window.ctx.incidents.get("INC-1001").status == Status.RESOLVED


def test_a_taken_port_is_told_in_the_status_bar_and_the_console_works(
        qtbot: QtBot, sqlite_ctx: AppContext, monkeypatch: pytest.MonkeyPatch) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        monkeypatch.setenv("IMDESK_ALERT_PORT", str(taken.getsockname()[1]))
        win = MainWindow(sqlite_ctx, SyncTaskRunner())
        win.persist_layout = False
        qtbot.addWidget(win)
        win.show()
        win.start()
        win._start_secondary()
        qtbot.waitUntil(lambda: "not listening" in win.alerts.status_label.text(), timeout=30_000)
        assert "in use" in win.alerts.status_label.text()
        assert win.alerts.console.listener is None
        win.alerts.show_pane()
        assert win.current_pane() is not None and win.alerts.pane.isVisible()
        win.close()


def test_the_alerts_pane_lists_alerts_windows_and_heartbeats(alerting: MainWindow, qtbot: QtBot) -> None:
    window = alerting
    ctx = window.ctx
    now = ctx.incidents.now()
    from datetime import UTC, datetime, timedelta

    # the listener process keeps the wall clock, the console the test's clock: cover both
    wall = datetime.now(UTC)
    ctx.alerts.watch.add_window("db patching", min(now, wall) - timedelta(hours=1),
                                max(now, wall) + timedelta(hours=1), matchers="instance=db9")
    ctx.alerts.watch.add_heartbeat("prometheus", 5)
    with qtbot.waitSignal(window.alerts.console.changed, timeout=10_000):
        post(window, alertmanager("g", am_alert("Down", instance="web1")))
    post(window, alertmanager("h", am_alert("Down", instance="db9")))  # in maintenance
    qtbot.waitUntil(lambda: len(ctx.alerts.intake.alerts()) == 2)
    window.alerts.show_pane()
    pane = window.alerts.pane
    qtbot.waitUntil(lambda: pane.alerts.rowCount() == 2)
    states = {pane.alerts.index(r, 0).data() for r in range(2)}
    assert states == {"⚠ firing", "⚠ firing · maintenance"}
    assert pane.windows.index(0, 0).data() == "active"
    assert pane.beats.index(0, 1).data() == "prometheus"
    assert pane.inbox.rowCount() == 2


def test_settings_dialog_keeps_what_was_typed_when_a_rule_is_refused(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    initial = AlertSettingsValues(True, "127.0.0.1", 9464, True, False, [], {"critical": ("high", "high")})
    saved: list[Any] = []

    def save(values: AlertSettingsValues) -> AlertSettingsValues:
        sqlite_ctx.alerts.settings.set_rules(values.rules)
        saved.append(values)
        return values

    dialog = AlertSettingsDialog(None, SyncTaskRunner(), initial, save)
    qtbot.addWidget(dialog)
    dialog.rules.setPlainText('job=~"vpn.*" => NoSuchService')
    dialog.buttons.accepted.emit()
    assert "no service named 'NoSuchService'" in dialog.error.text()
    assert dialog.rules.toPlainText() == 'job=~"vpn.*" => NoSuchService' and not saved
    dialog.rules.setPlainText("just words")
    dialog.buttons.accepted.emit()
    assert "needs 'matchers => service'" in dialog.error.text()
    sqlite_ctx.catalog.add("VPN")
    dialog.rules.setPlainText('job=~"vpn.*" => vpn')
    dialog.buttons.accepted.emit()
    assert saved and sqlite_ctx.alerts.settings.mapping().rules[0].service == "VPN"


def test_maintenance_dialog_refuses_a_window_that_silences_everything(
        qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    dialog = MaintenanceDialog(None, SyncTaskRunner(), sqlite_ctx.incidents.now(), [],
                               sqlite_ctx.alerts.watch.add_window)
    qtbot.addWidget(dialog)
    dialog.name.setText("quarterly patching")
    dialog.buttons.accepted.emit()
    assert "silence everything" in dialog.error.text() and dialog.name.text() == "quarterly patching"
    dialog.matchers.setText("env=staging")
    dialog.buttons.accepted.emit()
    assert dialog.result_value is not None and json.dumps(dialog.result_value.name)
    assert [w.name for w in sqlite_ctx.alerts.watch.windows()] == ["quarterly patching"]


def test_the_listener_runs_apart_from_the_window_and_stops_with_it(
        alerting: MainWindow, qtbot: QtBot) -> None:
    import os
    import sys

    window = alerting
    process = window.alerts.console.listener
    pid = process._proc.processId()
    assert pid and pid != os.getpid()
    assert sys.getswitchinterval() == pytest.approx(0.005)  # the console's interpreter untouched
    with qtbot.waitSignal(window.alerts.console.changed, timeout=10_000):
        assert post(window, alertmanager("g", am_alert("Down", instance="web1"))) == 200
    window.close()
    assert window.alerts.console.listener is None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)  # stopped and reaped, not left behind


def test_a_new_port_in_the_settings_restarts_the_listener_there(
        alerting: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> None:
    window = alerting
    console = window.alerts.console
    old = console.listener
    with socket.socket() as probe:  # a free port for the new setting
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("IMDESK_ALERT_PORT", str(port))
    console.restart()
    assert console.status_text == "Alerts: restarting…"
    qtbot.waitUntil(lambda: console.listener is not None and console.listener is not old,
                    timeout=30_000)
    assert console.listener.port == port and f":{port}" in window.alerts.status_label.text()
    with qtbot.waitSignal(console.changed, timeout=10_000):
        assert post(window, alertmanager("g", am_alert("Down", instance="web1"))) == 200


@pytest.mark.postgres
def test_the_alerts_and_messages_panes_name_the_desk_holding_each_lease(
        qtbot: QtBot, pg_template: str) -> None:
    from imdesk.app import build_context
    from imdesk.domain.desk import Desk
    from imdesk.domain.lease import LISTENER, SENDER, Holder, lease_line
    from imdesk.qt.alerts.pane import AlertsPane
    from imdesk.qt.comms.outbox_pane import OutboxPane
    from imdesk.services.desk.leases import LeaseKeeper, lease_holders
    from tests.conftest import fresh_pg_url

    ctx = build_context(fresh_pg_url(pg_template), author="tester")
    try:
        night = Desk("Night desk", "ops-9", "nia")
        for name in (LISTENER, SENDER):
            LeaseKeeper(ctx.db, name, night, holder=Holder(night.name, night.host, 7, "n" * 36)).take()
        pane = AlertsPane(ctx, SyncTaskRunner())
        qtbot.addWidget(pane)
        pane.reload()
        assert not pane.lease.isHidden()
        assert pane.lease.text().startswith("listener: on Night desk since ")
        outbox = OutboxPane(ctx.comms.outbox, SyncTaskRunner(), now=ctx.now, send_now=lambda: None)
        qtbot.addWidget(outbox)
        assert outbox.lease.isHidden()  # nothing known yet
        outbox.show_lease(lease_line(lease_holders(ctx.db), SENDER, ctx.now()))
        assert outbox.lease.text().startswith("sender: on Night desk since ")
        assert not outbox.lease.isHidden()
    finally:
        ctx.close()


def test_a_single_desk_shows_no_lease_line(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    from imdesk.qt.alerts.pane import AlertsPane

    pane = AlertsPane(sqlite_ctx, SyncTaskRunner())
    qtbot.addWidget(pane)
    pane.reload()
    assert pane.lease.isHidden()
