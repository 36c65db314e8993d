"""The War rooms pane as the scribe and the incident manager use it: keyboard first."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QLabel
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.war_room import Role
from imdesk.qt.main_window import MainWindow
from imdesk.qt.war_room.dialogs import DeclareDialog
from imdesk.services.clock import ManualClock
from tests.qt.conftest import add


def _room(window: MainWindow, ctx: AppContext, title: str = "Core switch down in DC2") -> str:
    ref = add(ctx, title, "high", "high")
    ctx.war_rooms.declare(ref, bridge="+49 30 1234 5678", roles={"im": "Kim Nguyen"})
    window.war_rooms.reload_rooms(select=ref)
    window.show_pane(window.war_rooms)
    return ref


def test_declaring_from_the_incident_list_opens_the_room(qtbot: QtBot, window: MainWindow,
                                                         sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "ERP database down", "high", "high")
    window.incidents.reload()
    window.incidents.table.selectRow(window.incidents.model.row_of(ref))
    assert window.incidents.incident_actions.declare.isEnabled()

    def fill(dialog: QDialog) -> bool:
        assert isinstance(dialog, DeclareDialog)
        dialog.role_edits[Role.INCIDENT_MANAGER].setText("Priya Raman")
        dialog.bridge.setText("https://meet.example/erp")
        dialog.impact.setPlainText("Orders cannot be entered in any plant")
        return True

    window.war_rooms.ask = fill  # type: ignore[method-assign]
    qtbot.keyClick(window.incidents.table, Qt.Key.Key_M, Qt.KeyboardModifier.ControlModifier
                   | Qt.KeyboardModifier.ShiftModifier)
    assert window.current_pane() is window.war_rooms
    room = window.war_rooms.current_room()
    assert room is not None and room.incident.ref == ref and room.incident.major
    assert room.state.roles[Role.INCIDENT_MANAGER].name == "Priya Raman"
    assert "meet.example/erp" in window.war_rooms.bridge.text()
    assert window.war_rooms.can["impact"].text() == "Orders cannot be entered in any plant"
    kinds = [e.kind for e in sqlite_ctx.incidents.detail(ref).timeline]
    assert kinds == ["opened", "major", "bridge", "role", "note", "situation"]
    assert window.rooms_button.text().splitlines()[0].endswith(" 1")  # the badge beside ⌂


def test_composer_kinds_by_keyboard_and_bang_for_decisions(qtbot: QtBot, window: MainWindow,
                                                            sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    assert pane.composer.hasFocus() or pane.composer.isEnabled()
    qtbot.keyClick(pane.composer, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert "action" in pane.kind_label.text()
    qtbot.keyClicks(pane.composer, "check the uplinks @Sam")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    assert "note" in pane.kind_label.text()  # one action line, then back to notes
    qtbot.keyClicks(pane.composer, "!fail over to DC1")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    qtbot.keyClick(pane.composer, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(pane.composer, "Update 1 sent to all staff")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    last = [(e.kind, e.text) for e in sqlite_ctx.incidents.detail(ref).timeline[-3:]]
    assert last == [("action_item", "action 1: check the uplinks — Sam"), ("decision", "fail over to DC1"),
                    ("communication", "Update 1 sent to all staff")]
    # the action line is the action item: one thing, listed under Action items
    assert pane.actions_model.rowCount() == 1
    assert "check the uplinks — Sam" in pane.actions_model.index(0).data()
    shown = [pane.timeline_model.index(r).data() for r in range(pane.timeline_model.rowCount())]
    assert any("◆ decision  fail over to DC1" in line for line in shown)
    assert pane.composer.text() == "" and "note" in pane.kind_label.text()


def test_a_refused_entry_keeps_the_text(qtbot: QtBot, window: MainWindow,
                                        sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    before = len(sqlite_ctx.incidents.detail(ref).timeline)
    big = "y" * 30_000
    pane.composer.setText(big)
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    assert pane.composer.text() == big and "limit" in pane.error.text()
    pane.composer.setText("   ")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    assert "needs some text" in pane.error.text()
    assert len(sqlite_ctx.incidents.detail(ref).timeline) == before


def test_roles_people_and_actions(qtbot: QtBot, window: MainWindow,
                                  sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    edit = pane.role_edits[Role.INCIDENT_MANAGER]
    qtbot.keyClicks(edit, "Sam Okafor")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: pane.role_labels[Role.INCIDENT_MANAGER].text().startswith("Sam Okafor"))
    assert sqlite_ctx.incidents.detail(ref).timeline[-1].text == \
        "Incident manager handed over from Kim Nguyen to Sam Okafor"
    qtbot.keyClicks(pane.person, "Jonas Berg")
    qtbot.keyClick(pane.person, Qt.Key.Key_Return)
    assert pane.people.text() == "Jonas Berg"
    qtbot.keyClicks(pane.new_action, "Call the vendor @Mei Tanaka ~23:59")
    qtbot.keyClick(pane.new_action, Qt.Key.Key_Return)
    assert pane.actions_model.rowCount() == 1
    assert "Call the vendor" in pane.actions_model.index(0).data()
    assert "Mei Tanaka" in pane.actions_model.index(0).data()
    assert "due" in pane.actions_model.index(0).data()
    action = sqlite_ctx.war_rooms.room(ref).state.actions[1]
    assert action.due is not None and action.due.astimezone().strftime("%H:%M") == "23:59"
    pane.actions_view.setCurrentIndex(pane.actions_model.index(0, 0))
    pane.action_done()
    assert pane.actions_model.index(0).data().startswith("☑")


def test_update_clock_turns_red_and_big(qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext,
                                        clock: ManualClock) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    assert "next update in 5m" in pane.update_clock.text()
    normal = pane.update_clock.font().pointSizeF()
    clock.advance(timedelta(minutes=4))
    pane.tick()
    assert pane.update_clock.text().startswith("▲")
    clock.advance(timedelta(minutes=3))
    pane.tick()
    assert "overdue by 2m" in pane.update_clock.text()
    assert pane.update_clock.font().pointSizeF() > normal * 1.5
    sqlite_ctx.incidents.add_entry(ref, "update 1 sent", "communication")
    pane.poll()
    pane.tick()
    assert "next update in 30m" in pane.update_clock.text()


def test_room_shows_user_text_literally(qtbot: QtBot, window: MainWindow,
                                        sqlite_ctx: AppContext) -> None:
    ref = _room(window, sqlite_ctx, title="<b>bold</b> <img src=x>")
    sqlite_ctx.war_rooms.set_situation(ref, conditions="<i>x</i>", actions="", needs="",
                                       impact="")
    window.war_rooms.open_room(ref)
    labels = window.war_rooms.findChildren(QLabel)
    assert all(lb.textFormat() == Qt.TextFormat.PlainText for lb in labels if lb.text())
    assert "<b>bold</b>" in window.war_rooms.title.text()
    assert window.war_rooms.can["conditions"].text() == "<i>x</i>"


def test_backdating_and_correcting_from_the_keyboard(qtbot: QtBot, window: MainWindow,
                                                     sqlite_ctx: AppContext,
                                                     clock: ManualClock) -> None:
    ref = _room(window, sqlite_ctx)
    pane = window.war_rooms
    clock.advance(timedelta(minutes=30))
    at = clock.now().astimezone() - timedelta(minutes=10)
    qtbot.keyClicks(pane.composer, f"@{at:%H:%M} failover started at DC1")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    entry = sqlite_ctx.incidents.detail(ref).timeline[-1]
    assert entry.text == "failover started at DC1"
    assert entry.occurred_at is not None
    assert entry.occurred_at.astimezone().strftime("%H:%M") == f"{at:%H:%M}"
    row = pane.timeline_model.rowCount() - 1
    assert "backdated" in pane.timeline_model.index(row).data()
    pane.timeline.setCurrentIndex(pane.timeline_model.index(row))
    qtbot.keyClick(pane.timeline, Qt.Key.Key_F2)
    assert pane.composer.text() == "failover started at DC1"
    assert f"correcting #{entry.seq}" in pane.kind_label.text()
    pane.composer.setText("failover started at DC2")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    fixed = sqlite_ctx.incidents.detail(ref).timeline[-1]
    assert fixed.data["supersedes"] == entry.seq and fixed.text == "failover started at DC2"
    original = pane.timeline_model.index(pane.timeline_model.row_of_seq(entry.seq))
    assert original.data(Qt.ItemDataRole.FontRole).strikeOut()
    pane.composer.setText("@25:99 nonsense")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    assert "not a time of day" in pane.error.text() and pane.composer.text() == "@25:99 nonsense"


def test_search_jumps_to_the_entry_in_its_room(qtbot: QtBot, window: MainWindow,
                                               sqlite_ctx: AppContext) -> None:
    from imdesk.qt.search_dialog import SearchDialog

    ref = _room(window, sqlite_ctx)
    other = add(sqlite_ctx, "Printer jam on 3rd floor", "low", "low")
    sqlite_ctx.incidents.add_entry(other, "toner replaced, printer fine")
    target = sqlite_ctx.incidents.add_entry(ref, "uplink optics replaced in rack 12")
    window.war_rooms.reload_rooms(select=ref)
    dialog = SearchDialog(window, sqlite_ctx.timeline, window.runner, sqlite_ctx.incidents.now())
    qtbot.addWidget(dialog)
    dialog.chosen.connect(window.go_to_hit)
    qtbot.keyClicks(dialog.query, "optics rack")
    dialog.run_search()
    assert dialog.model.rowCount() == 1 and "«optics»" in dialog.model.index(0).data()
    qtbot.keyClick(dialog.query, Qt.Key.Key_Return)
    assert window.current_pane() is window.war_rooms
    qtbot.waitUntil(lambda: window.war_rooms.timeline.currentIndex().isValid())
    current = window.war_rooms.timeline.currentIndex()
    assert "uplink optics" in current.data()
    assert window.war_rooms.timeline_model.row_of_seq(target.seq) == current.row()
    dialog2 = SearchDialog(window, sqlite_ctx.timeline, window.runner, sqlite_ctx.incidents.now())
    qtbot.addWidget(dialog2)
    dialog2.chosen.connect(window.go_to_hit)
    dialog2.query.setText("toner")
    dialog2.run_search()
    qtbot.keyClick(dialog2.query, Qt.Key.Key_Return)
    assert window.current_pane() is window.incidents
    assert window.incidents.detail.state is not None and window.incidents.detail.state.ref == other
