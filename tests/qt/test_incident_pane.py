"""The Incidents pane as a user drives it: keyboard first, nothing typed is ever lost."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox, QLabel
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.lifecycle import Status
from imdesk.errors import DiskFull
from imdesk.qt.incidents.dialog import IncidentDialog
from imdesk.qt.main_window import MainWindow
from imdesk.services.clock import ManualClock
from tests.qt.conftest import add


def _select(window: MainWindow, ref: str) -> None:
    pane = window.incidents
    row = pane.model.row_of(ref)
    assert row >= 0, f"{ref} not in the list"
    pane.table.setFocus()
    pane.table.selectRow(row)


def _dialog(window: MainWindow, ctx: AppContext) -> IncidentDialog:
    return IncidentDialog(window, services=[s.name for s in ctx.catalog.services()],
                          matrix=ctx.settings.matrix(), runner=window.runner,
                          save=ctx.incidents.create)


def test_new_incident_dialog_shows_live_priority_and_saves(qtbot: QtBot, window: MainWindow,
                                                          sqlite_ctx: AppContext) -> None:
    sqlite_ctx.catalog.add("VPN", "high")
    dialog = _dialog(window, sqlite_ctx)
    qtbot.addWidget(dialog)
    ui = dialog.ui
    qtbot.keyClicks(ui.titleEdit, "VPN drops sessions for Berlin")
    ui.impactCombo.setCurrentIndex(0)  # high
    ui.urgencyCombo.setCurrentIndex(0)  # high
    assert ui.priorityBadge.text().strip() == "P1"
    assert "major" in ui.priorityHint.text()
    ui.urgencyCombo.setCurrentIndex(2)  # low
    assert ui.priorityBadge.text().strip() == "P3"
    ui.serviceCombo.setCurrentIndex(ui.serviceCombo.findText("VPN"))
    with qtbot.waitSignal(dialog.saved) as saved:
        ui.buttons.button(QDialogButtonBox.StandardButton.Save).click()
    state = saved.args[0]
    assert (state.title, state.priority.value, state.service) == (
        "VPN drops sessions for Berlin", "P3", "VPN")
    window.incidents._written(state.ref, "saved")
    assert window.incidents.model.row_of(state.ref) >= 0
    assert window.incidents.detail.title.text() == "VPN drops sessions for Berlin"


def test_refused_save_keeps_everything_typed(qtbot: QtBot, window: MainWindow,
                                             sqlite_ctx: AppContext) -> None:
    calls = []

    def failing_save(draft: object) -> object:
        calls.append(draft)
        raise DiskFull("the disk is full: nothing could be saved; free some space and retry")

    dialog = IncidentDialog(window, services=[], matrix=sqlite_ctx.settings.matrix(),
                            runner=window.runner, save=failing_save)
    qtbot.addWidget(dialog)
    dialog.ui.titleEdit.setText("Payroll export fails")
    dialog.ui.descriptionEdit.setPlainText("HR cannot send the November run.")
    dialog.accept()
    assert calls, "save was attempted"
    assert dialog.result() == 0 and dialog.ui.formError.isVisibleTo(dialog)
    assert "disk is full" in dialog.ui.formError.text()
    assert dialog.ui.titleEdit.text() == "Payroll export fails"
    assert dialog.ui.descriptionEdit.toPlainText() == "HR cannot send the November run."


def test_field_error_names_the_field_and_keeps_text(qtbot: QtBot, window: MainWindow,
                                                    sqlite_ctx: AppContext) -> None:
    dialog = _dialog(window, sqlite_ctx)
    qtbot.addWidget(dialog)
    dialog.ui.titleEdit.setText("\u202e\u200b")  # only invisible controls
    dialog.ui.descriptionEdit.setPlainText("kept")
    dialog.accept()
    assert dialog.ui.titleError.isVisibleTo(dialog)
    assert "title" in dialog.ui.titleError.text()
    assert dialog.ui.descriptionEdit.toPlainText() == "kept"
    assert sqlite_ctx.incidents.count(window.incidents.current_query()) == 0


def test_empty_title_is_refused_before_saving(qtbot: QtBot, window: MainWindow,
                                              sqlite_ctx: AppContext) -> None:
    dialog = _dialog(window, sqlite_ctx)
    qtbot.addWidget(dialog)
    dialog.accept()
    assert "title is required" in dialog.ui.titleError.text()


def test_lifecycle_by_keyboard(qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,
                               monkeypatch: object) -> None:
    ref = add(sqlite_ctx, "Printer on 3rd floor jams", "low", "low")
    window.incidents.reload()
    _select(window, ref)
    pane = window.incidents
    notes = iter(["waiting for the toner delivery", "replaced the fuser"])
    pane.ask_note = lambda *a: next(notes)  # type: ignore[method-assign]
    qtbot.keyClick(pane.table, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert sqlite_ctx.incidents.get(ref).status == Status.IN_PROGRESS
    qtbot.keyClick(pane.table, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert sqlite_ctx.incidents.get(ref).status == Status.ON_HOLD
    assert pane.incident_actions.by_status[Status.IN_PROGRESS].text() == "Res&ume work"
    qtbot.keyClick(pane.table, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    state = sqlite_ctx.incidents.get(ref)
    assert state.status == Status.RESOLVED and state.resolved_at is not None
    assert not pane.incident_actions.by_status[Status.ON_HOLD].isEnabled()
    qtbot.keyClick(pane.table, Qt.Key.Key_L, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert sqlite_ctx.incidents.get(ref).status == Status.CLOSED
    texts = [e.text for e in sqlite_ctx.incidents.detail(ref).timeline]
    assert "waiting for the toner delivery" in texts and "replaced the fuser" in texts
    assert pane.detail.timeline_model.rowCount() == 5


def test_cancelled_note_prompt_changes_nothing(qtbot: QtBot, window: MainWindow,
                                               sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "Wi-Fi slow in meeting room")
    window.incidents.reload()
    _select(window, ref)
    window.incidents.ask_note = lambda *a: None  # type: ignore[method-assign]
    window.incidents.incident_actions.by_status[Status.RESOLVED].trigger()
    assert sqlite_ctx.incidents.get(ref).status == Status.NEW
    assert len(sqlite_ctx.incidents.detail(ref).timeline) == 1


def test_note_composer_adds_entry_and_keeps_text_on_error(qtbot: QtBot, window: MainWindow,
                                                          sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "ERP login slow")
    window.incidents.reload()
    _select(window, ref)
    note = window.incidents.detail.note
    qtbot.keyClicks(note, "Called the ERP vendor")
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert note.text() == ""
    assert sqlite_ctx.incidents.detail(ref).timeline[-1].text == "Called the ERP vendor"
    assert "Called the ERP vendor" in window.incidents.detail.timeline_model.index(0).data()
    big = "x" * 25_000
    note.setText(big)
    qtbot.keyClick(note, Qt.Key.Key_Return)
    assert note.text() == big
    assert "limit" in window.incidents.detail.error.text()
    assert len(sqlite_ctx.incidents.detail(ref).timeline) == 2


def test_user_text_is_shown_literally(qtbot: QtBot, window: MainWindow,
                                      sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "<b>bold</b> <img src=file:///etc/passwd>",
              description="<a href='file:///'>click</a>")
    window.incidents.reload()
    _select(window, ref)
    detail = window.incidents.detail
    assert detail.title.text() == "<b>bold</b> <img src=file:///etc/passwd>"
    labels = detail.findChildren(QLabel)
    assert labels and all(lb.textFormat() == Qt.TextFormat.PlainText for lb in labels
                          if lb.text()), [lb.text() for lb in labels
                                          if lb.textFormat() != Qt.TextFormat.PlainText]


def test_filter_by_text_status_priority_and_major(qtbot: QtBot, window: MainWindow,
                                                  sqlite_ctx: AppContext) -> None:
    add(sqlite_ctx, "Mailbox full for finance", "low", "low")
    vpn = add(sqlite_ctx, "VPN gateway down", "high", "high", major=True)
    done = add(sqlite_ctx, "VPN token expired", "low", "medium")
    sqlite_ctx.incidents.change_status(done, "cancelled", "duplicate")
    pane = window.incidents
    pane.reload()
    assert pane.model.rowCount() == 2  # open only by default
    qtbot.keyClick(pane.table, Qt.Key.Key_Slash)
    assert pane.filter_edit.hasFocus()
    qtbot.keyClicks(pane.filter_edit, "vpn")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    assert pane.model.state_at(0).ref == vpn  # type: ignore[union-attr]
    pane.status_combo.setCurrentIndex(pane.status_combo.findText("All"))  # all
    assert pane.model.rowCount() == 2
    pane.major_check.setChecked(True)
    assert pane.model.rowCount() == 1
    pane.filter_edit.clear()
    pane.major_check.setChecked(False)
    pane.priority_combo.setCurrentIndex(pane.priority_combo.findText("P5"))
    assert pane.model.rowCount() == 1 and pane.count_label.text() == "1 incident"


def test_sorting_by_header_happens_in_sql(qtbot: QtBot, window: MainWindow,
                                          sqlite_ctx: AppContext) -> None:
    for title in ("beta", "Alpha", "gamma"):
        add(sqlite_ctx, title)
    pane = window.incidents
    pane.reload()
    pane.table.sortByColumn(2, Qt.SortOrder.AscendingOrder)
    titles = [pane.model.state_at(i).title for i in range(3)]  # type: ignore[union-attr]
    assert titles == ["Alpha", "beta", "gamma"]
    assert pane.model.query.sort == "title"
    pane.table.sortByColumn(2, Qt.SortOrder.DescendingOrder)
    assert pane.model.state_at(0).title == "gamma"  # type: ignore[union-attr]


def test_external_changes_are_picked_up(qtbot: QtBot, window: MainWindow,
                                        sqlite_ctx: AppContext) -> None:
    pane = window.incidents
    assert pane.model.rowCount() == 0
    pane.poll_changes()  # what the console saw at start
    ref = add(sqlite_ctx, "Created from the command line")
    pane.poll_changes()
    assert pane.model.row_of(ref) == 0
    assert "1 open" in window.status.counts_label.text()


def test_sla_column_ticks_and_warns(qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,
                                    clock: ManualClock) -> None:
    from datetime import timedelta

    add(sqlite_ctx, "Core switch down", "high", "high")  # P1: respond in 15 min
    pane = window.incidents
    pane.reload()
    sla = pane.model.index(0, 7)
    assert sla.data() == "15m"
    clock.advance(timedelta(minutes=12))
    pane.tick()
    assert sla.data().startswith("▲") and "3m" in sla.data()
    clock.advance(timedelta(minutes=5))
    pane.tick()
    assert sla.data().startswith("✖") and "-2m" in sla.data()
    assert "breached" in window.incidents.detail.sla.text().lower()
    window.refresh_counts()
    assert "1 breached" in window.status.counts_label.text()


def test_detail_follows_the_filter(qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    payroll = add(sqlite_ctx, "Overtime import failed")
    vpn = add(sqlite_ctx, "VPN gateway drops sessions")
    pane = window.incidents
    pane.reload()
    _select(window, payroll)
    assert pane.detail.state is not None and pane.detail.state.ref == payroll
    pane.filter_edit.setText("vpn")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 1)
    assert pane.current_ref() == vpn
    assert pane.detail.state is not None and pane.detail.state.ref == vpn
    pane.filter_edit.setText("nothing-matches-this")
    qtbot.waitUntil(lambda: pane.model.rowCount() == 0)
    assert pane.detail.state is None and pane.detail.empty.isVisibleTo(pane.detail)


def test_a_new_incident_outside_the_filter_is_still_shown(qtbot: QtBot, window: MainWindow,
                                                          sqlite_ctx: AppContext) -> None:
    pane = window.incidents
    pane.filter_edit.setText("printer")
    ref = add(sqlite_ctx, "Badge reader at the gate is offline")
    pane._written(ref, "saved")
    assert pane.model.row_of(ref) < 0
    assert pane.detail.state is not None and pane.detail.state.ref == ref
