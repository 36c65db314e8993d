"""The Drills pane driven by keys: pick a built-in scenario, start it; the banner stays while it
runs; the alerts open exercise incidents marked on every pane (list row, detail, war room
header, Ctrl+K search hits); a call inject shows in the prompts side panel (no dialog over the
desk); pause, skip and the trainer's window by key; stop; the scorecard and the after-action
report signed off and frozen."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.incident_query import IncidentQuery
from imdesk.qt.main_window import MainWindow
from imdesk.qt.search_dialog import SearchDialog
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.clock import ManualClock

CTRL = Qt.KeyboardModifier.ControlModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints",
                                       r"This plugin does not support raise\(\)")


@pytest.fixture
def console(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    window = MainWindow(sqlite_ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.start()
    window._start_secondary()
    yield window
    if window.drills.trainer is not None:
        window.drills.trainer.close()
    window.close()


def test_a_drill_from_start_to_signed_report_by_keys(
        qtbot: QtBot, console: MainWindow, sqlite_ctx: AppContext, clock: ManualClock,
        monkeypatch: pytest.MonkeyPatch) -> None:
    wiring = console.drills
    pane = wiring.pane
    console.show_pane(pane)
    assert [r.key for r in pane.list_model.rows] == [
        "datacentre-power-loss", "mail-relay-down", "suspected-ransomware"]
    pane.list_view.setCurrentIndex(pane.list_model.index(0, 0))
    assert pane.inject_model.rowCount() == 13
    pane.participants.setText("Priya Raman, Tom Becker")
    pane.allow.setText("drill-room@example.org")
    pane.focus_default()
    qtbot.keyClick(pane.list_view, Qt.Key.Key_Return, CTRL)  # start
    assert wiring.controller.running
    drill = sqlite_ctx.drills.service.get(wiring.controller.player.id)
    assert drill.allow_list == ("drill-room@example.org",)
    assert drill.participants == ("Priya Raman", "Tom Becker")
    assert "EXERCISE RUNNING — Data-centre power loss" in console.banner.text()
    assert not any(b.text() == "Dismiss" for b in console.banner.buttons())
    [ref] = sqlite_ctx.drills.service.incident_refs(wiring.controller.player.id)
    state = sqlite_ctx.incidents.get(ref)
    assert state.exercise
    # the marks: list row, detail, search hit
    console.incidents.reload()
    console.incidents.show_incident(ref)
    row = console.incidents.model.row_of(ref)
    title = console.incidents.model.index(row, 2).data()
    assert "EXERCISE" in title
    assert "EXERCISE" in console.incidents.detail.major.text()
    search = SearchDialog(console, sqlite_ctx.timeline, console.runner, clock.now())
    qtbot.addWidget(search)
    search.query.setText("UPS")
    search.run_search()
    assert "[EXERCISE]" in search.model.index(0, 0).data()
    # the call at T+4m: a prompt in the side panel, not a dialog
    clock.advance(timedelta(minutes=4))
    wiring.controller._due()  # what the timer does when it fires
    assert wiring.dock.isVisible() and "Plant manager" in wiring.prompts.toPlainText()
    assert QApplication.activeModalWidget() is None
    # pause, skip and the trainer's view by key
    pane.focus_default()
    focus = QApplication.focusWidget() or pane
    qtbot.keyClick(focus, Qt.Key.Key_P, CTRL)
    assert wiring.controller.player.schedule.paused
    before = len(wiring.controller.player.played)
    qtbot.keyClick(focus, Qt.Key.Key_J, CTRL)
    assert len(wiring.controller.player.played) == before + 1
    qtbot.keyClick(focus, Qt.Key.Key_T, CTRL)
    trainer = wiring.trainer
    assert trainer is not None and trainer.isVisible()
    assert trainer.upcoming_model.rowCount() > 0 and trainer.played_model.rowCount() >= 1
    assert "paused" in trainer.position.text()
    # the war room header of a declared exercise says so too
    sqlite_ctx.war_rooms.declare(ref)
    console.war_rooms.reload_rooms(select=ref)
    console.show_pane(console.war_rooms)
    assert "EXERCISE" in console.war_rooms.header.title.text()
    console.show_pane(pane)
    # stop: the banner goes, the drill is listed with its scorecard
    pane.focus_default()
    qtbot.keyClick(QApplication.focusWidget() or pane, Qt.Key.Key_Q, CTRL_SHIFT)
    assert not wiring.controller.running
    assert "EXERCISE RUNNING" not in console.banner.text()
    review = pane.review
    pane.tabs.setCurrentIndex(1)
    assert review.drill_model.rowCount() == 1 and review.score_model.rowCount() == 5
    assert review.event_model.rowCount() >= 4
    review.strengths.setPlainText("Quick acknowledgement")
    review.improvements.setPlainText("Declare earlier")
    review.actions_edit.setPlainText("Train the declaration | Dana Weiss | 2026-12-15")
    review.strengths.setFocus()
    qtbot.keyClick(review.strengths, Qt.Key.Key_S, CTRL)
    assert sqlite_ctx.drills.reports.after_action(1).strengths == "Quick acknowledgement"
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: QMessageBox.StandardButton.Yes)
    review.sign_button.click()
    assert review.strengths.isReadOnly() and "Signed off by tester" in review.signed.text()
    assert not review.save_button.isEnabled()
    assert sqlite_ctx.incidents.page(IncidentQuery(include_exercise=False), 0, 10) == []


def test_turning_an_exercise_into_a_real_incident_is_asked_and_written(
        qtbot: QtBot, console: MainWindow, sqlite_ctx: AppContext,
        monkeypatch: pytest.MonkeyPatch) -> None:
    from imdesk.qt.widgets.note_dialog import NoteDialog
    from tests.qt.conftest import add

    ref = add(sqlite_ctx, "ERP down (drill)", "high", "high", exercise=True)
    console.incidents.reload()
    console.incidents.show_incident(ref)
    asked: list[str] = []

    def ask(cls: object, parent: object, title: str, prompt: str, **kw: object) -> str:
        asked.append(title)
        return "the drill found a real fault"

    monkeypatch.setattr(NoteDialog, "ask", classmethod(ask))
    console.incidents.table.setFocus()
    qtbot.keyClick(console.incidents.table, Qt.Key.Key_Y, CTRL_SHIFT)
    assert asked == [f"Turn {ref} into a real incident"]
    assert not sqlite_ctx.incidents.get(ref).exercise
    entry = sqlite_ctx.incidents.detail(ref).timeline[-1]
    assert entry.kind == "exercise" and entry.author == "tester"
    assert "the drill found a real fault" in entry.text
