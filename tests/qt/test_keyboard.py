"""Keyboard first: the keys go to the pane on screen, never into a hidden one; every rail key
works whatever its badge says. Driven with key events only, on the demo database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.demo.story import ensure_demo_data

ALT = Qt.KeyboardModifier.AltModifier
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
# The offscreen platform has no window manager: activating a window says so once (harmless).
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
RAIL_KEYS = [Qt.Key.Key_1, Qt.Key.Key_2, Qt.Key.Key_3, Qt.Key.Key_4, Qt.Key.Key_5]


@pytest.fixture
def demo_window(qtbot: QtBot, sqlite_ctx: AppContext) -> Iterator[MainWindow]:
    ensure_demo_data(sqlite_ctx)
    window = MainWindow(sqlite_ctx, SyncTaskRunner())
    window.persist_layout = False
    qtbot.addWidget(window)
    window.resize(1300, 800)
    window.show()
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    window.start()
    window._start_secondary()  # what the first paint triggers: the war rooms, contacts, alerts
    yield window
    window.close()


def focused() -> QWidget:
    """The focus widget of the active window (the main window is made active again after a
    dialog closed: the offscreen platform has no window manager to do it)."""
    if QApplication.activeModalWidget() is None:
        for top in QApplication.topLevelWidgets():
            if isinstance(top, MainWindow) and top.isVisible() and not top.isActiveWindow():
                top.activateWindow()
                QApplication.processEvents()
    widget = QApplication.focusWidget()
    assert widget is not None
    return widget


def type_here(qtbot: QtBot, text: str) -> QWidget:
    widget = focused()
    qtbot.keyClicks(widget, text)
    return widget


def test_keys_typed_right_after_start_go_into_the_list_not_a_hidden_war_room(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    rooms = window.war_rooms
    ref = rooms.current_room().incident.ref
    entries_before = len(window.ctx.incidents.detail(ref).timeline)
    target = type_here(qtbot, "probe")
    assert target.isVisible() and window.incidents.isAncestorOf(target)
    qtbot.keyClick(target, Qt.Key.Key_Return)
    assert rooms.composer.text() == ""
    assert len(window.ctx.incidents.detail(ref).timeline) == entries_before  # nothing written


def test_after_every_pane_switch_the_keys_go_into_the_pane_on_screen(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    for index, key in enumerate(RAIL_KEYS):
        qtbot.keyClick(focused(), key, ALT)
        pane = window.current_pane()
        assert window.stack.currentIndex() == index and pane is not None
        target = focused()
        assert target.isVisible() and pane.isAncestorOf(target), (index, target)
    # back on the list, a room read again behind it (another desk wrote) takes no keys
    qtbot.keyClick(focused(), Qt.Key.Key_1, ALT)
    window.war_rooms.reload_rooms()
    target = type_here(qtbot, "x")
    assert window.incidents.isAncestorOf(target) and window.war_rooms.composer.text() == ""


def test_every_rail_key_works_whatever_the_badges_say(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    buttons = window.rail.group.buttons()
    assert len(buttons) == len(RAIL_KEYS)
    for count in (3, 0, 12):
        for button in buttons:
            window.set_rail_badge(button, count)
        for index in [4, 1, 3, 0, 2]:
            qtbot.keyClick(focused(), RAIL_KEYS[index], ALT)
            assert window.stack.currentIndex() == index, (count, index)
            assert window.rail.group.checkedId() == index
    assert all(str(12) in b.text().splitlines()[0] for b in buttons)


FAILURES: list[BaseException] = []


def on_next_dialog(act: Callable[[QWidget], None]) -> None:
    """Run `act` on the next modal dialog once it is open and active (its exec() runs an event
    loop of its own). A failure closes the dialog and is raised by `dialog_went_well`."""
    def attempt() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None or not dialog.isVisible() or not dialog.isActiveWindow():
            if dialog is not None:
                dialog.activateWindow()
            QTimer.singleShot(5, attempt)
            return
        try:
            act(dialog)
        except BaseException as exc:  # raised again on the test's own stack
            FAILURES.append(exc)
            dialog.close()

    QTimer.singleShot(0, attempt)


def dialog_went_well() -> None:
    if FAILURES:
        raise FAILURES.pop()


def type_and_submit(qtbot: QtBot, text: str) -> Callable[[QWidget], None]:
    """Type where the dialog put the cursor, then Ctrl+Enter."""
    def act(dialog: QWidget) -> None:
        target = dialog.focusWidget() or dialog
        for number, line in enumerate(text.split("\n")):
            if number:
                qtbot.keyClick(target, Qt.Key.Key_Return)  # a new line in a multi-line field
            qtbot.keyClicks(target, line)
        qtbot.keyClick(dialog.focusWidget() or dialog, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
        assert not dialog.isVisible(), "Ctrl+Enter did not submit the dialog"
    return act


def test_resolving_from_the_war_room_resolves_that_room_and_stays_with_it(
        demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    window.incidents.table.selectRow(window.incidents.model.rowCount() - 1)  # another incident
    qtbot.keyClick(focused(), Qt.Key.Key_2, ALT)
    room = window.war_rooms.current_room()
    assert room is not None
    ref = room.incident.ref
    assert window.incidents.detail.state.ref == ref  # the incident keys act on the room's incident
    on_next_dialog(type_and_submit(qtbot, "failed over to DC1; users confirm mail flows"))
    qtbot.keyClick(focused(), Qt.Key.Key_R, CTRL_SHIFT)
    dialog_went_well()
    assert window.ctx.incidents.get(ref).status.value == "resolved"
    assert window.current_pane() is window.incidents  # not another incident's war room
    assert window.incidents.detail.state.ref == ref
    target = focused()
    assert target.isVisible() and window.incidents.isAncestorOf(target)
    assert window.war_rooms.composer.text() == ""


def test_multi_line_dialogs_submit_with_ctrl_enter(demo_window: MainWindow, qtbot: QtBot) -> None:
    window = demo_window
    window.incidents.table.setFocus()
    on_next_dialog(type_and_submit(qtbot, "Printer on floor 3 jams"))
    qtbot.keyClick(focused(), Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)  # new incident
    dialog_went_well()
    state = window.incidents.detail.state
    assert state is not None and state.title == "Printer on floor 3 jams"
    on_next_dialog(type_and_submit(qtbot, "waiting for the toner\nfrom the vendor"))
    qtbot.keyClick(focused(), Qt.Key.Key_H, CTRL_SHIFT)  # hold: asks why
    dialog_went_well()
    held = window.ctx.incidents.detail(state.ref)
    assert held.incident.status.value == "on_hold"
    assert held.timeline[-1].text == "waiting for the toner\nfrom the vendor"
