"""Keyboard first: the keys go to the pane on screen, never into a hidden one; every rail key
works whatever its badge says. Driven with key events only, on the demo database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.tasks import SyncTaskRunner
from imdesk.services.demo.story import ensure_demo_data

ALT = Qt.KeyboardModifier.AltModifier
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
