"""Communications in the console, driven as a user would: one key from an incident or its war
room, the send dialog, the Messages pane with its call list, provider settings, the status bar."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.credentials.store import CredentialState, SecretStore
from imdesk.domain.message import MessageState
from imdesk.qt.comms.provider_dialog import ProviderDialog
from imdesk.qt.comms.send_dialog import SendDialog
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.comms.recipients import Recipient
from imdesk.services.comms.status import Connectivity, RunReport
from tests.comms.conftest import SMTP_PASSWORD, configure, use_people
from tests.helpers.smtp_server import USER, SmtpServer
from tests.qt.conftest import add, window  # noqa: F401  (the console fixture)

ROOT = Path(__file__).resolve().parents[2]
KIM = Recipient("Kim Larsen", phones=("+4915112345678",), emails=("kim@example.org",))
NOBODY = Recipient("Lee Park", phones=("12",))
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_one_key_from_an_incident_and_from_its_war_room(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,  # noqa: F811
        monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    monkeypatch.setattr(SendDialog, "ask", classmethod(
        lambda cls, parent, notify, runner, ref, title, **kw: asked.append(ref) or None))
    plain = add(sqlite_ctx, "Printer queue stuck", "low", "medium")
    major = add(sqlite_ctx, "Core switch down in DC2", "high", "high")
    window.incidents.reload()
    window.incidents.table.selectRow(window.incidents.model.row_of(plain))
    qtbot.keyClick(window.incidents.table, Qt.Key.Key_I, CTRL_SHIFT)
    sqlite_ctx.war_rooms.declare(major)
    window.war_rooms.reload_rooms(select=major)
    window.show_pane(window.war_rooms)
    qtbot.keyClick(window.war_rooms.composer, Qt.Key.Key_I, CTRL_SHIFT)
    assert asked == [plain, major]
    from imdesk.qt.shortcuts_help import shortcut_rows

    assert ("Ctrl+Shift+I", "Inform people") in shortcut_rows(window)


def test_the_send_dialog_shows_who_gets_what_then_sends(qtbot: QtBot, sqlite_ctx: AppContext,
                                                        clock: Any) -> None:
    from datetime import timedelta

    ctx = sqlite_ctx
    configure(ctx)  # no providers: whoever has a number goes on the call list
    use_people(ctx, [KIM, NOBODY])
    ref = add(ctx, "Core switch down in DC2", "high", "high")
    ctx.war_rooms.declare(ref)
    clock.advance(timedelta(minutes=10))
    dialog = SendDialog(None, ctx.comms.notify, SyncTaskRunner(), ref, "Core switch down in DC2")
    qtbot.addWidget(dialog)
    text = dialog.recipients.toPlainText()
    assert "☎ Call by hand (1)" in text and "Kim Larsen" in text
    assert "⚠ Cannot be reached as planned (1)" in text and "Lee Park" in text
    assert "Update:" in dialog.subject.text() and f"[{ref}]" in dialog.subject.text()
    assert "characters (GSM-7) · 1 SMS" in dialog.sms_size.text()
    dialog.audience.setCurrentIndex(dialog.audience.findData("technical"))
    assert dialog.sms.toPlainText().startswith(f"UPD P1 {ref}")
    assert dialog.send_button.isEnabled()
    dialog.send_button.click()
    assert dialog.result() == SendDialog.DialogCode.Accepted and dialog.queued
    states = {i.recipient: (i.state, i.last_error) for i in ctx.comms.outbox.list()}
    assert states["Kim Larsen"][0] == MessageState.CALL
    # the one who cannot be reached is listed in the Messages pane with the reason, not lost
    assert states["Lee Park"][0] == MessageState.FAILED and "not reachable" in states["Lee Park"][1]
    assert ctx.war_rooms.room(ref).update.state.value == "ok"  # the update clock restarted


def test_a_refused_send_keeps_the_choices(qtbot: QtBot, sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    configure(ctx)
    use_people(ctx, [KIM])
    ref = add(ctx, "VPN flaps")
    dialog = SendDialog(None, ctx.comms.notify, SyncTaskRunner(), ref, "VPN flaps")
    qtbot.addWidget(dialog)
    dialog.template.setCurrentIndex(dialog.template.findData("resolved"))
    ctx.incidents.change_status(ref, "cancelled", note="duplicate of INC-0999")
    dialog.send()
    assert "Not sent:" in dialog.error.text() and "cancelled" in dialog.error.text()
    assert dialog.template.currentData() == "resolved"  # the choice stays
    assert dialog.send_button.isEnabled() and dialog.queued is None
    assert ctx.comms.outbox.list() == []


def test_the_messages_pane_and_its_call_list(qtbot: QtBot, window: MainWindow,  # noqa: F811
                                             sqlite_ctx: AppContext,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    ctx = sqlite_ctx
    configure(ctx)
    use_people(ctx, [KIM])
    ref = add(ctx, "ERP down", "high", "high")
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "initial"))
    window.comms.refresh_counts()
    assert window.comms.button.text().splitlines()[0].endswith(" 1")  # one person to call: the rail says so
    window.comms.button.click()  # the rail (Alt+3)
    assert window.current_pane() is window.comms.pane
    pane = window.comms.pane
    assert pane.model.rowCount() == 1
    assert "call by hand" in pane.model.index(0, 4).data()
    assert pane.calls_model.rowCount() == 1 and "+4915112345678" in pane.calls_model.index(0).data()
    monkeypatch.setattr(pane, "ask_note", lambda *a: "reached her, she informs her team")
    pane.calls.setCurrentIndex(pane.calls_model.index(0))
    pane.called_button.click()
    assert pane.calls_model.rowCount() == 0
    assert [i.state for i in ctx.comms.outbox.list()] == [MessageState.CALLED]
    lines = [e.text for e in ctx.incidents.detail(ref).timeline if e.kind == "message"]
    assert any("called by tester: reached her, she informs her team" in t for t in lines)
    pane.table.selectRow(0)
    pane.retry_selected()  # called already: refused with a reason in the status bar
    assert "Not retried" in window.statusBar().currentMessage()


def test_status_bar_connectivity_and_a_paused_channel(window: MainWindow) -> None:  # noqa: F811
    window.comms._report(RunReport(connectivity=Connectivity.OFFLINE))
    assert "offline" in window.comms.label.text()
    window.comms._report(RunReport(connectivity=Connectivity.ONLINE,
                                   waiting={"mail": CredentialState.LOCKED}))
    assert "online" in window.comms.label.text() and "paused: credentials" in window.comms.label.text()
    pane = window.comms.pane
    assert "mail: the keyring is locked" in pane.connectivity.text()


def test_provider_settings_test_connection_and_a_session_only_secret(
        qtbot: QtBot, sqlite_ctx: AppContext, smtp_server: SmtpServer,
        test_ca: tuple[Any, Path]) -> None:
    import keyring.backends.fail

    ctx = sqlite_ctx
    ctx.comms.secrets = SecretStore(backend=keyring.backends.fail.Keyring())
    dialog = ProviderDialog(None, ctx.comms, SyncTaskRunner(), ctx.comms.load_settings())
    qtbot.addWidget(dialog)
    ui = dialog.ui
    ui.nameEdit.setText("mail")
    ui.kindCombo.setCurrentIndex(ui.kindCombo.findData("smtp"))
    ui.portSpin.setValue(smtp_server.port)
    ui.userEdit.setText(USER)
    ui.fromEdit.setText("desk@example.org")
    ui.caEdit.setText(str(test_ca[1]))
    ui.secretEdit.setText(SMTP_PASSWORD)
    ui.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert "Not saved:" in ui.formError.text() and "host is missing" in ui.formError.text()
    assert ui.fromEdit.text() == "desk@example.org"  # what was typed stays
    ui.hostEdit.setText("localhost")
    ui.testButton.click()
    assert ui.testResult.text().startswith("✔ OK: connected to localhost")
    assert "typed in" in ui.testResult.text()
    ui.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    assert "kept for this session only" in ui.formError.text()
    assert ctx.comms.load_settings().providers["mail"].settings.host == "localhost"  # type: ignore[union-attr]
    assert ctx.comms.secrets.get("mail").state == CredentialState.SESSION
    ui.plaintextCheck.setChecked(True)
    assert "plain text" in ui.secretWhere.text()


def test_the_sender_runs_in_its_own_process_and_reports(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,  # noqa: F811
        smtp_server: SmtpServer, test_ca: tuple[Any, Path], session_secrets: Any,
        clock: Any) -> None:
    """Nothing queued: no sender process. The first message starts it; the secret kept for
    this session only goes down the pipe; the report comes back to the status bar."""
    from datetime import UTC, datetime

    clock.set(datetime.now(UTC))  # the sender process runs on the real clock
    ctx = sqlite_ctx
    configure(ctx, smtp=smtp_server, ca_file=test_ca[1])
    use_people(ctx, [KIM])
    ctx.comms.secrets = session_secrets
    qtbot.waitUntil(lambda: window.comms.started)  # after the first paint
    assert window.comms.worker is None
    ref = add(ctx, "ERP down", "high", "high")
    ctx.comms.notify.queue(ctx.comms.notify.plan(ref, "update"))
    assert window.comms.worker is not None
    try:
        qtbot.waitUntil(lambda: bool(smtp_server.ids()), timeout=30_000)
        qtbot.waitUntil(lambda: "online" in window.comms.label.text(), timeout=10_000)
    finally:
        window.comms.stop()
    assert [i.state for i in ctx.comms.outbox.list()] == [MessageState.SENT]


def test_generated_provider_form_matches_the_designer_file(tmp_path: Path) -> None:
    uic = shutil.which("pyside6-uic", path=str(Path(sys.executable).parent))
    assert uic
    out = tmp_path / "ui_provider_dialog.py"
    subprocess.run([uic, str(ROOT / "ui" / "provider_dialog.ui"), "-o", str(out)], check=True)
    committed = ROOT / "imdesk" / "qt" / "forms" / "ui_provider_dialog.py"

    def body(text: str) -> list[str]:
        return [line for line in text.splitlines() if "User Interface Compiler version" not in line]

    assert body(out.read_text()) == body(committed.read_text()), (
        "stale: run pyside6-uic ui/provider_dialog.ui -o imdesk/qt/forms/ui_provider_dialog.py")


def test_an_update_with_an_empty_situation_warns_and_offers_a_draft(qtbot: QtBot,
                                                                    sqlite_ctx: AppContext) -> None:
    from imdesk.services.situation_draft import draft_situation

    ctx = sqlite_ctx
    configure(ctx)
    use_people(ctx, [KIM])
    ref = add(ctx, "Mail gateway rejects outbound mail", "high", "high")
    ctx.war_rooms.declare(ref)
    ctx.incidents.add_entry(ref, "outbound mail queued since 08:05, inbound fine")
    ctx.incidents.add_entry(ref, "fail over to the second gateway", "decision")
    dialog = SendDialog(None, ctx.comms.notify, SyncTaskRunner(), ref, "Mail gateway",
                        drafter=lambda r: draft_situation(ctx.incidents, r))
    qtbot.addWidget(dialog)
    assert not dialog.empty_warning.isHidden() and not dialog.draft_button.isHidden()
    assert "Conditions, Actions and Needs are empty" in dialog.empty_warning.text()
    dialog.draft_button.click()  # Alt+D
    assert dialog.empty_warning.isHidden()
    body = dialog.body.toPlainText()
    assert "outbound mail queued since 08:05" in body and "fail over to the second gateway" in body
    assert dialog.send_button.isEnabled()


def test_updates_carry_the_business_impact(sqlite_ctx: AppContext) -> None:
    ctx = sqlite_ctx
    configure(ctx)
    use_people(ctx, [KIM])
    ref = add(ctx, "Mail gateway rejects outbound mail", "high", "high")
    ctx.war_rooms.declare(ref)
    ctx.war_rooms.set_situation(ref, conditions="outbound mail queued", actions="failing over",
                                needs="", impact="Customers receive no order confirmations")
    for audience, line in (("business", "What you may notice: Customers receive no order confirmations"),
                           ("technical", "Business impact: Customers receive no order confirmations")):
        plan = ctx.comms.notify.plan(ref, "update", audience=audience, channel="email")
        assert line in plan.rendered.body
