"""The war room timeline as painted: lines are drawn once and copied after, so what is on screen
must still follow every change of a line's look — struck through when corrected, selected, the
room changed — and show each kind in its colour."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.qt.main_window import MainWindow
from imdesk.qt.war_room.timeline_model import kind_style
from tests.qt.conftest import add


def _line_image(window: MainWindow, row: int) -> QImage:
    view = window.war_rooms.timeline
    rect = view.visualRect(view.model().index(row, 0))
    return view.viewport().grab(rect).toImage()


def _colours(image: QImage) -> set[str]:
    return {image.pixelColor(x, y).name() for x in range(0, image.width(), 2)
            for y in range(image.height())}


def test_what_is_painted_follows_the_lines_look(qtbot: QtBot, window: MainWindow,
                                                sqlite_ctx: AppContext) -> None:
    ref = add(sqlite_ctx, "Core switch down in DC2", "high", "high")
    sqlite_ctx.war_rooms.declare(ref, bridge="+49 30 1234 5678", roles={"im": "Kim Nguyen"})
    window.war_rooms.reload_rooms(select=ref)
    window.show_pane(window.war_rooms)
    pane = window.war_rooms
    qtbot.waitUntil(lambda: pane.timeline_model.rowCount() > 0)
    pane.composer.setText("!fail over to DC1")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    row = pane.timeline_model.rowCount() - 1
    decision = kind_style("decision")[1].name()
    plain = _line_image(window, row)
    assert decision in _colours(plain)  # the decision's colour is painted
    assert _line_image(window, row) == plain  # drawn again from the copy: the same

    pane.timeline.setCurrentIndex(pane.timeline_model.index(row))
    selected = _line_image(window, row)
    assert selected != plain  # the selection shows

    pane.timeline.setCurrentIndex(pane.timeline_model.index(0))
    qtbot.keyClick(pane.timeline, Qt.Key.Key_End)
    qtbot.keyClick(pane.timeline, Qt.Key.Key_F2)
    pane.composer.setText("fail over to DC3")
    qtbot.keyClick(pane.composer, Qt.Key.Key_Return)
    struck_row = pane.timeline_model.row_of_seq(
        pane.timeline_model.index(row).data(Qt.ItemDataRole.UserRole + 1).seq)
    pane.timeline.setCurrentIndex(pane.timeline_model.index(0))
    assert _line_image(window, struck_row) not in (plain, selected)  # now struck through
