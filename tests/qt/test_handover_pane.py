"""The Handover pane by keyboard only: Alt+6 opens it compiled, S/W/U rate the open incidents,
Alt+S signs, Alt+A takes over with the incoming manager's synthesis; Enter on an incident opens
its detail or its war room; the reminder appears in the status bar before the shift ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.handover import HandoverState
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.clock import ManualClock
from tests.helpers.pdf_text import pdf_text
from tests.qt.conftest import add
from tests.qt.test_keyboard import dialog_went_well, focused, keys, on_next_dialog, press, type_and_submit

ALT = Qt.KeyboardModifier.AltModifier
CTRL = Qt.KeyboardModifier.ControlModifier
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


@pytest.fixture
def desk(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    sqlite_ctx.handover.set_pattern("06:00/18:00", "Europe/Berlin")
    add(sqlite_ctx, "Printer on 3rd floor jams", "low", "medium")
    add(sqlite_ctx, "Mail outage", "high", "high", major=True)
    window = MainWindow(sqlite_ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    window._start_secondary()
    yield window
    window.close()


def test_open_rate_sign_and_take_over_by_keyboard(desk: MainWindow, qtbot: QtBot) -> None:
    ctx = desk.ctx
    press(qtbot, Qt.Key.Key_6, ALT)
    pane = desk.handover.pane
    assert desk.current_pane() is pane and focused() is pane.open_view
    assert pane.open_model.rowCount() == 2 and "2 open" in pane.counts.text()
    assert "Major incidents" in pane.report.toPlainText()
    first, second = (pane.open_model.ref_at(0), pane.open_model.ref_at(1))
    keys(qtbot, "u")  # the P1 comes first; the selection moves on after each rating
    keys(qtbot, "w")
    assert [r["rating"] for r in pane.open_model.rows] == ["unstable", "watch"]
    press(qtbot, Qt.Key.Key_T, ALT)
    assert focused() is pane.if_then
    keys(qtbot, "if the queue grows, then call the vendor")
    press(qtbot, Qt.Key.Key_W, ALT)
    keys(qtbot, "Quiet night apart from mail.")
    on_next_dialog(lambda d: qtbot.keyClick(d.focusWidget() or d, Qt.Key.Key_Return, CTRL))
    press(qtbot, Qt.Key.Key_S, ALT)
    dialog_went_well()
    view = ctx.handover.show(ctx.handover.window())
    assert view.state == HandoverState.SIGNED and view.signed and view.signed.name == "tester"
    assert {r["ref"]: r["rating"] for r in view.content["open"]} == {first: "unstable", second: "watch"}
    assert view.content["if_then"] == ["if the queue grows, then call the vendor"]
    assert "signed, not taken over" in pane.state_label.text()
    assert pane.history_model.rowCount() == 1 and "OPEN" in pane.history_model.index(0).data()
    on_next_dialog(type_and_submit(qtbot, "The mail outage is mine; I call the vendor if the queue grows."))
    press(qtbot, Qt.Key.Key_A, ALT)
    dialog_went_well()
    view = ctx.handover.show(ctx.handover.window())
    assert view.state == HandoverState.TAKEN and view.taken and "vendor" in view.taken.text
    assert "taken over" in pane.state_label.text()


def test_enter_opens_the_room_of_a_major_and_alt_p_the_previous_shift(desk: MainWindow, qtbot: QtBot) -> None:
    press(qtbot, Qt.Key.Key_6, ALT)
    pane = desk.handover.pane
    shown = pane.window_shown
    press(qtbot, Qt.Key.Key_P, ALT)
    assert pane.window_shown is not None and shown is not None and pane.window_shown.end == shown.start
    press(qtbot, Qt.Key.Key_N, ALT)
    assert pane.window_shown == shown
    pane.open_view.setFocus()
    pane.open_view.selectRow(0)  # the major (P1 first)
    press(qtbot, Qt.Key.Key_Return)
    assert desk.current_pane() is desk.war_rooms
    assert desk.war_rooms.current_room().incident.title == "Mail outage"


def test_the_reminder_comes_half_an_hour_before_the_shift_ends(desk: MainWindow, clock: ManualClock) -> None:
    wiring = desk.handover
    window = desk.ctx.handover.window()
    clock.set(window.end - timedelta(minutes=31))
    wiring.check()
    assert wiring.status_label.isHidden()
    clock.set(window.end - timedelta(minutes=29))
    wiring.check()
    assert not wiring.status_label.isHidden() and "Handover due" in wiring.status_label.text()
    assert "handover is due" in desk.status.currentMessage()


def test_exports_from_the_pane(desk: MainWindow, qtbot: QtBot, tmp_path: Path,
                               monkeypatch: pytest.MonkeyPatch) -> None:
    press(qtbot, Qt.Key.Key_6, ALT)
    pane = desk.handover.pane
    for fmt, name in (("md", "h"), ("html", "h.html"), ("pdf", "h.pdf")):
        monkeypatch.setattr(pane, "ask_path", lambda _suffix, n=name: str(tmp_path / n))
        pane.export(fmt, "Letter")
    assert "Mail outage" in (tmp_path / "h.md").read_text()
    assert "<!DOCTYPE html>" in (tmp_path / "h.html").read_text()
    assert "Open incidents" in pdf_text(tmp_path / "h.pdf")


def test_the_shift_pattern_is_a_setting_and_a_bad_one_is_named(
        desk: MainWindow, monkeypatch: pytest.MonkeyPatch) -> None:
    from PySide6.QtWidgets import QDialog

    from imdesk.qt.handover.dialogs import ShiftsDialog

    answers = iter([("07:00/19:00", "Mars/Base", 30), ("07:00/19:00", "Europe/Berlin", 45)])
    seen: list[str] = []

    def exec_(dialog: ShiftsDialog) -> int:
        seen.append(dialog.problem.text())
        try:
            times, zone, minutes = next(answers)
        except StopIteration:
            return QDialog.DialogCode.Rejected.value
        dialog.times.setText(times)
        dialog.zone.setText(zone)
        dialog.minutes.setText(str(minutes))
        return QDialog.DialogCode.Accepted.value

    monkeypatch.setattr(ShiftsDialog, "exec", exec_)
    desk.handover.edit_shifts()
    pattern = desk.ctx.handover.pattern()
    assert (pattern.text, pattern.timezone, pattern.reminder_minutes) == ("07:00/19:00", "Europe/Berlin", 45)
    assert "not a time zone" in seen[1]
