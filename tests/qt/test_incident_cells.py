"""The incident list paints its cells itself (laid-out texts kept between paints, qt/incidents/
cells.py) instead of through the style: every cell must look exactly as the style paints it —
text, elision, font, colours, alignment, selection, the alternating rows and the SLA colours."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPalette
from PySide6.QtWidgets import QStyledItemDelegate, QStyleOptionViewItem
from pytestqt.qtbot import QtBot

from imdesk.context import AppContext
from imdesk.domain.lifecycle import Status
from imdesk.qt.incidents.cells import CellTexts
from imdesk.qt.incidents.priority_delegate import IncidentCellDelegate
from imdesk.qt.incidents.table_model import COL_REF, COL_TITLE, COLUMNS
from imdesk.qt.main_window import MainWindow
from tests.qt.conftest import add


def _cell(window: MainWindow, row: int, col: int, *, style: bool) -> QImage:
    table = window.incidents.table
    index = window.incidents.model.index(row, col)
    rect = table.visualRect(index)
    option = QStyleOptionViewItem()
    table.initViewItemOption(option)  # what the view gives each cell (its font, elide mode, …)
    option.rect = rect.translated(-rect.topLeft())
    option.state = option.state | (
        option.state.State_Selected if table.selectionModel().isRowSelected(row) else
        option.state.State_None)
    if row % 2:
        option.features = option.features | option.ViewItemFeature.Alternate
    option.widget = table
    image = QImage(rect.size(), QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.white)
    painter = QPainter(image)
    delegate = table.itemDelegateForIndex(index)
    if style:  # what the style paints for the same option
        QStyledItemDelegate.paint(delegate, painter, option, index)
    else:  # (the priority column's badge delegate: its cell without the badge)
        IncidentCellDelegate.paint(delegate, painter, option, index)
    painter.end()
    return image


def test_every_cell_looks_as_the_style_paints_it(qtbot: QtBot, window: MainWindow,
                                                 sqlite_ctx: AppContext) -> None:
    add(sqlite_ctx, "Core switch down in the data centre, every floor without network", "high",
        "high")  # P1: bold SLA, a title too long for its column
    sqlite_ctx.catalog.add("VPN")
    add(sqlite_ctx, "Printer jam", "low", "low", service="VPN")
    resolved = add(sqlite_ctx, "Mail relay queue", "medium", "high")
    sqlite_ctx.incidents.change_status(resolved, Status.RESOLVED, "restarted")  # dimmed
    major = add(sqlite_ctx, "Payroll export failed <b>twice</b> & more", "high", "medium")
    sqlite_ctx.war_rooms.declare(major)
    pane = window.incidents
    pane.reload()
    pane.table.selectRow(1)
    assert pane.model.rowCount() == 4
    for row in range(4):
        for col, _name, _key in COLUMNS:
            assert _cell(window, row, col, style=False) == _cell(window, row, col, style=True), (
                row, col)


def test_a_long_text_is_elided_to_its_cell() -> None:
    texts = CellTexts()
    font = QFont()
    shown = texts.shown("Core switch down in the data centre, every floor", font, 80)
    assert shown.endswith("…") and len(shown) < 20
    assert texts.shown("VPN", font, 80) == "VPN"


def test_the_cells_follow_a_new_font_and_palette(qtbot: QtBot, window: MainWindow,
                                                 sqlite_ctx: AppContext) -> None:
    add(sqlite_ctx, "Printer jam on the third floor, again and again", "low", "low")
    pane = window.incidents
    pane.reload()
    pane.table.selectRow(0)
    assert _cell(window, 0, COL_TITLE, style=False) == _cell(window, 0, COL_TITLE, style=True)
    font = QFont(pane.table.font())
    font.setPointSizeF(font.pointSizeF() * 1.5)
    pane.table.setFont(font)
    palette = QPalette(pane.table.palette())
    palette.setColor(QPalette.ColorRole.Highlight, QColor("#7b1fa2"))
    palette.setColor(QPalette.ColorRole.HighlightedText, QColor("#ffeb3b"))
    pane.table.setPalette(palette)
    for col in (COL_REF, COL_TITLE):
        assert _cell(window, 0, col, style=False) == _cell(window, 0, col, style=True)


def test_a_selection_painted_follows_every_change_of_the_selection(
        qtbot: QtBot, window: MainWindow, sqlite_ctx: AppContext) -> None:
    for title in ("Printer jam", "Mail relay queue", "VPN gateway drops sessions"):
        add(sqlite_ctx, title)
    pane = window.incidents
    pane.reload()

    def painted_as_the_style_paints() -> bool:
        return all(_cell(window, row, col, style=False) == _cell(window, row, col, style=True)
                   for row in range(3) for col in (COL_REF, COL_TITLE))

    pane.table.selectRow(1)
    assert painted_as_the_style_paints()
    pane.table.selectRow(2)  # another row
    assert painted_as_the_style_paints()
    pane.table.clearSelection()
    assert painted_as_the_style_paints()
    pane.table.selectRow(0)
    assert painted_as_the_style_paints()  # (the delegate knows the selection now)
    pane.model.beginResetModel()  # a reset clears the selection without a signal
    pane.model.endResetModel()
    assert not pane.table.selectionModel().hasSelection()
    assert painted_as_the_style_paints()
